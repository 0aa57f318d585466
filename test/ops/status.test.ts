// `npm run status` end to end against moto: every planned secret of dev is seeded, a few in the states the command
// must tell apart, and the real CLI reads them through the SDK.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { CreateSecretCommand, PutSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { loadCatalog } from "../../model/catalog";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { EnvironmentModel, planEnvironment, PlannedSecret } from "../../model/environment";
import { rotationFunctionName, TAG } from "../../model/names";
import { STRATEGIES } from "../../model/strategies";
import type { SecretStatus } from "../../tools/status/assess";
import { mapBounded, withBackoff } from "../../tools/status/collect";
import type { StatusReport } from "../../tools/status/report";
import { FAKE_AWS_ENV, freePort, MotoServer, startMoto } from "../support/moto";
import { PROJECT_DIR } from "../support/plan-cli";

const DAY = 24 * 60 * 60 * 1000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** Runs the status CLI in its own process with stdout piped (not a terminal). */
function runStatus(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "tools", "status.ts"), ...args], { cwd: PROJECT_DIR, env: { ...process.env, ...env } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
    });
}

/**
 * A loopback proxy in front of moto that answers one secret's Secrets Manager calls the way AWS answers a resource
 * policy deny (HTTP 400, AccessDeniedException). moto 5.2.5 evaluates IAM for Secrets Manager against resource "*"
 * only (no resource-level decision), so this is the way to deny one secret while the others stay readable. It also
 * throttles the first `throttleFirst` DescribeSecret calls of another secret as AWS does (HTTP 400,
 * ThrottlingException), and counts them.
 */
async function startDenyingProxy(
    target: string,
    deniedSecretName: string,
    throttled: { secretName: string; throttleFirst: number },
): Promise<{ endpoint: string; close: () => Promise<void>; throttledResponses: () => number }> {
    let throttledResponses = 0;
    const port = await freePort();
    const upstream = new URL(target);
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const body = Buffer.concat(chunks);
            const action = String(req.headers["x-amz-target"] ?? "");
            let secretId: unknown;
            try {
                secretId = (JSON.parse(body.toString() || "{}") as { SecretId?: unknown }).SecretId;
            } catch {
                secretId = undefined;
            }
            if (action === "secretsmanager.DescribeSecret" && secretId === throttled.secretName && throttledResponses < throttled.throttleFirst) {
                throttledResponses++;
                res.writeHead(400, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": "ThrottlingException" });
                res.end(JSON.stringify({ __type: "ThrottlingException", Message: "Rate exceeded" }));
                return;
            }
            if (action.startsWith("secretsmanager.") && secretId === deniedSecretName) {
                const op = action.split(".")[1];
                res.writeHead(400, { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": "AccessDeniedException" });
                res.end(
                    JSON.stringify({
                        __type: "AccessDeniedException",
                        Message: `User: arn:aws:sts::123456789012:assumed-role/status/cli is not authorized to perform: secretsmanager:${op} on resource: ${deniedSecretName} with an explicit deny in a resource-based policy`,
                    }),
                );
                return;
            }
            const fwd = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
                res.writeHead(up.statusCode ?? 502, up.headers);
                up.pipe(res);
            });
            fwd.end(body);
        });
    });
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
    return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())), throttledResponses: () => throttledResponses };
}

describe("npm run status against moto", function () {
    let moto: MotoServer;
    let proxy: Awaited<ReturnType<typeof startDenyingProxy>>;
    let model: EnvironmentModel;
    let report: StatusReport;
    let run: { status: number; stdout: string; stderr: string };
    const at = new Date(Date.now() + 45 * DAY);
    const picked: Record<string, PlannedSecret> = {};
    const statusOf = (key: string): SecretStatus => {
        const s = report.secrets.find((x) => x.catalogName === picked[key].entry.name);
        assert.ok(s, `the report lists ${picked[key].entry.name}`);
        return s;
    };

    before(async function () {
        model = planEnvironment(parseEnvironmentConfig(readStackFile(PROJECT_DIR, "dev")), loadCatalog(path.join(PROJECT_DIR, "catalog")));
        const lambda = model.secrets.filter((s) => !s.slotOf && STRATEGIES[s.entry.rotation.strategy].runner === "lambda");
        const long = lambda.filter((s) => s.entry.rotation.days >= 60 && s.entry.rotation.strategy !== "vendor-api");
        const manual = model.secrets.filter((s) => STRATEGIES[s.entry.rotation.strategy].runner === "person");
        [picked.healthy, picked.stuck, picked.missing, picked.denied, picked.disabled] = long;
        picked.overdue = lambda.find((s) => s.entry.rotation.days === 30)!;
        picked.alarmed = lambda.find((s) => s.entry.rotation.strategy === "vendor-api" && s.entry.rotation.days > 45)!;
        [picked.expiring, picked.expired, picked.untagged] = manual;
        for (const [k, v] of Object.entries(picked)) assert.ok(v, `the dev catalog has a secret for the '${k}' state`);

        moto = await startMoto();
        const client = { endpoint: moto.endpoint, region: model.config.region, credentials: { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY } };
        const sm = new SecretsManagerClient(client);
        const fakeValue = () => JSON.stringify({ value: ["seeded", "at", String(Date.now())].join("-") });
        const expiresAt: Record<string, string> = { [picked.expiring.entry.name]: isoDay(new Date(at.getTime() + 3 * DAY)), [picked.expired.entry.name]: isoDay(new Date(at.getTime() - 2 * DAY)) };
        await mapBounded(model.secrets, 8, async (s) => {
            if (s === picked.missing) return;
            const tags = { ...s.tags } as Record<string, string>;
            if (STRATEGIES[s.entry.rotation.strategy].runner === "person" && s !== picked.untagged) tags[TAG.expiresAt] = expiresAt[s.entry.name] ?? isoDay(new Date(at.getTime() + 200 * DAY));
            await sm.send(new CreateSecretCommand({ Name: s.fullName, SecretString: fakeValue(), Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
            // Without a Lambda ARN moto completes the rotation itself: AWSCURRENT moves and LastRotatedDate is set.
            if (!s.slotOf && STRATEGIES[s.entry.rotation.strategy].runner === "lambda" && s !== picked.disabled) {
                await sm.send(new RotateSecretCommand({ SecretId: s.fullName, RotationRules: { AutomaticallyAfterDays: s.entry.rotation.days } }));
            }
        });
        // A rotation whose createSecret step ran and whose finishSecret never did.
        await sm.send(new PutSecretValueCommand({ SecretId: picked.stuck.fullName, SecretString: fakeValue(), VersionStages: ["AWSPENDING"] }));
        sm.destroy();

        const cw = new CloudWatchClient(client);
        const fn = rotationFunctionName(model.config.namePrefix, "vendor-api");
        await cw.send(
            new PutMetricAlarmCommand({
                AlarmName: `${fn}-errors`,
                Namespace: "AWS/Lambda",
                MetricName: "Errors",
                Dimensions: [{ Name: "FunctionName", Value: fn }],
                Statistic: "Sum",
                Period: 300,
                EvaluationPeriods: 1,
                Threshold: 1,
                ComparisonOperator: "GreaterThanOrEqualToThreshold",
            }),
        );
        await cw.send(new SetAlarmStateCommand({ AlarmName: `${fn}-errors`, StateValue: "ALARM", StateReason: "seeded by the test" }));
        cw.destroy();

        proxy = await startDenyingProxy(moto.endpoint, picked.denied.fullName, { secretName: picked.healthy.fullName, throttleFirst: 3 });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "status-"));
        const json = path.join(dir, "status.json");
        run = await runStatus(["--stack", "dev", "--at", at.toISOString(), "--json", json], { ...FAKE_AWS_ENV, AWS_ENDPOINT_URL: proxy.endpoint });
        assert.ok(fs.existsSync(json), `status wrote no JSON (exit ${run.status}):\n${run.stderr}\n${run.stdout}`);
        report = JSON.parse(fs.readFileSync(json, "utf8")) as StatusReport;
        fs.rmSync(dir, { recursive: true, force: true });
    });
    after(async () => {
        await proxy?.close();
        await moto?.stop();
    });

    it("lists every planned secret of the environment, the denied one included, and exits 1", () => {
        assert.equal(report.secrets.length, model.secrets.length);
        assert.deepEqual(report.secrets.map((s) => s.fullName).sort(), model.secrets.map((s) => s.fullName).sort());
        assert.equal(run.status, 1);
        assert.deepEqual(report.summary, {
            now: report.secrets.filter((s) => s.urgency === "now").length,
            soon: report.secrets.filter((s) => s.urgency === "soon").length,
            ok: report.secrets.filter((s) => s.urgency === "ok").length,
        });
    });

    it("a secret rotated on schedule is ok, with its last rotation, next due date and a succeeded result", () => {
        const s = statusOf("healthy");
        assert.equal(s.urgency, "ok", JSON.stringify(s.findings));
        assert.equal(s.lastResult, "succeeded");
        assert.equal(s.strategy, picked.healthy.entry.rotation.strategy);
        assert.equal(s.periodDays, picked.healthy.entry.rotation.days);
        assert.equal(s.lastRotated, isoDay(new Date()));
        assert.equal(s.nextDue, isoDay(new Date(Date.now() + s.periodDays * DAY)));
    });

    it("a secret whose reads AWS throttles is retried with backoff and still assessed", () => {
        assert.equal(proxy.throttledResponses(), 3, "the proxy throttled the healthy secret's first three DescribeSecret calls");
        assert.equal(statusOf("healthy").urgency, "ok");
        assert.equal(statusOf("healthy").lastResult, "succeeded");
    });

    it("shows a progress line when stdout is a terminal", async () => {
        // `script` gives the command a pseudo-terminal, as a person's shell would.
        const cmd = [process.execPath, "--import", "tsx", path.join(PROJECT_DIR, "tools", "status.ts"), "--stack", "dev", "--at", at.toISOString()].map((a) => `'${a}'`).join(" ");
        const res = await new Promise<{ out: string; code: number | null }>((resolve) => {
            const child = spawn("script", ["-qec", cmd, "/dev/null"], { cwd: PROJECT_DIR, env: { ...process.env, ...FAKE_AWS_ENV, AWS_ENDPOINT_URL: proxy.endpoint } });
            let out = "";
            child.stdout.on("data", (c: Buffer) => (out += c.toString()));
            child.on("close", (code) => resolve({ out, code }));
        });
        assert.equal(res.code, 1);
        assert.match(res.out, new RegExp(`Reading ${model.secrets.length}/${model.secrets.length} secrets`));
        assert.match(res.out, /NEEDS ACTION NOW \(/);
    });

    it("a 30-day secret last rotated 45 days before --at is overdue and needs action now", () => {
        const s = statusOf("overdue");
        assert.equal(s.urgency, "now");
        assert.ok(s.findings.some((f) => /^overdue: last rotated .* due every 30 days/.test(f.message)), JSON.stringify(s.findings));
    });

    it("a version left in AWSPENDING longer than a rotation run is a failed rotation that needs action now", () => {
        const s = statusOf("stuck");
        assert.equal(s.lastResult, "stuck-pending");
        assert.equal(s.urgency, "now");
        assert.ok(s.findings.some((f) => /AWSPENDING since .* longer than one rotation run \(240 min\)/.test(f.message)), JSON.stringify(s.findings));
    });

    it("a Lambda-rotated secret whose rotation is not enabled needs action now", () => {
        const s = statusOf("disabled");
        assert.equal(s.urgency, "now");
        assert.ok(s.findings.some((f) => /rotation is not enabled/.test(f.message)));
    });

    it("a manual secret expiring within the warning days needs action soon and shows its expires-at", () => {
        const s = statusOf("expiring");
        assert.equal(s.urgency, "soon", JSON.stringify(s.findings));
        assert.equal(s.expiresAt, isoDay(new Date(at.getTime() + 3 * DAY)));
        assert.ok(s.findings.some((f) => /expires in [34] day\(s\)/.test(f.message)), JSON.stringify(s.findings));
    });

    it("an expired manual secret needs action now, and one without expires-at needs it soon", () => {
        assert.equal(statusOf("expired").urgency, "now");
        assert.ok(statusOf("expired").findings.some((f) => /^expired on /.test(f.message)));
        assert.equal(statusOf("untagged").urgency, "soon");
        assert.ok(statusOf("untagged").findings.some((f) => /has no expires-at tag/.test(f.message)));
    });

    it("a planned secret with no container in AWS is reported missing", () => {
        const s = statusOf("missing");
        assert.equal(s.urgency, "now");
        assert.equal(s.lastResult, "unknown");
        assert.ok(s.findings.some((f) => f.message.startsWith(`no secret named ${picked.missing.fullName} exists`)));
    });

    it("access denied on one secret is reported for that secret while its neighbours are still read", () => {
        const s = statusOf("denied");
        assert.equal(s.urgency, "now");
        assert.ok(s.findings.some((f) => /^access denied reading .*AccessDeniedException/.test(f.message)), JSON.stringify(s.findings));
        const denied = report.secrets.filter((x) => x.findings.some((f) => f.message.startsWith("access denied")));
        assert.deepEqual(denied.map((x) => x.catalogName), [picked.denied.entry.name]);
    });

    it("an alarm in ALARM on a rotation function shows on every secret that function rotates, and only there", () => {
        const fnAlarm = `${rotationFunctionName(model.config.namePrefix, "vendor-api")}-errors`;
        const withAlarm = report.secrets.filter((s) => s.alarms.includes(fnAlarm)).map((s) => s.catalogName).sort();
        const vendor = model.secrets.filter((s) => s.entry.rotation.strategy === "vendor-api").map((s) => s.entry.name).sort();
        assert.deepEqual(withAlarm, vendor);
        assert.equal(statusOf("alarmed").urgency, "now");
    });

    it("prints groups in the order now, soon, ok with findings under each secret, says the cluster check was skipped, and shows no progress when not on a terminal", () => {
        const iNow = run.stdout.indexOf("NEEDS ACTION NOW (");
        const iSoon = run.stdout.indexOf("NEEDS ACTION SOON (");
        const iOk = run.stdout.indexOf("\nOK (");
        assert.ok(iNow >= 0 && iNow < iSoon && iSoon < iOk, run.stdout.slice(0, 400));
        assert.match(run.stdout, new RegExp(`${picked.missing.fullName}.*\\n\\s+- no secret named`));
        assert.match(run.stdout, /Skipped: ExternalSecret conditions: no --kubeconfig given/);
        assert.doesNotMatch(run.stdout + run.stderr, /Reading \d+\/\d+ secrets/);
    });

    it("exits 2 with the usage for an unknown stack or a bad --at", async () => {
        const bad = await runStatus(["--stack", "qa"], {});
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /Unknown stack 'qa'; the stacks are dev, staging, prod\./);
        const badAt = await runStatus(["--stack", "dev", "--at", "tomorrow"], {});
        assert.equal(badAt.status, 2);
        assert.match(badAt.stderr, /--at 'tomorrow' is not a date/);
    });
});

describe("status query pacing", () => {
    it("retries a throttled call with backoff and gives up after the attempt limit", async () => {
        let calls = 0;
        const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
        const value = await withBackoff(async () => {
            if (++calls < 3) throw throttled;
            return "read";
        }, 5, 1);
        assert.equal(value, "read");
        assert.equal(calls, 3);
        calls = 0;
        await assert.rejects(
            withBackoff(async () => {
                calls++;
                throw throttled;
            }, 4, 1),
            /Rate exceeded/,
        );
        assert.equal(calls, 4);
    });

    it("does not retry an error that is not throttling", async () => {
        let calls = 0;
        await assert.rejects(withBackoff(async () => {
            calls++;
            throw Object.assign(new Error("gone"), { name: "ResourceNotFoundException" });
        }, 5, 1));
        assert.equal(calls, 1);
    });

    it("keeps at most the given number of calls in flight and the input order", async () => {
        let inFlight = 0;
        let peak = 0;
        const out = await mapBounded(Array.from({ length: 40 }, (_, i) => i), 5, async (i) => {
            peak = Math.max(peak, ++inFlight);
            await new Promise((r) => setTimeout(r, 2));
            inFlight--;
            return i * 2;
        });
        assert.equal(peak, 5);
        assert.deepEqual(out, Array.from({ length: 40 }, (_, i) => i * 2));
    });
});
