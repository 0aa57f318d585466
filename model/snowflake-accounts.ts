// One Snowflake account per environment: no two stack files may name the same account, database, warehouse or role
// prefix. A stack file alone cannot show this, so the check reads the project's other stack files too; `plan` and
// the stack program both run it before anything is registered (exit 2 with file and key).
import { ConfigError, ConfigProblem, ENVIRONMENTS, EnvironmentConfig, readStackFile } from "./config";

/** The Snowflake settings of one stack file, as far as they can be read. */
export interface StackSnowflake {
    readonly file: string;
    readonly environment: string;
    readonly snowflake: Readonly<Record<string, unknown>>;
}

const SHARED_KEYS = ["account", "database", "warehouse", "rolePrefix"] as const;

/** Problems of `current` against the other environments' stack files: each account, database, warehouse and prefix belongs to one environment. */
export function sharedSnowflakeProblems(current: StackSnowflake, others: readonly StackSnowflake[]): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    for (const k of SHARED_KEYS) {
        const mine = current.snowflake[k];
        if (typeof mine !== "string") continue;
        for (const other of others) {
            if (other.environment === current.environment) continue;
            const theirs = other.snowflake[k];
            if (typeof theirs === "string" && theirs.toUpperCase() === mine.toUpperCase()) {
                problems.push({
                    file: current.file,
                    key: `finledger:snowflake.${k}`,
                    found: JSON.stringify(mine),
                    expected: `${k === "account" ? "an account" : `a ${k}`} of ${current.environment} alone, but ${other.file} (${other.environment}) names the same one; each environment has its own Snowflake ${k}`,
                });
            }
        }
    }
    // A warehouse per workload type may not be another environment's either.
    const mineByType = (current.snowflake.warehouses ?? {}) as Record<string, unknown>;
    for (const [type, wh] of Object.entries(mineByType)) {
        for (const other of others) {
            if (other.environment === current.environment) continue;
            const theirs = [other.snowflake.warehouse, ...Object.values((other.snowflake.warehouses ?? {}) as Record<string, unknown>)];
            if (typeof wh === "string" && theirs.some((t) => typeof t === "string" && t.toUpperCase() === wh.toUpperCase())) {
                problems.push({ file: current.file, key: `finledger:snowflake.warehouses.${type}`, found: JSON.stringify(wh), expected: `a warehouse of ${current.environment} alone, but ${other.file} (${other.environment}) uses it too` });
            }
        }
    }
    return problems;
}

/** Reads the Snowflake settings of every other environment's stack file in the project (files that do not exist are skipped). */
export function otherStacksSnowflake(projectDir: string, stack: string): StackSnowflake[] {
    const out: StackSnowflake[] = [];
    for (const environment of ENVIRONMENTS) {
        if (environment === stack) continue;
        let raw;
        try {
            raw = readStackFile(projectDir, environment);
        } catch (err) {
            if (err instanceof ConfigError) continue; // that stack's own run reports its file
            throw err;
        }
        const snowflake = raw.values["finledger:snowflake"];
        if (snowflake && typeof snowflake === "object") out.push({ file: raw.file, environment, snowflake: snowflake as Record<string, unknown> });
    }
    return out;
}

/** Throws a ConfigError when this environment's Snowflake account, database, warehouse or prefix is another's. */
export function assertOwnSnowflakeAccount(projectDir: string, config: EnvironmentConfig, file = `Pulumi.${config.environment}.yaml`): void {
    const problems = sharedSnowflakeProblems({ file, environment: config.environment, snowflake: config.snowflake }, otherStacksSnowflake(projectDir, config.environment));
    if (problems.length > 0) throw new ConfigError(problems);
}
