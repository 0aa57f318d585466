// The two functions that run in AWS, run against moto: the latency probe (as bundled for Lambda) publishes its
// metric to moto's CloudWatch, and the expiry check finds tagged secrets in moto's Secrets Manager and sends findings
// that the planned `secret-expiry` rule routes to a queue.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { AUDIT_METRIC_NAMESPACE, buildDetectionRules } from "../../components/audit-alerts";
import { functionBundle } from "../../functions/bundle";
import { roleNames } from "../../model/names";
import { findExpiryFindings, parseExpiresAt, runExpiryCheck } from "../../functions/expiry-check";
import { LATENCY_METRIC, runProbe } from "../../functions/latency-probe";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";
import { PROJECT_DIR } from "../support/plan-cli";

const DAY = 24 * 60 * 60 * 1000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

describe("audit functions against moto", function () {
    let moto: MotoServer;
    let savedEnv: NodeJS.ProcessEnv;
    let client: { endpoint: string; region: string };

    before(async () => {
        savedEnv = { ...process.env };
        Object.assign(process.env, FAKE_AWS_ENV);
        moto = await startMoto();
        client = { endpoint: moto.endpoint, region: "us-east-1" };
    });
    after(async () => {
        await moto?.stop();
        process.env = savedEnv;
    });

    describe("latency probe", () => {
        it("the Lambda bundle reads the canary cold then warm and publishes GetSecretValueLatency for the environment", async () => {
            const sm = new SecretsManagerClient(client);
            await sm.send(new CreateSecretCommand({ Name: "prod/platform/eso-canary", SecretString: JSON.stringify({ canary: ["c", "a", "n", "a", "r", "y"].join("") }) }));
            sm.destroy();

            // The deployed bundle itself (the AWS SDK is bundled at the pinned version), copied out of the cache.
            const dir = fs.mkdtempSync(path.join(PROJECT_DIR, ".probe-bundle-"));
            const file = path.join(dir, "index.js");
            fs.copyFileSync(functionBundle("latency-probe").file, file);
            Object.assign(process.env, {
                CANARY_SECRET_ID: "prod/platform/eso-canary",
                FINLEDGER_ENVIRONMENT: "prod",
                METRIC_NAMESPACE: AUDIT_METRIC_NAMESPACE,
                AWS_ENDPOINT_URL: moto.endpoint,
            });
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const bundle = require(file) as { handler: () => Promise<{ coldMs: number; warmMs: number[] }> };
            const result = await bundle.handler();
            delete process.env.AWS_ENDPOINT_URL;
            fs.rmSync(dir, { recursive: true, force: true });
            assert.ok(result.coldMs > 0);
            assert.equal(result.warmMs.length, 3);

            const cw = new CloudWatchClient(client);
            const listed = await cw.send(new ListMetricsCommand({ Namespace: AUDIT_METRIC_NAMESPACE, MetricName: LATENCY_METRIC }));
            // A set: moto lists a metric once per datum, AWS once per dimension combination.
            const phases = [...new Set((listed.Metrics ?? [])
                .map((m) => Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, d.Value])))
                .filter((d) => d.Environment === "prod")
                .map((d) => d.Phase))].sort();
            assert.deepEqual(phases, ["cold", "warm"]);
            const now = Date.now();
            const data = await cw.send(
                new GetMetricDataCommand({
                    StartTime: new Date(now - 10 * 60 * 1000),
                    EndTime: new Date(now + 60 * 1000),
                    MetricDataQueries: [
                        {
                            Id: "cold",
                            MetricStat: {
                                Metric: { Namespace: AUDIT_METRIC_NAMESPACE, MetricName: LATENCY_METRIC, Dimensions: [{ Name: "Environment", Value: "prod" }, { Name: "Phase", Value: "cold" }] },
                                Period: 60,
                                Stat: "Average",
                            },
                        },
                    ],
                }),
            );
            cw.destroy();
            const values = data.MetricDataResults?.[0]?.Values ?? [];
            assert.equal(values.length, 1, `expected one cold datapoint, got ${JSON.stringify(values)}`);
            assert.ok(Math.abs(values[0] - result.coldMs) < 0.01, `published ${values[0]} ms, measured ${result.coldMs} ms`);
        });

        it("fails loudly when the canary is missing, instead of publishing a figure", async () => {
            await assert.rejects(
                runProbe({ secretId: "prod/platform/no-such-canary", environment: "prod", namespace: AUDIT_METRIC_NAMESPACE, region: "us-east-1", endpoint: moto.endpoint }),
                /ResourceNotFound|can't find/i,
            );
        });
    });

    describe("expires-at check", () => {
        it("reads a bare date as the end of that UTC day and rejects impossible dates", () => {
            assert.equal(parseExpiresAt("2027-02-28")?.toISOString(), "2027-02-28T23:59:59.000Z");
            assert.equal(parseExpiresAt("2027-02-30"), undefined);
            assert.equal(parseExpiresAt("next month"), undefined);
            assert.equal(parseExpiresAt("2027-03-01T10:00:00+02:00")?.toISOString(), "2027-03-01T08:00:00.000Z");
        });

        it("warns from N whole days before expiry, and reports expired and unreadable tags", () => {
            const now = new Date("2027-01-01T12:00:00Z");
            const s = (name: string, expiresAt?: string) => ({ name, arn: `arn:${name}`, tags: (expiresAt ? { "expires-at": expiresAt } : {}) as Record<string, string> });
            const found = findExpiryFindings([s("a", "2027-01-10"), s("b", "2027-01-15"), s("c", "2027-01-16"), s("d", "2026-12-31"), s("e", "n/a"), s("f")], now, 14);
            assert.deepEqual(
                found.map((f) => [f.secretName, f.detailType, f.daysLeft]),
                [
                    ["a", "Secret Expiring", 9],
                    ["b", "Secret Expiring", 14],
                    ["d", "Secret Expired", -1],
                    ["e", "Secret Expiry Tag Invalid", null],
                ],
            );
        });

        it("finds tagged secrets in Secrets Manager and its findings reach the secret-expiry detection rule", async () => {
            const sm = new SecretsManagerClient(client);
            const now = Date.now();
            const tagged: Array<[string, string | undefined]> = [
                ["prod/bi/vendor-soon", isoDay(new Date(now + 5 * DAY))],
                ["prod/bi/vendor-later", isoDay(new Date(now + 60 * DAY))],
                ["prod/bi/vendor-expired", isoDay(new Date(now - 3 * DAY))],
                ["prod/bi/vendor-bad-tag", "when-rotated"],
                ["prod/bi/automatic", undefined],
            ];
            for (const [name, expiresAt] of tagged) {
                await sm.send(
                    new CreateSecretCommand({
                        Name: name,
                        SecretString: ["not", "a", "credential"].join("-"),
                        Tags: [{ Key: "environment", Value: "prod" }, ...(expiresAt ? [{ Key: "expires-at", Value: expiresAt }] : [])],
                    }),
                );
            }
            sm.destroy();

            const rule = buildDetectionRules({ namePrefix: "fl-prod", accountId: "736491028554", deployRoleName: roleNames.githubDeploy("fl-prod"), breakGlassRoleName: roleNames.breakGlass("fl-prod") }).find(
                (r) => r.id === "secret-expiry",
            )!;
            const sqs = new SQSClient(client);
            const events = new EventBridgeClient(client);
            const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "expiry-findings" }));
            const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
            await events.send(new PutRuleCommand({ Name: "fl-prod-secret-expiry", EventPattern: JSON.stringify(rule.pattern) }));
            await events.send(new PutTargetsCommand({ Rule: "fl-prod-secret-expiry", Targets: [{ Id: "q", Arn: attrs.Attributes!.QueueArn! }] }));

            const { findings } = await runExpiryCheck({ region: "us-east-1", environment: "prod", warningDays: 14, endpoint: moto.endpoint });
            assert.deepEqual(findings.map((f) => `${f.secretName}:${f.detailType}`).sort(), [
                "prod/bi/vendor-bad-tag:Secret Expiry Tag Invalid",
                "prod/bi/vendor-expired:Secret Expired",
                "prod/bi/vendor-soon:Secret Expiring",
            ]);

            const received: string[] = [];
            for (;;) {
                const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
                if (!res.Messages?.length) break;
                for (const m of res.Messages) {
                    const body = JSON.parse(m.Body!);
                    received.push(`${body.detail.secretName}:${body["detail-type"]}`);
                }
            }
            sqs.destroy();
            events.destroy();
            assert.deepEqual(received.sort(), findings.map((f) => `${f.secretName}:${f.detailType}`).sort());
        });
    });
});
