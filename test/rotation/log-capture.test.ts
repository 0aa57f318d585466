// No rotation step writes a secret value to the function's log. Each Lambda strategy's real handler (Snowflake: its
// strategy, see below) runs a full rotation against moto and its target system with every byte written to
// console and to stdout/stderr captured, plus what the Lambda runtime would log for a failed step (the error's message
// and stack); the capture is then scanned for every secret piece of every value the rotation handled: the previous
// and the new value, the credentials it logged in with, each line of a private key.
import { strict as assert } from "assert";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { RotationEvent, ROTATION_STEPS, rotate, SecretStore } from "../../functions/rotation/protocol";
import { LAMBDA_STRATEGIES } from "../../model/strategies";
import { FakeSnowflake } from "../support/fake-snowflake";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";
import { PostgresServer, startPostgres } from "../support/postgres";
import { DatadogServer, startDatadogServer } from "./datadog-server";
import { datadogFixture, kafkaFixture, postgresFixture, sendgridFixture, snowflakeFixture, twilioFixture } from "./fixtures";
import { motoClient, startRotation } from "./harness";
import { SendGridServer, startSendGridServer } from "./sendgrid-server";
import { startTwilioServer, TwilioServer } from "./twilio-server";

/** Fields of the stored values that are not secret (names, addresses, ids); every other string field is. */
const NOT_SECRET_FIELDS = new Set(["engine", "host", "port", "dbname", "username", "user", "account", "warehouse", "role", "masterarn", "vendor", "apiUrl", "apiKeyId", "apiKeySid", "accountSid", "managementKeySid", "publicKeyFingerprint", "publicKeySlot"]);
/** Shorter strings are too common to mean a leak (a Datadog key's last four characters are shown by Datadog itself). */
const MIN_PIECE = 8;

/** The secret pieces of one stored value: each secret field whole, and each line of a PEM body. */
export function secretPieces(raw: string): string[] {
    const pieces = new Set<string>();
    const value = JSON.parse(raw) as Record<string, unknown>;
    for (const [field, v] of Object.entries(value)) {
        if (NOT_SECRET_FIELDS.has(field) || typeof v !== "string") continue;
        if (v.length >= MIN_PIECE) pieces.add(v);
        for (const line of v.split(/\r?\n/)) if (line.length >= MIN_PIECE && !/^-----/.test(line)) pieces.add(line);
        if (v.includes("-----BEGIN")) pieces.add(v.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""));
    }
    return [...pieces];
}

/** Which pieces occur in the text, each shown only by its length. */
function leaks(text: string, pieces: string[]): string[] {
    return pieces.filter((p) => text.includes(p)).map((p) => `a ${p.length}-character secret piece`);
}

/** Runs `fn` with console.* and process.stdout/stderr captured; a thrown error is logged as the Lambda runtime does. */
async function captured(fn: () => Promise<void>): Promise<{ text: string; error?: Error }> {
    const chunks: string[] = [];
    const methods = ["log", "info", "warn", "error", "debug", "trace"] as const;
    const saved = methods.map((m) => console[m]);
    const [out, err] = [process.stdout.write, process.stderr.write];
    const sink = (...args: unknown[]) => void chunks.push(args.map((a) => (typeof a === "string" ? a : require("util").inspect(a, { depth: 10 }))).join(" ") + "\n");
    methods.forEach((m) => ((console as any)[m] = sink));
    process.stdout.write = ((c: unknown) => (chunks.push(String(c)), true)) as typeof process.stdout.write;
    process.stderr.write = ((c: unknown) => (chunks.push(String(c)), true)) as typeof process.stderr.write;
    let error: Error | undefined;
    try {
        await fn();
    } catch (e) {
        error = e as Error;
        chunks.push(`ERROR Invoke Error ${JSON.stringify({ errorType: error.name, errorMessage: error.message, stack: String(error.stack).split("\n") })}\n`);
    } finally {
        methods.forEach((m, i) => ((console as any)[m] = saved[i]));
        process.stdout.write = out;
        process.stderr.write = err;
    }
    return { text: chunks.join(""), error };
}

type Handler = (event: RotationEvent) => Promise<void>;
const handlerOf = (strategy: string): Handler => require(`../../functions/rotation/handlers/${strategy}`).handler;

describe("no rotation step logs a secret value (every Lambda strategy, log captured and scanned)", function () {
    this.timeout(300_000);
    let moto: MotoServer;
    let pg: PostgresServer;
    let dd: DatadogServer;
    let sg: SendGridServer;
    let tw: TwilioServer;
    let client: SecretsManagerClient;
    let store: SecretStore;
    const snowflake = new FakeSnowflake("FINLEDGER-DEV", "FL_DEV_ROTATION");
    const savedEnv = { ...process.env };
    const covered = new Set<string>();

    before(async () => {
        [moto, pg, dd, sg, tw] = await Promise.all([startMoto(), startPostgres(), startDatadogServer(), startSendGridServer(), startTwilioServer()]);
        client = motoClient(moto);
        store = new SecretStore(client);
        // What the stack sets on the functions, pointed at moto; the handlers build their own clients from it.
        Object.assign(process.env, FAKE_AWS_ENV, { SECRETS_MANAGER_ENDPOINT: moto.endpoint, POSTGRES_TLS: "false", MSK_PROPAGATION_SECONDS: "0" });
    });
    after(async () => {
        process.env = savedEnv;
        await Promise.all([moto?.stop(), pg?.stop(), dd?.close(), sg?.close(), tw?.close()]);
    });

    /** Every value the rotation of `secretId` handled: the new and the previous version, plus other secrets it read. */
    async function handledValues(secretId: string, alsoRead: string[] = []): Promise<string[]> {
        const values: string[] = [];
        for (const stage of ["AWSCURRENT", "AWSPREVIOUS"]) {
            const v = await store.get(secretId, stage);
            assert.ok(v, `${secretId} has ${stage} after the rotation`);
            values.push(v.value);
        }
        return [...values, ...alsoRead];
    }

    /** Rotates once through all four steps with `invoke`, returns the capture; a failed step fails the test. */
    async function rotateCaptured(secretId: string, invoke: Handler): Promise<string> {
        const token = await startRotation(client, secretId);
        let text = "";
        for (const Step of ROTATION_STEPS) {
            const run = await captured(() => invoke({ SecretId: secretId, ClientRequestToken: token, Step }));
            text += run.text;
            if (run.error) assert.fail(`${Step} failed: ${run.error.message}`);
        }
        return text;
    }

    function assertClean(strategy: string, text: string, values: string[]): void {
        const pieces = values.flatMap(secretPieces);
        assert.ok(pieces.length >= 2, `${strategy}: the handled values have secret pieces to look for (${pieces.length})`);
        assert.match(text, /finishSecret: version .* is now AWSCURRENT/, `${strategy}: the capture holds the function's own log lines`);
        assert.deepEqual(leaks(text, pieces), [], `${strategy}: the log holds a secret value`);
        covered.add(strategy);
    }

    it("postgres-alternating-users: the handler's log holds neither user's password nor the master password", async () => {
        const f = await postgresFixture(client, pg);
        const text = await rotateCaptured(f.secretId, handlerOf("postgres-alternating-users"));
        assertClean("postgres-alternating-users", text, await handledValues(f.secretId, [JSON.stringify(pg.superuser)]));
    });

    it("kafka-scram-alternating-users: the handler's log holds no SCRAM password", async () => {
        const f = await kafkaFixture(client);
        const text = await rotateCaptured(f.secretId, handlerOf("kafka-scram-alternating-users"));
        assertClean("kafka-scram-alternating-users", text, await handledValues(f.secretId));
    });

    for (const [vendor, make] of [
        ["datadog", () => datadogFixture(client, dd)],
        ["sendgrid", () => sendgridFixture(client, sg)],
        ["twilio", () => twilioFixture(client, tw)],
    ] as const) {
        it(`vendor-api (${vendor}): the handler's log holds no token, management key or app key${vendor === "datadog" ? "" : ", also when the vendor refuses a step"}`, async () => {
            const f = await make();
            const before = (await store.get(f.secretId, "AWSCURRENT"))!.value;
            // A refused step first: what the Lambda runtime logs for the error must not carry a value either.
            const token = await startRotation(client, f.secretId);
            const server = vendor === "datadog" ? undefined : vendor === "sendgrid" ? sg : tw;
            let refusedText = "";
            if (server) {
                server.refuseNext(401, 1);
                const refused = await captured(() => handlerOf("vendor-api")({ SecretId: f.secretId, ClientRequestToken: token, Step: "createSecret" }));
                assert.ok(refused.error, `${vendor}: the refused createSecret fails`);
                refusedText = refused.text;
                assert.match(refusedText, /ERROR Invoke Error/);
            }
            let text = refusedText;
            for (const Step of ROTATION_STEPS) {
                const run = await captured(() => handlerOf("vendor-api")({ SecretId: f.secretId, ClientRequestToken: token, Step }));
                text += run.text;
                if (run.error) assert.fail(`${vendor} ${Step} failed: ${run.error.message}`);
            }
            assertClean("vendor-api", text, [...(await handledValues(f.secretId)), before]);
        });
    }

    // The Snowflake handler logs in to Snowflake with the SDK, which has no offline server; its strategy runs here
    // with the fake user admin, under the same protocol and the protocol's default log, as in the Lambda.
    it("snowflake-key-pair: the log holds no line of either private key", async () => {
        const f = await snowflakeFixture(client, snowflake);
        const text = await rotateCaptured(f.secretId, (event) => rotate(event, { store, strategy: f.strategy }));
        assertClean("snowflake-key-pair", text, await handledValues(f.secretId));
    });

    it("covers every Lambda strategy of model/strategies.ts", () => {
        assert.deepEqual([...covered].sort(), [...LAMBDA_STRATEGIES].sort());
    });

    it("the capture and scan catch a value that is logged: whole, as one private-key line, or inside an error", async () => {
        const f = await snowflakeFixture(client, snowflake);
        const raw = (await store.get(f.secretId, "AWSCURRENT"))!.value;
        const pieces = secretPieces(raw);
        const line = JSON.parse(raw).privateKey.split("\n")[3] as string;
        const logged = await captured(async () => console.log(`value ${raw}`));
        assert.ok(leaks(logged.text, pieces).length > 0, "a whole value logged with console.log");
        const written = await captured(async () => void process.stderr.write(`key line ${line}\n`));
        assert.ok(leaks(written.text, pieces).length > 0, "one key line written to stderr");
        const thrown = await captured(async () => {
            throw new Error(`bad key ${line}`);
        });
        assert.ok(leaks(thrown.text, pieces).length > 0, "a value inside a thrown error");
        assert.deepEqual(leaks("finishSecret: version 1 is now AWSCURRENT", pieces), []);
    });
});
