// `npm run secret:set` against moto (and a real PostgreSQL for the consumer check): the value comes only from stdin
// or a file, is validated against its kind before anything is written, goes through AWSPENDING and a real login,
// and only then becomes AWSCURRENT; a bad value changes nothing and nothing secret is printed.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { SecretStore } from "../../functions/rotation/protocol";
import { CI_MARKERS, runSecretSet } from "../../tools/secret-set";
import { createEmptySecret, motoClient } from "../rotation/harness";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";
import { PROJECT_DIR } from "../support/plan-cli";
import { PostgresServer, startPostgres } from "../support/postgres";
import { exampleValue } from "../support/secret-values";

const KAFKA = { catalog: "AmazonMSK_kafka/spark-payments-stream-enrich", full: "AmazonMSK_dev/kafka/spark-payments-stream-enrich" };
const PG = { catalog: "postgres/spark/pg_payments_core_cdc", full: "dev/postgres/spark/pg_payments_core_cdc" };

describe("secret:set, the first-value tool", function () {
    this.timeout(120_000);
    let moto: MotoServer;
    let pg: PostgresServer;
    let store: SecretStore;
    const userPassword = ["cdc", Math.random().toString(36).slice(2), Date.now().toString(36)].join("-");

    function testEnv(extraEnv: Record<string, string>): NodeJS.ProcessEnv {
        const env: NodeJS.ProcessEnv = { ...process.env, ...FAKE_AWS_ENV, SECRETS_MANAGER_ENDPOINT: moto.endpoint, POSTGRES_TLS: "false", ...extraEnv };
        for (const m of CI_MARKERS) if (!(m in extraEnv)) delete env[m];
        return env;
    }

    /** Runs the command in this process (the CLI's own code path, with stdin and output captured). */
    async function run(args: string[], input?: string, extraEnv: Record<string, string> = {}) {
        const lines: string[] = [];
        const status = await runSecretSet(args, testEnv(extraEnv), { stdin: async () => input ?? "", out: (l) => lines.push(l), err: (l) => lines.push(l) });
        return { status, out: lines.join("\n") };
    }

    /** Runs the real CLI in its own process, as `npm run secret:set` does. */
    function runCli(args: string[], input: string) {
        const res = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "tools", "secret-set.ts"), ...args], { cwd: PROJECT_DIR, input, encoding: "utf8", env: testEnv({}) });
        return { status: res.status, out: `${res.stdout}${res.stderr}` };
    }

    const savedEnv = { ...process.env };
    before(async () => {
        // The SDK client reads region and credentials from the process environment.
        Object.assign(process.env, FAKE_AWS_ENV);
        moto = await startMoto();
        pg = await startPostgres();
        store = new SecretStore(motoClient(moto));
        await createEmptySecret(motoClient(moto), KAFKA.full);
        await createEmptySecret(motoClient(moto), PG.full);
        const admin = new Client({ host: pg.host, port: pg.port, user: pg.superuser.username, password: pg.superuser.password, database: "postgres" });
        await admin.connect();
        await admin.query(`CREATE ROLE svc_cdc_a LOGIN PASSWORD '${userPassword}'`);
        await admin.end();
    });
    after(async () => {
        for (const k of Object.keys(FAKE_AWS_ENV)) if (savedEnv[k] === undefined) delete process.env[k];
        else process.env[k] = savedEnv[k];
        await moto?.stop();
        await pg?.stop();
    });

    it("sets a first value from stdin, then a second one through AWSPENDING to AWSCURRENT, printing nothing secret", async () => {
        const first = exampleValue("kafka-scram") as { username: string; password: string };
        const res = await run(["--stack", "dev", KAFKA.catalog], `${JSON.stringify(first)}\n`);
        assert.equal(res.status, 0, res.out);
        assert.match(res.out, /is its first value and AWSCURRENT/);
        assert.deepEqual(JSON.parse((await store.get(KAFKA.full, "AWSCURRENT"))!.value), first);
        const second = exampleValue("kafka-scram") as { username: string; password: string };
        const again = await run(["--stack", "dev", KAFKA.catalog], JSON.stringify(second));
        assert.equal(again.status, 0, again.out);
        assert.match(again.out, /Staged version .* as AWSPENDING/);
        assert.match(again.out, /is now AWSCURRENT \(was .*, now AWSPREVIOUS\)/);
        for (const v of [first, second]) assert.ok(!`${res.out}${again.out}`.includes(v.password), "the output shows a password");
        assert.deepEqual(JSON.parse((await store.get(KAFKA.full, "AWSCURRENT"))!.value), second);
        assert.deepEqual(JSON.parse((await store.get(KAFKA.full, "AWSPREVIOUS"))!.value), first);
        const { stages } = await store.describe(KAFKA.full);
        assert.deepEqual(Object.values(stages).flat().sort(), ["AWSCURRENT", "AWSPREVIOUS"], "no AWSPENDING is left behind");
    });

    it("refuses a value that does not fit the kind, naming the field, and writes nothing", async () => {
        const before = await store.describe(KAFKA.full);
        const secretPart = ["not", "alternating", Date.now()].join("-");
        const res = await run(["--stack", "dev", KAFKA.catalog], JSON.stringify({ username: "svc", password: secretPart }));
        assert.equal(res.status, 2, res.out);
        assert.match(res.out, /'username' must end in _a or _b/);
        assert.match(res.out, /nothing was written/);
        assert.ok(!res.out.includes(secretPart));
        assert.deepEqual((await store.describe(KAFKA.full)).stages, before.stages);
    });

    it("refuses a value on argv, in CI, and for a name not in the catalog, before reading anything", async () => {
        const before = await store.describe(KAFKA.full);
        const onArgv = runCli(["--stack", "dev", KAFKA.catalog, JSON.stringify(exampleValue("kafka-scram"))], "");
        assert.equal(onArgv.status, 2);
        assert.match(onArgv.out, /never from argv/);
        const inCi = await run(["--stack", "dev", KAFKA.catalog], JSON.stringify(exampleValue("kafka-scram")), { GITHUB_ACTIONS: "true" });
        assert.equal(inCi.status, 2);
        assert.match(inCi.out, /Refusing to run in CI \(GITHUB_ACTIONS set\)/);
        const unknown = await run(["--stack", "dev", "kafka/nope"], "{}");
        assert.equal(unknown.status, 2);
        assert.match(unknown.out, /no secret named 'kafka\/nope'/);
        assert.deepEqual((await store.describe(KAFKA.full)).stages, before.stages);
    });

    it("Postgres: promotes a value only after a real login with it, and leaves AWSCURRENT alone when the login fails", async () => {
        const good = { engine: "postgres", host: pg.host, port: pg.port, dbname: "postgres", username: "svc_cdc_a", password: userPassword, masterarn: "rds!db-master-placeholder" };
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-set-"));
        const file = path.join(dir, "value.json");
        try {
            fs.writeFileSync(file, "", { mode: 0o600 });
            // A wrong first value is refused before anything is written (a first version is always AWSCURRENT).
            fs.writeFileSync(file, JSON.stringify({ ...good, password: `${userPassword}-typo` }));
            const firstWrong = await run(["--stack", "dev", PG.catalog, "--file", file]);
            assert.equal(firstWrong.status, 1, firstWrong.out);
            assert.match(firstWrong.out, /could not log in.*no value yet\); nothing was written/);
            assert.deepEqual((await store.describe(PG.full)).stages, {});

            fs.writeFileSync(file, JSON.stringify(good));
            const ok = await run(["--stack", "dev", PG.catalog, "--file", file]);
            assert.equal(ok.status, 0, ok.out);
            assert.match(ok.out, /Consumer check passed \(postgres-password\)/);
            assert.ok(!ok.out.includes(userPassword));
            const first = await store.get(PG.full, "AWSCURRENT");
            assert.deepEqual(JSON.parse(first!.value), good);

            const wrong = { ...good, password: `${userPassword}-wrong` };
            fs.writeFileSync(file, JSON.stringify(wrong));
            const refused = await run(["--stack", "dev", PG.catalog, "--file", file]);
            assert.equal(refused.status, 1, refused.out);
            assert.match(refused.out, /consumer check refused the value: user 'svc_cdc_a' could not log in/);
            assert.match(refused.out, new RegExp(`AWSCURRENT is unchanged \\(version ${first!.versionId}\\)`));
            assert.ok(!refused.out.includes(wrong.password));
            const after = await store.get(PG.full, "AWSCURRENT");
            assert.equal(after!.versionId, first!.versionId);
            const { stages } = await store.describe(PG.full);
            assert.equal(Object.values(stages).flat().filter((s) => s === "AWSPENDING").length, 0, "the refused version keeps no AWSPENDING");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
