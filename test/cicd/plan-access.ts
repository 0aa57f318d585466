// Reads the deploy-time access of one environment out of its offline plan, and asks iam-simulate for decisions.
import { AUD_KEY, GITHUB_OIDC_AUDIENCE, READ_ONLY_POLICY_ARN, SUB_KEY } from "../../components/github-deploy";
import { PolicyDocument, policyDocument } from "../../components/iam";
import { roleNames } from "../../model/names";
import { TYPE } from "../../components/tokens";
import type { PlanReport } from "../../tools/plan/report";
import { Decision, simulate, simulateWebIdentity } from "../support/iam-simulator";
import { planReport } from "../support/plan-cli";

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

/** One IAM role of the plan with everything that decides what it may do. */
export interface PlannedRole {
    readonly name: string;
    readonly arn: string;
    readonly trust: PolicyDocument;
    /** Inline policies, plus the read-only superset when ReadOnlyAccess is attached. */
    readonly identityPolicies: Array<{ name: string; policy: PolicyDocument }>;
}

/** The deploy-time view of one environment's plan. */
export interface PlannedEnvironment {
    readonly environment: string;
    readonly accountId: string;
    readonly previewRole: PlannedRole;
    readonly deployRole: PlannedRole;
    readonly oidcProviderArn: string;
    /** Secret ARN to its resource policy. */
    readonly secrets: Map<string, PolicyDocument>;
    readonly environmentKey: { arn: string; policy: PolicyDocument };
    readonly pulumiKey: { arn: string; policy: PolicyDocument };
    readonly stateBucket: { name: string; policy: PolicyDocument };
}

type Resource = PlanReport["resources"][number];

function parseJson(value: unknown, what: string): PolicyDocument {
    if (typeof value !== "string") throw new Error(`${what} has no policy JSON in the plan.`);
    return JSON.parse(value) as PolicyDocument;
}

function one<T>(items: T[], what: string): T {
    if (items.length !== 1) throw new Error(`Expected exactly one ${what} in the plan, found ${items.length}.`);
    return items[0];
}

function outputs(r: Resource): Record<string, any> {
    return r.outputs as Record<string, any>;
}

function inputs(r: Resource): Record<string, any> {
    return r.inputs as Record<string, any>;
}

function plannedRole(resources: Resource[], roleName: string): PlannedRole {
    const role = one(resources.filter((r) => r.type === "aws:iam/role:Role" && outputs(r).name === roleName), `role ${roleName}`);
    const identityPolicies = resources
        .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && inputs(r).role === roleName)
        .map((r) => ({ name: String(inputs(r).name), policy: parseJson(inputs(r).policy, `inline policy of ${roleName}`) }));
    const attached = resources.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && inputs(r).role === roleName).map((r) => String(inputs(r).policyArn));
    for (const arn of attached) {
        if (arn !== READ_ONLY_POLICY_ARN) throw new Error(`Role ${roleName} has managed policy ${arn}, which these tests do not model; add it to READ_ONLY_SUPERSET's peers.`);
        identityPolicies.push({ name: "ReadOnlyAccessSuperset", policy: READ_ONLY_SUPERSET });
    }
    return { name: roleName, arn: String(outputs(role).arn), trust: parseJson(inputs(role).assumeRolePolicy, `trust of ${roleName}`), identityPolicies };
}

const cache = new Map<string, PlannedEnvironment>();

/** The planned deploy-time access of an environment (the plan runs once per test process). */
export function plannedEnvironment(stack: string): PlannedEnvironment {
    const cached = cache.get(stack);
    if (cached) return cached;
    const report = planReport(stack);
    const resources = report.resources;
    const access = one(resources.filter((r) => r.type === TYPE.GithubDeployAccess), TYPE.GithubDeployAccess);
    const prefix = String(outputs(access).stateBucket).replace(/-pulumi-state-\d{12}$/, "");
    const accountId = String(outputs(access).stateBucket).slice(-12);
    const childOf = (parentType: string) => (r: Resource) => typeof r.parent === "string" && r.parent.includes(`::${parentType}::`);
    const keyOf = (parentType: string) => {
        const key = one(resources.filter((r) => r.type === "aws:kms/key:Key" && childOf(parentType)(r)), `KMS key under ${parentType}`);
        return { arn: String(outputs(key).arn), policy: parseJson(inputs(key).policy, "key policy") };
    };
    const secrets = new Map<string, PolicyDocument>();
    const policies = new Map(resources.filter((r) => r.type === "aws:secretsmanager/secretPolicy:SecretPolicy").map((r) => [String(inputs(r).secretArn), parseJson(inputs(r).policy, "secret policy")]));
    for (const s of resources.filter((r) => r.type === "aws:secretsmanager/secret:Secret")) {
        const arn = String(outputs(s).arn);
        const policy = policies.get(arn);
        if (!policy) throw new Error(`Secret ${arn} has no resource policy in the plan.`);
        secrets.set(arn, policy);
    }
    const bucketPolicy = one(resources.filter((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && childOf(TYPE.GithubDeployAccess)(r)), "state bucket policy");
    const env: PlannedEnvironment = {
        environment: stack,
        accountId,
        previewRole: plannedRole(resources, roleNames.githubPreview(prefix)),
        deployRole: plannedRole(resources, roleNames.githubDeploy(prefix)),
        oidcProviderArn: String(outputs(access).oidcProviderArn),
        secrets,
        environmentKey: keyOf(TYPE.EnvironmentKey),
        pulumiKey: keyOf(TYPE.GithubDeployAccess),
        stateBucket: { name: String(outputs(access).stateBucket), policy: parseJson(inputs(bucketPolicy).policy, "state bucket policy") },
    };
    cache.set(stack, env);
    return env;
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

/** Runs one request by a planned role through the IAM simulator (test/support/iam-simulator.ts). */
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
