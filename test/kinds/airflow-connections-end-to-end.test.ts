// Airflow connections from each kind's stored value to the real Airflow 2.11 of the test venv: the connection
// template that model/secret-kinds.ts derives from the kind's mapping is rendered by ESO's own template engine
// (tools/eso-render) into LocalFilesystemBackend's JSON, Airflow resolves every connection id from that file, and the hook
// side uses every field the kind carries (HttpHook's auth and base URL, the Snowflake provider's base64 PEM key
// loading). The Postgres connection comes from the real rotation, and `pg` logs in with exactly the fields Airflow
// resolved, before and after a second rotation.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Client } from "pg";
import { buildExternalSecret } from "../../components/external-secrets";
import { SecretStore } from "../../functions/rotation/protocol";
import type { SecretKind } from "../../model/catalog";
import { airflowConnection, airflowConnectionTemplate } from "../../model/secret-kinds";
import { postgresFixture } from "../rotation/fixtures";
import { currentValue, motoClient, rotateOnce } from "../rotation/harness";
import { renderExternalSecret } from "../support/eso-template";
import { MotoServer, startMoto, VENV } from "../support/moto";
import { PROJECT_DIR } from "../support/plan-cli";
import { PostgresServer, startPostgres } from "../support/postgres";
import { exampleValue } from "../support/secret-values";

const sha = (v: string | undefined) => (v === undefined ? null : createHash("sha256").update(v).digest("hex"));

interface Probed {
    conn_type: string;
    host: string | null;
    port: number | null;
    schema: string | null;
    login: string | null;
    password_sha256: string | null;
    extra_sha256: Record<string, string>;
    uri_roundtrip: boolean;
    http?: { base_url: string; auth_login: string | null; auth_password_sha256: string | null };
    snowflake?: { key_size: number; account: string };
}

interface Case {
    readonly connId: string;
    readonly kind: SecretKind;
    readonly vendor?: string;
    value: Record<string, unknown>;
}

/** The ExternalSecret an Airflow domain would get for one connection: the file `<conn_id>.json`, rendered as ESO does. */
function renderConnectionFile(c: Case): Record<string, unknown> {
    const es = buildExternalSecret({
        name: c.connId,
        namespace: "airflow-payments",
        storeName: "payments-tasks",
        remoteKey: `dev/airflow/connections/${c.connId}`,
        refreshInterval: "15m",
        view: { keys: { [`${c.connId}.json`]: airflowConnectionTemplate(c.kind, c.connId, c.vendor) } },
        storedFormat: "json",
    });
    const data = renderExternalSecret(es.spec, () => JSON.stringify(c.value));
    return JSON.parse(data[`${c.connId}.json`]!) as Record<string, unknown>;
}

describe("Airflow connections end to end: stored value, ESO-rendered file, real Airflow 2.11", function () {
    this.timeout(300_000);
    let moto: MotoServer;
    let pg: PostgresServer;
    let home: string;

    before(async () => {
        [moto, pg] = await Promise.all([startMoto(), startPostgres()]);
        home = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-conns-"));
    });
    after(async () => {
        await moto?.stop();
        await pg?.stop();
        if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    function probe(cases: readonly Case[]): Record<string, Probed> {
        const file = path.join(home, "connections.json");
        // LocalFilesystemBackend reads one file; the per-connection files ESO renders are merged into it.
        fs.writeFileSync(file, JSON.stringify(Object.assign({}, ...cases.map(renderConnectionFile))), { mode: 0o600 });
        const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_") && !k.startsWith("AIRFLOW")));
        const res = spawnSync(path.join(VENV, "bin", "python"), [path.join(PROJECT_DIR, "test", "python", "airflow_connection_probe.py")], {
            env: {
                ...inherited,
                AIRFLOW_HOME: home,
                AIRFLOW__CORE__LOAD_EXAMPLES: "False",
                AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(home, "airflow.db")}`,
                AIRFLOW__SECRETS__BACKEND: "airflow.secrets.local_filesystem.LocalFilesystemBackend",
                AIRFLOW__SECRETS__BACKEND_KWARGS: JSON.stringify({ connections_file_path: file }),
                PROBE_INPUT: JSON.stringify({ connIds: cases.map((c) => c.connId) }),
            },
            encoding: "utf8",
            timeout: 180_000,
        });
        assert.equal(res.status, 0, `probe failed:\n${res.stderr.slice(-3000)}`);
        return JSON.parse(res.stdout.trim().split("\n").pop()!) as Record<string, Probed>;
    }

    /** Airflow resolved exactly the fields the pure mapping gives, every extra included. */
    function assertResolved(c: Case, got: Probed): void {
        const want = airflowConnection(c.kind, c.value);
        assert.equal(got.conn_type, want.conn_type, c.connId);
        assert.equal(got.host, want.host ?? null, `${c.connId} host`);
        assert.equal(got.port, want.port ?? null, `${c.connId} port`);
        assert.equal(got.schema, want.schema ?? null, `${c.connId} schema`);
        assert.equal(got.login, want.login ?? null, `${c.connId} login`);
        assert.equal(got.password_sha256, sha(want.password), `${c.connId} password`);
        assert.deepEqual(got.extra_sha256, Object.fromEntries(Object.entries(want.extra ?? {}).map(([k, v]) => [k, sha(v)])), `${c.connId} extra`);
        // Airflow's URI form cannot carry a host that includes its scheme (https://..., as HTTP and Datadog hosts do);
        // the JSON form the views render can, which is why connections are delivered as JSON. The others must also
        // survive the URI form.
        if (!want.host?.includes("://")) assert.equal(got.uri_roundtrip, true, `${c.connId}: the URI form does not carry the same connection`);
    }

    it("every kind with an Airflow mapping resolves with every field, and the hooks use them", async () => {
        const client = motoClient(moto);
        const store = new SecretStore(client);
        const f = await postgresFixture(client, pg);
        await rotateOnce(client, store, f.strategy, f.secretId);
        const pgCase: Case = { connId: "pg_ledger_ro", kind: "postgres-password", value: JSON.parse((await currentValue(store, f.secretId)).value) };
        const cases: Case[] = [
            pgCase,
            { connId: "snowflake_finance", kind: "snowflake-keypair", value: exampleValue("snowflake-keypair") as Record<string, unknown> },
            { connId: "http_vendor_basic", kind: "basic-auth", value: exampleValue("basic-auth") as Record<string, unknown> },
            { connId: "http_vendor_token", kind: "api-token", value: exampleValue("api-token") as Record<string, unknown> },
            { connId: "datadog_default", kind: "api-token", vendor: "datadog", value: exampleValue("api-token", "datadog") as Record<string, unknown> },
            { connId: "sftp_bank", kind: "ssh-private-key", value: exampleValue("ssh-private-key") as Record<string, unknown> },
            { connId: "sendgrid_api", kind: "api-token", vendor: "sendgrid", value: exampleValue("api-token", "sendgrid") as Record<string, unknown> },
            { connId: "twilio_api", kind: "api-token", vendor: "twilio", value: exampleValue("api-token", "twilio") as Record<string, unknown> },
        ];
        const got = probe(cases);
        for (const c of cases) assertResolved(c, got[c.connId]!);

        const basic = cases[2]!.value;
        assert.deepEqual(got.http_vendor_basic!.http, { base_url: `${basic.host}:${basic.port}`, auth_login: basic.username, auth_password_sha256: sha(String(basic.password)) });
        const token = cases[3]!.value;
        assert.deepEqual(got.http_vendor_token!.http, { base_url: String(token.host), auth_login: token.login, auth_password_sha256: sha(String(token.token)) });
        const twilio = cases[7]!.value;
        assert.deepEqual(got.twilio_api!.http, { base_url: String(twilio.apiUrl), auth_login: twilio.apiKeySid, auth_password_sha256: sha(String(twilio.apiKeySecret)) });
        assert.deepEqual(got.snowflake_finance!.snowflake, { key_size: 2048, account: cases[1]!.value.account });

        // The Postgres connection Airflow resolved logs in, before and after a second rotation.
        const login = async (p: Probed, password: string) => {
            assert.equal(p.password_sha256, sha(password));
            const c = new Client({ host: p.host!, port: p.port!, database: p.schema!, user: p.login!, password, connectionTimeoutMillis: 5000 });
            await c.connect();
            try {
                return (await c.query<{ u: string }>("SELECT current_user AS u")).rows[0]!.u;
            } finally {
                await c.end();
            }
        };
        assert.equal(await login(got.pg_ledger_ro!, String(pgCase.value.password)), `${f.base}_b`);
        await rotateOnce(client, store, f.strategy, f.secretId);
        const rotated: Case = { ...pgCase, value: JSON.parse((await currentValue(store, f.secretId)).value) };
        const again = probe([rotated]);
        assertResolved(rotated, again.pg_ledger_ro!);
        assert.equal(await login(again.pg_ledger_ro!, String(rotated.value.password)), `${f.base}_a`);
    });
});
