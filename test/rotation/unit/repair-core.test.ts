// repairRotation against an in-memory Secrets Manager: what each way out of a stuck rotation does to the version
// stages, what it reports, and when it refuses. test/rotation/repair.test.ts proves the same command against moto
// and a vendor API; these run per mutant in `npm run mutation`.
import * as assert from "assert";
import { RepairRefused, repairRotation } from "../../../functions/rotation/repair";
import { rotate, RotationStrategy } from "../../../functions/rotation/protocol";
import { TAG } from "../../../model/names";
import { MemorySecretsManager } from "./memory-secrets-manager";
import { firstValue, recordingStrategy, RecordingStrategy } from "./recording-strategy";

describe("rotation repair core (in-memory Secrets Manager)", () => {
    let sm: MemorySecretsManager;
    let strategy: RecordingStrategy;
    let arn: string;
    let first: string;

    beforeEach(() => {
        sm = new MemorySecretsManager();
        strategy = recordingStrategy();
        arn = sm.createSecret("dev/payments/vendor-token", firstValue(strategy.installed), { tags: { environment: "dev", [TAG.rotationStrategy]: "recording" } });
        first = Object.keys(sm.stages(arn))[0]!;
    });

    const noStrategy = () => undefined;
    /** A rotation stopped after createSecret: a value staged AWSPENDING, never promoted. */
    async function stuck(): Promise<string> {
        const token = sm.startRotation(arn);
        await rotate({ SecretId: arn, ClientRequestToken: token, Step: "createSecret" }, { store: sm.store(), strategy, log: () => undefined });
        return token;
    }

    it("reports nothing stuck, and writes nothing, when no version is AWSPENDING", async () => {
        for (const mode of ["cancel", "complete"] as const) {
            assert.deepStrictEqual(await repairRotation(sm.store(), arn, mode, noStrategy), { secretName: "dev/payments/vendor-token", action: "nothing-stuck", currentVersionId: first });
        }
        assert.deepStrictEqual(sm.writes(), []);
    });

    it("drops an AWSPENDING label left on the AWSCURRENT version, in either mode, as finishSecret would have", async () => {
        for (const mode of ["cancel", "complete"] as const) {
            await sm.store().moveStage(arn, "AWSPENDING", first, undefined);
            const writes = sm.writes().length;
            assert.deepStrictEqual(await repairRotation(sm.store(), arn, mode, noStrategy), { secretName: "dev/payments/vendor-token", action: "dropped-leftover-label", pendingVersionId: first, currentVersionId: first });
            assert.deepStrictEqual(sm.stages(arn), { [first]: ["AWSCURRENT"] });
            assert.deepStrictEqual(sm.writes().slice(writes), [{ command: "UpdateSecretVersionStage", input: { SecretId: arn, VersionStage: "AWSPENDING", MoveToVersionId: undefined, RemoveFromVersionId: first } }]);
        }
    });

    it("cancel drops AWSPENDING from the pending version, leaves AWSCURRENT and says so", async () => {
        const token = await stuck();
        const logs: string[] = [];
        const result = await repairRotation(sm.store(), "dev/payments/vendor-token", "cancel", noStrategy, (m) => logs.push(m));
        assert.deepStrictEqual(result, { secretName: "dev/payments/vendor-token", action: "cancelled", pendingVersionId: token, currentVersionId: first });
        assert.deepStrictEqual(sm.stages(arn), { [first]: ["AWSCURRENT"] });
        assert.deepStrictEqual(logs, [`Cancelled the pending rotation ${token} of dev/payments/vendor-token; AWSCURRENT (${first}) is unchanged.`]);
        assert.deepStrictEqual(strategy.calls.map((c) => c.method), ["create"], "cancelling calls no strategy");
    });

    it("cancel on a secret without AWSCURRENT says none is unchanged", async () => {
        const empty = sm.createSecret("dev/payments/empty");
        const token = sm.startRotation(empty);
        const logs: string[] = [];
        const result = await repairRotation(sm.store(), empty, "cancel", noStrategy, (m) => logs.push(m));
        assert.deepStrictEqual(result, { secretName: "dev/payments/empty", action: "cancelled", pendingVersionId: token, currentVersionId: undefined });
        assert.deepStrictEqual(logs, [`Cancelled the pending rotation ${token} of dev/payments/empty; AWSCURRENT (none) is unchanged.`]);
        assert.deepStrictEqual(sm.stages(empty), {});
    });

    it("complete runs the rest of the rotation for the pending token with the strategy the secret's tag names", async () => {
        const token = await stuck();
        const asked: Array<string | undefined> = [];
        const logs: string[] = [];
        const result = await repairRotation(sm.store(), arn, "complete", (tag) => (asked.push(tag), tag === "recording" ? strategy : undefined), (m) => logs.push(m));
        assert.deepStrictEqual(asked, ["recording"]);
        assert.deepStrictEqual(result, { secretName: "dev/payments/vendor-token", action: "completed", pendingVersionId: token, currentVersionId: token });
        assert.deepStrictEqual(sm.stages(arn), { [token]: ["AWSCURRENT"], [first]: ["AWSPREVIOUS"] });
        assert.deepStrictEqual(strategy.calls.map((c) => c.method), ["create", "set", "test", "afterFinish"], "the pending value was kept, installed and tested before the promotion");
        assert.strictEqual(logs.length, 4, "the protocol's step lines reach the repair's log");
    });

    it("complete creates the pending value first when the stuck rotation never wrote one", async () => {
        const token = sm.startRotation(arn);
        const result = await repairRotation(sm.store(), arn, "complete", () => strategy);
        assert.strictEqual(result.action, "completed");
        assert.strictEqual(JSON.parse(sm.valueOf(arn, token)!).generation, 1);
        assert.deepStrictEqual(sm.stages(arn), { [token]: ["AWSCURRENT"], [first]: ["AWSPREVIOUS"] });
    });

    it("complete does not promote a pending value that fails its test", async () => {
        const token = await stuck();
        const failing: RotationStrategy<any> = { ...strategy, set: async () => undefined };
        await assert.rejects(repairRotation(sm.store(), arn, "complete", () => failing), /does not accept the pending credential/);
        assert.deepStrictEqual(sm.stages(arn), { [first]: ["AWSCURRENT"], [token]: ["AWSPENDING"] });
    });

    it("complete refuses a strategy it cannot run here, names rotate-secret and --cancel, and changes nothing", async () => {
        const token = await stuck();
        const stages = sm.stages(arn);
        const writes = sm.writes().length;
        await assert.rejects(repairRotation(sm.store(), arn, "complete", noStrategy), (err: Error) => {
            assert.ok(err instanceof RepairRefused);
            assert.strictEqual(err.name, "RepairRefused");
            assert.strictEqual(
                err.message,
                `dev/payments/vendor-token rotates 'recording', which needs the rotation function's access to its target to complete; run 'aws secretsmanager rotate-secret --secret-id dev/payments/vendor-token' (Secrets Manager reattempts the pending rotation ${token}) or cancel with --cancel.`,
            );
            return true;
        });
        assert.deepStrictEqual(sm.stages(arn), stages);
        assert.strictEqual(sm.writes().length, writes);
    });

    it("complete on a secret without a strategy tag asks for the untagged strategy and names it so when refusing", async () => {
        const untagged = sm.createSecret("dev/payments/untagged", firstValue());
        sm.startRotation(untagged);
        const asked: Array<string | undefined> = [];
        await assert.rejects(
            repairRotation(sm.store(), untagged, "complete", (tag) => (asked.push(tag), undefined)),
            /^RepairRefused: dev\/payments\/untagged rotates '\(untagged\)', which needs/,
        );
        assert.deepStrictEqual(asked, [undefined]);
    });

    it("complete on a secret with other tags but no strategy tag names it untagged", async () => {
        const other = sm.createSecret("dev/payments/other-tags", firstValue(), { tags: { environment: "dev", owner: "payments" } });
        sm.startRotation(other);
        const asked: Array<string | undefined> = [];
        await assert.rejects(repairRotation(sm.store(), other, "complete", (tag) => (asked.push(tag), undefined)), /rotates '\(untagged\)'/);
        assert.deepStrictEqual(asked, [undefined]);
    });
});
