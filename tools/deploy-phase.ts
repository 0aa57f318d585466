// `npx tsx tools/deploy-phase.ts --stack <dev|staging|prod>`: prints, as `key=value` lines for `$GITHUB_OUTPUT`, the
// stack's deploy phase (`finledger:phase`) and whether that phase builds the Snowflake layer. The deploy jobs read the
// Snowflake provisioning key only when it does (docs/snowflake.md, "First-run order"). Reads files only, no cloud.
// Exit status: 0, or 2 for bad usage or a config problem (the message names the file and the key).
import * as path from "path";
import { ConfigError, ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../model/config";
import { DeployPhase, deploys } from "../model/phase";

/** The step outputs for one phase: `phase=<phase>` and `snowflake_layer=<true|false>`. */
export function deployPhaseOutputs(phase: DeployPhase): string {
    return `phase=${phase}\nsnowflake_layer=${deploys(phase, "snowflake-layer")}\n`;
}

function main(): number {
    const args = process.argv.slice(2);
    const i = args.indexOf("--stack");
    const stack = i >= 0 ? args[i + 1] : undefined;
    if (!stack || !(ENVIRONMENTS as readonly string[]).includes(stack)) {
        console.error(`Usage: npx tsx tools/deploy-phase.ts --stack <${ENVIRONMENTS.join("|")}>`);
        return 2;
    }
    try {
        const config = parseEnvironmentConfig(readStackFile(path.resolve(__dirname, ".."), stack));
        process.stdout.write(deployPhaseOutputs(config.phase));
        return 0;
    } catch (err) {
        if (err instanceof ConfigError) {
            console.error(err.message);
            return 2;
        }
        throw err;
    }
}

if (require.main === module) process.exitCode = main();
