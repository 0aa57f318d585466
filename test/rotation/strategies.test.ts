// Strategy details the fault tests do not name: Datadog keys revoked exactly when no stage holds them, MSK's
// propagation wait, and the Postgres partner user's privileges.
import * as assert from "assert";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Client } from "pg";
import { rotate, SecretStore } from "../../functions/rotation/protocol";
import { MskPropagationCheck } from "../../functions/rotation/strategies/kafka-scram";
import { MotoServer, startMoto } from "../support/moto";
import { PostgresServer, startPostgres } from "../support/postgres";
import { DatadogServer, startDatadogServer } from "./datadog-server";
import { datadogFixture, postgresFixture } from "./fixtures";
import { currentValue, motoClient, rotateOnce, startRotation } from "./harness";

describe("rotation strategies in detail", function () {
    this.timeout(120_000);
    let moto: MotoServer;
    let client: SecretsManagerClient;
    let store: SecretStore;
    let dd: DatadogServer;
    let pg: PostgresServer;

    before(async () => {
        [moto, dd, pg] = await Promise.all([startMoto(), startDatadogServer(), startPostgres()]);
        client = motoClient(moto);
        store = new SecretStore(client);
    });
    after(async () => Promise.all([moto?.stop(), dd?.close(), pg?.stop()]));

    it("Datadog: a reattempt reuses the key issued for its token; the replaced key lives one more rotation, then is revoked", async () => {
        const f = await datadogFixture(client, dd);
        const k0 = JSON.parse((await currentValue(store, f.secretId)).value);
        // An attempt that issued a key and stopped; Secrets Manager reattempts it with the same token.
        const orphanToken = await startRotation(client, f.secretId);
        await rotate({ SecretId: f.secretId, ClientRequestToken: orphanToken, Step: "createSecret" }, { store, strategy: f.strategy, log: () => undefined });
        const orphan = JSON.parse((await store.get(f.secretId, "AWSPENDING", orphanToken))!.value);
        assert.ok(dd.isLive(orphan.apiKey));
        await rotateOnce(client, store, f.strategy, f.secretId); // reattempts the same token
        const k1 = JSON.parse((await currentValue(store, f.secretId)).value);
        assert.strictEqual(k1.apiKeyId, orphan.apiKeyId, "the reattempt reused the key issued for its token");
        assert.ok(dd.isLive(k0.apiKey), "the replaced key must live until the next rotation");
        await rotateOnce(client, store, f.strategy, f.secretId);
        const k2 = JSON.parse((await currentValue(store, f.secretId)).value);
        assert.ok(!dd.isLive(k0.apiKey), "the bootstrap key must be revoked once no stage holds it");
        assert.ok(dd.isLive(k1.apiKey) && dd.isLive(k2.apiKey));
        assert.strictEqual(dd.keys.size, 2, "only the current and previous keys remain");
    });

    it("MSK: the pending user counts as live only after the documented propagation time", async () => {
        let now = 1_000_000;
        const slept: number[] = [];
        const check = new MskPropagationCheck(600_000, 60_000, () => now, async (ms) => {
            slept.push(ms);
            now += ms;
        });
        const written = new Date(now);
        await assert.rejects(check.verify({ username: "u_b", password: "x" }, written), /propagation left/);
        now += 570_000;
        await check.verify({ username: "u_b", password: "x" }, written);
        assert.deepStrictEqual(slept, [30_000]);
        await check.verify({ username: "u_b", password: "x" }, written);
        assert.deepStrictEqual(slept, [30_000], "no wait once propagated");
    });

    it("Postgres: the partner user is created with the active user's memberships and can do the same work", async () => {
        const f = await postgresFixture(client, pg);
        await rotateOnce(client, store, f.strategy, f.secretId);
        const v = JSON.parse((await currentValue(store, f.secretId)).value);
        assert.strictEqual(v.username, `${f.base}_b`);
        assert.ok(await f.works((await currentValue(store, f.secretId)).value));
        const admin = new Client({ host: pg.host, port: pg.port, user: pg.superuser.username, password: pg.superuser.password, database: "postgres" });
        await admin.connect();
        try {
            const r = await admin.query("SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = $1", [v.username]);
            assert.deepStrictEqual(r.rows[0], { rolsuper: false, rolcreaterole: false }, "the partner gets no privilege beyond the group's");
        } finally {
            await admin.end();
        }
    });
});
