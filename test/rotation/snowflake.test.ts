// Snowflake key-pair rotation against moto and the documented Snowflake fake: the key slots, the grace period of
// the replaced key, and the rotation role's limits.
import * as assert from "assert";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { rotate, SecretStore } from "../../functions/rotation/protocol";
import { publicKeyBody, publicKeyFingerprint, slotFingerprints, snowflakeKeyPairStrategy } from "../../functions/rotation/strategies/snowflake";
import { FakeSnowflake } from "../support/fake-snowflake";
import { MotoServer, startMoto } from "../support/moto";
import { snowflakeFixture } from "./fixtures";
import { createSecret, currentValue, motoClient, rotateOnce, startRotation, stagesOf } from "./harness";

describe("Snowflake key-pair rotation", function () {
    this.timeout(120_000);
    let moto: MotoServer;
    let client: SecretsManagerClient;
    let store: SecretStore;
    const snowflake = new FakeSnowflake("FINLEDGER-DEV", "FL_DEV_ROTATION");

    before(async () => {
        moto = await startMoto();
        client = motoClient(moto);
        store = new SecretStore(client);
    });
    after(async () => moto?.stop());

    const fp = (raw: string) => publicKeyFingerprint(publicKeyBody((JSON.parse(raw) as { privateKey: string }).privateKey));

    it("alternates slots, keeps the replaced key valid until the next rotation, and never uses more than two slots", async () => {
        const f = await snowflakeFixture(client, snowflake);
        const k0 = await currentValue(store, f.secretId);
        await rotateOnce(client, store, f.strategy, f.secretId);
        const k1 = await currentValue(store, f.secretId);
        let slots = slotFingerprints(await snowflake.describeUser(f.user));
        assert.deepStrictEqual([slots.RSA_PUBLIC_KEY, slots.RSA_PUBLIC_KEY_2], [fp(k0.value), fp(k1.value)]);
        assert.ok(await f.works(k0.value), "the replaced key must still log in");
        assert.strictEqual((await stagesOf(store, f.secretId)).previous, k0.versionId);

        await rotateOnce(client, store, f.strategy, f.secretId);
        const k2 = await currentValue(store, f.secretId);
        slots = slotFingerprints(await snowflake.describeUser(f.user));
        assert.deepStrictEqual([slots.RSA_PUBLIC_KEY, slots.RSA_PUBLIC_KEY_2], [fp(k2.value), fp(k1.value)], "the new key goes into the slot of the key two generations old");
        assert.ok(!(await f.works(k0.value)), "a key two rotations old must no longer log in");
        assert.ok(await f.works(k1.value) && (await f.works(k2.value)));
        assert.strictEqual(snowflake.usedSlots(f.user).length, 2);
        // The secret keeps the connection fields the runtime layer added.
        assert.strictEqual(JSON.parse(k2.value).warehouse, "FL_DEV_WH");
    });

    it("fails setSecret without touching AWSCURRENT when the rotation role does not own the user", async () => {
        const f = await snowflakeFixture(client, snowflake);
        const before = await currentValue(store, f.secretId);
        const other = new FakeSnowflake("FINLEDGER-DEV", "FL_DEV_ROTATION");
        other.createUser(f.user, "SOME_OTHER_OWNER");
        const token = await startRotation(client, f.secretId);
        const strategy = snowflakeKeyPairStrategy(other);
        await rotate({ SecretId: f.secretId, ClientRequestToken: token, Step: "createSecret" }, { store, strategy, log: () => undefined });
        await assert.rejects(rotate({ SecretId: f.secretId, ClientRequestToken: token, Step: "setSecret" }, { store, strategy, log: () => undefined }), /Insufficient privileges to operate on user/);
        const after = await currentValue(store, f.secretId);
        assert.strictEqual(after.versionId, before.versionId);
        assert.ok(await f.works(after.value));
    });

    it("refuses a stale token whose version is no longer pending", async () => {
        const f = await snowflakeFixture(client, snowflake);
        const first = await rotateOnce(client, store, f.strategy, f.secretId);
        await rotateOnce(client, store, f.strategy, f.secretId);
        // `first` is now AWSPREVIOUS: a late setSecret for it must not reinstall anything.
        await assert.rejects(rotate({ SecretId: f.secretId, ClientRequestToken: first, Step: "setSecret" }, { store, strategy: f.strategy, log: () => undefined }), /not staged AWSPENDING/);
    });

    it("bootstraps a user with no key yet into an empty slot", async () => {
        const f = await snowflakeFixture(client, snowflake);
        const user = `${f.user}_NEW`;
        snowflake.createUser(user, snowflake.sessionRole);
        const id = await createSecret(client, `dev/airflow/connections/${user.toLowerCase()}`, JSON.stringify({ account: "FINLEDGER-DEV", user }));
        await rotateOnce(client, store, f.strategy, id);
        const cur = await currentValue(store, id);
        assert.ok(await f.works(cur.value));
        assert.deepStrictEqual(snowflake.usedSlots(user), ["RSA_PUBLIC_KEY"]);
    });
});
