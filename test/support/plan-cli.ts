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

/** Copies the project's sources into a temp directory (node_modules linked), so a test can break one file and run the real plan on it. */
export function copyProject(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "project-"));
    for (const entry of fs.readdirSync(PROJECT_DIR)) {
        if ([".git", "node_modules", ".venv-test", ".test-runtime"].includes(entry)) continue;
        fs.cpSync(path.join(PROJECT_DIR, entry), path.join(dir, entry), { recursive: true });
    }
    fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"));
    return dir;
}

/** Runs the plan of a copied project. */
export function runPlanIn(projectDir: string, args: string[]): { status: number; stdout: string; stderr: string } {
    const res = spawnSync(process.execPath, ["--import", "tsx", path.join(projectDir, "tools", "plan.ts"), ...args], {
        cwd: projectDir,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}
