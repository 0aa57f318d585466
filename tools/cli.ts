// What every command of tools/ shares on its command line: the usage error (exit 2), reading `--flag value` pairs,
// and the `--stack` check against the environments.
import { ConfigError, EnvironmentConfig, ENVIRONMENTS, EnvironmentName, parseEnvironmentConfig, readStackFile } from "../model/config";

/** Bad usage: the command prints the message and its usage line and exits 2. */
export class UsageError extends Error {}

/**
 * Walks argv flag by flag, calling `onFlag` with each flag and a reader of its value; a value that is missing or is
 * itself a flag is a UsageError. `--help`/`-h` is a UsageError with no message.
 */
export function readFlags(argv: readonly string[], onFlag: (flag: string, value: () => string) => boolean): void {
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i]!;
        if (flag === "--help" || flag === "-h") throw new UsageError("");
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new UsageError(`${flag} needs a value.`);
            return v;
        };
        if (!onFlag(flag, value)) throw new UsageError(`Unknown argument '${flag}'.`);
    }
}

/** The `--stack` value, required and one of the environments. */
export function requireStack(stack: string | undefined): EnvironmentName {
    if (!stack) throw new UsageError("--stack is required.");
    if (!(ENVIRONMENTS as readonly string[]).includes(stack)) throw new UsageError(`Unknown stack '${stack}'; the stacks are ${ENVIRONMENTS.join(", ")}.`);
    return stack as EnvironmentName;
}

/**
 * For commands whose only argument is `--stack <env>`: the stack and its parsed config, or exit status 2 after
 * printing the usage line (bad or missing stack) or the config error (file and key).
 */
export function stackConfigOrExit(projectDir: string, argv: readonly string[], usage: string): { stack: EnvironmentName; config: EnvironmentConfig } | 2 {
    const i = argv.indexOf("--stack");
    const stack = i >= 0 ? argv[i + 1] : undefined;
    if (!stack || !(ENVIRONMENTS as readonly string[]).includes(stack)) {
        console.error(usage);
        return 2;
    }
    try {
        return { stack: stack as EnvironmentName, config: parseEnvironmentConfig(readStackFile(projectDir, stack)) };
    } catch (err) {
        if (err instanceof ConfigError) {
            console.error(err.message);
            return 2;
        }
        throw err;
    }
}
