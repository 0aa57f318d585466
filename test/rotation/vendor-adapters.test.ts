// What each new vendor adapter does when the vendor says no (401, 403, 429, 5xx) at each step, and the vendor
// protocol details the fault tests do not reach: pagination, name limits, orphan keys, the scopes of a new key.
import * as assert from "assert";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { rotate, ROTATION_STEPS, SecretStore } from "../../functions/rotation/protocol";
import { SendGridAdapter } from "../../functions/rotation/strategies/sendgrid";
import { TwilioAdapter, twilioFriendlyName, TWILIO_FRIENDLY_NAME_MAX } from "../../functions/rotation/strategies/twilio";
import { tokenNamePrefix } from "../../functions/rotation/strategies/vendor-api";
import { VendorApiError } from "../../functions/rotation/strategies/vendor-http";
import { MotoServer, startMoto } from "../support/moto";
import { Fixture, sendgridFixture, twilioFixture } from "./fixtures";
import { currentValue, motoClient, startRotation, stagesOf } from "./harness";
import { SendGridServer, startSendGridServer } from "./sendgrid-server";
import { startTwilioServer, TwilioServer } from "./twilio-server";

describe("vendor adapters when the vendor refuses", function () {
    this.timeout(300_000);
    let moto: MotoServer;
    let client: SecretsManagerClient;
    let store: SecretStore;
    let sg: SendGridServer;
    let tw: TwilioServer;

    before(async () => {
        [moto, sg, tw] = await Promise.all([startMoto(), startSendGridServer(), startTwilioServer()]);
        client = motoClient(moto);
        store = new SecretStore(client);
    });
    after(async () => {
        await Promise.all([moto?.stop(), sg?.close(), tw?.close()]);
    });

    const vendors: Array<[string, () => Promise<Fixture<any>>, () => SendGridServer | TwilioServer]> = [
        ["sendgrid", () => sendgridFixture(client, sg), () => sg],
        ["twilio", () => twilioFixture(client, tw), () => tw],
    ];

    for (const [vendor, make, server] of vendors) {
        for (const status of [401, 403, 429, 500, 503]) {
            it(`${vendor}: HTTP ${status} at createSecret, testSecret and finishSecret fails the step with a ${status === 429 || status >= 500 ? "transient" : "permanent"} error, AWSCURRENT unchanged, and a later retry completes`, async () => {
                const f = await make();
                const before = await currentValue(store, f.secretId);
                const token = await startRotation(client, f.secretId);
                for (const step of ROTATION_STEPS) {
                    const event = { SecretId: f.secretId, ClientRequestToken: token, Step: step };
                    // setSecret makes no vendor call (issuing installs), so there is nothing to refuse there.
                    if (step !== "setSecret") {
                        server().refuseNext(status, 1);
                        await assert.rejects(rotate(event, { store, strategy: f.strategy, log: () => undefined }), (err: unknown) => {
                            assert.ok(err instanceof VendorApiError, `${step}: ${String(err)}`);
                            assert.strictEqual(err.status, status);
                            assert.strictEqual(err.transient, status === 429 || status >= 500);
                            assert.match(err.message, new RegExp(`${vendor}.*HTTP ${status}`));
                            return true;
                        });
                        if (step !== "finishSecret") assert.strictEqual((await stagesOf(store, f.secretId)).current, before.versionId, `${step}: AWSCURRENT moved after a refusal`);
                    }
                    await rotate(event, { store, strategy: f.strategy, log: () => undefined });
                }
                const after = await stagesOf(store, f.secretId);
                assert.strictEqual(after.current, token);
                assert.strictEqual(after.previous, before.versionId);
                assert.ok(await f.works((await currentValue(store, f.secretId)).value));
                assert.ok(await f.works(before.value), "the replaced key must stay valid until the next rotation");
            });
        }
    }

    it("sendgrid: a key whose create response was lost is revoked, not left behind, when createSecret is retried", async () => {
        const f = await sendgridFixture(client, sg);
        const current = JSON.parse((await currentValue(store, f.secretId)).value);
        const adapter = new SendGridAdapter();
        const name = `${tokenNamePrefix("dev/x")}lost-response`;
        const first = await adapter.issue(current, name);
        const second = await adapter.issue(current, name);
        assert.notStrictEqual(first.apiKey, second.apiKey);
        assert.ok(!sg.isLive(first.apiKey), "the orphan key is still live");
        assert.deepStrictEqual([...sg.keys.values()].filter((k) => k.name === name).map((k) => k.id), [second.apiKeyId]);
    });

    it("sendgrid: refuses and revokes a new key that lacks a scope of the key it replaces", async () => {
        const first = sg.seedKey("bootstrap", ["mail.send", "suppressions.read"]);
        const management = sg.seedKey("management without suppressions.read", ["api_keys.create", "api_keys.read", "api_keys.delete", "mail.send"]);
        const v = { vendor: "sendgrid" as const, apiUrl: sg.url, apiKey: first.key, apiKeyId: first.id, managementKey: management.key };
        const before = sg.keys.size;
        await assert.rejects(new SendGridAdapter().issue(v, "finledger-rotation:dev/y:1"), /without the scopes suppressions\.read.*revoked/);
        assert.strictEqual(sg.keys.size, before);
    });

    it("twilio: lists every key across pages and finds this secret's keys by prefix", async () => {
        const f = await twilioFixture(client, tw, 2);
        const v = JSON.parse((await currentValue(store, f.secretId)).value);
        const adapter = new TwilioAdapter(fetch, 10000, 2);
        const prefix = tokenNamePrefix("dev/airflow/connections/twilio_paging");
        const issued = [];
        for (let i = 0; i < 5; i++) issued.push((await adapter.issue(v, `${prefix}${String(i).padStart(36, "0")}`)).apiKeySid);
        assert.ok(tw.keys.size > 2 * 2, "the account must span several pages");
        const listed = await adapter.list(v, prefix);
        assert.deepStrictEqual(listed.map((k) => k.id).sort(), [...issued].sort());
        assert.ok(tw.requests.filter((r) => r.method === "GET" && r.path.endsWith("/Keys.json")).length >= 3, "pagination was not followed");
    });

    it("twilio: FriendlyNames stay within Twilio's 64 characters and keep one prefix per secret", () => {
        const long = `${tokenNamePrefix("prod/airflow/connections/twilio_api")}3f2b8a8e-5c1d-4b7e-9a0f-0123456789ab`;
        const short = `${tokenNamePrefix("d/x")}3f2b8a8e-5c1d-4b7e-9a0f-0123456789ab`;
        assert.ok(long.length > TWILIO_FRIENDLY_NAME_MAX);
        assert.ok(twilioFriendlyName(long).length <= TWILIO_FRIENDLY_NAME_MAX);
        assert.ok(twilioFriendlyName(long).endsWith("3f2b8a8e-5c1d-4b7e-9a0f-0123456789ab"));
        assert.strictEqual(twilioFriendlyName(short), short);
        const other = `${tokenNamePrefix("prod/airflow/connections/twilio_api2")}3f2b8a8e-5c1d-4b7e-9a0f-0123456789ab`;
        assert.notStrictEqual(twilioFriendlyName(long).slice(0, 21), twilioFriendlyName(other).slice(0, 21));
    });
});
