// A stuck rotation against moto: the daily check reports AWSPENDING left next to AWSCURRENT once it is older than
// the allowed hours, and `npm run rotation:repair` cancels it (AWSCURRENT untouched, the next rotation runs and
// revokes the abandoned vendor key) or completes it (tested, then promoted) where the command can reach the target.
import * as assert from "assert";
import { SecretsManagerClient, TagResourceCommand } from "@aws-sdk/client-secrets-manager";
import { runExpiryCheck } from "../../functions/expiry-check";
import { rotate, SecretStore } from "../../functions/rotation/protocol";
import { tokenNamePrefix } from "../../functions/rotation/strategies/vendor-api";
import { TAG } from "../../model/names";
import { main as repairCli } from "../../tools/rotation-repair";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";
import { Fixture, sendgridFixture } from "./fixtures";
import { currentValue, motoClient, rotateOnce, startRotation, stagesOf } from "./harness";
import { SendGridServer, startSendGridServer } from "./sendgrid-server";

const HOUR = 3_600_000;

describe("stuck rotation: detection and repair against moto", function () {
    this.timeout(120_000);
    let moto: MotoServer;
    let client: SecretsManagerClient;
    let store: SecretStore;
    let sg: SendGridServer;
    let savedEnv: NodeJS.ProcessEnv;

    before(async () => {
        savedEnv = { ...process.env };
        Object.assign(process.env, FAKE_AWS_ENV);
        [moto, sg] = await Promise.all([startMoto(), startSendGridServer()]);
        client = motoClient(moto);
        store = new SecretStore(client);
    });
    after(async () => {
        await Promise.all([moto?.stop(), sg?.close()]);
        process.env = savedEnv;
    });

    /** A vendor-api secret whose rotation stopped after createSecret: a new key issued, staged, never promoted. */
    async function stuck(): Promise<{ f: Fixture<any>; token: string; name: string }> {
        const f = await sendgridFixture(client, sg);
        const name = (await store.describe(f.secretId)).name;
        await client.send(new TagResourceCommand({ SecretId: f.secretId, Tags: [{ Key: TAG.rotationStrategy, Value: "vendor-api" }] }));
        const token = await startRotation(client, f.secretId);
        await rotate({ SecretId: f.secretId, ClientRequestToken: token, Step: "createSecret" }, { store, strategy: f.strategy, log: () => undefined });
        return { f, token, name };
    }

    it("reports a pending version older than the allowed hours, and not a younger one", async () => {
        const { name, token } = await stuck();
        const check = (hoursLater: number) => runExpiryCheck({ region: FAKE_AWS_ENV.AWS_REGION, environment: "dev", warningDays: 7, stuckAfterHours: 24, endpoint: moto.endpoint, now: new Date(Date.now() + hoursLater * HOUR) });
        assert.deepStrictEqual((await check(1)).stuck.filter((s) => s.secretName === name), []);
        const late = (await check(25)).stuck.filter((s) => s.secretName === name);
        assert.strictEqual(late.length, 1);
        assert.strictEqual(late[0]!.pendingVersionId, token);
        assert.ok(late[0]!.hoursStuck >= 24);
    });

    it("--cancel drops AWSPENDING, leaves AWSCURRENT working, and the next rotation completes and revokes the abandoned key", async () => {
        const { f, token, name } = await stuck();
        const before = await currentValue(store, f.secretId);
        const abandoned = JSON.parse((await store.get(f.secretId, "AWSPENDING", token))!.value).apiKey as string;
        assert.strictEqual(await repairCli(["--secret-id", name, "--cancel", "--endpoint", moto.endpoint]), 0);
        const after = await stagesOf(store, f.secretId);
        assert.strictEqual(after.pending, undefined);
        assert.strictEqual(after.current, before.versionId);
        assert.ok(await f.works(before.value));
        const { stuck: none } = await runExpiryCheck({ region: FAKE_AWS_ENV.AWS_REGION, environment: "dev", warningDays: 7, endpoint: moto.endpoint, now: new Date(Date.now() + 48 * HOUR) });
        assert.deepStrictEqual(none.filter((s) => s.secretName === name), []);

        await rotateOnce(client, store, f.strategy, f.secretId);
        assert.notStrictEqual((await stagesOf(store, f.secretId)).current, before.versionId);
        assert.ok(!sg.isLive(abandoned), "the key the cancelled rotation issued is still live after the next rotation");
        assert.ok([...sg.keys.values()].filter((k) => k.name.startsWith(tokenNamePrefix(name))).length <= 1);
    });

    it("--complete tests and promotes the pending value of a vendor-api secret; the old key stays valid", async () => {
        const { f, token, name } = await stuck();
        const before = await currentValue(store, f.secretId);
        assert.strictEqual(await repairCli(["--secret-id", name, "--complete", "--endpoint", moto.endpoint]), 0);
        const after = await stagesOf(store, f.secretId);
        assert.strictEqual(after.current, token);
        assert.strictEqual(after.previous, before.versionId);
        assert.strictEqual(after.pending, undefined);
        assert.ok(await f.works((await currentValue(store, f.secretId)).value));
        assert.ok(await f.works(before.value));
    });

    it("--complete refuses, with nothing changed, a strategy it cannot reach, and names rotate-secret instead", async () => {
        const { f, token, name } = await stuck();
        await client.send(new TagResourceCommand({ SecretId: f.secretId, Tags: [{ Key: TAG.rotationStrategy, Value: "postgres-alternating-users" }] }));
        const before = await stagesOf(store, f.secretId);
        const errors: string[] = [];
        const orig = console.error;
        console.error = (m: string) => errors.push(m);
        try {
            assert.strictEqual(await repairCli(["--secret-id", name, "--complete", "--endpoint", moto.endpoint]), 1);
        } finally {
            console.error = orig;
        }
        assert.match(errors.join("\n"), /aws secretsmanager rotate-secret --secret-id .*reattempts the pending rotation/);
        assert.deepStrictEqual(await stagesOf(store, f.secretId), before);
        assert.strictEqual(before.pending, token);
    });

    it("reports nothing to repair on a secret without a pending rotation", async () => {
        const f = await sendgridFixture(client, sg);
        const before = await stagesOf(store, f.secretId);
        assert.strictEqual(await repairCli(["--secret-id", f.secretId, "--cancel", "--endpoint", moto.endpoint]), 0);
        assert.deepStrictEqual(await stagesOf(store, f.secretId), before);
    });
});
