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
