// The report of `npm run status`: the JSON for automation and the readable table grouped by urgency.
import { SecretStatus, Urgency, URGENCIES } from "./assess";
import { ExternalSecretStatus, formatExternalSecrets } from "./external-secrets";

/** What `--json` writes. */
export interface StatusReport {
    readonly stack: string;
    readonly checkedAt: string;
    readonly summary: Record<Urgency, number>;
    readonly secrets: readonly SecretStatus[];
    /** Secrets RDS creates and rotates itself; status does not know their names. */
    readonly notChecked: ReadonlyArray<{ readonly catalogName: string; readonly reason: string }>;
    /** Alarms in ALARM in the account that concern no single secret. */
    readonly otherAlarms: readonly string[];
    /** Parts that could not be checked, each a sentence. */
    readonly skipped: readonly string[];
    /** Each planned ExternalSecret's Ready condition and last sync, when a kubeconfig was given and the cluster answered. */
    readonly externalSecrets?: readonly ExternalSecretStatus[];
}

/** Builds the report from assessed secrets. */
export function buildStatusReport(args: Omit<StatusReport, "summary">): StatusReport {
    const summary = { now: 0, soon: 0, ok: 0 } as Record<Urgency, number>;
    for (const s of args.secrets) summary[s.urgency]++;
    return { ...args, summary };
}

/** The command's exit status: 1 when a secret or an ExternalSecret needs action now, else 0. */
export function statusExitCode(report: Pick<StatusReport, "summary" | "externalSecrets">): 0 | 1 {
    return report.summary.now > 0 || (report.externalSecrets ?? []).some((e) => e.urgency === "now") ? 1 : 0;
}

const TITLES: Record<Urgency, string> = { now: "NEEDS ACTION NOW", soon: "NEEDS ACTION SOON", ok: "OK" };

function table(rows: string[][]): string[] {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd());
}

/** The readable report: one table per urgency, findings under each secret that needs action. */
export function formatStatusReport(report: StatusReport): string {
    const lines = [`Status of stack '${report.stack}' at ${report.checkedAt}: ${report.summary.now} need action now, ${report.summary.soon} soon, ${report.summary.ok} ok.`];
    for (const urgency of URGENCIES) {
        const group = report.secrets.filter((s) => s.urgency === urgency);
        lines.push("", `${TITLES[urgency]} (${group.length})`);
        if (group.length === 0) continue;
        const rows = [["secret", "strategy", "every", "last rotated", "next due", "last result", "expires-at"]];
        const notes = new Map<number, string[]>();
        for (const s of group) {
            rows.push([s.fullName, s.strategy, `${s.periodDays}d`, s.lastRotated ?? "-", s.nextDue ?? "-", s.lastResult, s.expiresAt ?? "-"]);
            if (s.findings.length > 0) notes.set(rows.length - 1, s.findings.map((f) => `    - ${f.message}`));
        }
        table(rows).forEach((line, i) => {
            lines.push(`  ${line}`);
            for (const n of notes.get(i) ?? []) lines.push(n);
        });
    }
    if (report.externalSecrets) lines.push("", ...formatExternalSecrets(report.externalSecrets));
    if (report.otherAlarms.length > 0) lines.push("", `Alarms in ALARM not tied to one secret: ${report.otherAlarms.join(", ")}`);
    if (report.notChecked.length > 0) lines.push("", `Not checked (${report.notChecked.length}): ${report.notChecked.map((n) => `${n.catalogName} (${n.reason})`).join(", ")}`);
    for (const s of report.skipped) lines.push("", `Skipped: ${s}`);
    return lines.join("\n");
}
