import * as aws from "./aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { buildSecretValueChangedPattern, ESO_REFRESH_GROUP, REFRESH_FUNCTION_TIMEOUT_SECONDS, RefreshTargets, TARGETS_FILE } from "../model/event-refresh";
import { roleNames } from "../model/names";
import { ESO_CONTROLLER_DENIED_ACTIONS } from "./external-secrets";
import { FunctionPackage, functionPackage } from "../functions/packages";
import { PolicyDocument, policyDocument } from "./iam";
import { TYPE } from "./tokens";
import { createPlatformFunction, PlatformFunctionEnvironment } from "./platform-function";

/** Name of the Role and RoleBinding in each namespace that holds ExternalSecrets the function may patch. */
export const ESO_REFRESH_ROLE = "finledger-eso-refresh";

/** One namespace's RBAC for the refresh function: a Role with `patch` on exactly its ExternalSecrets, bound to the group. */
export interface RefreshNamespaceRbac {
    readonly namespace: string;
    readonly rules: Array<{ apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames: string[] }>;
    readonly subjects: Array<{ kind: "Group"; name: string; apiGroup: "rbac.authorization.k8s.io" }>;
}

/**
 * The refresh function's RBAC, one entry per namespace that holds an ExternalSecret from the table: `patch` only, on
 * `externalsecrets.external-secrets.io` only, on those ExternalSecrets by name only. No get, list or watch, no Secrets.
 */
export function buildRefreshRbac(targets: RefreshTargets): RefreshNamespaceRbac[] {
    const byNamespace = new Map<string, Set<string>>();
    for (const list of Object.values(targets)) for (const t of list) byNamespace.set(t.namespace, (byNamespace.get(t.namespace) ?? new Set()).add(t.name));
    return [...byNamespace.keys()].sort().map((namespace) => ({
        namespace,
        rules: [{ apiGroups: ["external-secrets.io"], resources: ["externalsecrets"], verbs: ["patch"], resourceNames: [...byNamespace.get(namespace)!].sort() }],
        subjects: [{ kind: "Group", name: ESO_REFRESH_GROUP, apiGroup: "rbac.authorization.k8s.io" }],
    }));
}

/**
 * The function role's policy: its own log stream, and an explicit deny of every secret read (the same list the ESO
 * controller is denied), so nothing attached later can make it a reader. The EKS token needs no permission.
 */
export function buildRefreshRolePolicy(logGroupArn: string): PolicyDocument {
    return policyDocument([
        { Sid: "OwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:log-stream:*` },
        { Sid: "NeverReadsSecrets", Effect: "Deny", Action: [...ESO_CONTROLLER_DENIED_ACTIONS], Resource: "*" },
    ]);
}

/** The name of the refresh role's inline policy (the platform change check compares policies by name). */
export const REFRESH_POLICY_NAME = "eso-refresh";

/** The refresh function's environment variables: the cluster it patches (endpoint and CA are known only at deploy time). */
export function refreshVariables<T>(cluster: { readonly name: T; readonly endpoint: T; readonly caBase64: T }): Record<string, T> {
    return { CLUSTER_NAME: cluster.name, CLUSTER_ENDPOINT: cluster.endpoint, CLUSTER_CA: cluster.caBase64 };
}

/** The function's package: its bundle and the environment's targets table, so a changed table is a new signed package. */
export function refreshPackage(targets: RefreshTargets): FunctionPackage {
    return functionPackage("eso-refresh", { [TARGETS_FILE]: JSON.stringify(targets) });
}

/** Arguments of {@link EsoEventRefresh}. */
export interface EsoEventRefreshArgs extends PlatformFunctionEnvironment {
    readonly environment: string;
    /** The region of the secrets (and of their CloudTrail events). */
    readonly region: string;
    /** Prefix of resource names, such as `fl-prod`; the role is `roleNames.esoRefresh(prefix)`. */
    readonly namePrefix: string;
    /** The EKS cluster whose ExternalSecrets are refreshed. */
    readonly clusterName: string;
    /** Its API server URL, from EKS. */
    readonly clusterEndpoint: pulumi.Input<string>;
    /** Its CA (base64 PEM), from EKS. */
    readonly clusterCaBase64: pulumi.Input<string>;
    /** Which ExternalSecrets read each secret (from the environment model); bundled with the function. */
    readonly targets: RefreshTargets;
    /** Kubernetes provider of the environment's cluster, for the Roles and RoleBindings. */
    readonly kubernetesProvider: k8s.Provider;
    /** Resources the namespaces' RBAC must wait for (the namespaces). Default: none. */
    readonly namespacesReady?: pulumi.Input<pulumi.Resource>[];
}

/**
 * Event-driven refresh of synced secrets: an EventBridge rule on this environment's "new AWSCURRENT" events invokes a
 * function that sets ESO's `force-sync` annotation on exactly the ExternalSecrets that read the secret. Its role reads
 * no secret; its access entry maps it to a group that may only patch those ExternalSecrets.
 */
export class EsoEventRefresh extends pulumi.ComponentResource {
    readonly functionName: string;
    readonly roleArn: pulumi.Output<string>;
    readonly ruleName: string;
    readonly policy: PolicyDocument | pulumi.Output<PolicyDocument>;

    constructor(name: string, args: EsoEventRefreshArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.EsoEventRefresh, name, {}, opts);
        const targetCount = Object.values(args.targets).reduce((n, l) => n + l.length, 0);
        if (targetCount === 0) throw new pulumi.ResourceError(`EsoEventRefresh ${name}: the targets table is empty; build it from the environment model's synced secrets.`, this);

        const roleName = roleNames.esoRefresh(args.namePrefix);
        this.functionName = roleName;
        this.ruleName = `${args.namePrefix}-eso-refresh`;
        const { role, function: fn, policy } = createPlatformFunction(
            name,
            {
                accountId: args.accountId,
                functionName: this.functionName,
                roleName,
                roleDescription: "Event-driven ESO refresh: patches force-sync on ExternalSecrets; reads no secret",
                description: "Asks External Secrets Operator to resync the ExternalSecrets of a secret whose current version changed",
                package: refreshPackage(args.targets),
                codeSigning: args.codeSigning,
                logKeyArn: args.logKeyArn,
                logRetentionDays: 30,
                policyName: REFRESH_POLICY_NAME,
                policy: (logGroupArn) => logGroupArn.apply(buildRefreshRolePolicy),
                timeoutSeconds: REFRESH_FUNCTION_TIMEOUT_SECONDS,
                variables: refreshVariables<pulumi.Input<string>>({ name: args.clusterName, endpoint: args.clusterEndpoint, caBase64: args.clusterCaBase64 }),
            },
            this,
        );
        this.roleArn = role.arn;
        this.policy = policy;

        const rule = new aws.cloudwatch.EventRule(
            `${name}-rule`,
            {
                name: this.ruleName,
                description: `A ${args.environment} secret has a new AWSCURRENT version: ask ESO to resync the ExternalSecrets that read it`,
                eventPattern: JSON.stringify(buildSecretValueChangedPattern(args)),
                state: "ENABLED",
            },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(`${name}-target`, { rule: rule.name, arn: fn.arn }, { parent: this });
        new aws.lambda.Permission(`${name}-permission`, { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn }, { parent: this });

        new aws.eks.AccessEntry(`${name}-access`, { clusterName: args.clusterName, principalArn: role.arn, kubernetesGroups: [ESO_REFRESH_GROUP], type: "STANDARD" }, { parent: this });
        const k8sOpts = { parent: this, provider: args.kubernetesProvider, dependsOn: args.namespacesReady };
        for (const rbac of buildRefreshRbac(args.targets)) {
            const metadata = { name: ESO_REFRESH_ROLE, namespace: rbac.namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } };
            new k8s.rbac.v1.Role(`${name}-role-${rbac.namespace}`, { metadata, rules: rbac.rules }, k8sOpts);
            new k8s.rbac.v1.RoleBinding(`${name}-binding-${rbac.namespace}`, { metadata, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: ESO_REFRESH_ROLE }, subjects: rbac.subjects }, k8sOpts);
        }
        this.registerOutputs({ functionName: this.functionName, roleArn: this.roleArn, ruleName: this.ruleName, externalSecrets: targetCount });
    }
}
