// Every strategy under faults: a failure (throw before, or time out after) at every outbound call of every step,
// duplicate invocations, and random sequences of rotations and faults (fast-check). After any sequence the
// AWSCURRENT credential works in the target system, and a credential a task already holds keeps working until
// the next rotation after the one that replaced it starts installing its own credential.
import * as assert from "assert";
import fc from "fast-check";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { RotationStep, ROTATION_STEPS, SecretStore } from "../../functions/rotation/protocol";
import { FakeSnowflake } from "../support/fake-snowflake";
import { MotoServer, startMoto } from "../support/moto";
import { PostgresServer, startPostgres } from "../support/postgres";
import { DatadogServer, startDatadogServer } from "./datadog-server";
import { datadogFixture, Fixture, kafkaFixture, postgresFixture, sendgridFixture, snowflakeFixture, twilioFixture } from "./fixtures";
import { SendGridServer, startSendGridServer } from "./sendgrid-server";
import { startTwilioServer, TwilioServer } from "./twilio-server";
import { countCalls, currentValue, Fault, motoClient, rotateWithFaults, stagesOf } from "./harness";

/** Calls per step that the exhaustive test fails one by one (every step of every strategy makes fewer). */
const MAX_CALL_INDEX = 10;
/** fast-check runs per strategy: enough to mix faults across steps, small enough for 2 shared cores. */
const PROPERTY_RUNS = Number(process.env.ROTATION_PROPERTY_RUNS ?? "15");

type FixtureFactory = () => Promise<Fixture<any>>;

const noFaults = (): Record<RotationStep, Fault[]> => ({ createSecret: [], setSecret: [], testSecret: [], finishSecret: [] });

describe("rotation under faults", function () {
    this.timeout(600_000);
    let moto: MotoServer;
    let client: SecretsManagerClient;
    let store: SecretStore;
    let pg: PostgresServer;
    let dd: DatadogServer;
    let sg: SendGridServer;
    let tw: TwilioServer;
    const snowflake = new FakeSnowflake("FINLEDGER-DEV", "FL_DEV_ROTATION");

    before(async () => {
        [moto, pg, dd, sg, tw] = await Promise.all([startMoto(), startPostgres(), startDatadogServer(), startSendGridServer(), startTwilioServer()]);
        client = motoClient(moto);
        store = new SecretStore(client);
    });
    after(async () => {
        await Promise.all([moto?.stop(), pg?.stop(), dd?.close(), sg?.close(), tw?.close()]);
    });

    const strategies: Array<[string, FixtureFactory]> = [
        ["snowflake-key-pair", () => snowflakeFixture(client, snowflake)],
        ["postgres-alternating-users", () => postgresFixture(client, pg)],
        ["kafka-scram-alternating-users", () => kafkaFixture(client)],
        ["vendor-api (datadog)", () => datadogFixture(client, dd)],
        ["vendor-api (sendgrid)", () => sendgridFixture(client, sg)],
        ["vendor-api (twilio)", () => twilioFixture(client, tw)],
    ];

    async function assertCurrentWorks(f: Fixture<any>): Promise<string> {
        const current = await currentValue(store, f.secretId);
        assert.ok(await f.works(current.value), `AWSCURRENT of ${f.secretId} does not work in the target system`);
        await f.checkTarget(current.value);
        return current.value;
    }

    for (const [name, make] of strategies) {
        describe(name, () => {
            it("completes after a failure at any call of any step, then a retry", async () => {
                const f = await make();
                // Each rotation fails the n-th outbound call of every step once (all four steps in one rotation,
                // each step retried after its failure), so n = 1..MAX_CALL_INDEX covers every call of every step.
                for (const kind of ["throw", "timeout"] as const) {
                    for (let call = 1; call <= MAX_CALL_INDEX; call++) {
                        const before = await currentValue(store, f.secretId);
                        const faults = noFaults();
                        for (const step of ROTATION_STEPS) faults[step] = [{ kind, call }, { kind: "none" }];
                        const label = `${kind} at call ${call} of every step`;
                        assert.ok(await rotateWithFaults(client, f.deps, f.secretId, faults), `rotation with ${label} did not complete after retries`);
                        const after = await stagesOf(store, f.secretId);
                        assert.notStrictEqual(after.current, before.versionId, `${label}: AWSCURRENT did not move`);
                        assert.strictEqual(after.previous, before.versionId, `${label}: the old version is not AWSPREVIOUS`);
                        assert.strictEqual(after.pending, undefined, `${label}: AWSPENDING left behind`);
                        await assertCurrentWorks(f);
                        assert.ok(await f.works(before.value), `${label}: the replaced credential stopped working at once`);
                    }
                }
            });

            it("makes no more outbound calls in any step than the fault test covers", async () => {
                const f = await make();
                const counts = await countCalls(client, f);
                for (const step of ROTATION_STEPS) assert.ok(counts[step] <= MAX_CALL_INDEX, `${step} makes ${counts[step]} calls; raise MAX_CALL_INDEX`);
                assert.ok(Object.values(counts).every((n) => n >= 2), `every step makes outbound calls: ${JSON.stringify(counts)}`);
            });

            it("tolerates every step being invoked twice", async () => {
                const f = await make();
                const before = await currentValue(store, f.secretId);
                const dup: Record<RotationStep, Fault[]> = { createSecret: [{ kind: "duplicate" }], setSecret: [{ kind: "duplicate" }], testSecret: [{ kind: "duplicate" }], finishSecret: [{ kind: "duplicate" }] };
                assert.ok(await rotateWithFaults(client, f.deps, f.secretId, dup));
                const after = await stagesOf(store, f.secretId);
                assert.strictEqual(after.previous, before.versionId);
                await assertCurrentWorks(f);
                assert.ok(await f.works(before.value));
            });

            it("keeps AWSCURRENT working and a held credential valid through random rotations and faults", async () => {
                const fault: fc.Arbitrary<Fault> = fc.oneof(
                    fc.constant<Fault>({ kind: "none" }),
                    fc.constant<Fault>({ kind: "duplicate" }),
                    fc.record({ kind: fc.constantFrom("throw" as const, "timeout" as const), call: fc.integer({ min: 1, max: MAX_CALL_INDEX }) }),
                );
                // Per step: the faults of successive invocations; when all of them fail, the attempt is abandoned.
                const attempt = fc.record({
                    createSecret: fc.array(fault, { maxLength: 2 }),
                    setSecret: fc.array(fault, { maxLength: 2 }),
                    testSecret: fc.array(fault, { maxLength: 2 }),
                    finishSecret: fc.array(fault, { maxLength: 2 }),
                });
                await fc.assert(
                    fc.asyncProperty(fc.array(attempt, { minLength: 1, maxLength: 3 }), async (attempts) => {
                        const f = await make();
                        const held = await currentValue(store, f.secretId);
                        let completed = 0;
                        for (const a of attempts) {
                            // A task holds the credential it read. Its grace period lasts until the rotation after
                            // the one that replaced it installs a credential of its own.
                            const graceRunning = completed === 0;
                            const before = (await stagesOf(store, f.secretId)).current;
                            const finished = await rotateWithFaults(client, f.deps, f.secretId, a);
                            const after = await stagesOf(store, f.secretId);
                            // A finishSecret that timed out after the promotion still promoted: count what happened.
                            if (after.current !== before) completed++;
                            if (finished) assert.notStrictEqual(after.current, before, "finishSecret succeeded but AWSCURRENT did not move");
                            assert.ok(after.previous === undefined || after.previous !== after.current);
                            await assertCurrentWorks(f);
                            if (graceRunning) assert.ok(await f.works(held.value), "a credential a running task holds stopped working during its grace period");
                        }
                    }),
                    { numRuns: PROPERTY_RUNS, endOnFailure: true },
                );
            });
        });
    }
});
