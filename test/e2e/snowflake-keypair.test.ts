// Snowflake key pair end to end, on the real drivers: the snowflake-key-pair rotation runs against moto and the
// documented Snowflake fake, each consumer's key file is rendered from the ExternalSecret the stack generates for it
// (its view in model/secret-kinds.ts) by ESO's own template engine and written as the pod mounts it, and the driver
// each consumer uses (snowflake-connector-python under dbt, the JDBC driver under Spark) loads it with its own key
// code and signs a login JWT that Snowflake's check accepts, with the fingerprint the rotation registered.
import * as assert from "assert";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createPrivateKey, createPublicKey } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SecretStore } from "../../functions/rotation/protocol";
import { generateSnowflakeKey, publicKeyFingerprint, slotFingerprints } from "../../functions/rotation/strategies/snowflake";
import { SECRET_FILE_MODE } from "../../model/secret-kinds";
import { renderExternalSecret } from "../support/eso-template";
import { generatedExternalSecretsByConsumerType } from "../support/generated-external-secrets";
import { FakeSnowflake } from "../support/fake-snowflake";
import { MotoServer, startMoto } from "../support/moto";
import { driverLoginJwt, jwtClaims, SnowflakeDriver } from "../support/snowflake-clients";
import { snowflakeFixture } from "../rotation/fixtures";
import { currentValue, motoClient, rotateOnce } from "../rotation/harness";

/** The consumer type whose pods run each driver, and the file (Secret key) the driver is pointed at. */
const CONSUMERS: ReadonlyArray<{ readonly driver: SnowflakeDriver; readonly type: string; readonly keyFile: string }> = [
    { driver: "snowflake-connector-python", type: "dbt", keyFile: "private_key" },
    { driver: "snowflake-jdbc", type: "spark", keyFile: "private_key" },
];

describe("Snowflake key-pair secret, from rotation to the drivers' key loading", function () {
    this.timeout(600_000);
    let moto: MotoServer;
    let client: SecretsManagerClient;
    let store: SecretStore;
    let dir: string;
    const snowflake = new FakeSnowflake("FINLEDGER-DEV", "FL_DEV_ROTATION");
    const all = generatedExternalSecretsByConsumerType("snowflake-keypair", "key-pair");
    const specs = new Map(CONSUMERS.map((c) => [c.type, all.get(c.type)]));

    before(async () => {
        moto = await startMoto();
        client = motoClient(moto);
        store = new SecretStore(client);
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "snowflake-e2e-"));
    });
    after(async () => {
        await moto?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    /** ESO's rendering of one consumer type's Secret for a stored value. */
    const render = (type: string, storedJson: string) => renderExternalSecret(specs.get(type), () => storedJson);

    /** Writes each consumer type's rendered files of a stored value into its own directory, with the volume's mode. */
    function mount(storedJson: string, name: string): Map<string, string> {
        const dirs = new Map<string, string>();
        for (const type of specs.keys()) {
            const target = path.join(dir, name, type);
            fs.mkdirSync(target, { recursive: true });
            for (const [key, content] of Object.entries(render(type, storedJson))) fs.writeFileSync(path.join(target, key), content, { mode: SECRET_FILE_MODE });
            dirs.set(type, target);
        }
        return dirs;
    }

    /** Each driver's JWT for the key file its consumer type mounts, with what Snowflake's check makes of it. */
    async function loginWith(account: string, user: string, mounted: Map<string, string>) {
        return Promise.all(
            CONSUMERS.map(async ({ driver, type, keyFile }) => {
                const out = await driverLoginJwt(driver, account, user, path.join(mounted.get(type)!, keyFile));
                if (out.result !== "jwt") return { driver, accepted: false, refusedFile: out.detail, fingerprint: undefined };
                let accepted = true;
                try {
                    assert.strictEqual(snowflake.acceptJwt(out.jwt), user.toUpperCase());
                } catch {
                    accepted = false;
                }
                return { driver, accepted, refusedFile: undefined, fingerprint: jwtClaims(out.jwt).fingerprint };
            }),
        );
    }

    it("dbt and Spark get the generated key files: the PEM key as is, and for Spark its base64 DER body", () => {
        // Airflow reads the kind as a connection file, tested in test/kinds/airflow-connections-end-to-end.test.ts.
        assert.deepStrictEqual([...all.keys()].sort(), ["airflow", "dbt", "spark"], "the dev catalog has Airflow, dbt and Spark consumers of snowflake-keypair");
        const key = generateSnowflakeKey();
        const pem = key.privateKey;
        const raw = JSON.stringify({ account: "FINLEDGER-DEV", user: "FL_DEV_PROBE", privateKey: pem });
        assert.deepStrictEqual(render("dbt", raw), { private_key: pem });
        const spark = render("spark", raw);
        assert.deepStrictEqual(Object.keys(spark).sort(), ["pem_private_key", "private_key"]);
        assert.strictEqual(spark.private_key, pem);
        // The Spark connector's pem_private_key is the PKCS#8 DER in base64 with no PEM lines or whitespace.
        assert.match(spark.pem_private_key!, /^[A-Za-z0-9+/]+=*$/);
        const fromBody = createPublicKey(createPrivateKey({ key: Buffer.from(spark.pem_private_key!, "base64"), format: "der", type: "pkcs8" }));
        assert.strictEqual(publicKeyFingerprint(fromBody.export({ type: "spki", format: "der" }).toString("base64")), key.fingerprint);
    });

    it("both drivers load the rotated key file, derive the fingerprint the rotation registered, and log in; a key two rotations old is refused", async () => {
        const f = await snowflakeFixture(client, snowflake);
        const k0 = await currentValue(store, f.secretId);
        await rotateOnce(client, store, f.strategy, f.secretId);
        const k1 = await currentValue(store, f.secretId);
        const v1 = JSON.parse(k1.value) as { account: string; user: string; publicKeyFingerprint: string };
        const registered = slotFingerprints(await snowflake.describeUser(f.user));
        assert.strictEqual(registered.RSA_PUBLIC_KEY_2, v1.publicKeyFingerprint, "the rotation registers the new key in the free slot and stores its fingerprint");

        for (const r of await loginWith(v1.account, v1.user, mount(k1.value, "k1"))) {
            assert.strictEqual(r.refusedFile, undefined, `${r.driver} must load the key file`);
            assert.strictEqual(r.fingerprint, registered.RSA_PUBLIC_KEY_2, `${r.driver} must derive the fingerprint DESC USER shows in RSA_PUBLIC_KEY_2_FP`);
            assert.ok(r.accepted, `${r.driver}'s login JWT must be accepted`);
        }

        await rotateOnce(client, store, f.strategy, f.secretId);
        const k2 = await currentValue(store, f.secretId);
        const after = slotFingerprints(await snowflake.describeUser(f.user));
        const [new2, old1, old0] = await Promise.all([loginWith(v1.account, v1.user, mount(k2.value, "k2")), loginWith(v1.account, v1.user, mount(k1.value, "k1-again")), loginWith(v1.account, v1.user, mount(k0.value, "k0"))]);
        for (const r of new2) {
            assert.strictEqual(r.fingerprint, after.RSA_PUBLIC_KEY, `${r.driver}: the second rotation's key went into RSA_PUBLIC_KEY`);
            assert.ok(r.accepted, `${r.driver}: the second rotation's key must log in`);
        }
        for (const r of old1) assert.ok(r.accepted, `${r.driver}: the key of one rotation ago (held by running tasks) must still log in`);
        for (const r of old0) {
            assert.strictEqual(r.refusedFile, undefined, `${r.driver} still loads the old file`);
            assert.ok(!r.accepted, `${r.driver}: Snowflake must refuse a key two rotations old`);
        }
    });

    it("both drivers refuse a damaged key file, so a broken consumer view cannot pass", async () => {
        const f = await snowflakeFixture(client, snowflake);
        await rotateOnce(client, store, f.strategy, f.secretId);
        const cur = JSON.parse((await currentValue(store, f.secretId)).value) as { account: string; user: string; privateKey: string };
        const lines = cur.privateKey.trim().split("\n");
        // Drop a line from the middle of the body: the PEM framing stays, the DER inside does not parse.
        const damaged = JSON.stringify({ ...cur, privateKey: [...lines.slice(0, 5), ...lines.slice(6)].join("\n") + "\n" });
        for (const r of await loginWith(cur.account, cur.user, mount(damaged, "damaged"))) {
            assert.ok(r.refusedFile !== undefined, `${r.driver} must refuse a damaged key file`);
            assert.ok(!r.accepted);
        }
    });
});

