// The in-memory Secrets Manager that the fast protocol tests (test/rotation/unit/, and `npm run mutation`) run on
// must answer like the real API. This runs the same sequences through SecretStore on it and on moto, and compares
// what the protocol can observe: the stages after each step, the values read back, and which calls are refused.
import * as assert from "assert";
import { randomUUID } from "crypto";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { rotate, RotationStep, ROTATION_STEPS, SecretStore } from "../../functions/rotation/protocol";
import { MotoServer, startMoto } from "../support/moto";
import { createEmptySecret, createSecret, motoClient, startRotation } from "./harness";
import { MemorySecretsManager } from "./unit/memory-secrets-manager";
import { firstValue, recordingStrategy } from "./unit/recording-strategy";

/** One Secrets Manager as the protocol sees it, with the bootstrap and RotateSecret the tests need. */
interface Backend {
    readonly label: string;
    readonly store: SecretStore;
    create(name: string, value?: string): Promise<string>;
    startRotation(secretId: string): Promise<string>;
}

/**
 * Version ids renamed in order of first appearance, so two backends' stage maps compare. Versions without a stage
 * are dropped: moto lists them with no stages, AWS documents the map as the versions that carry a label, and the
 * protocol only ever looks a stage up.
 */
function normalise(stages: Record<string, string[]>, names: Map<string, string>): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const id of Object.keys(stages).filter((v) => stages[v]!.length > 0).sort((a, b) => (names.get(a) ?? "~").localeCompare(names.get(b) ?? "~"))) {
        if (!names.has(id)) names.set(id, `v${names.size}`);
        out[names.get(id)!] = [...stages[id]!].sort();
    }
    return out;
}

/** What a call did: its result, or the name of the error it threw. */
async function outcome<T>(fn: () => Promise<T>): Promise<{ ok: T } | { error: string }> {
    try {
        return { ok: await fn() };
    } catch (err) {
        return { error: (err as Error).name };
    }
}

describe("in-memory Secrets Manager answers like moto for what the protocol observes", function () {
    this.timeout(120_000);
    let moto: MotoServer;
    let client: SecretsManagerClient;
    const backends: Backend[] = [];

    before(async () => {
        moto = await startMoto();
        client = motoClient(moto);
        const sm = new MemorySecretsManager();
        backends.push(
            { label: "moto", store: new SecretStore(client), create: (n, v) => (v === undefined ? createEmptySecret(client, n) : createSecret(client, n, v)), startRotation: (id) => startRotation(client, id) },
            { label: "memory", store: sm.store(), create: async (n, v) => sm.createSecret(n, v, { rotationEnabled: false }), startRotation: async (id) => sm.startRotation(id) },
        );
    });
    after(async () => moto?.stop());

    /** Runs `scenario` on each backend and asserts that the transcripts are equal. */
    async function conform(scenario: (b: Backend, record: (what: string, value: unknown) => void, names: Map<string, string>) => Promise<void>): Promise<void> {
        const transcripts: Array<Array<[string, unknown]>> = [];
        for (const b of backends) {
            const t: Array<[string, unknown]> = [];
            await scenario(b, (what, value) => t.push([what, value]), new Map());
            transcripts.push(t);
        }
        assert.deepStrictEqual(transcripts[1], transcripts[0], "the in-memory store differs from moto");
        assert.ok(transcripts[0]!.length > 0);
    }

    it("the stages after each step of two rotations, and the values read by stage and by id", async () => {
        await conform(async (b, record, names) => {
            const arn = await b.create(`dev/conformance/${randomUUID().slice(0, 8)}`, firstValue());
            const strategy = recordingStrategy();
            const stagesNow = async () => normalise((await b.store.describe(arn)).stages, names);
            for (let r = 0; r < 2; r++) {
                const token = await b.startRotation(arn);
                record("rotation started", await stagesNow());
                record("pending value before createSecret", await b.store.get(arn, "AWSPENDING", token));
                for (const step of ROTATION_STEPS) {
                    await rotate({ SecretId: arn, ClientRequestToken: token, Step: step }, { store: b.store, strategy, log: () => undefined });
                    record(`after ${step}`, await stagesNow());
                }
                record("generation of AWSCURRENT", JSON.parse((await b.store.get(arn, "AWSCURRENT"))!.value).generation);
                record("generation of AWSPREVIOUS", JSON.parse((await b.store.get(arn, "AWSPREVIOUS"))!.value).generation);
                record("AWSCURRENT read with the token's id", (await b.store.get(arn, "AWSCURRENT", token))?.versionId === token);
                record("AWSPENDING read with the token's id after the promotion", await outcome(() => b.store.get(arn, "AWSPENDING", token)));
            }
        });
    });

    it("duplicate steps, a finishSecret cut off after the promotion, and stale tokens", async () => {
        await conform(async (b, record, names) => {
            const arn = await b.create(`dev/conformance/${randomUUID().slice(0, 8)}`, firstValue());
            const strategy = recordingStrategy();
            const step = (Step: RotationStep, token: string) => outcome(() => rotate({ SecretId: arn, ClientRequestToken: token, Step }, { store: b.store, strategy, log: () => undefined }));
            const first = (await b.store.get(arn, "AWSCURRENT"))!.versionId;
            const token = await b.startRotation(arn);
            for (const s of ["createSecret", "createSecret", "setSecret", "testSecret", "testSecret"] as const) record(s, await step(s, token));
            await b.store.moveStage(arn, "AWSCURRENT", token, first);
            record("cut off after the promotion", normalise((await b.store.describe(arn)).stages, names));
            record("finishSecret retried", await step("finishSecret", token));
            record("after the retry", normalise((await b.store.describe(arn)).stages, names));
            record("stale token", await step("setSecret", first));
            record("unknown token", await step("setSecret", randomUUID()));
        });
    });

    it("which direct calls the API refuses", async () => {
        await conform(async (b, record) => {
            const arn = await b.create(`dev/conformance/${randomUUID().slice(0, 8)}`, firstValue());
            const first = (await b.store.get(arn, "AWSCURRENT"))!.versionId;
            const token = await b.startRotation(arn);
            const value = firstValue();
            record("put on the staged token", await outcome(() => b.store.put(arn, token, value, ["AWSPENDING"])));
            record("same put again", await outcome(() => b.store.put(arn, token, value, ["AWSPENDING"])));
            // Not compared: a different value under an existing token. AWS documents that PutSecretValue refuses it
            // (a version cannot be modified); moto accepts it. The in-memory store follows AWS, and the protocol
            // never sends it (createSecret keeps a value already written).
            record("remove a stage from a version without it", await outcome(() => b.store.moveStage(arn, "AWSCURRENT", undefined, token)));
            record("get a stage from a version without it", await outcome(() => b.store.get(arn, "AWSCURRENT", token)));
            record("get a stage from a version that does not exist", await outcome(() => b.store.get(arn, "AWSCURRENT", randomUUID())));
            record("get from a missing secret", await outcome(() => b.store.get(`dev/conformance/missing-${randomUUID().slice(0, 8)}`, "AWSCURRENT")));
            record("move AWSCURRENT to the token", await outcome(() => b.store.moveStage(arn, "AWSCURRENT", token, first)));
            record("previous is the first", (await b.store.get(arn, "AWSPREVIOUS"))?.versionId === first);
        });
    });

    it("a secret created without a value has no AWSCURRENT to read", async () => {
        await conform(async (b, record) => {
            const arn = await b.create(`dev/conformance/${randomUUID().slice(0, 8)}`);
            record("AWSCURRENT", await outcome(() => b.store.get(arn, "AWSCURRENT")));
            record("stages", (await b.store.describe(arn)).stages);
            // repair reads the strategy tag from DescribeSecret, which leaves Tags out for a secret without any.
            record("Tags", (await b.store.client.send(new DescribeSecretCommand({ SecretId: arn }))).Tags);
        });
    });
});
