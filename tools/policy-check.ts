// `npm run policy:check -- <file> [--json <out>] [--policy-pack-config <config.json>]`
// Runs the pack on a `pulumi stack export` (deployment version 3) or a `pulumi preview --json` file, through the
// same runner and report as `plan`. `--policy-pack-config` takes the same file `pulumi preview` would (default:
// policies/pack-config.json); each rule gets its own entry over its defaults, as the engine passes it.
// Exit status: 0 with no mandatory violation, 1 with one, 2 for bad usage or a
// malformed input file.
import * as fs from "fs";
import * as path from "path";
import { policies } from "../policies/registry";
import { InputFileError, readPolicyInput } from "./check/targets";
import { loadPackConfig, readPackConfigFile } from "./pack-config";
import { buildReport, formatReport } from "./plan/report";
import { hasMandatory, runPolicies } from "./policy-runner";

const USAGE = "Usage: npm run policy:check -- <stack-export-or-preview.json> [--json <out>] [--policy-pack-config <config.json>]";

async function main(argv: string[]): Promise<number> {
    let file: string | undefined;
    let json: string | undefined;
    let configFile: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--json") {
            json = argv[++i];
            if (json === undefined || json.startsWith("--")) {
                console.error("--json needs a file name.");
                console.error(USAGE);
                return 2;
            }
        } else if (arg === "--policy-pack-config") {
            configFile = argv[++i];
            if (configFile === undefined || configFile.startsWith("--")) {
                console.error("--policy-pack-config needs a file name.");
                console.error(USAGE);
                return 2;
            }
        } else if (arg === "--help" || arg === "-h" || arg.startsWith("--") || file !== undefined) {
            if (arg !== "--help" && arg !== "-h") console.error(`Unexpected argument '${arg}'.`);
            console.error(USAGE);
            return 2;
        } else file = arg;
    }
    if (!file) {
        console.error("An input file is required.");
        console.error(USAGE);
        return 2;
    }
    let input;
    let packConfig;
    try {
        input = readPolicyInput(file);
        packConfig = configFile ? readPackConfigFile(configFile) : loadPackConfig(path.resolve(__dirname, ".."));
    } catch (err) {
        if (err instanceof InputFileError || /pack-config/.test((err as Error).message)) {
            console.error((err as Error).message);
            return 2;
        }
        throw err;
    }
    const violations = await runPolicies(input.targets, policies, packConfig);
    const report = buildReport(input.stack, input.targets, violations);
    console.log(formatReport(report, `Policy check of ${file} (${input.format}, stack '${input.stack}')`));
    if (json) {
        fs.mkdirSync(path.dirname(path.resolve(json)), { recursive: true });
        fs.writeFileSync(json, JSON.stringify(report, null, 2));
        console.log(`\nWrote ${json}`);
    }
    return hasMandatory(violations) ? 1 : 0;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
        console.error(`policy:check failed: ${(err as Error)?.stack ?? err}`);
        process.exit(2);
    },
);
