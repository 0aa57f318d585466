// The Kafka SCRAM alternating-users strategy over an in-memory Secrets Manager: the slot secrets MSK reads are
// written only for the inactive user (and repaired for the active one), a retry writes nothing twice, testSecret
// waits out MSK's propagation from when the slot got the credentials, and the propagation check's boundaries.
import * as assert from "assert";
import { rotate, RotationError, ROTATION_STEPS } from "../../../functions/rotation/protocol";
import { generatePassword } from "../../../functions/rotation/strategies/alternating-users";
import { kafkaScramAlternatingUsersStrategy, MskPropagationCheck, ScramLoginCheck, scramSlotSecretName, ScramValue } from "../../../functions/rotation/strategies/kafka-scram";
import { kafkaSlotSecretName } from "../../../model/names";
import { MemorySecretsManager } from "./memory-secrets-manager";

const NAME = "AmazonMSK_dev/ledger/writer";

describe("Kafka SCRAM alternating users (in-memory Secrets Manager)", () => {
    let sm: MemorySecretsManager;
    let arn: string;
    let active: ScramValue;
    let checked: Array<{ value: ScramValue; at: Date }>;
    let logs: string[];
    const check: ScramLoginCheck = { verify: async (value, at) => void checked.push({ value, at }) };
    const strategy = () => kafkaScramAlternatingUsersStrategy(check);
    const slotValue = (user: "a" | "b") => {
        const v = sm.stages(kafkaSlotSecretName(NAME, user));
        const current = Object.keys(v).find((id) => v[id]!.includes("AWSCURRENT"));
        return current && (JSON.parse(sm.valueOf(kafkaSlotSecretName(NAME, user), current)!) as ScramValue);
    };

    beforeEach(() => {
        sm = new MemorySecretsManager();
        active = { username: "ledger_writer_a", password: generatePassword() };
        arn = sm.createSecret(NAME, JSON.stringify(active));
        sm.createSecret(kafkaSlotSecretName(NAME, "a"), JSON.stringify(active));
        sm.createSecret(kafkaSlotSecretName(NAME, "b"));
        checked = [];
        logs = [];
    });

    const step = (Step: (typeof ROTATION_STEPS)[number], token: string) => rotate({ SecretId: arn, ClientRequestToken: token, Step }, { store: sm.store(), strategy: strategy(), log: (m) => logs.push(m) });
    const pendingOf = (token: string) => JSON.parse(sm.valueOf(arn, token)!) as ScramValue;

    it("names each user's slot secret after the client secret, and refuses a user outside the pair", () => {
        assert.strictEqual(scramSlotSecretName(NAME, "ledger_writer_a"), `${NAME}/user-a`);
        assert.strictEqual(scramSlotSecretName(NAME, "ledger_writer_b"), `${NAME}/user-b`);
        assert.throws(() => scramSlotSecretName(NAME, "ledger_writer"), (err: Error) => err instanceof RotationError && err.message === "User 'ledger_writer' does not end in _a or _b.");
    });

    it("parses and serialises through the kafka-scram schema with the alternating-users rule", () => {
        assert.deepStrictEqual(strategy().parse(JSON.stringify(active), "AWSCURRENT"), active);
        assert.strictEqual(strategy().serialize(active), JSON.stringify(active));
        const single = { username: "ledger_writer", password: generatePassword() };
        assert.throws(() => strategy().parse(JSON.stringify(single), "AWSCURRENT"), /_a or _b/);
        assert.throws(() => strategy().serialize(single), /_a or _b/);
        assert.strictEqual(strategy().name, "kafka-scram-alternating-users");
    });

    it("createSecret makes the partner user with a fresh password", async () => {
        const token = sm.startRotation(arn);
        await step("createSecret", token);
        const pending = pendingOf(token);
        assert.strictEqual(pending.username, "ledger_writer_b");
        assert.notStrictEqual(pending.password, active.password);
        assert.match(pending.password, /^[A-Za-z0-9_-]{32}$/);
    });

    it("setSecret writes the pending user into its own slot under the pending version id, and leaves the active slot", async () => {
        const token = sm.startRotation(arn);
        await step("createSecret", token);
        await step("setSecret", token);
        assert.deepStrictEqual(slotValue("b"), pendingOf(token));
        assert.deepStrictEqual(sm.stages(kafkaSlotSecretName(NAME, "b")), { [token]: ["AWSCURRENT"] });
        assert.deepStrictEqual(slotValue("a"), active);
        assert.deepStrictEqual(logs.filter((l) => l.startsWith("setSecret: wrote")), [`setSecret: wrote ledger_writer_b into ${NAME}/user-b.`]);
    });

    it("a repeated setSecret writes no slot again", async () => {
        const token = sm.startRotation(arn);
        await step("createSecret", token);
        await step("setSecret", token);
        const writes = sm.writes().length;
        await step("setSecret", token);
        assert.strictEqual(sm.writes().length, writes);
    });

    it("setSecret repairs an active slot that lost the active user's credentials, under the current version id", async () => {
        const current = Object.keys(sm.stages(arn))[0]!;
        const stale = { username: "ledger_writer_a", password: generatePassword() };
        await sm.store().put(kafkaSlotSecretName(NAME, "a"), "00000000-0000-4000-8000-000000000001", JSON.stringify(stale), ["AWSCURRENT"]);
        const token = sm.startRotation(arn);
        await step("createSecret", token);
        await step("setSecret", token);
        assert.deepStrictEqual(slotValue("a"), active);
        assert.ok(sm.stages(kafkaSlotSecretName(NAME, "a"))[current]!.includes("AWSCURRENT"));
        assert.ok(logs.includes(`setSecret: wrote ledger_writer_a into ${NAME}/user-a.`));
    });

    it("setSecret refuses a pending user that is not the active user's partner", async () => {
        const token = sm.startRotation(arn);
        await sm.store().put(arn, token, JSON.stringify({ username: "ledger_writer_a", password: generatePassword() }), ["AWSPENDING"]);
        await assert.rejects(
            step("setSecret", token),
            (err: Error) => err instanceof RotationError && err.message === "The pending user ledger_writer_a is not the inactive partner of ledger_writer_a; rotate again to create a fresh pending version.",
        );
        assert.strictEqual(slotValue("b"), undefined);
    });

    it("testSecret refuses while the slot does not hold the pending credentials", async () => {
        const token = sm.startRotation(arn);
        await step("createSecret", token);
        const message = `Slot ${NAME}/user-b does not hold the pending credentials of ledger_writer_b; run setSecret again.`;
        await assert.rejects(step("testSecret", token), (err: Error) => err instanceof RotationError && err.message === message, "empty slot");
        await sm.store().put(kafkaSlotSecretName(NAME, "b"), "00000000-0000-4000-8000-000000000002", JSON.stringify({ ...pendingOf(token), password: generatePassword() }), ["AWSCURRENT"]);
        await assert.rejects(step("testSecret", token), (err: Error) => err.message === message, "other password");
        await sm.store().put(kafkaSlotSecretName(NAME, "b"), "00000000-0000-4000-8000-000000000003", JSON.stringify({ ...pendingOf(token), username: "ledger_writer_a" }), ["AWSCURRENT"]);
        await assert.rejects(step("testSecret", token), (err: Error) => err.message === message, "other user");
        assert.deepStrictEqual(checked, []);
    });

    it("testSecret hands MSK's check the pending credentials and when their slot got them", async () => {
        const token = sm.startRotation(arn);
        await step("createSecret", token);
        sm.now = new Date("2026-01-01T00:05:00Z");
        await step("setSecret", token);
        sm.now = new Date("2026-01-01T00:09:00Z");
        await step("testSecret", token);
        assert.deepStrictEqual(checked, [{ value: pendingOf(token), at: new Date("2026-01-01T00:05:00Z") }]);
    });

    it("two rotations alternate: each writes only the slot of the user it makes current", async () => {
        const t1 = sm.startRotation(arn);
        for (const s of ROTATION_STEPS) await step(s, t1);
        const b = slotValue("b");
        const t2 = sm.startRotation(arn);
        for (const s of ROTATION_STEPS) await step(s, t2);
        assert.strictEqual(pendingOf(t2).username, "ledger_writer_a");
        assert.deepStrictEqual(slotValue("a"), pendingOf(t2));
        assert.deepStrictEqual(slotValue("b"), b, "the user running tasks hold keeps its password");
    });

    describe("MSK propagation check", () => {
        function clock(start: number) {
            const c = { now: start, slept: [] as number[] };
            const check = new MskPropagationCheck(600_000, 60_000, () => c.now, async (ms) => {
                c.slept.push(ms);
                c.now += ms;
            });
            return { c, check };
        }
        const user = { username: "ledger_writer_b", password: generatePassword() };
        const written = new Date(1_000_000);

        it("passes at once when the slot has held the credentials for the whole propagation time", async () => {
            for (const now of [1_600_000, 1_600_001]) {
                const { c, check } = clock(now);
                await check.verify(user, written);
                assert.deepStrictEqual(c.slept, []);
            }
        });

        it("waits inside the invocation for what is left, up to the longest wait", async () => {
            for (const [now, left] of [[1_599_999, 1], [1_540_000, 60_000]]) {
                const { c, check } = clock(now);
                await check.verify(user, written);
                assert.deepStrictEqual(c.slept, [left]);
            }
        });

        it("throws, so Secrets Manager retries the step, when more is left than it may wait", async () => {
            const { c, check } = clock(1_539_999);
            await assert.rejects(check.verify(user, written), (err: Error) => err instanceof RotationError && err.message === "MSK may not have loaded user ledger_writer_b yet (61 s of propagation left); the step is retried.");
            assert.deepStrictEqual(c.slept, []);
        });

        it("sleeps on a real timer by default", async () => {
            const check = new MskPropagationCheck(30, 1_000);
            const started = Date.now();
            await check.verify(user, new Date(started));
            assert.ok(Date.now() - started >= 20, `waited ${Date.now() - started} ms`);
        });
    });
});
