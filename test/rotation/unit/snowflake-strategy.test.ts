// The Snowflake key-pair strategy's pure parts, in process: fingerprints as Snowflake computes them, which of the
// two key slots a pending key goes into, the SQL the rotator sends (and the injection guards on it), and the
// strategy's steps over the documented Snowflake fake (test/support/fake-snowflake.ts). Keys are generated once at
// run time. test/rotation/snowflake.test.ts runs the same strategy against moto.
import * as assert from "assert";
import { createHash, createPrivateKey, createPublicKey } from "crypto";
import { rotate, RotationError, ROTATION_STEPS } from "../../../functions/rotation/protocol";
import {
    chooseSlot,
    DescribeUserRow,
    generateSnowflakeKey,
    KEY_SLOTS,
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

        it("puts the pending key into the slot that already holds it (a retry)", () => {
            assert.strictEqual(chooseSlot({ RSA_PUBLIC_KEY: "cur", RSA_PUBLIC_KEY_2: "pend" }, "cur", "pend"), "RSA_PUBLIC_KEY_2");
            assert.strictEqual(chooseSlot({ RSA_PUBLIC_KEY: "pend", RSA_PUBLIC_KEY_2: undefined }, "cur", "pend"), "RSA_PUBLIC_KEY");
        });

        it("else into the slot that does not hold the current key", () => {
            assert.strictEqual(chooseSlot({ RSA_PUBLIC_KEY: "cur", RSA_PUBLIC_KEY_2: "old" }, "cur", "pend"), "RSA_PUBLIC_KEY_2");
            assert.strictEqual(chooseSlot({ RSA_PUBLIC_KEY: "old", RSA_PUBLIC_KEY_2: "cur" }, "cur", "pend"), "RSA_PUBLIC_KEY");
            assert.strictEqual(chooseSlot({ RSA_PUBLIC_KEY: undefined, RSA_PUBLIC_KEY_2: "cur" }, "cur", "pend"), "RSA_PUBLIC_KEY");
        });

        it("prefers an empty slot when neither holds the current key, so a bootstrap keeps a key set by hand", () => {
            assert.strictEqual(chooseSlot({ RSA_PUBLIC_KEY: "hand", RSA_PUBLIC_KEY_2: undefined }, undefined, "pend"), "RSA_PUBLIC_KEY_2");
            assert.strictEqual(chooseSlot({ RSA_PUBLIC_KEY: undefined, RSA_PUBLIC_KEY_2: undefined }, undefined, "pend"), "RSA_PUBLIC_KEY");
            assert.strictEqual(chooseSlot({ RSA_PUBLIC_KEY: "hand1", RSA_PUBLIC_KEY_2: "hand2" }, undefined, "pend"), "RSA_PUBLIC_KEY");
        });

        it("finds no slot when the current key is in both", () => {
            assert.strictEqual(chooseSlot({ RSA_PUBLIC_KEY: "cur", RSA_PUBLIC_KEY_2: "cur" }, "cur", "pend"), undefined);
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

        it("runs the admin's reads and writes as those statements and reads DESC USER rows in either column case", async () => {
            const sent: unknown[] = [];
            const logins: string[][] = [];
            const answers: Record<string, unknown>[][] = [[{ property: "RSA_PUBLIC_KEY_FP", value: "SHA256:x" }, { PROPERTY: "RSA_PUBLIC_KEY_2_FP", VALUE: "null" }, { PROPERTY: "COMMENT" }], []];
            const admin = new StatementUserAdmin(
                async (s) => (sent.push(s), answers.shift()!),
                async (...args) => void logins.push(args),
            );
            assert.deepStrictEqual(await admin.describeUser("SVC"), [
                { property: "RSA_PUBLIC_KEY_FP", value: "SHA256:x" },
                { property: "RSA_PUBLIC_KEY_2_FP", value: "null" },
                { property: "COMMENT", value: null },
            ]);
            await admin.setPublicKey("SVC", "RSA_PUBLIC_KEY", "QUJD");
            await admin.verifyKeyLogin("ACCT", "SVC", "pem");
            assert.deepStrictEqual(sent, [describeUserStatement("SVC"), setPublicKeyStatement("SVC", "RSA_PUBLIC_KEY", "QUJD")]);
            assert.deepStrictEqual(logins, [["ACCT", "SVC", "pem"]]);
        });
    });

    describe("the strategy over the Snowflake fake", () => {
        const USER = "SVC_LOADER";
        let snowflake: FakeSnowflake;
        let sm: MemorySecretsManager;
        let arn: string;
        let logs: string[];
        const value = (k: Key | undefined): SnowflakeKeyPairValue => ({ account: "FINLEDGER-DEV", user: USER, warehouse: "FL_DEV_WH", ...(k ? { privateKey: k.privateKey, publicKeyFingerprint: k.fingerprint } : {}) });
        const step = (Step: (typeof ROTATION_STEPS)[number], token: string) => rotate({ SecretId: arn, ClientRequestToken: token, Step }, { store: sm.store(), strategy: snowflakeKeyPairStrategy(snowflake), log: (m) => logs.push(m) });
        const pendingOf = (token: string) => JSON.parse(sm.valueOf(arn, token)!) as SnowflakeKeyPairValue;
        const slots = async () => slotFingerprints(await snowflake.describeUser(USER));
        /** What createSecret would have written, with a key made beforehand (createSecret itself is tested once). */
        async function staged(k: Key): Promise<string> {
            const token = sm.startRotation(arn);
            await sm.store().put(arn, token, JSON.stringify(value(k)), ["AWSPENDING"]);
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
            assert.deepStrictEqual({ ...p, privateKey: undefined, publicKeyFingerprint: undefined }, { ...value(undefined), privateKey: undefined, publicKeyFingerprint: undefined });
            assert.strictEqual(p.publicKeyFingerprint, publicKeyFingerprint(publicKeyBody(p.privateKey!)));
            assert.notStrictEqual(p.publicKeyFingerprint, keys[0]!.fingerprint);
        });

        it("setSecret puts the pending key into the free slot, keeps the current one, and logs what it replaced", async () => {
            const token = await staged(keys[1]!);
            await step("setSecret", token);
            assert.deepStrictEqual(await slots(), { RSA_PUBLIC_KEY: keys[0]!.fingerprint, RSA_PUBLIC_KEY_2: pendingOf(token).publicKeyFingerprint });
            assert.strictEqual(logs.at(-2), `setSecret: set RSA_PUBLIC_KEY_2 of ${USER} (replaced an empty slot).`);
        });

        it("a repeated setSecret finds the key in place and writes nothing", async () => {
            const token = await staged(keys[1]!);
            await step("setSecret", token);
            const altered = snowflake.statements.filter((s) => s.startsWith("ALTER")).length;
            await step("setSecret", token);
            assert.strictEqual(snowflake.statements.filter((s) => s.startsWith("ALTER")).length, altered);
            assert.strictEqual(logs.at(-2), `setSecret: ${USER} already has the pending key in RSA_PUBLIC_KEY_2.`);
        });

        it("the next rotation overwrites the slot of the key two generations old and names the fingerprint it replaced", async () => {
            const t1 = await staged(keys[1]!);
            for (const s of ROTATION_STEPS) await step(s, t1);
            const t2 = await staged(keys[2]!);
            await step("setSecret", t2);
            assert.deepStrictEqual(await slots(), { RSA_PUBLIC_KEY: pendingOf(t2).publicKeyFingerprint, RSA_PUBLIC_KEY_2: pendingOf(t1).publicKeyFingerprint });
            assert.strictEqual(logs.at(-2), `setSecret: set RSA_PUBLIC_KEY of ${USER} (replaced ${keys[0]!.fingerprint}).`);
        });

        it("bootstraps a value without a key into an empty slot, leaving a key set by hand", async () => {
            arn = sm.createSecret(`dev/airflow/connections/${USER.toLowerCase()}_boot`, JSON.stringify(value(undefined)));
            const token = await staged(keys[1]!);
            for (const s of ROTATION_STEPS.slice(1)) await step(s, token);
            assert.deepStrictEqual(await slots(), { RSA_PUBLIC_KEY: keys[0]!.fingerprint, RSA_PUBLIC_KEY_2: pendingOf(token).publicKeyFingerprint });
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

        it("setSecret refuses, writing nothing, when the current key is in both slots", async () => {
            await snowflake.setPublicKey(USER, "RSA_PUBLIC_KEY_2", keys[0]!.publicKeyBody);
            const token = await staged(keys[1]!);
            const altered = snowflake.statements.filter((s) => s.startsWith("ALTER")).length;
            await assert.rejects(step("setSecret", token), (err: Error) => err instanceof RotationError && err.message === `User ${USER} holds the current key in both slots; unset one slot by hand (docs/rotation.md, Snowflake) and rotate again.`);
            assert.strictEqual(snowflake.statements.filter((s) => s.startsWith("ALTER")).length, altered);
        });

        it("never leaves more than the two slots Snowflake has", () => {
            assert.deepStrictEqual([...KEY_SLOTS], ["RSA_PUBLIC_KEY", "RSA_PUBLIC_KEY_2"]);
        });
    });
});
