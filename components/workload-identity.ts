import * as aws from "./aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { compactStatements, IGrantable, PolicyDocument, policyDocument, PolicyStatement } from "./iam";
import { ManagedSecret } from "./managed-secret";
import { roleNames } from "../model/names";
import { TYPE } from "./tokens";

/** IAM's limit on one managed policy document, in characters (whitespace excluded by IAM; we count ours compact). */
export const MANAGED_POLICY_MAX_CHARS = 6144;
/** IAM's limit on the sum of a role's inline policies, in characters. */
export const INLINE_POLICIES_MAX_CHARS = 10240;
/** The audience that EKS projects into IRSA tokens and STS expects. */
export const IRSA_AUDIENCE = "sts.amazonaws.com";
/** The annotation that the EKS pod identity webhook reads to inject the role into a pod. */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

/** The issuer as IAM writes it in condition keys and provider ARNs: the URL without `https://`. */
export function oidcIssuerHost(issuerUrl: string): string {
    return issuerUrl.replace(/^https:\/\//, "").replace(/\/$/, "");
}

/** The ARN of a cluster's IAM OIDC provider, which the EKS stack registers once per cluster. */
export function oidcProviderArn(accountId: string, issuerUrl: string): string {
    return `arn:aws:iam::${accountId}:oidc-provider/${oidcIssuerHost(issuerUrl)}`;
}

/** The `sub` claim Kubernetes puts into a service account's projected token. */
export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
    return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

/**
 * The IRSA trust policy: only the named service account, in the named namespace, of this environment's cluster,
 * with a token minted for STS, may assume the role. `StringEquals` (never `StringLike`) so that no wildcard in a
 * name can widen it.
 */
export function buildIrsaTrustPolicy(accountId: string, issuerUrl: string, namespace: string, serviceAccount: string): PolicyDocument {
    const host = oidcIssuerHost(issuerUrl);
    return policyDocument([
        {
            Sid: "OnlyThisServiceAccountOfThisCluster",
            Effect: "Allow",
            Principal: { Federated: oidcProviderArn(accountId, issuerUrl) },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: {
                    [`${host}:sub`]: serviceAccountSubject(namespace, serviceAccount),
                    [`${host}:aud`]: IRSA_AUDIENCE,
                },
            },
        },
    ]);
}

/** The name of a workload role's one inline policy (the platform change check compares policies by name). */
export const WORKLOAD_POLICY_NAME = "read-catalog-secrets";

/** The size IAM counts for a policy document: its JSON without insignificant whitespace. */
export function policySize(doc: PolicyDocument): number {
    return JSON.stringify(doc).length;
}

/**
 * Builds a workload role's one inline policy from the statements its grants collected: statements that differ only
 * in resources are merged, and the result must fit IAM's inline limit. Returns undefined when nothing was granted.
 * Throws a message that names the role and the size, so a catalog change that would fail at deploy fails in plan.
 */
export function buildWorkloadPolicy(roleName: string, statements: readonly PolicyStatement[]): PolicyDocument | undefined {
    if (statements.length === 0) return undefined;
    const doc = policyDocument(compactStatements(statements));
    const size = policySize(doc);
    if (size > INLINE_POLICIES_MAX_CHARS) {
        throw new Error(
            `The policy of role ${roleName} is ${size} characters, over IAM's ${INLINE_POLICIES_MAX_CHARS} for inline policies; ` +
                `split the workload in catalog/ into smaller groups, or read the secrets through fewer, shared ones.`,
        );
    }
    return doc;
}

/** Arguments of {@link WorkloadIdentity}. */
export interface WorkloadIdentityArgs {
    /** The catalog workload id; the role is named `roleNames.workload(namePrefix, workloadId)`. */
    readonly workloadId: string;
    /** Prefix of resource names, such as `fl-prod`. */
    readonly namePrefix: string;
    /** The environment's account id; the OIDC provider lives there. */
    readonly accountId: string;
    /** The environment's cluster OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<hex>`). */
    readonly oidcIssuer: string;
    /** Namespace of the service account. It must already exist or be created by the caller. */
    readonly namespace: pulumi.Input<string>;
    /** Name of the service account to create and trust. */
    readonly serviceAccount: string;
    /** The secrets this workload reads, from the catalog's consumers. Each is granted with `grantRead`. Default: none. */
    readonly reads?: readonly ManagedSecret[];
    /** Labels for the service account. Default: none beyond the platform's own. */
    readonly labels?: Record<string, string>;
    /** Kubernetes provider of the environment's cluster. Required. */
    readonly kubernetesProvider: k8s.Provider;
}

/**
 * One workload group's runtime identity: an IAM role that only its Kubernetes service account (IRSA) can assume,
 * and that service account, annotated with the role. Its only permissions are the catalog's `grantRead`s, collected
 * into one compact inline policy when the component is built; it accepts no grant afterwards.
 */
export class WorkloadIdentity extends pulumi.ComponentResource implements IGrantable {
    /** The role. */
    readonly role: aws.iam.Role;
    /** The role's ARN. */
    readonly roleArn: pulumi.Output<string>;
    /** The role's name. */
    readonly roleName: string;
    /** The annotated service account. */
    readonly serviceAccountResource: k8s.core.v1.ServiceAccount;
    /** `namespace/name` of the service account. */
    readonly serviceAccount: pulumi.Output<string>;
    /** Full Secrets Manager names this identity may read, sorted. */
    readonly readableSecrets: string[];
    /** The name used in plan summaries. */
    readonly grantName: string;
    private readonly statements: pulumi.Input<PolicyStatement>[] = [];
    private sealed = false;

    constructor(name: string, args: WorkloadIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.WorkloadIdentity, name, {}, opts);
        const reads = args.reads ?? [];
        const problems: string[] = [];
        if (!/^\d{12}$/.test(args.accountId)) problems.push(`accountId '${args.accountId}' is not a 12-digit account id`);
        if (!/^https:\/\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/[A-F0-9]{32}$/.test(args.oidcIssuer)) {
            problems.push(`oidcIssuer '${args.oidcIssuer}' is not an EKS OIDC issuer URL; copy it from 'aws eks describe-cluster'`);
        }
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(args.serviceAccount)) problems.push(`serviceAccount '${args.serviceAccount}' is not a Kubernetes name`);
        const roleName = roleNames.workload(args.namePrefix, args.workloadId);
        if (roleName !== `${args.namePrefix}-wl-${args.workloadId}`) problems.push(`workloadId '${args.workloadId}' makes a role name over 64 characters; shorten it`);
        if (problems.length > 0) throw new pulumi.ResourceError(`WorkloadIdentity ${name}: ${problems.join("; ")}.`, this);

        this.roleName = roleName;
        this.grantName = args.workloadId;
        this.readableSecrets = reads.map((s) => s.secretName).sort();

        this.role = new aws.iam.Role(
            `${name}-role`,
            {
                name: roleName,
                description: `IRSA role of workload ${args.workloadId}; only its service account can assume it`,
                maxSessionDuration: 3600,
                assumeRolePolicy: pulumi
                    .output(args.namespace)
                    .apply((ns) => JSON.stringify(buildIrsaTrustPolicy(args.accountId, args.oidcIssuer, ns, args.serviceAccount))),
                tags: { workload: args.workloadId },
            },
            { parent: this },
        );
        this.roleArn = this.role.arn;

        // Replicas too, so that the region switch (docs/access-patterns.md) needs no IAM change during a failover.
        for (const secret of reads) secret.grantRead(this, { includeReplica: true });
        this.sealed = true;
        if (this.statements.length > 0) {
            new aws.iam.RolePolicy(
                `${name}-reads`,
                {
                    role: this.role.name,
                    name: WORKLOAD_POLICY_NAME,
                    policy: pulumi.all(this.statements).apply((statements) => JSON.stringify(buildWorkloadPolicy(roleName, statements))),
                },
                { parent: this },
            );
        }

        this.serviceAccountResource = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            {
                metadata: {
                    name: args.serviceAccount,
                    namespace: args.namespace,
                    labels: { "app.kubernetes.io/managed-by": "pulumi", "finledger.io/workload": args.workloadId, ...(args.labels ?? {}) },
                    annotations: { [IRSA_ROLE_ANNOTATION]: this.roleArn },
                },
            },
            { parent: this, provider: args.kubernetesProvider },
        );
        this.serviceAccount = pulumi.interpolate`${args.namespace}/${args.serviceAccount}`;
        this.registerOutputs({ roleArn: this.roleArn, serviceAccount: this.serviceAccount, readableSecrets: this.readableSecrets });
    }

    /** Collects a statement while the component is being built; grants after construction are refused. */
    addToPrincipalPolicy(statement: pulumi.Input<PolicyStatement>): void {
        if (this.sealed) {
            throw new Error(`WorkloadIdentity ${this.grantName}: its policy is already built; grant access through the catalog's consumers, which the identity reads when it is created.`);
        }
        this.statements.push(statement);
    }
}
