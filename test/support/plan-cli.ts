import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { PlanReport } from "../../tools/plan/report";

/** The project root. */
export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** Runs `tools/plan.ts` in its own process (the Pulumi runtime is process-wide) and returns status, output and report. */
export function runPlanCli(args: string[], env: NodeJS.ProcessEnv = {}): { status: number; stdout: string; stderr: string; report?: PlanReport } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
    const jsonFile = path.join(dir, "plan.json");
    const withJson = args.includes("--json") ? args : [...args, "--json", jsonFile];
    const res = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "tools", "plan.ts"), ...withJson], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        env: { ...process.env, ...env },
        maxBuffer: 64 * 1024 * 1024,
    });
    const report = fs.existsSync(jsonFile) ? (JSON.parse(fs.readFileSync(jsonFile, "utf8")) as PlanReport) : undefined;
    fs.rmSync(dir, { recursive: true, force: true });
    return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr, report };
}

const cache = new Map<string, PlanReport>();

/** The JSON report of a stack's plan, computed once per test run and shared between test files. */
export function planReport(stack: string): PlanReport {
    let report = cache.get(stack);
    if (!report) {
        const res = runPlanCli(["--stack", stack]);
        if (!res.report) throw new Error(`plan --stack ${stack} wrote no report (exit ${res.status}):\n${res.stderr}`);
        report = res.report;
        cache.set(stack, report);
    }
    return report;
}
