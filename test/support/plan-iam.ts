import { runSimulation, Simulation } from "@cloud-copilot/iam-simulate";
import type { PlanReport } from "../../tools/plan/report";

/** The IAM view of one environment's plan: roles with their trust and inline policies, secrets, and the key. */
export interface PlanIam {
    readonly stack: string;
    readonly accountId: string;
    readonly roles: Map<string, { arn: string; trust: any; policies: any[] }>;
    readonly secrets: Array<{ name: string; catalogName: string; arn: string; policy: any; replicaArn?: string }>;
    readonly key: { arn: string; policy: any };
    readonly replicaKey?: { arn: string; policy: any; region: string };
}

function parse(value: unknown): any {
    return typeof value === "string" ? JSON.parse(value) : value;
}

/** Extracts roles, inline policies, secrets with their resource policies, and the environment key from a plan report. */
export function planIam(report: PlanReport): PlanIam {
    const of = (type: string) => report.resources.filter((r) => r.type === type);
    const roles = new Map<string, { arn: string; trust: any; policies: any[] }>();
    for (const r of of("aws:iam/role:Role")) {
        const inputs = r.inputs as any;
        roles.set(inputs.name, { arn: (r.outputs as any).arn, trust: parse(inputs.assumeRolePolicy), policies: [] });
    }
    for (const p of of("aws:iam/rolePolicy:RolePolicy")) {
        const inputs = p.inputs as any;
        const role = roles.get(inputs.role);
        if (!role) throw new Error(`RolePolicy ${p.name} names role ${inputs.role}, which the plan does not create.`);
        role.policies.push(parse(inputs.policy));
    }
    const policyByArn = new Map(of("aws:secretsmanager/secretPolicy:SecretPolicy").map((p) => [(p.inputs as any).secretArn, parse((p.inputs as any).policy)]));
    const secrets = of("aws:secretsmanager/secret:Secret").map((s) => {
        const arn = (s.outputs as any).arn as string;
        const policy = policyByArn.get(arn);
        if (!policy) throw new Error(`Secret ${arn} has no resource policy in the plan.`);
        const replica = ((s.inputs as any).replicas ?? [])[0];
        const replicaArn = replica ? arn.split(":").map((p, i) => (i === 3 ? replica.region : p)).join(":") : undefined;
        return { name: (s.inputs as any).name as string, catalogName: (s.inputs as any).tags["catalog-name"] as string, arn, policy, replicaArn };
    });
    // The environment key is the one that encrypts the secrets (other layers create keys of their own).
    const secretKeyArns = new Set(of("aws:secretsmanager/secret:Secret").map((s) => (s.inputs as any).kmsKeyId as string));
    const keys = of("aws:kms/key:Key").filter((k) => secretKeyArns.has((k.outputs as any).arn));
    if (keys.length !== 1 || secretKeyArns.size !== 1) throw new Error(`Expected every secret of the ${report.stack} plan under one environment key, found ${secretKeyArns.size} key ARNs and ${keys.length} matching keys.`);
    const key = { arn: (keys[0].outputs as any).arn as string, policy: parse((keys[0].inputs as any).policy) };
    const accountId = key.arn.split(":")[4];
    const replicaKeyArns = new Set(of("aws:secretsmanager/secret:Secret").flatMap((s) => ((s.inputs as any).replicas ?? []).map((r: any) => r.kmsKeyId as string)));
    const rk = of("aws:kms/replicaKey:ReplicaKey").find((k) => replicaKeyArns.has((k.outputs as any).arn));
    const replicaKey = rk && { arn: (rk.outputs as any).arn as string, policy: parse((rk.inputs as any).policy), region: ((rk.outputs as any).arn as string).split(":")[3] };
    return { stack: report.stack, accountId, roles, secrets, key, replicaKey };
}

/** One IAM request to simulate. */
export interface IamRequest {
    readonly principal: string;
    readonly principalAccount: string;
    readonly action: string;
    readonly resource: string;
    readonly resourceAccount: string;
    readonly identityPolicies: readonly any[];
    readonly resourcePolicy?: any;
    readonly context?: Record<string, string>;
}

/**
 * Simulates one request with iam-simulate's validating API and returns its overall result. A validation error, or a
 * context key the simulator would silently ignore, fails loudly: a simulation that drops a condition proves nothing.
 */
export async function decide(req: IamRequest): Promise<"Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied"> {
    const simulation: Simulation = {
        request: {
            principal: req.principal,
            action: req.action,
            resource: { resource: req.resource, accountId: req.resourceAccount },
            contextVariables: {
                "aws:PrincipalArn": req.principal,
                "aws:PrincipalAccount": req.principalAccount,
                "aws:SecureTransport": "true",
                ...(req.context ?? {}),
            },
        },
        identityPolicies: req.identityPolicies.map((policy, i) => ({ name: `inline-${i}`, policy })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: req.resourcePolicy,
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") throw new Error(`Simulation of ${req.action} on ${req.resource} failed validation: ${JSON.stringify(result.errors)}`);
    if (result.resultType !== "single") throw new Error(`Simulation of ${req.action} on ${req.resource} was not a single-resource result.`);
    const ignored = result.result.ignoredContextKeys ?? [];
    if (ignored.length > 0) throw new Error(`Simulation of ${req.action} ignored context keys ${ignored.join(", ")}; fix the test's request.`);
    return result.overallResult as "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";
}

// Trust policies of IRSA roles use condition keys named after the cluster's issuer (`oidc.eks...:sub`), which the
// validating API drops as unknown (iam-data lists only well-known providers), and 0.1.173's runUnsafeSimulation
// crashes on any resource policy (it loads it without a name). So trust checks call the engine function that both
// entry points use, with the policies loaded the way runSimulation loads them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const simulateDist = require("path").dirname(require.resolve("@cloud-copilot/iam-simulate"));
const engine = require(`${simulateDist}/core_engine/CoreSimulatorEngine.js`);
const requestModule = require(`${simulateDist}/request/request.js`);
const contextModule = require(`${simulateDist}/requestContext.js`);
const discoveryModule = require(`${simulateDist}/context_keys/discoveryContextKeyConstraints.js`);
const { loadPolicy } = require("@cloud-copilot/iam-policy");

/** Simulates `sts:AssumeRoleWithWebIdentity` with an IRSA token's claims against a role's trust policy. */
export function decideWebIdentity(providerArn: string, role: { arn: string; trust: any }, claims: Record<string, string>): string {
    const request = new requestModule.AwsRequestImpl(
        providerArn,
        { resource: role.arn, accountId: role.arn.split(":")[4] },
        "sts:AssumeRoleWithWebIdentity",
        new contextModule.RequestContextImpl(claims),
    );
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
    return analysis.result;
}
