// What the two CI roles may do inside the environment's EKS cluster. The kubeconfig authenticates with
// `aws eks get-token`, so each role needs an EKS access entry; the bootstrap creates both (docs/cicd.md, "EKS access
// for CI"), and the deploy role can change neither (policies.ts), so it cannot widen its own cluster rights.
import { roleArn } from "../iam";
import { roleNames } from "../../model/names";

/** EKS's managed access policy for Kubernetes' `view` role: reads every namespaced kind except Secrets. */
export const EKS_VIEW_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";

/** The Kubernetes group the deploy role's access entry maps to; {@link buildCiClusterRbac} binds it. */
export const DEPLOYER_GROUP = "finledger-deployers";

/** Name of the deployer's ClusterRole and of its ClusterRoleBinding. */
export const DEPLOYER_CLUSTER_ROLE = "finledger-deployer";

/** The Kubernetes group the preview role's access entry maps to, for the few reads `view` lacks. */
export const PREVIEWER_GROUP = "finledger-previewers";

/** Name of the previewer's ClusterRole and of its ClusterRoleBinding. */
export const PREVIEWER_CLUSTER_ROLE = "finledger-previewer";

/** One Kubernetes RBAC rule. */
export interface RbacRule {
    readonly apiGroups: readonly string[];
    readonly resources: readonly string[];
    readonly verbs: readonly string[];
    readonly resourceNames?: readonly string[];
}

/** One access entry of a CI role: its groups and the EKS access policies associated with it. */
export interface CiAccessEntry {
    readonly role: "preview" | "deploy";
    readonly principalArn: string;
    /** Kubernetes groups the entry maps to; RBAC bindings of these groups decide what the role may do. */
    readonly kubernetesGroups: readonly string[];
    /** EKS access policies, each with its scope. */
    readonly policies: ReadonlyArray<{ readonly policyArn: string; readonly accessScope: { readonly type: "cluster" } | { readonly type: "namespace"; readonly namespaces: readonly string[] } }>;
}

/**
 * The access entries of the CI roles of one environment: the preview role reads (EKS's view policy, no Secrets, plus
 * the previewer group's CRD reads, which preflight makes and `view` lacks), the
 * deploy role gets no EKS access policy at all (each of them reads Secrets, `view` aside) but the deployer group,
 * whose rights are {@link DEPLOYER_RULES}.
 */
export function buildCiAccessEntries(accountId: string, namePrefix: string): CiAccessEntry[] {
    return [
        {
            role: "preview",
            principalArn: roleArn(accountId, roleNames.githubPreview(namePrefix)),
            kubernetesGroups: [PREVIEWER_GROUP],
            policies: [{ policyArn: EKS_VIEW_POLICY_ARN, accessScope: { type: "cluster" } }],
        },
        { role: "deploy", principalArn: roleArn(accountId, roleNames.githubDeploy(namePrefix)), kubernetesGroups: [DEPLOYER_GROUP], policies: [] },
    ];
}

const MANAGE = ["get", "list", "watch", "create", "update", "patch", "delete"] as const;
const READ = ["get", "list", "watch"] as const;

/**
 * What `pulumi up` does in the cluster as the deploy role, and nothing on Secrets. Kubernetes lets a subject create a
 * Role only with rights it holds itself, so the pod rights of the task-namespace Roles (components/airflow.ts) and of
 * the Airflow chart's pod launcher are held here too. Helm keeps release state in ConfigMaps (the provider's
 * `helmReleaseSettings.driver`), not Secrets.
 */
export const DEPLOYER_RULES: readonly RbacRule[] = [
    // The program's own objects.
    { apiGroups: [""], resources: ["namespaces", "configmaps", "serviceaccounts", "services"], verbs: MANAGE },
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: MANAGE },
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles", "clusterrolebindings"], verbs: READ },
    { apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingadmissionpolicies", "validatingadmissionpolicybindings"], verbs: MANAGE },
    { apiGroups: ["external-secrets.io"], resources: ["externalsecrets", "secretstores"], verbs: MANAGE },
    { apiGroups: ["monitoring.coreos.com"], resources: ["prometheusrules"], verbs: MANAGE },
    // The Airflow chart's workloads.
    { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: MANAGE },
    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: MANAGE },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: MANAGE },
    { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: MANAGE },
    { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: MANAGE },
    // Held so that the task-namespace Roles and the chart's pod-launcher Role can be created (no escalate verb).
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "create", "patch", "delete", "deletecollection"] },
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get", "list"] },
    { apiGroups: [""], resources: ["events"], verbs: READ },
    // Refresh reads what the CRDs of ESO, prometheus-operator and the Spark operator declare.
    { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: READ },
];

/** What the preview role needs beyond `view`: preflight reads the operators' CRDs, a cluster-scoped kind `view` omits. */
export const PREVIEWER_RULES: readonly RbacRule[] = [{ apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: READ }];

/**
 * The ClusterRoles of {@link DEPLOYER_GROUP} and {@link PREVIEWER_GROUP} and their ClusterRoleBindings, as manifests a
 * cluster administrator applies at bootstrap.
 */
export function buildCiClusterRbac(environment: string): Record<string, unknown>[] {
    const labels = { "app.kubernetes.io/managed-by": "finledger-bootstrap", "finledger.io/environment": environment };
    return [
        { name: DEPLOYER_CLUSTER_ROLE, group: DEPLOYER_GROUP, rules: DEPLOYER_RULES },
        { name: PREVIEWER_CLUSTER_ROLE, group: PREVIEWER_GROUP, rules: PREVIEWER_RULES },
    ].flatMap(({ name, group, rules }) => [
        { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name, labels }, rules },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
        },
    ]);
}

/** Whether RBAC rules allow a verb on a resource (`pods`, `pods/log`) of an API group, by RBAC's matching (`*` included). */
export function rbacAllows(rules: readonly RbacRule[], apiGroup: string, resource: string, verb: string, name?: string): boolean {
    const has = (list: readonly string[], v: string) => list.includes("*") || list.includes(v);
    return rules.some(
        (r) => has(r.apiGroups, apiGroup) && has(r.resources, resource) && has(r.verbs, verb) && (r.resourceNames === undefined || r.resourceNames.length === 0 || (name !== undefined && r.resourceNames.includes(name))),
    );
}
