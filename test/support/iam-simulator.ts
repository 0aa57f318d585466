// The one wrapper of the IAM simulator (@cloud-copilot/iam-simulate, a development dependency). Every IAM test
// decides through here, so the global context keys, strictness and the simulator's known gaps are handled once.
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";

/** Decision names of iam-simulate. */
export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** One request to decide. */
export interface SimulationRequest {
    /** The calling principal's ARN. */
    readonly principal: string;
    readonly action: string;
    readonly resource: string;
    /** The account that owns the resource. Default: the account in the resource ARN, else the principal's. */
    readonly resourceAccount?: string;
    /** Identity policies of the principal: documents, or named documents. */
    readonly identityPolicies?: ReadonlyArray<unknown | { readonly name: string; readonly policy: unknown }>;
    readonly resourcePolicy?: unknown;
    /** The principal's permissions boundary, if it has one. Default: none. */
    readonly permissionBoundary?: unknown;
    /** Context keys beyond the global ones this wrapper sets (aws:PrincipalArn, aws:PrincipalAccount, aws:ResourceAccount, aws:SecureTransport, aws:PrincipalIsAWSService). */
    readonly context?: Record<string, string | string[]>;
    /** Fail when the simulator ignores a context key the request passed (a dropped condition proves nothing). Default: false. */
    readonly failOnIgnoredContext?: boolean;
}

function accountOf(arn: string): string | undefined {
    const account = arn.split(":")[4];
    return account && /^\d{12}$/.test(account) ? account : undefined;
}

function named(p: unknown, i: number): { name: string; policy: any } {
    const o = p as { name?: unknown; policy?: unknown };
    return typeof o?.name === "string" && o.policy !== undefined ? { name: o.name, policy: o.policy } : { name: `identity-${i}`, policy: p };
}

/** The resource's account and the request context every simulation starts from: TLS, a principal of the account, the caller's own context last. */
function requestContext(req: SimulationRequest): { resourceAccount: string; context: Record<string, string | string[]> } {
    const principalAccount = accountOf(req.principal) ?? "";
    const resourceAccount = req.resourceAccount ?? accountOf(req.resource) ?? principalAccount;
    const context = {
        "aws:PrincipalArn": req.principal,
        "aws:PrincipalAccount": principalAccount,
        "aws:ResourceAccount": resourceAccount,
        "aws:SecureTransport": "true",
        "aws:PrincipalIsAWSService": "false",
        ...(req.context ?? {}),
    };
    return { resourceAccount, context };
}

/**
 * Simulates one request in strict mode and returns the overall decision. A request the simulator rejects fails the
 * test instead of reading as a denial.
 */
export async function simulate(req: SimulationRequest): Promise<Decision> {
    const { resourceAccount, context } = requestContext(req);
    const simulation: Simulation = {
        request: {
            principal: req.principal,
            action: req.action,
            resource: { resource: req.resource, accountId: resourceAccount },
            contextVariables: context,
        },
        identityPolicies: (req.identityPolicies ?? []).map(named),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: req.resourcePolicy as any,
        permissionBoundaryPolicies: req.permissionBoundary ? [{ name: "boundary", policy: req.permissionBoundary as any }] : undefined,
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") throw new Error(`iam-simulate rejected ${req.action} on ${req.resource}: ${JSON.stringify(result.errors)}`);
    if (req.failOnIgnoredContext) {
        if (result.resultType !== "single") throw new Error(`Simulation of ${req.action} on ${req.resource} was not a single-resource result.`);
        const passed = new Set(Object.keys(req.context ?? {}));
        const ignored = (result.result.ignoredContextKeys ?? []).filter((k: string) => passed.has(k));
        if (ignored.length > 0) throw new Error(`Simulation of ${req.action} ignored context keys ${ignored.join(", ")}; fix the test's request.`);
    }
    return result.overallResult as Decision;
}

// Trust policies with condition keys of an OIDC provider (an EKS issuer's `:sub`, GitHub's `sub` and `aud`) are
// dropped as unknown by the validating API (iam-data lists only well-known providers), and 0.1.173's
// runUnsafeSimulation crashes on a resource policy loaded without a name. So web-identity decisions call the engine
// function both entry points use, with the trust policy loaded the way runSimulation loads it, after a strict
// validation run that fails on a malformed policy.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulateDist = require("path").dirname(require.resolve("@cloud-copilot/iam-simulate"));
const engine = require(`${simulateDist}/core_engine/CoreSimulatorEngine.js`);
const requestModule = require(`${simulateDist}/request/request.js`);
const contextModule = require(`${simulateDist}/requestContext.js`);
const discoveryModule = require(`${simulateDist}/context_keys/discoveryContextKeyConstraints.js`);
const { loadPolicy } = require("@cloud-copilot/iam-policy");

/** Simulates `sts:AssumeRoleWithWebIdentity` by an OIDC provider's token with these claims against a role's trust policy. */
export async function simulateWebIdentity(providerArn: string, role: { readonly arn: string; readonly trust: unknown }, claims: Record<string, string>): Promise<Decision> {
    const accountId = role.arn.split(":")[4]!;
    const validated = await runSimulation(
        {
            request: { principal: providerArn, action: "sts:AssumeRoleWithWebIdentity", resource: { resource: role.arn, accountId }, contextVariables: claims },
            identityPolicies: [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: role.trust as any,
        },
        {},
    );
    if (validated.resultType === "error") throw new Error(`iam-simulate rejected the trust policy of ${role.arn}: ${JSON.stringify(validated.errors)}`);
    const request = new requestModule.AwsRequestImpl(providerArn, { resource: role.arn, accountId }, "sts:AssumeRoleWithWebIdentity", new contextModule.RequestContextImpl(claims));
    const analysis = engine.authorize({
        request,
        sessionPolicy: undefined,
        identityPolicies: [],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: loadPolicy(role.trust, { name: "trust" }),
        permissionBoundaries: undefined,
        vpcEndpointPolicies: undefined,
        simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new discoveryModule.DiscoveryContextKeyConstraints([]) },
        serviceSettings: { s3: {} },
    });
    return analysis.result as Decision;
}

/**
 * Simulates a request whose conditions use a variable context key that runSimulation drops as unknown, such as
 * `kms:EncryptionContext:SecretARN` (0.1.173 resolves only `prefix/name` variables): validates the request with
 * {@link simulate}, then decides with the engine on the full context. A test that relies on the dropped key must
 * also show a request differing only in that key getting the opposite decision.
 */
export async function simulateWithVariableContextKeys(req: SimulationRequest): Promise<Decision> {
    await simulate({ ...req, failOnIgnoredContext: false });
    const { resourceAccount, context } = requestContext(req);
    const request = new requestModule.AwsRequestImpl(req.principal, { resource: req.resource, accountId: resourceAccount }, req.action, new contextModule.RequestContextImpl(context), false);
    const analysis = engine.authorize({
        request,
        sessionPolicy: undefined,
        identityPolicies: (req.identityPolicies ?? []).map(named).map((p) => loadPolicy(p.policy, { name: p.name })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: req.resourcePolicy ? loadPolicy(req.resourcePolicy, { name: "resource" }) : undefined,
        permissionBoundaries: req.permissionBoundary ? [loadPolicy(req.permissionBoundary, { name: "boundary" })] : undefined,
        vpcEndpointPolicies: undefined,
        simulationParameters: { simulationMode: "Strict", discoveryContextKeyConstraints: new discoveryModule.DiscoveryContextKeyConstraints([]) },
        serviceSettings: { s3: {} },
    });
    return analysis.result as Decision;
}
