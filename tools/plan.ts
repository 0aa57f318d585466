// `npm run plan -- --stack <dev|staging|prod> [--json <file>] [--scale <n>] [--access-report <file.html>]`
// Runs the real stack program under Pulumi mocks with the stack's own config, then every policy of the pack.
// Exit status: 0 with no mandatory violation, 1 with one, 2 for bad usage, config or catalog.
import * as fs from "fs";
import * as path from "path";
import { policies } from "../policies/registry";
import { ENVIRONMENTS } from "../model/config";
import { readFlags, requireStack, UsageError } from "./cli";
import { writeAccessReport } from "./plan/access-report";
import { CatalogError, ConfigError, runStackUnderMocks, validateInputs } from "./plan/engine";
import { buildReport, formatReport } from "./plan/report";
import { loadPackConfig } from "./pack-config";
import { hasMandatory, runPolicies } from "./policy-runner";

const USAGE = `Usage: npm run plan -- --stack <${ENVIRONMENTS.join("|")}> [--json <file>] [--scale <n>] [--access-report <file.html>]`;

function parseArgs(argv: string[]): { stack: string; json?: string; scale: number; accessReport?: string } {
    let stack: string | undefined;
    let json: string | undefined;
    let accessReport: string | undefined;
    let scale = 1;
    readFlags(argv, (flag, value) => {
        if (flag === "--stack") stack = value();
        else if (flag === "--json") json = value();
        else if (flag === "--access-report") accessReport = value();
        else if (flag === "--scale") {
            scale = Number(value());
            if (!Number.isInteger(scale) || scale < 1 || scale > 100) throw new UsageError("--scale must be an integer from 1 to 100.");
        } else return false;
        return true;
    });
    return { stack: requireStack(stack), json, scale, accessReport };
}

/** CPU seconds (user + system) this process has used so far. */
function cpuSeconds(): number {
    const u = process.cpuUsage();
    return Math.round((u.user + u.system) / 1e4) / 100;
}

async function main(): Promise<number> {
    const projectDir = path.resolve(__dirname, "..");
    let args: ReturnType<typeof parseArgs>;
    try {
        args = parseArgs(process.argv.slice(2));
    } catch (err) {
        if (err instanceof UsageError) {
            if (err.message) console.error(err.message);
            console.error(USAGE);
            return 2;
        }
        throw err;
    }
    const t0 = performance.now();
    const c0 = cpuSeconds();
    let run;
    try {
        run = await runStackUnderMocks(projectDir, args.stack, args.scale);
    } catch (err) {
        if (err instanceof ConfigError || err instanceof CatalogError) {
            console.error(err.message);
            return 2;
        }
        throw err;
    }
    const t1 = performance.now();
    const c1 = cpuSeconds();
    const packConfig = loadPackConfig(projectDir);
    const violations = await runPolicies(run.resources, policies, packConfig);
    const t2 = performance.now();
    const c2 = cpuSeconds();
    const report = buildReport(args.stack, run.resources, violations);
    console.log(formatReport(report, `Plan of stack '${args.stack}' (account ${run.config.accountId}, ${run.config.region}${args.scale > 1 ? `, catalog x${args.scale}` : ""})`));
    if (args.json) {
        fs.mkdirSync(path.dirname(path.resolve(args.json)), { recursive: true });
        fs.writeFileSync(args.json, JSON.stringify(report, null, 2));
        console.log(`\nWrote ${args.json}`);
    }
    if (args.accessReport) {
        writeAccessReport(validateInputs(projectDir, args.stack, args.scale).model, projectDir, args.accessReport);
        console.log(`\nWrote the access report ${args.accessReport}`);
    }
    if (process.env.FINLEDGER_PLAN_TIMINGS === "1") {
        // Read by `npm run bench` to say where the time goes.
        const t3 = performance.now();
        const c3 = cpuSeconds();
        console.error(
            `PLAN_TIMINGS ${JSON.stringify({ startupMs: Math.round(t0), programMs: Math.round(t1 - t0), policiesMs: Math.round(t2 - t1), reportMs: Math.round(t3 - t2), resources: run.resources.length, cpuS: { startup: c0, program: c1 - c0, policies: c2 - c1, report: c3 - c2 } })}`,
        );
    }
    return hasMandatory(violations) ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(`plan failed: ${(err as Error)?.stack ?? err}`);
        process.exit(2);
    },
);
