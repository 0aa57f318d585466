// functions/rotation/runtime.ts: the Lambda's Secrets Manager client (endpoint from the environment, so a VPC
// endpoint or moto can be named) and the handler that hands each event to the protocol with the strategy.
import * as assert from "assert";
import { ENV, lambdaHandler, storeFromEnv } from "../../../functions/rotation/runtime";
import { SecretStore } from "../../../functions/rotation/protocol";
import { MemorySecretsManager } from "./memory-secrets-manager";
import { firstValue, recordingStrategy } from "./recording-strategy";

const REGION = { AWS_REGION: "eu-west-1" };

describe("rotation Lambda runtime", () => {
    it("points the client at the endpoint the environment names", async () => {
        const config = storeFromEnv({ ...REGION, [ENV.endpoint]: "http://127.0.0.1:4599" }).client.config;
        assert.strictEqual(config.isCustomEndpoint, true);
        const endpoint = await config.endpoint!();
        assert.deepStrictEqual([endpoint.protocol, endpoint.hostname, endpoint.port], ["http:", "127.0.0.1", 4599]);
    });

    it("uses the SDK's regional endpoint when none is named", () => {
        for (const env of [REGION, { ...REGION, [ENV.endpoint]: "" }]) {
            const config = storeFromEnv(env).client.config;
            assert.strictEqual(config.isCustomEndpoint, false);
            assert.strictEqual(config.endpoint, undefined);
        }
    });

    it("the handler builds the strategy over the store and runs the event's step through the protocol", async () => {
        const sm = new MemorySecretsManager();
        const strategy = recordingStrategy();
        const arn = sm.createSecret("dev/payments/ledger-api", firstValue(strategy.installed));
        const token = sm.startRotation(arn);
        const saved = process.env[ENV.endpoint];
        process.env[ENV.endpoint] = "http://127.0.0.1:4599";
        const given: SecretStore[] = [];
        const lines: string[] = [];
        const log = console.log;
        console.log = (m: string) => lines.push(m);
        try {
            const handler = lambdaHandler(async (store) => {
                given.push(store);
                // The handler's store is the SDK client from the environment; answer it from memory instead.
                (store.client as unknown as { send: MemorySecretsManager["send"] }).send = (c) => sm.send(c);
                return strategy;
            });
            await handler({ SecretId: arn, ClientRequestToken: token, Step: "createSecret" });
        } finally {
            console.log = log;
            if (saved === undefined) delete process.env[ENV.endpoint];
            else process.env[ENV.endpoint] = saved;
        }
        assert.strictEqual(given.length, 1);
        assert.strictEqual(given[0]!.client.config.isCustomEndpoint, true, "the store came from the environment");
        assert.deepStrictEqual(sm.stages(arn)[token], ["AWSPENDING"]);
        assert.strictEqual(JSON.parse(sm.valueOf(arn, token)!).generation, 1);
        assert.deepStrictEqual(lines, [`[recording] createSecret: wrote version ${token} as AWSPENDING for dev/payments/ledger-api.`]);
    });
});
