// The assisted flow against moto, from notification to promotion: the daily check opens the window with a
// ticket-ready event that reaches the owner's route; a bad value is refused with nothing changed; a good value is
// verified (where the vendor has an adapter), staged, promoted and recorded; the replaced credential's revocation
// is tracked to its own deadline; and a missed deadline raises the expiry alarm.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { DescribeSecretCommand, ListSecretVersionIdsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { buildDetectionRules } from "../../components/audit-alerts";
import { roleNames } from "../../model/names";
import { runExpiryCheck } from "../../functions/expiry-check";
import { SecretStore } from "../../functions/rotation/protocol";
import { TAG } from "../../model/names";
import { main as assistedCli } from "../../tools/assisted-rotation";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";
import { uniqueName } from "./fixtures";
import { createSecret, motoClient, stagesOf } from "./harness";
import { SendGridServer, startSendGridServer } from "./sendgrid-server";

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);
/** A vendor key built at run time from pieces, never a literal. */
const fakeKey = (tag: string) => ["rk", "test", tag, Math.random().toString(36).slice(2), Date.now().toString(36)].join("_");

describe("assisted rotation against moto", function () {
    this.timeout(120_000);
    let moto: MotoServer;
    let client: SecretsManagerClient;
    let store: SecretStore;
    let sg: SendGridServer;
    let sqs: SQSClient;
    let queueUrl: string;
    let savedEnv: NodeJS.ProcessEnv;
    let tmp: string;
    const region = FAKE_AWS_ENV.AWS_REGION;

    before(async () => {
        savedEnv = { ...process.env };
        Object.assign(process.env, FAKE_AWS_ENV);
        [moto, sg] = await Promise.all([startMoto(), startSendGridServer()]);
        client = motoClient(moto);
        store = new SecretStore(client);
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "assisted-"));
        // The planned secret-expiry rule, routed to a queue standing in for the owner's SNS topic.
        const cfg = { endpoint: moto.endpoint, region };
        sqs = new SQSClient(cfg);
        const events = new EventBridgeClient(cfg);
        const rule = buildDetectionRules({ namePrefix: "fl-prod", accountId: "736491028554", deployRoleName: roleNames.githubDeploy("fl-prod"), breakGlassRoleName: roleNames.breakGlass("fl-prod") }).find((r) => r.id === "secret-expiry")!;
        queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "assisted-findings" }))).QueueUrl!;
        const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
        await events.send(new PutRuleCommand({ Name: "fl-prod-secret-expiry", EventPattern: JSON.stringify(rule.pattern) }));
        await events.send(new PutTargetsCommand({ Rule: "fl-prod-secret-expiry", Targets: [{ Id: "owner", Arn: arn }] }));
        events.destroy();
    });
    after(async () => {
        sqs?.destroy();
        await Promise.all([moto?.stop(), sg?.close()]);
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
        process.env = savedEnv;
    });

    async function drain(): Promise<Array<{ type: string; detail: any }>> {
        const out: Array<{ type: string; detail: any }> = [];
        for (;;) {
            const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
            if (!r.Messages?.length) return out;
            for (const m of r.Messages) {
                const b = JSON.parse(m.Body!);
                out.push({ type: b["detail-type"], detail: b.detail });
            }
        }
    }

    async function assistedSecret(value: object, expiresInDays: number): Promise<string> {
        const name = `prod/airflow/connections/${uniqueName("stripe_api_")}`;
        await createSecret(client, name, JSON.stringify(value), {
            [TAG.environment]: "prod",
            [TAG.owner]: "team-payments",
            [TAG.criticality]: "critical",
            [TAG.rotationStrategy]: "assisted",
            [TAG.rotationDays]: "30",
            [TAG.expiresAt]: isoDay(new Date(Date.now() + expiresInDays * DAY)),
        });
        return name;
    }

    async function snapshot(name: string) {
        const versions = (await client.send(new ListSecretVersionIdsCommand({ SecretId: name }))).Versions ?? [];
        const tags = (await client.send(new DescribeSecretCommand({ SecretId: name }))).Tags ?? [];
        const current = await store.get(name, "AWSCURRENT");
        return JSON.stringify({ versions: versions.map((v) => [v.VersionId, [...(v.VersionStages ?? [])].sort()]).sort(), tags: tags.map((t) => [t.Key, t.Value]).sort(), current: current?.value });
    }

    const promote = (name: string, raw: string) => {
        const file = path.join(tmp, `${uniqueName("value-")}.json`);
        fs.writeFileSync(file, raw, { mode: 0o600 });
        return assistedCli(["promote", "--secret-id", name, "--value-file", file, "--endpoint", moto.endpoint]);
    };

    it("opens the window with a ticket naming the secret, the environment, the deadline and the owner, then promotes a handed-over value and records who", async () => {
        const old = { vendor: "stripe", restrictedKey: fakeKey("old") };
        const name = await assistedSecret(old, 5);
        await drain();

        await runExpiryCheck({ region, environment: "prod", warningDays: 7, endpoint: moto.endpoint });
        const notice = (await drain()).find((e) => e.detail.secretName === name);
        assert.ok(notice, "no window-open event reached the owner's route");
        assert.strictEqual(notice.type, "Secret Expiring");
        assert.strictEqual(notice.detail.owner, "team-payments");
        const deadline = isoDay(new Date(Date.now() + 5 * DAY));
        assert.match(notice.detail.ticket, new RegExp(`^\\[prod\\] rotate ${name}: due by ${deadline} \\(\\d+ days left\\)\\. Owner: team-payments\\.`));
        assert.match(notice.detail.ticket, /npm run rotation:assisted -- promote --secret-id/);

        const before = await stagesOf(store, name);
        const next = { vendor: "stripe", restrictedKey: fakeKey("new") };
        assert.strictEqual(await promote(name, JSON.stringify(next)), 0);
        const after = await stagesOf(store, name);
        assert.notStrictEqual(after.current, before.current);
        assert.strictEqual(after.previous, before.current, "the replaced value must stay AWSPREVIOUS for running tasks");
        assert.strictEqual(after.pending, undefined);
        assert.deepStrictEqual(JSON.parse((await store.get(name, "AWSCURRENT"))!.value), next);
        const tags = Object.fromEntries(((await client.send(new DescribeSecretCommand({ SecretId: name }))).Tags ?? []).map((t) => [t.Key, t.Value]));
        assert.match(tags[TAG.rotatedBy]!, /^arn:aws:(iam|sts)::\d{12}:/, "who did it is the caller's ARN from STS");
        assert.strictEqual(tags[TAG.expiresAt], isoDay(new Date(Date.now() + 29 * DAY)));
        assert.ok(Date.parse(tags[TAG.revokePreviousBy]!) > Date.now(), "the old credential's revocation has a deadline");

        // The window is closed: the check no longer reports the secret.
        const { findings } = await runExpiryCheck({ region, environment: "prod", warningDays: 7, endpoint: moto.endpoint });
        assert.deepStrictEqual(findings.filter((f) => f.secretName === name), []);
        await drain();
    });

    it("refuses a bad value with nothing changed: not JSON, the current value again, or a key the vendor rejects", async () => {
        const name = await assistedSecret({ vendor: "stripe", restrictedKey: fakeKey("cur") }, 3);
        const before = await snapshot(name);
        assert.strictEqual(await promote(name, "restrictedKey=" + fakeKey("x")), 1);
        assert.strictEqual(await snapshot(name), before);
        assert.strictEqual(await promote(name, (await store.get(name, "AWSCURRENT"))!.value), 1);
        assert.strictEqual(await snapshot(name), before);

        // A vendor with an adapter: the handed-over key is verified with the vendor before anything is written.
        const live = sg.seedKey("made in the SendGrid app", ["mail.send"]);
        const mgmt = sg.seedKey("management", ["api_keys.read"]);
        const sgName = await assistedSecret({ vendor: "sendgrid", apiUrl: sg.url, apiKey: live.key, apiKeyId: live.id, managementKey: mgmt.key }, 3);
        const sgBefore = await snapshot(sgName);
        const dead = { vendor: "sendgrid", apiUrl: sg.url, apiKey: ["SG", "dead", fakeKey("d")].join("."), apiKeyId: "dead", managementKey: mgmt.key };
        assert.strictEqual(await promote(sgName, JSON.stringify(dead)), 1);
        assert.strictEqual(await snapshot(sgName), sgBefore);

        const fresh = sg.seedKey("rolled in the SendGrid app", ["mail.send"]);
        assert.strictEqual(await promote(sgName, JSON.stringify({ ...dead, apiKey: fresh.key, apiKeyId: fresh.id })), 0);
        assert.strictEqual(JSON.parse((await store.get(sgName, "AWSCURRENT"))!.value).apiKeyId, fresh.id);
    });

    it("tracks the old credential's revocation to its deadline, and clears it when confirmed", async () => {
        const name = await assistedSecret({ vendor: "stripe", restrictedKey: fakeKey("a") }, 2);
        assert.strictEqual(await promote(name, JSON.stringify({ vendor: "stripe", restrictedKey: fakeKey("b") })), 0);
        await drain();
        const later = new Date(Date.now() + 4 * DAY);
        await runExpiryCheck({ region, environment: "prod", warningDays: 7, endpoint: moto.endpoint, now: later });
        const overdue = (await drain()).find((e) => e.detail.secretName === name);
        assert.ok(overdue);
        assert.strictEqual(overdue.type, "Previous Credential Revocation Overdue");
        assert.match(overdue.detail.ticket, /revoke the replaced credential of .*OVERDUE/);

        assert.strictEqual(await assistedCli(["confirm-revoked", "--secret-id", name, "--endpoint", moto.endpoint]), 0);
        const { findings } = await runExpiryCheck({ region, environment: "prod", warningDays: 7, endpoint: moto.endpoint, now: later });
        assert.deepStrictEqual(findings.filter((f) => f.secretName === name), []);
        await drain();
    });

    it("a critical assisted secret past its due date raises the expiry alarm and shows in the expiry check", async () => {
        const name = await assistedSecret({ vendor: "stripe", restrictedKey: fakeKey("late") }, 1);
        await drain();
        const { findings } = await runExpiryCheck({ region, environment: "prod", warningDays: 7, endpoint: moto.endpoint, now: new Date(Date.now() + 3 * DAY) });
        assert.deepStrictEqual(findings.filter((f) => f.secretName === name).map((f) => f.detailType), ["Secret Expired"]);
        const alarm = (await drain()).find((e) => e.detail.secretName === name);
        assert.ok(alarm, "the missed deadline did not reach the secret-expiry rule's target");
        assert.strictEqual(alarm.type, "Secret Expired");
        assert.strictEqual(alarm.detail.criticality, "critical");
        assert.match(alarm.detail.ticket, /OVERDUE since/);
    });

    it("refuses to hand over a value for a secret its rotation function rotates", async () => {
        const name = `prod/airflow/connections/${uniqueName("datadog_api_")}`;
        await createSecret(client, name, JSON.stringify({ vendor: "x", k: fakeKey("k") }), { [TAG.rotationStrategy]: "vendor-api", [TAG.rotationDays]: "30" });
        const before = await snapshot(name);
        assert.strictEqual(await promote(name, JSON.stringify({ vendor: "x", k: fakeKey("j") })), 1);
        assert.strictEqual(await snapshot(name), before);
    });
});
