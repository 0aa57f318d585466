// postgres-password from rotation to the consumer's own client: the real rotation code rotates against moto and a
// real PostgreSQL, the Spark JDBC view is rendered from the ExternalSecret the stack generates (ESO's dataFrom +
// template semantics, ESO's own template engine), and `pg` logs in with exactly the rendered files, before and after a
// second rotation, while the previous credential keeps working within its grace (one rotation).
import { strict as assert } from "assert";
import { Client } from "pg";
import { buildExternalSecret } from "../../components/external-secrets";
import { SecretStore } from "../../functions/rotation/protocol";
import { CONSUMER_VIEWS, SECRET_FILE_MODE } from "../../model/secret-kinds";
import { postgresFixture } from "../rotation/fixtures";
import { currentValue, motoClient, rotateOnce } from "../rotation/harness";
import { renderExternalSecret } from "../support/eso-template";
import { MotoServer, startMoto } from "../support/moto";
import { PostgresServer, startPostgres } from "../support/postgres";

/** What a Spark JDBC consumer does with its files: parse the JDBC URL, read user and password, connect. */
async function loginWithFiles(files: Record<string, string>): Promise<string> {
    const m = /^jdbc:postgresql:\/\/([^:/]+):(\d+)\/([^?]+)\?sslmode=verify-full$/.exec(files["jdbc-url"]!);
    assert.ok(m, `unexpected JDBC URL ${files["jdbc-url"]}`);
    // The local test server has no TLS; the URL's verify-full is asserted above, the login itself is what is tested.
    const c = new Client({ host: m[1], port: Number(m[2]), database: m[3], user: files.username, password: files.password, connectionTimeoutMillis: 5000 });
    await c.connect();
    try {
        const r = await c.query<{ u: string; n: string }>("SELECT current_user AS u, count(*)::text AS n FROM ledger_entries");
        return r.rows[0]!.u;
    } finally {
        await c.end();
    }
}

async function cannotLogin(files: Record<string, string>): Promise<boolean> {
    try {
        await loginWithFiles(files);
        return false;
    } catch (err) {
        return /password authentication failed/.test((err as Error).message);
    }
}

describe("postgres-password end to end: rotation, ESO view, pg login", function () {
    this.timeout(180_000);
    let moto: MotoServer;
    let pg: PostgresServer;

    before(async () => {
        [moto, pg] = await Promise.all([startMoto(), startPostgres()]);
    });
    after(async () => {
        await moto?.stop();
        await pg?.stop();
    });

    it("the Spark JDBC files log in before and after two rotations; the previous user stays valid for one rotation", async () => {
        const client = motoClient(moto);
        const store = new SecretStore(client);
        const f = await postgresFixture(client, pg);
        const es = buildExternalSecret({
            name: "pg",
            namespace: "spark-apps",
            storeName: "spark-payments-stream-enrich",
            remoteKey: f.secretId,
            refreshInterval: "15m",
            view: CONSUMER_VIEWS["postgres-jdbc"],
            storedFormat: "json",
        });
        assert.equal(CONSUMER_VIEWS["postgres-jdbc"].fileMode, SECRET_FILE_MODE);
        // ESO reads the remote value named by the ExternalSecret and renders the view's template over its fields.
        const sync = async () =>
            renderExternalSecret(es.spec, (key) => {
                assert.equal(key, f.secretId);
                return raw;
            });
        let raw = (await currentValue(store, f.secretId)).value;
        const v0 = await sync();
        assert.deepEqual(Object.keys(v0).sort(), ["jdbc-url", "password", "username"]);
        assert.equal(await loginWithFiles(v0), `${f.base}_a`);

        await rotateOnce(client, store, f.strategy, f.secretId);
        raw = (await currentValue(store, f.secretId)).value;
        const v1 = await sync();
        assert.equal(await loginWithFiles(v1), `${f.base}_b`, "after the first rotation the files name the partner user");
        assert.equal(await loginWithFiles(v0), `${f.base}_a`, "a pod still holding the previous files keeps working (grace)");

        await rotateOnce(client, store, f.strategy, f.secretId);
        raw = (await currentValue(store, f.secretId)).value;
        const v2 = await sync();
        assert.equal(await loginWithFiles(v2), `${f.base}_a`);
        assert.equal(await loginWithFiles(v1), `${f.base}_b`, "the previous credential (AWSPREVIOUS) is still valid");
        assert.ok(await cannotLogin(v0), "the credential from two rotations ago is gone: grace is one rotation");
    });
});
