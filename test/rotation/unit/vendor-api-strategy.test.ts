// The vendor-api strategy's own logic, over an in-memory vendor and an in-memory Secrets Manager: which adapter a
// value picks, the token name that makes issuing idempotent, and which tokens the reconciliation after each
// promotion revokes (those no stage holds, including a hand-issued one AWSPREVIOUS replaced) and which it keeps.
// The HTTP adapters themselves are tested against fake vendor servers in test/rotation/vendor-adapters.test.ts.
import * as assert from "assert";
import { randomBytes } from "crypto";
import { rotate, RotationError, ROTATION_STEPS } from "../../../functions/rotation/protocol";
import { DatadogAdapter, DatadogKeyValue } from "../../../functions/rotation/strategies/datadog";
import { tokenNamePrefix, vendorApiStrategy, VendorTokenAdapter, VendorTokenRef } from "../../../functions/rotation/strategies/vendor-api";
import { STRATEGIES } from "../../../model/strategies";
import { MemorySecretsManager } from "./memory-secrets-manager";

/** A vendor in memory that speaks Datadog's value shape (so values pass the api-token schema). */
class MemoryVendor implements VendorTokenAdapter<DatadogKeyValue> {
    readonly vendor = "datadog";
    /** Live tokens by id. */
    readonly tokens = new Map<string, { name: string; key: string }>();
    readonly issued: string[] = [];
    readonly revoked: string[] = [];
    private next = 0;

    /** A token a person issued by hand (not named with the rotation prefix). */
    handIssued(): DatadogKeyValue {
        const id = this.add("issued by hand");
        return { vendor: "datadog", apiUrl: "https://api.datadoghq.invalid", apiKey: this.tokens.get(id)!.key, apiKeyId: id, appKey: randomBytes(20).toString("hex") };
    }
    add(name: string): string {
        const id = `key-${++this.next}`;
        this.tokens.set(id, { name, key: randomBytes(16).toString("hex") });
        return id;
    }
    parse(raw: string, label: string): DatadogKeyValue {
        return new DatadogAdapter().parse(raw, label);
    }
    tokenId(v: DatadogKeyValue): string {
        return v.apiKeyId;
    }
    async issue(current: DatadogKeyValue, name: string): Promise<DatadogKeyValue> {
        this.issued.push(name);
        const id = [...this.tokens].find(([, t]) => t.name === name)?.[0] ?? this.add(name);
        return { ...current, apiKeyId: id, apiKey: this.tokens.get(id)!.key };
    }
    async verify(v: DatadogKeyValue): Promise<void> {
        if (this.tokens.get(v.apiKeyId)?.key !== v.apiKey) throw new RotationError(`The vendor does not accept key ${v.apiKeyId}.`);
    }
    async list(_current: DatadogKeyValue, prefix: string): Promise<VendorTokenRef[]> {
        return [...this.tokens].filter(([, t]) => t.name.startsWith(prefix)).map(([id, t]) => ({ id, name: t.name }));
    }
    async revoke(_current: DatadogKeyValue, id: string): Promise<void> {
        this.revoked.push(id);
        this.tokens.delete(id);
    }
}

describe("vendor-api strategy (in-memory vendor and Secrets Manager)", () => {
    const NAME = "dev/airflow/connections/datadog_default";
    let vendor: MemoryVendor;
    let sm: MemorySecretsManager;
    let arn: string;
    let bootstrap: DatadogKeyValue;
    let logs: string[];
    const strategy = () => vendorApiStrategy({ datadog: vendor });

    beforeEach(() => {
        vendor = new MemoryVendor();
        sm = new MemorySecretsManager();
        bootstrap = vendor.handIssued();
        arn = sm.createSecret(NAME, JSON.stringify(bootstrap));
        logs = [];
    });

    const step = (Step: (typeof ROTATION_STEPS)[number], token: string) => rotate({ SecretId: arn, ClientRequestToken: token, Step }, { store: sm.store(), strategy: strategy(), log: (m) => logs.push(m) });
    async function rotateAll(token = sm.startRotation(arn)): Promise<DatadogKeyValue> {
        for (const s of ROTATION_STEPS) await step(s, token);
        return JSON.parse(sm.valueOf(arn, token)!) as DatadogKeyValue;
    }

    describe("parse", () => {
        it("refuses a value that is not JSON, naming the label", () => {
            assert.throws(() => strategy().parse("{not json", "AWSPENDING"), (err: Error) => err instanceof RotationError && err.message === "The AWSPENDING value of the vendor token secret is not JSON.");
        });

        it("refuses a vendor without an adapter, listing the known ones and the two ways out", () => {
            const known = vendorApiStrategy({ datadog: vendor, sendgrid: vendor });
            for (const [v, shown] of [["pagerduty", "pagerduty"], [42, "42"], [undefined, "undefined"], ["toString", "toString"], ["__proto__", "__proto__"], [["datadog"], "datadog"]] as const) {
                assert.throws(
                    () => known.parse(JSON.stringify({ ...bootstrap, vendor: v }), "AWSCURRENT"),
                    (err: Error) =>
                        err instanceof RotationError &&
                        err.message === `The AWSCURRENT value names vendor '${shown}', which has no adapter (known: datadog, sendgrid); add one under functions/rotation/strategies (vendor-adapters.ts) or set the secret's rotation to assisted.`,
                    `vendor ${String(v)}`,
                );
            }
        });

        it("hands a known vendor's value to its adapter with the label", () => {
            assert.deepStrictEqual(strategy().parse(JSON.stringify(bootstrap), "AWSCURRENT"), bootstrap);
            assert.throws(() => strategy().parse(JSON.stringify({ ...bootstrap, apiKey: "" }), "AWSPENDING"), /^RotationError: The AWSPENDING value of the api-token secret is invalid: .*apiKey/);
        });

        it("serialises through the api-token schema", () => {
            assert.strictEqual(strategy().serialize(bootstrap), JSON.stringify(bootstrap));
            assert.throws(() => strategy().serialize({ ...bootstrap, apiUrl: "ftp://x/y" }), /^RotationError: The new value of the api-token secret is invalid: .*apiUrl/);
            // A plain token (no vendor) fits the kind but not this strategy, which needs a vendor to pick an adapter.
            assert.throws(() => strategy().serialize({ token: randomBytes(16).toString("hex") } as never), /'vendor' must name the vendor whose adapter rotates the token/);
        });
    });

    it("is named by its id in model/strategies.ts, which its log lines carry", () => {
        assert.strictEqual(strategy().name, "vendor-api");
        assert.ok(Object.hasOwn(STRATEGIES, strategy().name));
    });

    it("issues the new token under the secret's prefix and the rotation token, and remembers the token it replaces", async () => {
        const token = sm.startRotation(arn);
        await step("createSecret", token);
        const pending = JSON.parse(sm.valueOf(arn, token)!) as DatadogKeyValue;
        assert.deepStrictEqual(vendor.issued, [`finledger-rotation:${NAME}:${token}`]);
        assert.strictEqual(tokenNamePrefix(NAME), `finledger-rotation:${NAME}:`);
        assert.strictEqual(pending.supersedesTokenId, bootstrap.apiKeyId);
        assert.notStrictEqual(pending.apiKeyId, bootstrap.apiKeyId);
        assert.strictEqual(pending.appKey, bootstrap.appKey, "the management credential carries over");
    });

    it("a createSecret rerun after a lost write asks the vendor for the same token name, so no second token is issued", async () => {
        const token = sm.startRotation(arn);
        const s = strategy();
        const current = { versionId: "v0", value: bootstrap };
        const ctx = { secretId: arn, token, store: sm.store(), log: () => undefined };
        const a = await s.create(current, ctx);
        const b = await s.create(current, ctx);
        assert.deepStrictEqual(a, b);
        assert.strictEqual(vendor.tokens.size, 2, "the bootstrap token and one issued token");
    });

    it("setSecret calls the vendor for nothing; testSecret verifies the pending token", async () => {
        const token = sm.startRotation(arn);
        await step("createSecret", token);
        const pending = JSON.parse(sm.valueOf(arn, token)!) as DatadogKeyValue;
        const calls = vendor.issued.length + vendor.revoked.length;
        await step("setSecret", token);
        assert.strictEqual(vendor.issued.length + vendor.revoked.length, calls);
        await step("testSecret", token);
        vendor.tokens.delete(pending.apiKeyId);
        await assert.rejects(step("testSecret", token), new RegExp(`does not accept key ${pending.apiKeyId}`));
    });

    it("after the first promotion it keeps the new token and the hand-issued one AWSPREVIOUS holds", async () => {
        const k1 = await rotateAll();
        assert.deepStrictEqual(vendor.revoked, []);
        assert.deepStrictEqual([...vendor.tokens.keys()].sort(), [bootstrap.apiKeyId, k1.apiKeyId].sort());
    });

    it("after the second promotion it revokes the hand-issued token that left AWSPREVIOUS, once, and logs it", async () => {
        await rotateAll();
        const k2 = await rotateAll();
        assert.deepStrictEqual(vendor.revoked, [bootstrap.apiKeyId]);
        assert.strictEqual(vendor.tokens.size, 2);
        assert.ok(vendor.tokens.has(k2.apiKeyId));
        assert.ok(logs.includes(`finishSecret: revoked datadog token ${bootstrap.apiKeyId} ((the token AWSPREVIOUS replaced)), which no stage holds any more.`), logs.join("\n"));
    });

    it("revokes each token listed under the secret's prefix that no stage holds exactly once, and leaves other secrets' tokens", async () => {
        const k1 = await rotateAll();
        const orphan = vendor.add(`${tokenNamePrefix(NAME)}cancelled-rotation`);
        const neighbour = vendor.add(`${tokenNamePrefix(`${NAME}_eu`)}x`);
        const k2 = await rotateAll();
        assert.deepStrictEqual(vendor.revoked.sort(), [bootstrap.apiKeyId, orphan].sort());
        assert.deepStrictEqual([...vendor.tokens.keys()].sort(), [k1.apiKeyId, k2.apiKeyId, neighbour].sort());
        assert.ok(logs.includes(`finishSecret: revoked datadog token ${orphan} (${tokenNamePrefix(NAME)}cancelled-rotation), which no stage holds any more.`));
        // k1 replaced k2's predecessor; a third rotation revokes k1 from the listing and does not revoke it twice.
        await rotateAll();
        assert.strictEqual(vendor.revoked.filter((id) => id === k1.apiKeyId).length, 1);
    });

    it("with no AWSPREVIOUS it keeps only the current token", async () => {
        const s = strategy();
        const extra = vendor.add(`${tokenNamePrefix(NAME)}stray`);
        await s.afterFinish!({ versionId: "v1", value: bootstrap }, undefined, { secretId: arn, token: "v1", store: sm.store(), log: () => undefined });
        assert.deepStrictEqual(vendor.revoked, [extra]);
    });
});
