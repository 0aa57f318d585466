// The Snowflake key-pair strategy's pure parts, in process: fingerprints as Snowflake computes them, which of the
// two key slots a pending key goes into (recorded in the value, since the rotator may not DESC USER another user), the SQL the rotator sends (and the injection guards on it), and the
// strategy's steps over the documented Snowflake fake (test/support/fake-snowflake.ts). Keys are generated once at
// run time. test/rotation/snowflake.test.ts runs the same strategy against moto.
import * as assert from "assert";
import { createHash, createPrivateKey, createPublicKey } from "crypto";
import { rotate, RotationError, ROTATION_STEPS } from "../../../functions/rotation/protocol";
import {
    DescribeUserRow,
    generateSnowflakeKey,
    KEY_SLOTS,
    nextSlot,
    parseSnowflakeValue,
    publicKeyBody,
    publicKeyFingerprint,
    slotFingerprints,
    SnowflakeKeyPairValue,
    snowflakeKeyPairStrategy,
} from "../../../functions/rotation/strategies/snowflake";
import { describeUserStatement, setPublicKeyStatement, StatementUserAdmin } from "../../../functions/rotation/strategies/snowflake-statements";
import { FakeSnowflake } from "../../support/fake-snowflake";
import { MemorySecretsManager } from "./memory-secrets-manager";

type Key = ReturnType<typeof generateSnowflakeKey>;

// RSA key generation takes a few hundred milliseconds on a shared machine, and mutation testing reruns these tests
// per mutant in one process: the keys are made once per process.
let generated: Key[] | undefined;

describe("Snowflake key-pair strategy (in process)", () => {
    let keys: Key[];
    before(() => {
        keys = generated ??= [generateSnowflakeKey(), generateSnowflakeKey(), generateSnowflakeKey()];
    });

    describe("keys and fingerprints", () => {
        it("generates a 2048-bit RSA PKCS#8 key whose body and fingerprint are Snowflake's", () => {
            const k = keys[0]!;
            assert.strictEqual(createPrivateKey(k.privateKey).export({ type: "pkcs8", format: "pem" }), k.privateKey, "PKCS#8 PEM");
            const pub = createPublicKey(k.privateKey);
            assert.deepStrictEqual([pub.asymmetricKeyType, pub.asymmetricKeyDetails?.modulusLength], ["rsa", 2048]);
            const der = pub.export({ type: "spki", format: "der" });
            assert.strictEqual(k.publicKeyBody, der.toString("base64"));
            assert.strictEqual(publicKeyBody(k.privateKey), k.publicKeyBody);
            assert.strictEqual(k.fingerprint, `SHA256:${createHash("sha256").update(der).digest("base64")}`);
            assert.strictEqual(publicKeyFingerprint(k.publicKeyBody), k.fingerprint);
            assert.notStrictEqual(keys[1]!.fingerprint, k.fingerprint);
        });
    });

    describe("slots", () => {
        const rows = (fp1: string | null, fp2: string | null, caseOf = (s: string) => s): DescribeUserRow[] => [
            { property: caseOf("NAME"), value: "SVC_LOADER" },
            { property: caseOf("RSA_PUBLIC_KEY_FP"), value: fp1 },
            { property: caseOf("RSA_PUBLIC_KEY_2_FP"), value: fp2 },
        ];

        it("reads each slot's fingerprint from DESC USER, in any case, and an empty slot in each of Snowflake's spellings", () => {
            assert.deepStrictEqual(slotFingerprints(rows("SHA256:one", "SHA256:two", (s) => s.toLowerCase())), { RSA_PUBLIC_KEY: "SHA256:one", RSA_PUBLIC_KEY_2: "SHA256:two" });
            for (const empty of [null, "null", ""]) assert.deepStrictEqual(slotFingerprints(rows(empty, "SHA256:two")), { RSA_PUBLIC_KEY: undefined, RSA_PUBLIC_KEY_2: "SHA256:two" });
            assert.deepStrictEqual(slotFingerprints([]), { RSA_PUBLIC_KEY: undefined, RSA_PUBLIC_KEY_2: undefined });
        });

        const v = (privateKey?: string, publicKeySlot?: "RSA_PUBLIC_KEY" | "RSA_PUBLIC_KEY_2"): SnowflakeKeyPairValue => ({ account: "FINLEDGER-DEV", user: "SVC", ...(privateKey ? { privateKey } : {}), ...(publicKeySlot ? { publicKeySlot } : {}) });

        it("puts a user's first key into RSA_PUBLIC_KEY", () => {
            assert.strictEqual(nextSlot(v()), "RSA_PUBLIC_KEY");
            assert.strictEqual(nextSlot(v(undefined, "RSA_PUBLIC_KEY_2")), "RSA_PUBLIC_KEY", "a slot without a key names nothing");
        });

        it("else into the slot that does not hold the current key, a current key without a recorded slot being in RSA_PUBLIC_KEY", () => {
            assert.strictEqual(nextSlot(v("pem")), "RSA_PUBLIC_KEY_2");
            assert.strictEqual(nextSlot(v("pem", "RSA_PUBLIC_KEY")), "RSA_PUBLIC_KEY_2");
            assert.strictEqual(nextSlot(v("pem", "RSA_PUBLIC_KEY_2")), "RSA_PUBLIC_KEY");
        });
    });

    describe("rotator SQL", () => {
        it("describes a user with the name bound, not spliced", () => {
            assert.deepStrictEqual(describeUserStatement("SVC_LOADER_1"), { sqlText: "DESC USER IDENTIFIER(?)", binds: ["SVC_LOADER_1"] });
        });

        it("sets a key slot with the user bound and the checked body inline", () => {
            assert.deepStrictEqual(setPublicKeyStatement("svc_loader$2", "RSA_PUBLIC_KEY_2", keys[0]!.publicKeyBody), {
                sqlText: `ALTER USER IDENTIFIER(?) SET RSA_PUBLIC_KEY_2 = '${keys[0]!.publicKeyBody}'`,
                binds: ["svc_loader$2"],
            });
        });

        it("refuses a user name that is not a plain identifier", () => {
            for (const user of ["", "1SVC", "SVC LOADER", "SVC;DROP USER X", `S${"x".repeat(255)}`, "SVC\nX", "\nSVC"]) {
                const message = `'${user}' is not an unquoted Snowflake user name.`;
                assert.throws(() => describeUserStatement(user), { message }, JSON.stringify(user));
                assert.throws(() => setPublicKeyStatement(user, "RSA_PUBLIC_KEY", keys[0]!.publicKeyBody), { message }, JSON.stringify(user));
            }
            assert.doesNotThrow(() => describeUserStatement(`_${"x".repeat(254)}`));
        });

        it("refuses a slot that is not a key slot, and a body that could break out of the quotes", () => {
            assert.throws(() => setPublicKeyStatement("SVC", "PASSWORD" as never, keys[0]!.publicKeyBody), { message: "'PASSWORD' is not a key slot." });
            for (const body of ["", "abc'; DROP USER SVC; --", `-----BEGIN PUBLIC KEY-----\n${keys[0]!.publicKeyBody}`, `${keys[0]!.publicKeyBody}===`, `${keys[0]!.publicKeyBody}\n`, `\n${keys[0]!.publicKeyBody}`]) {
                assert.throws(() => setPublicKeyStatement("SVC", "RSA_PUBLIC_KEY", body), { message: "The public key body must be base64 DER without PEM delimiters." }, JSON.stringify(body));
            }
            assert.doesNotThrow(() => setPublicKeyStatement("SVC", "RSA_PUBLIC_KEY", "QUJD=="));
        });

        it("runs the admin's one write as that statement, and the login as the user", async () => {
            const sent: unknown[] = [];
            const logins: string[][] = [];
            const admin = new StatementUserAdmin(
                async (s) => (sent.push(s), []),
                async (...args) => void logins.push(args),
            );
            await admin.setPublicKey("SVC", "RSA_PUBLIC_KEY", "QUJD");
            await admin.verifyKeyLogin("ACCT", "SVC", "pem");
            assert.deepStrictEqual(sent, [setPublicKeyStatement("SVC", "RSA_PUBLIC_KEY", "QUJD")]);
            assert.deepStrictEqual(logins, [["ACCT", "SVC", "pem"]]);
        });
    });

    describe("the strategy over the Snowflake fake", () => {
        const USER = "SVC_LOADER";
        let snowflake: FakeSnowflake;
        let sm: MemorySecretsManager;
        let arn: string;
        let logs: string[];
        const value = (k: Key | undefined, publicKeySlot?: "RSA_PUBLIC_KEY" | "RSA_PUBLIC_KEY_2"): SnowflakeKeyPairValue => ({ account: "FINLEDGER-DEV", user: USER, warehouse: "FL_DEV_WH", ...(k ? { privateKey: k.privateKey, publicKeyFingerprint: k.fingerprint } : {}), ...(publicKeySlot ? { publicKeySlot } : {}) });
        const step = (Step: (typeof ROTATION_STEPS)[number], token: string) => rotate({ SecretId: arn, ClientRequestToken: token, Step }, { store: sm.store(), strategy: snowflakeKeyPairStrategy(snowflake), log: (m) => logs.push(m) });
        const pendingOf = (token: string) => JSON.parse(sm.valueOf(arn, token)!) as SnowflakeKeyPairValue;
        const slots = async () => slotFingerprints(await snowflake.describeUser(USER));
        /** What createSecret would have written, with a key made beforehand (createSecret itself is tested once): the key and the slot after the current one's. */
        async function staged(k: Key): Promise<string> {
            const current = JSON.parse((await sm.store().get(arn, "AWSCURRENT"))!.value) as SnowflakeKeyPairValue;
            const token = sm.startRotation(arn);
            await sm.store().put(arn, token, JSON.stringify(value(k, nextSlot(current))), ["AWSPENDING"]);
            return token;
        }

        beforeEach(async () => {
            snowflake = new FakeSnowflake("FINLEDGER-DEV", "FL_DEV_ROTATION");
            snowflake.createUser(USER, "FL_DEV_ROTATION");
            await snowflake.setPublicKey(USER, "RSA_PUBLIC_KEY", keys[0]!.publicKeyBody);
            sm = new MemorySecretsManager();
            arn = sm.createSecret(`dev/airflow/connections/${USER.toLowerCase()}`, JSON.stringify(value(keys[0])));
            logs = [];
        });

        it("parses through the snowflake-keypair schema and keeps connection extras", () => {
            assert.deepStrictEqual(parseSnowflakeValue(JSON.stringify(value(keys[0])), "AWSCURRENT"), value(keys[0]));
            assert.throws(() => parseSnowflakeValue(JSON.stringify({ user: USER }), "AWSPENDING"), /^RotationError: The AWSPENDING value of the snowflake-keypair secret is invalid: .*account/);
            const s = snowflakeKeyPairStrategy(snowflake);
            assert.strictEqual(s.serialize(value(keys[0])), JSON.stringify(value(keys[0])));
            assert.throws(() => s.serialize({ ...value(keys[0]), account: "" }), /^RotationError: The new value of the snowflake-keypair secret is invalid/);
            assert.strictEqual(s.name, "snowflake-key-pair");
        });

        it("createSecret keeps the connection fields and makes a fresh key with its fingerprint", async () => {
            const token = sm.startRotation(arn);
            await step("createSecret", token);
            const p = pendingOf(token);
            assert.deepStrictEqual({ ...p, privateKey: undefined, publicKeyFingerprint: undefined, publicKeySlot: undefined }, { ...value(undefined), privateKey: undefined, publicKeyFingerprint: undefined, publicKeySlot: undefined });
            assert.strictEqual(p.publicKeySlot, "RSA_PUBLIC_KEY_2", "the current key is in RSA_PUBLIC_KEY, so the new one goes into the other slot");
            assert.strictEqual(p.publicKeyFingerprint, publicKeyFingerprint(publicKeyBody(p.privateKey!)));
            assert.notStrictEqual(p.publicKeyFingerprint, keys[0]!.fingerprint);
        });

        it("setSecret puts the pending key into its recorded slot, keeps the current one, and logs the slot", async () => {
            const token = await staged(keys[1]!);
            await step("setSecret", token);
            assert.ok(!snowflake.statements.some((st) => st.startsWith("DESC")), "no DESC USER: the rotator may not describe another user");
            assert.deepStrictEqual(await slots(), { RSA_PUBLIC_KEY: keys[0]!.fingerprint, RSA_PUBLIC_KEY_2: pendingOf(token).publicKeyFingerprint });
            assert.strictEqual(logs.at(-2), `setSecret: set RSA_PUBLIC_KEY_2 of ${USER}.`);
        });

        it("a repeated setSecret sets the same key into the same slot, leaving the slots as they were", async () => {
            const token = await staged(keys[1]!);
            await step("setSecret", token);
            const before = await slots();
            await step("setSecret", token);
            assert.deepStrictEqual(await slots(), before);
        });

        it("the next rotation overwrites the slot of the key two generations old", async () => {
            const t1 = await staged(keys[1]!);
            for (const s of ROTATION_STEPS) await step(s, t1);
            const t2 = await staged(keys[2]!);
            assert.strictEqual(pendingOf(t2).publicKeySlot, "RSA_PUBLIC_KEY");
            await step("setSecret", t2);
            assert.deepStrictEqual(await slots(), { RSA_PUBLIC_KEY: pendingOf(t2).publicKeyFingerprint, RSA_PUBLIC_KEY_2: pendingOf(t1).publicKeyFingerprint });
            assert.strictEqual(logs.at(-2), `setSecret: set RSA_PUBLIC_KEY of ${USER}.`);
        });

        it("bootstraps a value without a key into RSA_PUBLIC_KEY, a user's first key", async () => {
            snowflake.createUser("SVC_NEW", "FL_DEV_ROTATION");
            arn = sm.createSecret("dev/airflow/connections/svc_new", JSON.stringify({ ...value(undefined), user: "SVC_NEW" }));
            const current = JSON.parse((await sm.store().get(arn, "AWSCURRENT"))!.value) as SnowflakeKeyPairValue;
            const token = sm.startRotation(arn);
            await sm.store().put(arn, token, JSON.stringify({ ...value(keys[1]!, nextSlot(current)), user: "SVC_NEW" }), ["AWSPENDING"]);
            for (const s of ROTATION_STEPS.slice(1)) await step(s, token);
            assert.deepStrictEqual(slotFingerprints(await snowflake.describeUser("SVC_NEW")), { RSA_PUBLIC_KEY: keys[1]!.fingerprint, RSA_PUBLIC_KEY_2: undefined });
        });

        it("testSecret logs in with the pending key and fails while Snowflake does not hold it", async () => {
            const token = await staged(keys[1]!);
            await assert.rejects(step("testSecret", token), /JWT token is invalid/);
            await step("setSecret", token);
            await step("testSecret", token);
            assert.match(logs.at(-1)!, /^testSecret: version .* works for/);
        });

        it("setSecret refuses a pending value for another user", async () => {
            const token = sm.startRotation(arn);
            await sm.store().put(arn, token, JSON.stringify({ ...value(keys[1]!), user: "SVC_OTHER" }), ["AWSPENDING"]);
            await assert.rejects(step("setSecret", token), (err: Error) => err instanceof RotationError && err.message === `The pending value names user SVC_OTHER but the current one names ${USER}; a rotation never changes the user.`);
        });

        it("setSecret refuses, writing nothing, a pending value that names the current key's slot", async () => {
            const token = sm.startRotation(arn);
            await sm.store().put(arn, token, JSON.stringify(value(keys[1]!, "RSA_PUBLIC_KEY")), ["AWSPENDING"]);
            const altered = snowflake.statements.filter((s) => s.startsWith("ALTER")).length;
            await assert.rejects(step("setSecret", token), (err: Error) => err instanceof RotationError && err.message === `Refusing to overwrite the current key of ${USER} in RSA_PUBLIC_KEY: the pending value names the current key's slot.`);
            assert.strictEqual(snowflake.statements.filter((s) => s.startsWith("ALTER")).length, altered);
            assert.deepStrictEqual(await slots(), { RSA_PUBLIC_KEY: keys[0]!.fingerprint, RSA_PUBLIC_KEY_2: undefined });
        });

        it("never leaves more than the two slots Snowflake has", () => {
            assert.deepStrictEqual([...KEY_SLOTS], ["RSA_PUBLIC_KEY", "RSA_PUBLIC_KEY_2"]);
        });
    });
});
