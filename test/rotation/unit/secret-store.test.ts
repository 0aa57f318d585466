// SecretStore, the protocol's thin layer over the Secrets Manager SDK: the commands it sends and how it reads
// partial answers (no ARN, no stages, a binary secret, a version without a value). Each test gives it a client
// whose answer is fixed, so the reading is checked on exactly the shape that matters.
import * as assert from "assert";
import { ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SecretStore, versionWithStage } from "../../../functions/rotation/protocol";

/** A store whose client answers every command with `answer` (or throws it) and records the commands. */
function storeAnswering(answer: unknown | (() => never)): { store: SecretStore; sent: Array<{ name: string; input: unknown }> } {
    const sent: Array<{ name: string; input: unknown }> = [];
    const client = {
        async send(command: { constructor: { name: string }; input: unknown }) {
            sent.push({ name: command.constructor.name, input: command.input });
            return typeof answer === "function" ? (answer as () => never)() : answer;
        },
    };
    return { store: new SecretStore(client as unknown as SecretsManagerClient), sent };
}

describe("SecretStore over the Secrets Manager SDK", () => {
    describe("describe", () => {
        it("returns the ARN, name, rotation flag and stages Secrets Manager reports", async () => {
            const { store, sent } = storeAnswering({ ARN: "arn:x", Name: "dev/a", RotationEnabled: true, VersionIdsToStages: { v1: ["AWSCURRENT"] } });
            assert.deepStrictEqual(await store.describe("dev/a"), { arn: "arn:x", name: "dev/a", rotationEnabled: true, stages: { v1: ["AWSCURRENT"] } });
            assert.deepStrictEqual(sent, [{ name: "DescribeSecretCommand", input: { SecretId: "dev/a" } }]);
        });

        it("falls back to the id it was given for a missing ARN and name, and to no stages", async () => {
            const { store } = storeAnswering({});
            assert.deepStrictEqual(await store.describe("dev/b"), { arn: "dev/b", name: "dev/b", rotationEnabled: false, stages: {} });
        });

        it("counts rotation as enabled only when Secrets Manager says true", async () => {
            for (const RotationEnabled of [false, undefined, "true"]) {
                const { store } = storeAnswering({ ARN: "arn:x", Name: "n", RotationEnabled });
                assert.strictEqual((await store.describe("n")).rotationEnabled, false, `RotationEnabled ${String(RotationEnabled)}`);
            }
        });
    });

    describe("get", () => {
        it("reads a version by stage and id and returns its id, value and creation date", async () => {
            const created = new Date("2026-03-04T05:06:07Z");
            const { store, sent } = storeAnswering({ VersionId: "v2", SecretString: "{}", CreatedDate: created });
            assert.deepStrictEqual(await store.get("arn:x", "AWSPENDING", "v2"), { versionId: "v2", value: "{}", createdDate: created });
            assert.deepStrictEqual(sent, [{ name: "GetSecretValueCommand", input: { SecretId: "arn:x", VersionStage: "AWSPENDING", VersionId: "v2" } }]);
        });

        it("uses the requested version id when the answer has none, else an empty id, and the epoch for a missing date", async () => {
            assert.deepStrictEqual(await storeAnswering({ SecretString: "s" }).store.get("arn:x", "AWSPENDING", "v9"), { versionId: "v9", value: "s", createdDate: new Date(0) });
            assert.deepStrictEqual(await storeAnswering({ SecretString: "s" }).store.get("arn:x", "AWSCURRENT"), { versionId: "", value: "s", createdDate: new Date(0) });
        });

        it("returns undefined for a binary secret, which has no SecretString", async () => {
            assert.strictEqual(await storeAnswering({ VersionId: "v1", SecretBinary: new Uint8Array([1]) }).store.get("arn:x", "AWSCURRENT"), undefined);
        });

        it("returns undefined for a version without a value (ResourceNotFoundException), from this SDK or another copy of it", async () => {
            const sdk = storeAnswering(() => {
                throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value for staging label: AWSPENDING", $metadata: {} });
            });
            assert.strictEqual(await sdk.store.get("arn:x", "AWSPENDING", "v1"), undefined);
            // A bundled Lambda may load a second copy of the SDK, whose error class is not this one: the name decides.
            const other = storeAnswering(() => {
                throw Object.assign(new Error("not found"), { name: "ResourceNotFoundException" });
            });
            assert.strictEqual(await other.store.get("arn:x", "AWSPENDING", "v1"), undefined);
        });

        it("passes any other error on", async () => {
            const denied = Object.assign(new Error("User is not authorized to perform secretsmanager:GetSecretValue"), { name: "AccessDeniedException" });
            const { store } = storeAnswering(() => {
                throw denied;
            });
            await assert.rejects(store.get("arn:x", "AWSCURRENT"), (err) => err === denied);
        });
    });

    it("put writes the value as the token's version with exactly the given stages", async () => {
        const { store, sent } = storeAnswering({});
        await store.put("arn:x", "t1", "{}", ["AWSPENDING"]);
        assert.deepStrictEqual(sent, [{ name: "PutSecretValueCommand", input: { SecretId: "arn:x", ClientRequestToken: "t1", SecretString: "{}", VersionStages: ["AWSPENDING"] } }]);
    });

    it("moveStage sends the stage with its target and source versions", async () => {
        const { store, sent } = storeAnswering({});
        await store.moveStage("arn:x", "AWSCURRENT", "t2", "t1");
        assert.deepStrictEqual(sent, [{ name: "UpdateSecretVersionStageCommand", input: { SecretId: "arn:x", VersionStage: "AWSCURRENT", MoveToVersionId: "t2", RemoveFromVersionId: "t1" } }]);
    });

    describe("versionWithStage", () => {
        const stages = { v1: ["AWSPREVIOUS"], v2: ["AWSCURRENT", "AWSPENDING"], v3: [] };
        it("finds the version that carries a stage, also next to another stage", () => {
            assert.strictEqual(versionWithStage(stages, "AWSCURRENT"), "v2");
            assert.strictEqual(versionWithStage(stages, "AWSPENDING"), "v2");
            assert.strictEqual(versionWithStage(stages, "AWSPREVIOUS"), "v1");
        });
        it("returns undefined when no version carries it", () => {
            assert.strictEqual(versionWithStage(stages, "CUSTOM"), undefined);
            assert.strictEqual(versionWithStage({}, "AWSCURRENT"), undefined);
        });
    });
});
