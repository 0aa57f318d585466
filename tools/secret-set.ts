// `npm run secret:set -- --stack <env> <catalog-name> [--file <path>]`
// Sets a secret's value by hand (a first value, or a manual rotation). The value comes from stdin or a file, never
// from argv (shell history, process listings) and never inside CI. It is validated against the kind's schema
// (model/secret-kinds.ts) before anything is written, then written through the rotation protocol's stages: a new
// version as AWSPENDING, the consumer check where the kind has one (a real login), and only then AWSCURRENT. A value
// that fails validation or its check leaves AWSCURRENT as it was. Nothing secret is printed.
// Exit status: 0 set, 1 the check refused the value (AWSCURRENT unchanged), 2 bad usage, bad value or refused.
import { randomUUID } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { fullSecretName } from "../model/names";
import { ENV, storeFromEnv } from "../functions/rotation/runtime";
import { SecretStore, versionWithStage } from "../functions/rotation/protocol";
import { DatadogAdapter } from "../functions/rotation/strategies/datadog";
import { canLogin, PostgresUserValue } from "../functions/rotation/strategies/postgres";
import { CatalogError, CatalogSecret, loadCatalog } from "../model/catalog";
import { ConfigError, ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../model/config";
import { parseSecretValue, secretValueProblems } from "../model/secret-kinds";
import { snowflakeValueIdentityProblems } from "../model/snowflake-value-user";
import { planEnvironment } from "../model/environment";

const USAGE = `Usage: npm run secret:set -- --stack <${ENVIRONMENTS.join("|")}> <catalog-name> [--file <path>]   (the value comes from the file or from stdin)`;

/** Environment variables that mark a CI job; the tool refuses to run there, so no pipeline ever handles a value. */
export const CI_MARKERS = ["CI", "GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE", "JENKINS_URL", "CIRCLECI", "TF_BUILD", "CODEBUILD_BUILD_ID", "TEAMCITY_VERSION"] as const;

/** A refusal with the exit status it maps to. */
export class SecretSetError extends Error {
    constructor(
        message: string,
        readonly status: 1 | 2,
    ) {
        super(message);
        this.name = "SecretSetError";
    }
}

/** Parses argv; any extra positional argument is refused, because it would be a value on the command line. */
export function parseSecretSetArgs(argv: readonly string[]): { stack: string; name: string; file?: string } {
    let stack: string | undefined;
    let file: string | undefined;
    const positional: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        const value = () => {
            const v = argv[++i];
            if (v === undefined || v.startsWith("--")) throw new SecretSetError(`${arg} needs a value.\n${USAGE}`, 2);
            return v;
        };
        if (arg === "--stack") stack = value();
        else if (arg === "--file") file = value();
        else if (arg.startsWith("-")) throw new SecretSetError(`Unknown option '${arg}'; a value is never passed on the command line.\n${USAGE}`, 2);
        else positional.push(arg);
    }
    if (!stack || !(ENVIRONMENTS as readonly string[]).includes(stack)) throw new SecretSetError(`--stack must be one of ${ENVIRONMENTS.join(", ")}.\n${USAGE}`, 2);
    if (positional.length !== 1) {
        throw new SecretSetError(
            positional.length === 0 ? `Name the catalog secret to set.\n${USAGE}` : `Expected one catalog name, got ${positional.length} arguments; the value must come from stdin or --file, never from argv.\n${USAGE}`,
            2,
        );
    }
    return { stack, name: positional[0]!, file };
}

/** A consumer check: proves a value works in the system that will read it, as the rotation's testSecret does. */
export type ValueCheck = (value: Record<string, unknown>, env: NodeJS.ProcessEnv) => Promise<string | undefined>;

/** The kinds whose value can be proven before it becomes current; returns a sentence when the check fails. */
export const VALUE_CHECKS: Readonly<Record<string, ValueCheck>> = {
    "postgres-password": async (v, env) =>
        (await canLogin(v as unknown as PostgresUserValue, { ssl: env[ENV.postgresTls] !== "false" })) ? undefined : `user '${String(v.username)}' could not log in to ${String(v.host)}:${String(v.port)}/${String(v.dbname)}`,
    "api-token": async (v) => {
        if (v.vendor !== "datadog") return undefined;
        try {
            await new DatadogAdapter().verify(v as never);
            return undefined;
        } catch (err) {
            return (err as Error).message;
        }
    },
};

/** Inputs of {@link setSecretValue}. */
export interface SetSecretInputs {
    readonly secret: CatalogSecret;
    readonly secretId: string;
    readonly raw: string;
    readonly store: SecretStore;
    readonly env: NodeJS.ProcessEnv;
    readonly log: (line: string) => void;
}

/** Validates, stages, checks and promotes one value. Throws SecretSetError; AWSCURRENT moves only at the end. */
export async function setSecretValue(inputs: SetSecretInputs): Promise<{ versionId: string; checked: boolean }> {
    const { secret, secretId, raw, store, log } = inputs;
    if (secret.rotation.strategy === "rds-managed") throw new SecretSetError(`${secret.file}: secret '${secret.name}' is written by RDS (rotation rds-managed); it is never set by hand.`, 2);
    const problems = secretValueProblems(secret.kind, raw, secret.rotation.strategy);
    if (problems.length) {
        throw new SecretSetError(`The value does not fit kind ${secret.kind} (${secret.file}: '${secret.name}'); nothing was written:\n${problems.map((p) => `  - ${p}`).join("\n")}\nSee docs/secret-kinds.md.`, 2);
    }
    let meta;
    try {
        meta = await store.describe(secretId);
    } catch (err) {
        throw new SecretSetError(`Secret ${secretId} cannot be described (${(err as Error).name}); the stack creates it, so run the deploy first, and check your role and region.`, 2);
    }
    const pending = versionWithStage(meta.stages, "AWSPENDING");
    const currentId = versionWithStage(meta.stages, "AWSCURRENT");
    if (pending && pending !== currentId) throw new SecretSetError(`Secret ${meta.name} has a rotation in progress (version ${pending} is AWSPENDING); let it finish or cancel it before setting a value.`, 2);
    const token = randomUUID();
    const check = VALUE_CHECKS[secret.kind];
    const runCheck = async (staged: boolean) => {
        if (!check) {
            log(`Kind ${secret.kind} has no consumer check; the value was validated against its schema only.`);
            return;
        }
        const failure = await check(parseSecretValue<Record<string, unknown>>(secret.kind, raw, "new"), inputs.env);
        if (failure) {
            if (staged) await store.moveStage(meta.arn, "AWSPENDING", undefined, token);
            throw new SecretSetError(
                `The consumer check refused the value: ${failure}. AWSCURRENT is unchanged${currentId ? ` (version ${currentId})` : " (no value yet)"}${staged ? "; the staged version was unlabelled" : "; nothing was written"}.`,
                1,
            );
        }
        log(`Consumer check passed (${secret.kind}).`);
    };
    if (!currentId) {
        // Secrets Manager makes a secret's first version AWSCURRENT whatever stages the call names, so a first value
        // cannot wait in AWSPENDING: the check runs before the write instead.
        await runCheck(false);
        await store.put(meta.arn, token, raw, ["AWSCURRENT"]);
        log(`Version ${token} of ${meta.name} is its first value and AWSCURRENT.`);
        return { versionId: token, checked: check !== undefined };
    }
    await store.put(meta.arn, token, raw, ["AWSPENDING"]);
    log(`Staged version ${token} of ${meta.name} as AWSPENDING.`);
    await runCheck(true);
    await store.moveStage(meta.arn, "AWSCURRENT", token, currentId);
    await store.moveStage(meta.arn, "AWSPENDING", undefined, token);
    log(`Version ${token} of ${meta.name} is now AWSCURRENT (was ${currentId}, now AWSPREVIOUS).`);
    return { versionId: token, checked: check !== undefined };
}

/** Where the CLI reads stdin and writes its lines; tests pass their own. */
export interface SecretSetIo {
    /** The whole of stdin, or undefined when stdin is a terminal. */
    readonly stdin: () => Promise<string | undefined>;
    readonly out: (line: string) => void;
    readonly err: (line: string) => void;
}

async function processStdin(): Promise<string | undefined> {
    if (process.stdin.isTTY) return undefined;
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString("utf8");
}

async function readValue(file: string | undefined, io: SecretSetIo): Promise<string> {
    let raw: string;
    if (file) {
        raw = fs.readFileSync(path.resolve(file), "utf8");
    } else {
        const input = await io.stdin();
        if (input === undefined) throw new SecretSetError(`Pipe the value on stdin or pass --file; it is not read from a terminal, where it would echo.\n${USAGE}`, 2);
        raw = input;
    }
    // One trailing newline is what `echo` and editors add; it is never part of a value.
    raw = raw.replace(/\r?\n$/, "");
    if (raw === "") throw new SecretSetError("The value is empty; nothing was written.", 2);
    return raw;
}

/** The command: returns its exit status. */
export async function runSecretSet(argv: readonly string[], env: NodeJS.ProcessEnv, io: SecretSetIo): Promise<number> {
    try {
        const ci = CI_MARKERS.filter((m) => env[m] !== undefined && env[m] !== "" && env[m] !== "false");
        if (ci.length) throw new SecretSetError(`Refusing to run in CI (${ci.join(", ")} set): values are set by a person through the runbook, never by a pipeline.`, 2);
        const args = parseSecretSetArgs(argv);
        const projectDir = path.resolve(__dirname, "..");
        const config = parseEnvironmentConfig(readStackFile(projectDir, args.stack));
        const secret = loadCatalog(path.join(projectDir, "catalog")).secrets.find((s) => s.name === args.name);
        if (!secret) throw new SecretSetError(`catalog/: no secret named '${args.name}'; use the catalog name without the environment, such as airflow/connections/pg_ledger_ro.`, 2);
        if (!secret.environments.includes(config.environment)) throw new SecretSetError(`${secret.file}: secret '${secret.name}' does not exist in ${config.environment} (environments: ${secret.environments.join(", ")}).`, 2);
        const raw = await readValue(args.file, io);
        // The schema check (in setSecretValue) reports a malformed value; this one needs a well-formed one.
        if (secret.kind === "snowflake-keypair" && secretValueProblems(secret.kind, raw, secret.rotation.strategy).length === 0) {
            const value = parseSecretValue<Record<string, unknown>>(secret.kind, raw, "new");
            const problems = snowflakeValueIdentityProblems(planEnvironment(config, loadCatalog(path.join(projectDir, "catalog"))).snowflake, secret.name, value);
            if (problems.length) throw new SecretSetError(`The value of ${secret.file}: '${secret.name}' names the wrong Snowflake identity; nothing was written:\n${problems.map((p) => `  - ${p}`).join("\n")}`, 2);
        }
        env.AWS_REGION ??= config.region;
        await setSecretValue({ secret, secretId: fullSecretName(config.environment, secret.name), raw, store: storeFromEnv(env), env, log: io.out });
        return 0;
    } catch (err) {
        if (err instanceof SecretSetError) {
            io.err(err.message);
            return err.status;
        }
        if (err instanceof ConfigError || err instanceof CatalogError) {
            io.err(err.message);
            return 2;
        }
        // An unexpected error may carry an SDK message but never the value, which is only in `raw`.
        io.err(`secret:set failed: ${(err as Error).name}: ${(err as Error).message}`);
        return 1;
    }
}

if (require.main === module) {
    runSecretSet(process.argv.slice(2), process.env, { stdin: processStdin, out: (l) => console.log(l), err: (l) => console.error(l) }).then((code) => process.exit(code));
}
