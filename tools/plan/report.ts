import { TAG } from "../../model/names";
import { PolicyTarget, Violation } from "../policy-runner";

/** The `--json` report of `plan` and `policy:check`, as the README specifies it (the plan contract). */
export interface PlanReport {
    readonly stack: string;
    readonly resources: Array<{ urn: string; type: string; name: string; parent?: string; protect?: boolean; retainOnDelete?: boolean; inputs: Record<string, unknown>; outputs: Record<string, unknown> }>;
    readonly violations: Violation[];
    readonly summary: PlanSummary;
}

/** Counts and lists a reviewer reads first. */
export interface PlanSummary {
    readonly resourceCount: number;
    readonly resourcesByType: Record<string, number>;
    readonly secretCount: number;
    readonly secretsByCriticality: Record<string, number>;
    readonly secretsByRotation: Record<string, number>;
    /** Workload identities (components of module `identity`) and the secrets each may read. */
    readonly identities: Array<{ name: string; type: string; roleArn?: string; serviceAccount?: string; readableSecrets: string[] }>;
    readonly violationsByLevel: Record<string, number>;
}

function bump(counter: Record<string, number>, key: string): void {
    counter[key] = (counter[key] ?? 0) + 1;
}

function sorted(counter: Record<string, number>): Record<string, number> {
    return Object.fromEntries(Object.entries(counter).sort(([a], [b]) => a.localeCompare(b)));
}

/** Builds the summary from the resources and violations. */
export function summarize(resources: readonly PolicyTarget[], violations: readonly Violation[]): PlanSummary {
    const byType: Record<string, number> = {};
    const byCriticality: Record<string, number> = {};
    const byRotation: Record<string, number> = {};
    const identities: PlanSummary["identities"] = [];
    let secretCount = 0;
    for (const r of resources) {
        bump(byType, r.type);
        if (r.type === "aws:secretsmanager/secret:Secret") {
            secretCount++;
            const tags = (r.inputs.tags ?? {}) as Record<string, string>;
            bump(byCriticality, tags[TAG.criticality] ?? "(untagged)");
            bump(byRotation, `${tags[TAG.rotationStrategy] ?? "(untagged)"} / ${tags[TAG.rotationDays] ?? "?"}d`);
        }
        if (!r.custom && /^finledger:identity:/.test(r.type)) {
            const o = r.outputs as Record<string, unknown>;
            identities.push({
                name: r.name,
                type: r.type,
                roleArn: typeof o.roleArn === "string" ? o.roleArn : undefined,
                serviceAccount: typeof o.serviceAccount === "string" ? o.serviceAccount : undefined,
                readableSecrets: Array.isArray(o.readableSecrets) ? (o.readableSecrets as string[]) : [],
            });
        }
    }
    const byLevel: Record<string, number> = {};
    for (const v of violations) bump(byLevel, v.level);
    return {
        resourceCount: resources.length,
        resourcesByType: sorted(byType),
        secretCount,
        secretsByCriticality: sorted(byCriticality),
        secretsByRotation: sorted(byRotation),
        identities: identities.sort((a, b) => a.name.localeCompare(b.name)),
        violationsByLevel: sorted(byLevel),
    };
}

/** The report object written by `--json`. */
export function buildReport(stack: string, resources: readonly PolicyTarget[], violations: Violation[]): PlanReport {
    return {
        stack,
        resources: resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, parent: r.parent, protect: r.protect, retainOnDelete: r.retainOnDelete === true, inputs: r.inputs, outputs: r.outputs })),
        violations,
        summary: summarize(resources, violations),
    };
}

/** The human-readable summary printed to stdout. */
export function formatReport(report: PlanReport, heading: string): string {
    const s = report.summary;
    const lines: string[] = [];
    lines.push(`${heading}: ${s.resourceCount} resources, ${s.secretCount} secrets, ${s.identities.length} workload identities`);
    lines.push("", "Resources by type:");
    for (const [t, n] of Object.entries(s.resourcesByType)) lines.push(`  ${String(n).padStart(5)}  ${t}`);
    lines.push("", "Secrets by criticality:");
    for (const [t, n] of Object.entries(s.secretsByCriticality)) lines.push(`  ${String(n).padStart(5)}  ${t}`);
    lines.push("", "Secrets by rotation (strategy / period):");
    for (const [t, n] of Object.entries(s.secretsByRotation)) lines.push(`  ${String(n).padStart(5)}  ${t}`);
    lines.push("", "Workload identities and what each may read:");
    if (s.identities.length === 0) lines.push("  (none in this plan)");
    for (const id of s.identities) {
        lines.push(`  ${id.name}${id.serviceAccount ? ` (service account ${id.serviceAccount})` : ""}: ${id.readableSecrets.length} secrets`);
        for (const secret of id.readableSecrets) lines.push(`      - ${secret}`);
    }
    lines.push("", `Policy violations: ${report.violations.length === 0 ? "none" : Object.entries(s.violationsByLevel).map(([l, n]) => `${n} ${l}`).join(", ")}`);
    for (const v of report.violations) lines.push(`  [${v.level}] ${v.policy}: ${v.message}${v.urn ? `\n      at ${v.urn}` : ""}`);
    return lines.join("\n");
}
