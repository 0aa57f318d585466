// tools/promql-check (built by tools/test-env/promql-check.sh): Prometheus' own rule-file validation and PromQL engine.
import { spawnSync } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "./plan-cli";

/** One evaluation: series in promtool's expanding notation (sample i at i × interval), and the instants to query. */
export interface PromqlCase {
    readonly name: string;
    readonly interval: string;
    readonly series: readonly string[];
    readonly expr: string;
    readonly times: readonly string[];
}

/** What the engine returned at one instant. */
export interface PromqlInstant {
    readonly time: string;
    readonly series: { readonly labels: Record<string, string>; readonly value: number }[];
}

let checkerPath: string | undefined;

/** Path of the promql-check binary, built (or found in its cache) by the test setup's script. */
export function promqlChecker(): string {
    if (!checkerPath) {
        const res = spawnSync("bash", [path.join(PROJECT_DIR, "tools", "test-env", "promql-check.sh")], { cwd: PROJECT_DIR, encoding: "utf8" });
        if (res.status !== 0) throw new Error(`tools/test-env/promql-check.sh failed (exit ${res.status}):\n${res.stderr}`);
        checkerPath = path.resolve(PROJECT_DIR, res.stdout.trim());
    }
    return checkerPath;
}

/** Runs `promtool check rules`' validation on a rule-groups YAML document and evaluates the cases; throws on a case error. */
export function promqlCheck(rules: string, cases: readonly PromqlCase[] = []): { errors: string[]; results: Map<string, PromqlInstant[]> } {
    const res = spawnSync(promqlChecker(), [], { input: JSON.stringify({ rules, cases }), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (res.status !== 0) throw new Error(`promql-check exited ${res.status}:\n${res.stderr}`);
    const out = JSON.parse(res.stdout) as { errors: string[]; cases: { name: string; error?: string; results?: PromqlInstant[] }[] };
    const failed = out.cases.filter((c) => c.error);
    if (failed.length > 0) throw new Error(`promql-check could not evaluate: ${failed.map((c) => c.error).join("; ")}`);
    return { errors: out.errors, results: new Map(out.cases.map((c) => [c.name, c.results ?? []])) };
}
