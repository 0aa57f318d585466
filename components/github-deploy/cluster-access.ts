// What the two CI roles may do inside the environment's EKS cluster. The kubeconfig authenticates with
// `aws eks get-token`, so each role needs an EKS access entry; the bootstrap creates both (docs/cicd.md, "EKS access
// for CI"), and the deploy role can change neither (policies.ts), so it cannot widen its own cluster rights.
import { roleArn } from "../iam";
import { roleNames } from "../../model/names";
import { ESO_NAMESPACE } from "../external-secrets";

/** EKS's managed access policy for Kubernetes' `view` role: reads every namespaced kind except Secrets. */
export const EKS_VIEW_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy";

/** The Kubernetes group the deploy role's access entry maps to; {@link buildCiClusterRbac} binds it. */
export const DEPLOYER_GROUP = "finledger-deployers";

/** Name of the deployer's cluster-wide ClusterRole and of its ClusterRoleBinding. */
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
 * whose rights are {@link DEPLOYER_CLUSTER_RULES} cluster-wide and, through RoleBindings, {@link DEPLOYER_NAMESPACE_RULES} in
 * each namespace the catalog manages.
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
const RBAC_GROUP = "rbac.authorization.k8s.io";

/**
 * Verbs the deployer holds on namespaces: enough to adopt one (the stack's Namespace resources upsert over the
 * administrator's, retained on delete), never to create or delete one.
 */
export const NAMESPACE_ADOPT_VERBS = ["get", "list", "watch", "patch"] as const;

/**
 * What the deployer reads cluster-wide that is no object of the plan: CRDs (the provider resolves custom kinds,
 * preflight checks the operators) and the RBAC objects preflight checks the deployer's own bindings with.
 */
export const CLUSTER_READS: readonly RbacRule[] = [
    { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: READ },
    { apiGroups: [RBAC_GROUP], resources: ["clusterroles", "clusterrolebindings", "rolebindings"], verbs: READ },
];

/**
 * The deployer's cluster-wide rights (ClusterRole {@link DEPLOYER_CLUSTER_ROLE}): only the cluster-scoped kinds of the
 * plan (namespaces to adopt, the admission policies and their bindings) and {@link CLUSTER_READS}. Nothing namespaced.
 */
export const DEPLOYER_CLUSTER_RULES: readonly RbacRule[] = [
    { apiGroups: [""], resources: ["namespaces"], verbs: NAMESPACE_ADOPT_VERBS },
    { apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingadmissionpolicies", "validatingadmissionpolicybindings"], verbs: MANAGE },
    ...CLUSTER_READS,
];

/**
 * What `pulumi up` does as the deploy role inside each namespace the catalog manages (ClusterRole
 * {@link DEPLOYER_NAMESPACE_ROLE}, bound there by a RoleBinding), and nothing on Secrets. Kubernetes lets a subject
 * create a Role only with rights it holds itself in that namespace, so the pod rights of the task-namespace Roles
 * (components/airflow.ts) are held here too. Helm keeps release state in ConfigMaps (the provider's
 * `helmReleaseSettings.driver`), not Secrets, and its wait reads a Deployment's ReplicaSets and Pods
 * (helm.sh/helm/v3 pkg/kube/ready.go).
 */
export const DEPLOYER_NAMESPACE_RULES: readonly RbacRule[] = [
    { apiGroups: [""], resources: ["configmaps", "serviceaccounts", "services"], verbs: MANAGE },
    { apiGroups: [RBAC_GROUP], resources: ["roles", "rolebindings"], verbs: MANAGE },
    { apiGroups: ["external-secrets.io"], resources: ["externalsecrets", "secretstores"], verbs: MANAGE },
    { apiGroups: ["monitoring.coreos.com"], resources: ["prometheusrules"], verbs: MANAGE },
    // The Airflow chart's workloads (test/cicd/cluster-access.test.ts renders the chart), and the probes' CronJobs.
    { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: MANAGE },
    { apiGroups: ["apps"], resources: ["replicasets"], verbs: READ },
    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: MANAGE },
    // Held so that the task-namespace Roles can be created (no escalate verb); Helm's wait reads pods too.
    { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "create", "patch", "delete", "deletecollection"] },
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get", "list"] },
    { apiGroups: [""], resources: ["events"], verbs: READ },
];

/**
 * The deployer's rights in the External Secrets Operator's namespace, which a cluster administrator installs: only the
 * platform's alert rules on ESO's metrics (components/eso-alert-rules.ts). No pod or workload right there: a pod under
 * ESO's service account would act as the operator, which reads every Secret.
 */
export const DEPLOYER_ESO_NAMESPACE_RULES: readonly RbacRule[] = [{ apiGroups: ["monitoring.coreos.com"], resources: ["prometheusrules"], verbs: MANAGE }];

/** Name of the ClusterRole bound by a RoleBinding in each managed namespace: {@link DEPLOYER_NAMESPACE_RULES}. */
export const DEPLOYER_NAMESPACE_ROLE = "finledger-deployer-namespace";

/** Name of the ClusterRole bound in the ESO namespace: {@link DEPLOYER_ESO_NAMESPACE_RULES}. */
export const DEPLOYER_ESO_NAMESPACE_ROLE = "finledger-deployer-eso-alerts";

/** Name of the deployer's RoleBinding in each namespace it works in. */
export const DEPLOYER_ROLEBINDING = "finledger-deployer";

/** What the preview role needs beyond `view`: what preflight reads and `view` omits (CRDs and the RBAC objects it checks). */
export const PREVIEWER_RULES: readonly RbacRule[] = CLUSTER_READS;

/** One namespace the deployer works in: the ClusterRole its RoleBinding there refers to. */
export interface DeployerNamespace {
    readonly namespace: string;
    readonly clusterRole: string;
}

/**
 * Every namespace the deployer works in, with the role it holds there: each namespace the catalog manages
 * (model/namespaces.ts, passed in) with {@link DEPLOYER_NAMESPACE_ROLE}, and ESO's with {@link DEPLOYER_ESO_NAMESPACE_ROLE}.
 */
export function deployerNamespaces(managedNamespaces: readonly string[]): DeployerNamespace[] {
    if (managedNamespaces.includes(ESO_NAMESPACE)) {
        throw new Error(`The catalog puts a workload in namespace '${ESO_NAMESPACE}', which belongs to the External Secrets Operator; move the workload to a namespace of its own in catalog/*.yaml.`);
    }
    return [...managedNamespaces.map((namespace) => ({ namespace, clusterRole: DEPLOYER_NAMESPACE_ROLE })), { namespace: ESO_NAMESPACE, clusterRole: DEPLOYER_ESO_NAMESPACE_ROLE }];
}

/** The RoleBinding that gives {@link DEPLOYER_GROUP} a namespace's rights: the object preflight expects to find. */
export function buildDeployerRoleBinding(environment: string, target: DeployerNamespace): Record<string, unknown> {
    return {
        apiVersion: `${RBAC_GROUP}/v1`,
        kind: "RoleBinding",
        metadata: { name: DEPLOYER_ROLEBINDING, namespace: target.namespace, labels: bootstrapLabels(environment) },
        roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name: target.clusterRole },
        subjects: [{ apiGroup: RBAC_GROUP, kind: "Group", name: DEPLOYER_GROUP }],
    };
}

function bootstrapLabels(environment: string): Record<string, string> {
    return { "app.kubernetes.io/managed-by": "finledger-bootstrap", "finledger.io/environment": environment };
}

/**
 * The CI roles' Kubernetes RBAC as manifests a cluster administrator applies (`npm run cluster-rbac`), at bootstrap and
 * again whenever the catalog adds a namespace: the ClusterRoles and ClusterRoleBindings of {@link DEPLOYER_GROUP} and
 * {@link PREVIEWER_GROUP}, the namespace-scoped ClusterRoles, and for every namespace the deployer works in, the
 * namespace itself (Kubernetes refuses a RoleBinding in a namespace that does not exist, and the deployer may not
 * create namespaces) and the deployer's RoleBinding there.
 */
export function buildCiClusterRbac(environment: string, managedNamespaces: readonly string[]): Record<string, unknown>[] {
    const labels = bootstrapLabels(environment);
    const clusterRole = (name: string, rules: readonly RbacRule[]) => ({ apiVersion: `${RBAC_GROUP}/v1`, kind: "ClusterRole", metadata: { name, labels }, rules });
    const clusterWide = [
        { name: DEPLOYER_CLUSTER_ROLE, group: DEPLOYER_GROUP, rules: DEPLOYER_CLUSTER_RULES },
        { name: PREVIEWER_CLUSTER_ROLE, group: PREVIEWER_GROUP, rules: PREVIEWER_RULES },
    ].flatMap(({ name, group, rules }) => [
        clusterRole(name, rules),
        {
            apiVersion: `${RBAC_GROUP}/v1`,
            kind: "ClusterRoleBinding",
            metadata: { name, labels },
            roleRef: { apiGroup: RBAC_GROUP, kind: "ClusterRole", name },
            subjects: [{ apiGroup: RBAC_GROUP, kind: "Group", name: group }],
        },
    ]);
    const targets = deployerNamespaces(managedNamespaces);
    return [
        ...clusterWide,
        clusterRole(DEPLOYER_NAMESPACE_ROLE, DEPLOYER_NAMESPACE_RULES),
        clusterRole(DEPLOYER_ESO_NAMESPACE_ROLE, DEPLOYER_ESO_NAMESPACE_RULES),
        ...targets.map((t) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: t.namespace } })),
        ...targets.map((t) => buildDeployerRoleBinding(environment, t)),
    ];
}
