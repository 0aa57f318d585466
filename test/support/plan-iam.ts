// The IAM view of one environment's offline plan, read once from its report: every role with its trust and identity
// policies, every secret with its resource policy and replica, the environment key and its replica, and the GitHub
// deploy access (preview and deploy roles, OIDC provider, Pulumi key, state bucket). Decisions go through
// test/support/iam-simulator.ts. This is the one plan-to-IAM extractor of the tests.
import { AUD_KEY, GITHUB_OIDC_AUDIENCE, READ_ONLY_POLICY_ARN, SUB_KEY } from "../../components/github-deploy";
import { PolicyDocument, policyDocument } from "../../components/iam";
import { TYPE } from "../../components/tokens";
import { roleNames } from "../../model/names";
import type { PlanReport } from "../../tools/plan/report";
import { Decision, simulate, simulateWebIdentity } from "./iam-simulator";
import { planReport } from "./plan-cli";

export type { Decision };

/**
 * What AWS's ReadOnlyAccess grants, as a superset for the services these tests touch (it really grants less:
 * no GetSecretValue). The roles' explicit denies must hold even against this superset.
 */
export const READ_ONLY_SUPERSET: PolicyDocument = policyDocument([
    {
        Effect: "Allow",
        Action: ["secretsmanager:Get*", "secretsmanager:BatchGet*", "secretsmanager:Describe*", "secretsmanager:List*", "kms:Get*", "kms:Describe*", "kms:List*", "s3:Get*", "s3:List*", "iam:Get*", "iam:List*", "ssm:Get*", "ssm:Describe*"],
        Resource: "*",
    },
]);

/** The name under which READ_ONLY_SUPERSET stands in a role's identity policies for an attached ReadOnlyAccess. */
export const READ_ONLY_SUPERSET_NAME = "ReadOnlyAccessSuperset";

/** One IAM role of the plan with everything that decides what it may do. */
export interface PlannedRole {
    readonly name: string;
    readonly arn: string;
    readonly trust: PolicyDocument;
    /** Inline policies, plus the read-only superset when ReadOnlyAccess is attached. */
    readonly identityPolicies: Array<{ name: string; policy: PolicyDocument }>;
}

/** One secret of the plan with its resource policy. */
export interface PlannedSecret {
    /** The secret's full name in Secrets Manager. */
    readonly name: string;
    /** The `catalog-name` tag: the catalog entry it stores (absent from the catalog for rotation-layer slots). */
    readonly catalogName: string;
    readonly arn: string;
    readonly policy: PolicyDocument;
    /** The ARN of its replica in the failover region, when it is replicated. */
    readonly replicaArn?: string;
}

/** A KMS key of the plan with its key policy. */
export interface PlannedKey {
    readonly arn: string;
    readonly policy: PolicyDocument;
}

/** The IAM view of one environment's plan. */
export interface PlanIam {
    readonly environment: string;
    readonly accountId: string;
    /** Every role of the plan by name. */
    readonly roles: Map<string, PlannedRole>;
    readonly secrets: PlannedSecret[];
    /** The key that encrypts every secret of the environment. */
    readonly environmentKey: PlannedKey;
    /** The environment key's replica in the failover region, when the environment has one. */
    readonly replicaKey?: PlannedKey & { readonly region: string };
    readonly previewRole: PlannedRole;
    readonly deployRole: PlannedRole;
    readonly oidcProviderArn: string;
    readonly pulumiKey: PlannedKey;
    readonly stateBucket: { name: string; policy: PolicyDocument };
}

type Resource = PlanReport["resources"][number];

const inputs = (r: Resource) => r.inputs as Record<string, any>;
const outputs = (r: Resource) => r.outputs as Record<string, any>;

function parseJson(value: unknown, what: string): PolicyDocument {
    if (typeof value !== "string") throw new Error(`${what} has no policy JSON in the plan.`);
    return JSON.parse(value) as PolicyDocument;
}

function one<T>(items: T[], what: string): T {
    if (items.length !== 1) throw new Error(`Expected exactly one ${what} in the plan, found ${items.length}.`);
    return items[0];
}

function plannedRoles(resources: Resource[]): Map<string, PlannedRole> {
    const roles = new Map<string, PlannedRole>();
    for (const r of resources.filter((x) => x.type === "aws:iam/role:Role")) {
        const name = String(inputs(r).name);
        roles.set(name, { name, arn: String(outputs(r).arn), trust: parseJson(inputs(r).assumeRolePolicy, `trust of ${name}`), identityPolicies: [] });
    }
    const roleOf = (r: Resource) => {
        const role = roles.get(String(inputs(r).role));
        if (!role) throw new Error(`${r.type} ${r.name} names role ${inputs(r).role}, which the plan does not create.`);
        return role;
    };
    for (const r of resources.filter((x) => x.type === "aws:iam/rolePolicy:RolePolicy")) {
        const role = roleOf(r);
        role.identityPolicies.push({ name: String(inputs(r).name), policy: parseJson(inputs(r).policy, `inline policy of ${role.name}`) });
    }
    for (const r of resources.filter((x) => x.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")) {
        const role = roleOf(r);
        const arn = String(inputs(r).policyArn);
        if (arn !== READ_ONLY_POLICY_ARN) throw new Error(`Role ${role.name} has managed policy ${arn}, which these tests do not model; add it beside READ_ONLY_SUPERSET in test/support/plan-iam.ts.`);
        role.identityPolicies.push({ name: READ_ONLY_SUPERSET_NAME, policy: READ_ONLY_SUPERSET });
    }
    return roles;
}

/** Extracts the IAM view of a plan report; throws when the plan lacks a piece the view needs. */
export function planIam(report: PlanReport): PlanIam {
    const resources = report.resources;
    const of = (type: string) => resources.filter((r) => r.type === type);
    const childOf = (parentType: string) => (r: Resource) => typeof r.parent === "string" && r.parent.includes(`::${parentType}::`);
    const keyUnder = (parentType: string): PlannedKey => {
        const key = one(of("aws:kms/key:Key").filter(childOf(parentType)), `KMS key under ${parentType}`);
        return { arn: String(outputs(key).arn), policy: parseJson(inputs(key).policy, `key policy under ${parentType}`) };
    };
    const roles = plannedRoles(resources);
    const role = (name: string) => {
        const r = roles.get(name);
        if (!r) throw new Error(`The ${report.stack} plan has no role ${name}.`);
        return r;
    };

    const policyByArn = new Map(of("aws:secretsmanager/secretPolicy:SecretPolicy").map((p) => [String(inputs(p).secretArn), parseJson(inputs(p).policy, `resource policy of ${inputs(p).secretArn}`)]));
    const secretResources = of("aws:secretsmanager/secret:Secret");
    const secrets = secretResources.map((s): PlannedSecret => {
        const arn = String(outputs(s).arn);
        const policy = policyByArn.get(arn);
        if (!policy) throw new Error(`Secret ${arn} has no resource policy in the plan.`);
        const replica = (inputs(s).replicas ?? [])[0];
        const replicaArn = replica ? arn.split(":").map((p, i) => (i === 3 ? replica.region : p)).join(":") : undefined;
        return { name: String(inputs(s).name), catalogName: String(inputs(s).tags["catalog-name"]), arn, policy, replicaArn };
    });

    const environmentKey = keyUnder(TYPE.EnvironmentKey);
    const secretKeyArns = new Set(secretResources.map((s) => String(inputs(s).kmsKeyId)));
    if (secretKeyArns.size !== 1 || !secretKeyArns.has(environmentKey.arn)) {
        throw new Error(`Expected every secret of the ${report.stack} plan under the environment key ${environmentKey.arn}, found key ARNs ${[...secretKeyArns].join(", ")}.`);
    }
    const replicaKeyArns = new Set(secretResources.flatMap((s) => (inputs(s).replicas ?? []).map((r: { kmsKeyId: string }) => r.kmsKeyId)));
    const rk = of("aws:kms/replicaKey:ReplicaKey").find((k) => replicaKeyArns.has(outputs(k).arn));
    const replicaKey = rk && { arn: String(outputs(rk).arn), policy: parseJson(inputs(rk).policy, "replica key policy"), region: String(outputs(rk).arn).split(":")[3] };

    const access = one(of(TYPE.GithubDeployAccess), TYPE.GithubDeployAccess);
    const stateBucketName = String(outputs(access).stateBucket);
    const prefix = stateBucketName.replace(/-pulumi-state-\d{12}$/, "");
    const bucketPolicy = one(of("aws:s3/bucketPolicy:BucketPolicy").filter((p) => childOf(TYPE.GithubDeployAccess)(p) && inputs(p).bucket === stateBucketName), "state bucket policy");
    return {
        environment: report.stack,
        accountId: environmentKey.arn.split(":")[4],
        roles,
        secrets,
        environmentKey,
        replicaKey,
        previewRole: role(roleNames.githubPreview(prefix)),
        deployRole: role(roleNames.githubDeploy(prefix)),
        oidcProviderArn: String(outputs(access).oidcProviderArn),
        pulumiKey: keyUnder(TYPE.GithubDeployAccess),
        stateBucket: { name: stateBucketName, policy: parseJson(inputs(bucketPolicy).policy, "state bucket policy") },
    };
}

const cache = new Map<string, PlanIam>();

/** The IAM view of an environment's plan (the plan runs once per test process, test/support/plan-cli.ts). */
export function plannedEnvironment(stack: string): PlanIam {
    let view = cache.get(stack);
    if (!view) {
        view = planIam(planReport(stack));
        cache.set(stack, view);
    }
    return view;
}

/** A request by a role, as AWS would evaluate it: identity policies, the resource's policy and the global context keys. */
export interface RoleRequest {
    readonly role: PlannedRole;
    readonly action: string;
    readonly resourceArn: string;
    /** Account that owns the resource. */
    readonly resourceAccount: string;
    readonly resourcePolicy?: PolicyDocument;
    readonly context?: Record<string, string | string[]>;
    /** The role's permissions boundary, if it has one. */
    readonly boundary?: PolicyDocument;
}

/** Runs one request by a planned role through the IAM simulator. */
export async function decide(req: RoleRequest): Promise<Decision> {
    return simulate({
        principal: req.role.arn,
        action: req.action,
        resource: req.resourceArn,
        resourceAccount: req.resourceAccount,
        identityPolicies: req.role.identityPolicies,
        resourcePolicy: req.resourcePolicy,
        context: req.context,
        permissionBoundary: req.boundary,
    });
}

/** Claims of a GitHub OIDC token that the trust policy sees. */
export interface TokenClaims {
    readonly sub: string;
    readonly aud?: string;
}

/** Whether a GitHub token with these claims may assume the role (`sts:AssumeRoleWithWebIdentity`). */
export async function decideAssume(role: PlannedRole, providerArn: string, claims: TokenClaims): Promise<Decision> {
    return simulateWebIdentity(providerArn, role, { [SUB_KEY]: claims.sub, [AUD_KEY]: claims.aud ?? GITHUB_OIDC_AUDIENCE });
}

/** A resource policy that trusts every principal for everything: the worst case a cross-environment test assumes. */
export const PERMISSIVE_RESOURCE_POLICY: PolicyDocument = policyDocument([{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }]);
