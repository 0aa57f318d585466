// The rotation protocol core, step by step, against an in-memory Secrets Manager: what each of the four steps
// writes and which version stages it moves, that every step is safe to run again (Secrets Manager delivers at least
// once), and each refusal with its message. Fast and in-process, so `npm run mutation` runs them per mutant.
import * as assert from "assert";
import { randomUUID } from "crypto";
import { rotate, RotationError, RotationEvent, RotationStep, ROTATION_STEPS } from "../../../functions/rotation/protocol";
import { MemorySecretsManager } from "./memory-secrets-manager";
import { CounterValue, firstValue, recordingStrategy, RecordingStrategy } from "./recording-strategy";

describe("rotation protocol core (in-memory Secrets Manager)", () => {
    let sm: MemorySecretsManager;
    let strategy: RecordingStrategy;
    let arn: string;
    let first: string;
    let logs: string[];

    beforeEach(() => {
        sm = new MemorySecretsManager();
        strategy = recordingStrategy();
        arn = sm.createSecret("dev/payments/ledger-api", firstValue(strategy.installed));
        first = Object.keys(sm.stages(arn))[0]!;
        logs = [];
    });

    const step = (Step: RotationStep, token: string, secretId = arn) => rotate({ SecretId: secretId, ClientRequestToken: token, Step }, { store: sm.store(), strategy, log: (m) => logs.push(m) });
    const value = (versionId: string) => JSON.parse(sm.valueOf(arn, versionId)!) as CounterValue;
    async function rotateAll(token = sm.startRotation(arn)): Promise<string> {
        for (const s of ROTATION_STEPS) await step(s, token);
        return token;
    }

    it("runs the four steps in Secrets Manager's order", () => {
        assert.deepStrictEqual([...ROTATION_STEPS], ["createSecret", "setSecret", "testSecret", "finishSecret"]);
    });

    describe("a clean rotation", () => {
        it("promotes the token's version to AWSCURRENT, moves the old one to AWSPREVIOUS and leaves no AWSPENDING", async () => {
            const token = await rotateAll();
            assert.deepStrictEqual(sm.stages(arn), { [token]: ["AWSCURRENT"], [first]: ["AWSPREVIOUS"] });
            assert.strictEqual(value(token).generation, 1);
        });

        it("hands the strategy the current and pending versions, the secret's ARN and the token, once per step", async () => {
            const token = sm.startRotation(arn);
            for (const s of ROTATION_STEPS) await step(s, token, "dev/payments/ledger-api");
            assert.deepStrictEqual(
                strategy.calls.map((c) => [c.method, ...c.versions]),
                [["create", first], ["set", first, token], ["test", token], ["afterFinish", token, first]],
            );
            assert.ok(strategy.calls.every((c) => c.ctx.secretId === arn && c.ctx.token === token), "every step works on the ARN Describe returned, not the name it was invoked with");
            assert.deepStrictEqual(strategy.calls[1]!.values.map((v) => v.generation), [0, 1], "setSecret parsed both values");
        });

        it("a second rotation moves AWSPREVIOUS on and leaves the first version without a stage", async () => {
            const t1 = await rotateAll();
            const t2 = await rotateAll();
            assert.deepStrictEqual(sm.stages(arn), { [t2]: ["AWSCURRENT"], [t1]: ["AWSPREVIOUS"] });
            assert.strictEqual(value(t2).generation, 2);
            assert.strictEqual(value(first).generation, 0, "the old value stays readable by version id");
        });

        it("logs one line per step naming the token and the secret, and no value", async () => {
            const token = await rotateAll();
            assert.deepStrictEqual(logs, [
                `createSecret: wrote version ${token} as AWSPENDING for dev/payments/ledger-api.`,
                `setSecret: installed version ${token} for dev/payments/ledger-api.`,
                `testSecret: version ${token} works for dev/payments/ledger-api.`,
                `finishSecret: version ${token} is now AWSCURRENT for dev/payments/ledger-api (was ${first}).`,
            ]);
            assert.ok(!logs.join("\n").includes(value(token).credential));
        });

        it("logs to the console with the strategy's name when no log is given", async () => {
            const token = sm.startRotation(arn);
            const lines: string[] = [];
            const orig = console.log;
            console.log = (m: string) => lines.push(m);
            try {
                await rotate({ SecretId: arn, ClientRequestToken: token, Step: "createSecret" }, { store: sm.store(), strategy });
            } finally {
                console.log = orig;
            }
            assert.deepStrictEqual(lines, [`[recording] createSecret: wrote version ${token} as AWSPENDING for dev/payments/ledger-api.`]);
        });
    });

    describe("each step", () => {
        it("createSecret writes the strategy's serialised value as AWSPENDING on the token and leaves AWSCURRENT alone", async () => {
            const token = sm.startRotation(arn);
            await step("createSecret", token);
            assert.deepStrictEqual(sm.stages(arn), { [first]: ["AWSCURRENT"], [token]: ["AWSPENDING"] });
            assert.deepStrictEqual(sm.writes(), [{ command: "PutSecretValue", input: { SecretId: arn, ClientRequestToken: token, SecretString: sm.valueOf(arn, token), VersionStages: ["AWSPENDING"] } }]);
            assert.deepStrictEqual(Object.keys(value(token)), ["generation", "credential"], "the value went through serialize");
        });

        it("setSecret installs the pending value without moving a stage", async () => {
            const token = sm.startRotation(arn);
            await step("createSecret", token);
            const before = sm.stages(arn);
            await step("setSecret", token);
            assert.ok(strategy.installed.has(value(token).credential));
            assert.deepStrictEqual(sm.stages(arn), before);
            assert.strictEqual(sm.writes().length, 1, "only createSecret wrote");
        });

        it("testSecret proves the pending value and writes nothing", async () => {
            const token = sm.startRotation(arn);
            await step("createSecret", token);
            await step("setSecret", token);
            await step("testSecret", token);
            assert.deepStrictEqual(strategy.calls.at(-1)!.values.map((v) => v.generation), [1]);
            assert.strictEqual(sm.writes().length, 1);
        });

        it("testSecret fails, with stages unchanged, when the pending value does not work, so finishSecret never runs on it", async () => {
            const token = sm.startRotation(arn);
            await step("createSecret", token);
            await assert.rejects(step("testSecret", token), /does not accept the pending credential of generation 1/);
            assert.deepStrictEqual(sm.stages(arn), { [first]: ["AWSCURRENT"], [token]: ["AWSPENDING"] });
        });

        it("finishSecret moves AWSCURRENT from the old version with RemoveFromVersionId, then drops AWSPENDING", async () => {
            const token = sm.startRotation(arn);
            for (const s of ["createSecret", "setSecret", "testSecret"] as const) await step(s, token);
            await step("finishSecret", token);
            assert.deepStrictEqual(sm.writes().slice(1), [
                { command: "UpdateSecretVersionStage", input: { SecretId: arn, VersionStage: "AWSCURRENT", MoveToVersionId: token, RemoveFromVersionId: first } },
                { command: "UpdateSecretVersionStage", input: { SecretId: arn, VersionStage: "AWSPENDING", MoveToVersionId: undefined, RemoveFromVersionId: token } },
            ]);
        });

        it("finishSecret on a secret without AWSCURRENT promotes the token and says there was none", async () => {
            const empty = sm.createSecret("dev/payments/empty");
            const token = sm.startRotation(empty);
            await sm.store().put(empty, token, firstValue(), ["AWSPENDING"]);
            await rotate({ SecretId: empty, ClientRequestToken: token, Step: "finishSecret" }, { store: sm.store(), strategy, log: (m) => logs.push(m) });
            assert.deepStrictEqual(sm.stages(empty), { [token]: ["AWSCURRENT"] });
            assert.match(logs.at(-1)!, /is now AWSCURRENT for dev\/payments\/empty \(was none\)\.$/);
            assert.deepStrictEqual(strategy.calls.at(-1)!.versions, [token, "-"], "afterFinish sees no previous version");
        });

        it("finishSecret works for a strategy without afterFinish", async () => {
            strategy = recordingStrategy({ withAfterFinish: false });
            strategy.installed.add(JSON.parse(sm.valueOf(arn, first)!).credential);
            const token = await rotateAll();
            assert.deepStrictEqual(sm.stages(arn), { [token]: ["AWSCURRENT"], [first]: ["AWSPREVIOUS"] });
            assert.deepStrictEqual(strategy.calls.map((c) => c.method), ["create", "set", "test"]);
        });
    });

    describe("idempotence on retry", () => {
        it("a repeated createSecret keeps the value already written and does not create another", async () => {
            const token = sm.startRotation(arn);
            await step("createSecret", token);
            const written = sm.valueOf(arn, token);
            await step("createSecret", token);
            assert.strictEqual(sm.valueOf(arn, token), written);
            assert.strictEqual(strategy.calls.filter((c) => c.method === "create").length, 1);
            assert.strictEqual(sm.writes().length, 1);
            assert.strictEqual(logs.at(-1), `createSecret: version ${token} already has a value; keeping it.`);
        });

        it("repeated setSecret and testSecret change no stage and reach the same state", async () => {
            const token = sm.startRotation(arn);
            await step("createSecret", token);
            for (const s of ["setSecret", "setSecret", "testSecret", "testSecret"] as const) await step(s, token);
            assert.deepStrictEqual(sm.stages(arn), { [first]: ["AWSCURRENT"], [token]: ["AWSPENDING"] });
            assert.strictEqual(sm.writes().length, 1);
        });

        it("every step repeated after the promotion changes nothing and calls no strategy method but afterFinish", async () => {
            const token = await rotateAll();
            const stages = sm.stages(arn);
            const writes = sm.writes().length;
            strategy.calls.length = 0;
            for (const s of ROTATION_STEPS) await step(s, token);
            assert.deepStrictEqual(sm.stages(arn), stages);
            assert.strictEqual(sm.writes().length, writes);
            assert.deepStrictEqual(strategy.calls.map((c) => [c.method, ...c.versions]), [["afterFinish", token, first]], "a duplicate finishSecret reconciles again");
            assert.deepStrictEqual(strategy.calls[0]!.ctx, { secretId: arn, token });
            assert.deepStrictEqual(logs.slice(-4), ROTATION_STEPS.map((s) => `${s}: version ${token} is already AWSCURRENT for dev/payments/ledger-api; nothing more to do.`));
        });

        it("a finishSecret cut off after the promotion drops the leftover AWSPENDING and runs afterFinish when retried", async () => {
            const token = sm.startRotation(arn);
            for (const s of ["createSecret", "setSecret", "testSecret"] as const) await step(s, token);
            // The first invocation moved AWSCURRENT, then the Lambda was killed before the second call.
            await sm.store().moveStage(arn, "AWSCURRENT", token, first);
            assert.deepStrictEqual(sm.stages(arn)[token]!.sort(), ["AWSCURRENT", "AWSPENDING"]);
            const writes = sm.writes().length;
            await step("finishSecret", token);
            assert.deepStrictEqual(sm.stages(arn), { [token]: ["AWSCURRENT"], [first]: ["AWSPREVIOUS"] });
            assert.deepStrictEqual(sm.writes().slice(writes), [{ command: "UpdateSecretVersionStage", input: { SecretId: arn, VersionStage: "AWSPENDING", MoveToVersionId: undefined, RemoveFromVersionId: token } }]);
            assert.deepStrictEqual(strategy.calls.at(-1)!.versions, [token, first]);
        });

        it("steps other than finishSecret leave a leftover AWSPENDING next to AWSCURRENT for finishSecret", async () => {
            const token = sm.startRotation(arn);
            for (const s of ["createSecret", "setSecret", "testSecret"] as const) await step(s, token);
            await sm.store().moveStage(arn, "AWSCURRENT", token, first);
            const writes = sm.writes().length;
            await step("testSecret", token);
            assert.strictEqual(sm.writes().length, writes);
            assert.deepStrictEqual(sm.stages(arn)[token]!.sort(), ["AWSCURRENT", "AWSPENDING"]);
        });

        it("a reattempt of an abandoned rotation with its own token completes it", async () => {
            const token = sm.startRotation(arn);
            await step("createSecret", token);
            const written = sm.valueOf(arn, token);
            assert.strictEqual(sm.startRotation(arn), token, "Secrets Manager reattempts the pending rotation");
            await rotateAll(token);
            assert.strictEqual(sm.valueOf(arn, token), written);
            assert.deepStrictEqual(sm.stages(arn), { [token]: ["AWSCURRENT"], [first]: ["AWSPREVIOUS"] });
        });
    });

    describe("refusals", () => {
        it("refuses an unknown step before it reads the secret", async () => {
            const token = sm.startRotation(arn);
            const event = { SecretId: arn, ClientRequestToken: token, Step: "rollbackSecret" } as unknown as RotationEvent;
            await assert.rejects(rotate(event, { store: sm.store(), strategy, log: () => undefined }), (err: Error) => {
                assert.ok(err instanceof RotationError);
                assert.strictEqual(err.name, "RotationError");
                assert.strictEqual(err.message, "Unknown rotation step 'rollbackSecret'; expected one of createSecret, setSecret, testSecret, finishSecret.");
                return true;
            });
            assert.deepStrictEqual(sm.calls, []);
        });

        it("refuses a secret whose rotation is not enabled", async () => {
            const off = sm.createSecret("dev/payments/manual", firstValue(), { rotationEnabled: false });
            await assert.rejects(
                rotate({ SecretId: off, ClientRequestToken: randomUUID(), Step: "createSecret" }, { store: sm.store(), strategy, log: () => undefined }),
                (err: Error) => err instanceof RotationError && err.message === `Secret ${off} does not have rotation enabled; enable it with a SecretRotation before invoking the function.`,
            );
        });

        it("refuses a token that has no stage, naming Secrets Manager's AWSPENDING staging", async () => {
            sm.startRotation(arn);
            const stray = randomUUID();
            await assert.rejects(step("createSecret", stray), (err: Error) => err instanceof RotationError && err.message === `Secret version ${stray} has no stage for rotation of secret ${arn}; Secrets Manager stages AWSPENDING before it invokes the function.`);
            assert.deepStrictEqual(sm.writes(), []);
        });

        for (const s of ROTATION_STEPS) {
            it(`refuses ${s} for a token of an abandoned rotation (no longer AWSPENDING) and changes nothing`, async () => {
                const t1 = await rotateAll();
                const t2 = await rotateAll();
                const stages = sm.stages(arn);
                const writes = sm.writes().length;
                strategy.calls.length = 0;
                // t1 is AWSPREVIOUS now: a late retry of its rotation must not move a stage backwards.
                await assert.rejects(step(s, t1), (err: Error) => err instanceof RotationError && err.message === `Secret version ${t1} is not staged AWSPENDING for ${arn}; it belongs to an abandoned rotation and is ignored.`);
                assert.deepStrictEqual(sm.stages(arn), stages);
                assert.strictEqual(sm.writes().length, writes);
                assert.deepStrictEqual(strategy.calls, []);
                assert.ok(t2);
            });
        }

        it("createSecret refuses a secret without an AWSCURRENT value and points at the bootstrap", async () => {
            const empty = sm.createSecret("dev/payments/empty");
            const token = sm.startRotation(empty);
            await assert.rejects(
                rotate({ SecretId: empty, ClientRequestToken: token, Step: "createSecret" }, { store: sm.store(), strategy, log: () => undefined }),
                (err: Error) => err instanceof RotationError && err.message === `Secret ${empty} has no AWSCURRENT value. Bootstrap it first with the initial value described in docs/rotation.md, then rotate again.`,
            );
            assert.deepStrictEqual(sm.writes(), []);
            assert.deepStrictEqual(strategy.calls, []);
        });

        it("setSecret and testSecret refuse a token whose value createSecret has not written, naming the version", async () => {
            const token = sm.startRotation(arn);
            for (const s of ["setSecret", "testSecret"] as const) {
                await assert.rejects(step(s, token), (err: Error) => err instanceof RotationError && err.message === `Secret ${arn} has no AWSPENDING value for version ${token}. Run the createSecret step for this token first.`);
            }
            assert.deepStrictEqual(strategy.calls, []);
        });

        it("a stored value the strategy cannot parse stops the step with the strategy's message naming the stage", async () => {
            const token = sm.startRotation(arn);
            await sm.store().put(arn, randomUUID(), JSON.stringify({ generation: "x" }), ["AWSCURRENT"]);
            await assert.rejects(step("createSecret", token), /^RotationError: The AWSCURRENT value of the recording secret needs 'generation' and 'credential'\.$/);
            assert.strictEqual(sm.valueOf(arn, token), undefined);
        });

        it("a late setSecret for a token that lost AWSPENDING to another rotation is refused and installs nothing", async () => {
            const token = sm.startRotation(arn);
            await step("createSecret", token);
            const other = randomUUID();
            await sm.store().moveStage(arn, "AWSPENDING", undefined, token);
            await sm.store().put(arn, other, firstValue(), ["AWSPENDING"]);
            // The token lost its stage to another rotation: its late setSecret must be refused, not install `other`.
            await assert.rejects(step("setSecret", token), /has no stage for rotation|not staged AWSPENDING/);
            assert.strictEqual(strategy.calls.filter((c) => c.method === "set").length, 0);
        });
    });
});
