// `npm run status -- --kubeconfig <file>`: the cluster half. The real command runs against moto for AWS and a loopback
// stand-in for the Kubernetes API that holds the dev plan's ExternalSecrets with seeded statuses (ready, not ready with
// a reason, missing, stale, a namespace the token may not list); then the kubeconfig's failure modes.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { loadCatalog } from "../../model/catalog";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { planEnvironment } from "../../model/environment";
import { maxTaskFileAgeSeconds } from "../../model/rollout";
import { planRefreshTargets } from "../../stacks/refresh";
import { connectKube } from "../../tools/preflight/kube";
import { assessExternalSecret, ExpectedExternalSecret, expectedExternalSecrets, ExternalSecretStatus } from "../../tools/status/external-secrets";
import { KubeconfigError, readKubeconfig } from "../../tools/status/kubeconfig";
import { statusExitCode, StatusReport } from "../../tools/status/report";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";
import { PROJECT_DIR } from "../support/plan-cli";

// A bearer token for the stand-in only, built at run time.
const TOKEN = ["loopback", "only", "bearer"].join("-");
const MINUTE = 60_000;

function runStatus(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "tools", "status.ts"), ...args], { cwd: PROJECT_DIR, env: { ...process.env, ...env } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ status: code ?? -1, stdout, stderr }));
    });
}

/** A kubeconfig with one context; `user` is the user entry's body. */
function writeKubeconfig(dir: string, server: string, user: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
    const file = path.join(dir, `kubeconfig-${fs.readdirSync(dir).length}.json`);
    const doc = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "fl-dev-data", cluster: { server } }],
        contexts: [{ name: "dev", context: { cluster: "fl-dev-data", user: "status" } }],
        users: [{ name: "status", user }],
        "current-context": "dev",
        ...extra,
    };
    // JSON is YAML; kubectl reads both.
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
}

/** The exec plugin users of `aws eks update-kubeconfig` have, standing in for `aws eks get-token`: prints an ExecCredential. */
function execUser(token: string): Record<string, unknown> {
    const script = `process.stdout.write(JSON.stringify({apiVersion:"client.authentication.k8s.io/v1beta1",kind:"ExecCredential",status:{token:process.env.STAND_IN_TOKEN}}))`;
    return { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: process.execPath, args: ["-e", script], env: [{ name: "STAND_IN_TOKEN", value: token }] } };
}

interface StandIn {
    readonly url: string;
    readonly paths: string[];
    close(): Promise<void>;
}

/** A loopback Kubernetes API: /version, and GET lists of ExternalSecrets per namespace; 401 for another token. */
async function kubeStandIn(objectsByNamespace: Map<string, any[]>, forbidden: Set<string>): Promise<StandIn> {
    const paths: string[] = [];
    const server = http.createServer((req, res) => {
        paths.push(`${req.method} ${req.url}`);
        const send = (status: number, body: unknown) => {
            res.writeHead(status, { "Content-Type": "application/json" });
            res.end(JSON.stringify(body));
        };
        if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { kind: "Status", status: "Failure", message: "Unauthorized", code: 401 });
        if (req.method !== "GET") return send(405, { kind: "Status", code: 405 });
        if (req.url === "/version") return send(200, { major: "1", minor: "31", gitVersion: "v1.31.4-eks" });
        const m = /^\/apis\/external-secrets\.io\/v1\/namespaces\/([^/]+)\/externalsecrets$/.exec(req.url ?? "");
        if (!m) return send(404, { kind: "Status", code: 404 });
        const ns = decodeURIComponent(m[1]);
        if (forbidden.has(ns)) return send(403, { kind: "Status", status: "Failure", message: `externalsecrets.external-secrets.io is forbidden: cannot list resource "externalsecrets" in the namespace "${ns}"`, code: 403 });
        send(200, { apiVersion: "external-secrets.io/v1", kind: "ExternalSecretList", items: objectsByNamespace.get(ns) ?? [] });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, paths, close: () => new Promise((r) => server.close(() => r())) };
}

/** An ExternalSecret as ESO reports it: a Ready condition and the last successful refresh. */
function observed(e: ExpectedExternalSecret, ready: { status: string; reason: string; message: string }, refreshTime?: Date): any {
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: e.name, namespace: e.namespace },
        status: { conditions: [{ type: "Ready", ...ready, lastTransitionTime: new Date(Date.now() - 90 * MINUTE).toISOString() }], ...(refreshTime ? { refreshTime: refreshTime.toISOString() } : {}) },
    };
}
const SYNCED = { status: "True", reason: "SecretSynced", message: "secret synced" };
const FAILING = { status: "False", reason: "SecretSyncedError", message: "could not get secret data from provider" };

describe("npm run status --kubeconfig: ExternalSecret conditions from the cluster", function () {
    const model = planEnvironment(parseEnvironmentConfig(readStackFile(PROJECT_DIR, "dev")), loadCatalog(path.join(PROJECT_DIR, "catalog")));
    const expected = expectedExternalSecrets(planRefreshTargets(model.catalog, (n) => model.secretsByName.get(n)?.fullName));
    const staleAfter = maxTaskFileAgeSeconds(model.rollout);
    const at = new Date();
    const byNs = (ns: string) => expected.filter((e) => e.namespace === ns);
    const namespaces = [...new Set(expected.map((e) => e.namespace))];
    // Seeded states, each on a different ExternalSecret of the dev plan.
    const dbt = byNs("dbt");
    const picked = { notReady: dbt[0], missing: dbt[1], stale: dbt[2], healthy: dbt[3] };
    const forbiddenNs = namespaces.find((ns) => ns !== "dbt" && byNs(ns).length > 0)!;

    let moto: MotoServer;
    let api: StandIn;
    let dir: string;
    let run: { status: number; stdout: string; stderr: string };
    let report: StatusReport;
    const esOf = (e: ExpectedExternalSecret): ExternalSecretStatus => report.externalSecrets!.find((x) => x.namespace === e.namespace && x.name === e.name)!;

    before(async function () {
        for (const [k, v] of Object.entries(picked)) assert.ok(v, `the dev plan has a dbt ExternalSecret for the '${k}' state`);
        const objects = new Map<string, any[]>();
        for (const e of expected) {
            if (e === picked.missing) continue;
            const obj = e === picked.notReady ? observed(e, FAILING, new Date(at.getTime() - 3 * MINUTE)) : e === picked.stale ? observed(e, SYNCED, new Date(at.getTime() - (staleAfter + 600) * 1000)) : observed(e, SYNCED, new Date(at.getTime() - 2 * MINUTE));
            objects.set(e.namespace, [...(objects.get(e.namespace) ?? []), obj]);
        }
        api = await kubeStandIn(objects, new Set([forbiddenNs]));
        moto = await startMoto();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "status-kube-"));
        const json = path.join(dir, "status.json");
        run = await runStatus(["--stack", "dev", "--at", at.toISOString(), "--json", json, "--kubeconfig", writeKubeconfig(dir, api.url, execUser(TOKEN))], { ...FAKE_AWS_ENV, AWS_ENDPOINT_URL: moto.endpoint });
        assert.ok(fs.existsSync(json), `status wrote no JSON (exit ${run.status}):\n${run.stderr}\n${run.stdout}`);
        report = JSON.parse(fs.readFileSync(json, "utf8"));
    });

    after(async () => {
        await api?.close();
        await moto?.stop();
        if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("lists every ExternalSecret the dev plan creates, reading each namespace with one GET and the exec plugin's token", () => {
        assert.equal(report.externalSecrets!.length, expected.length);
        assert.ok(expected.length > 40);
        assert.deepEqual(api.paths.filter((p) => p.includes("externalsecrets")).sort(), namespaces.map((ns) => `GET /apis/external-secrets.io/v1/namespaces/${ns}/externalsecrets`).sort());
        assert.ok(api.paths.every((p) => p.startsWith("GET ")), "status only reads");
        assert.ok(!report.skipped.some((s) => s.startsWith("ExternalSecret conditions")), "the cluster check was not skipped");
    });

    it("a synced ExternalSecret is ok with its Ready condition and last sync time", () => {
        const s = esOf(picked.healthy);
        assert.deepEqual([s.state, s.urgency, s.ready, s.reason], ["ready", "ok", "True", "SecretSynced"]);
        assert.equal(s.lastSync, new Date(at.getTime() - 2 * MINUTE).toISOString());
        assert.equal(s.secret, picked.healthy.secret);
        assert.match(s.secret, /^(dev|AmazonMSK_dev)\//);
    });

    it("a not-ready ExternalSecret needs action now and shows ESO's reason and message", () => {
        const s = esOf(picked.notReady);
        assert.deepEqual([s.state, s.urgency, s.ready, s.reason], ["not-ready", "now", "False", "SecretSyncedError"]);
        assert.match(run.stdout, new RegExp(`NOW   dbt/${picked.notReady.name}  not-ready  ready=False`));
        assert.match(run.stdout, /is not ready: Ready is False \(SecretSyncedError: could not get secret data from provider\)/);
    });

    it("a planned ExternalSecret absent from the cluster is missing and needs action now", () => {
        const s = esOf(picked.missing);
        assert.deepEqual([s.state, s.urgency], ["missing", "now"]);
        assert.match(s.finding!, new RegExp(`ExternalSecret dbt/${picked.missing.name} does not exist, so nothing syncs ${picked.missing.secret.replace(/[/.]/g, "\\$&")} there`));
    });

    it("an ExternalSecret whose last sync is older than the file age tasks accept is stale and needs action now", () => {
        const s = esOf(picked.stale);
        assert.deepEqual([s.state, s.urgency, s.ready], ["stale", "now", "True"]);
        assert.match(s.finding!, new RegExp(`${staleAfter + 600} s ago, more than the ${staleAfter} s tasks accept`));
    });

    it("a namespace the token may not list is reported per ExternalSecret as unreadable, and the others are still assessed", () => {
        for (const e of byNs(forbiddenNs)) {
            const s = esOf(e);
            assert.deepEqual([s.state, s.urgency], ["unreadable", "soon"]);
            assert.match(s.finding!, /HTTP 403: externalsecrets\.external-secrets\.io is forbidden/);
        }
        const others = report.externalSecrets!.filter((e) => e.namespace !== forbiddenNs && e.namespace !== "dbt");
        assert.ok(others.length > 0 && others.every((e) => e.state === "ready"));
    });

    it("prints the ExternalSecret count line and exits 1", () => {
        const now = 3;
        const soon = byNs(forbiddenNs).length;
        assert.match(run.stdout, new RegExp(`ExternalSecrets \\(${expected.length}\\): ${now} need action now, ${soon} soon, ${expected.length - now - soon} ok\\.`));
        assert.equal(run.status, 1);
    });

    it("an ExternalSecret that needs action now makes the exit status 1 even when every secret is ok", () => {
        const none = { summary: { now: 0, soon: 0, ok: 1 } };
        assert.equal(statusExitCode({ ...none, externalSecrets: [esOf(picked.healthy)] }), 0);
        assert.equal(statusExitCode({ ...none, externalSecrets: [esOf(picked.healthy), esOf(picked.stale)] }), 1);
        assert.equal(statusExitCode(none), 0);
    });

    it("an ExternalSecret that is Ready but never reported a refresh time needs a look soon", () => {
        const s = assessExternalSecret(picked.healthy, { items: [observed(picked.healthy, SYNCED)] }, at, staleAfter);
        assert.deepEqual([s.state, s.urgency], ["never-synced", "soon"]);
    });
});

describe("npm run status --kubeconfig: kubeconfig errors", function () {
    let dir: string;
    let api: StandIn;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
        api = await kubeStandIn(new Map(), new Set());
    });
    after(async () => {
        await api?.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("exits 2, naming the file, for a kubeconfig that does not exist", async () => {
        const missing = path.join(dir, "nope.yaml");
        const res = await runStatus(["--stack", "dev", "--kubeconfig", missing], { ...FAKE_AWS_ENV, AWS_ENDPOINT_URL: "http://127.0.0.1:9" });
        assert.equal(res.status, 2);
        assert.match(res.stderr, new RegExp(`--kubeconfig ${missing.replace(/[/.]/g, "\\$&")}: cannot read it \\(ENOENT\\)`));
    });

    it("refuses a file that is not a kubeconfig, one with no current context, a context naming no cluster, a client-certificate user and a user with no credential", () => {
        const notYaml = path.join(dir, "bad.yaml");
        fs.writeFileSync(notYaml, "kind: [unclosed");
        assert.throws(() => readKubeconfig(notYaml), (e: unknown) => e instanceof KubeconfigError && /is not YAML/.test((e as Error).message));
        const other = path.join(dir, "other.yaml");
        fs.writeFileSync(other, "apiVersion: v1\nkind: Pod\n");
        assert.throws(() => readKubeconfig(other), /is not a kubeconfig \(kind is 'Pod', expected 'Config'\)/);
        assert.throws(() => readKubeconfig(writeKubeconfig(dir, api.url, { token: TOKEN }, { "current-context": undefined })), /has no 'current-context'; set one with `kubectl config use-context <name>`/);
        assert.throws(
            () => readKubeconfig(writeKubeconfig(dir, api.url, { token: TOKEN }, { contexts: [{ name: "dev", context: { cluster: "gone", user: "status" } }] })),
            /the current context needs the cluster 'gone', but 'clusters' has no entry of that name/,
        );
        const certUser = { ["client-certificate-data"]: Buffer.from("not a certificate").toString("base64"), ["client-key-data"]: Buffer.from("not a key").toString("base64") };
        assert.throws(() => readKubeconfig(writeKubeconfig(dir, api.url, certUser)), /authenticates with a client certificate, which status does not support; use a token or an exec plugin/);
        assert.throws(() => readKubeconfig(writeKubeconfig(dir, api.url, {})), /user 'status' has no token, tokenFile or exec plugin/);
    });

    it("reports an exec plugin that fails or prints no token", () => {
        assert.throws(() => readKubeconfig(writeKubeconfig(dir, api.url, { exec: { command: path.join(dir, "no-such-aws") } })), /the user's exec plugin '.*no-such-aws' failed/);
        assert.throws(() => readKubeconfig(writeKubeconfig(dir, api.url, { exec: { command: process.execPath, args: ["-e", "process.stdout.write('{}')"] } })), /printed no ExecCredential with status.token/);
    });

    it("reads a static token, a token file and a CA file, relative to the kubeconfig", () => {
        fs.writeFileSync(path.join(dir, "token"), `${TOKEN}\n`);
        fs.writeFileSync(path.join(dir, "ca.pem"), "placeholder CA bytes");
        const file = writeKubeconfig(dir, api.url, { tokenFile: "token" }, { clusters: [{ name: "fl-dev-data", cluster: { server: api.url, "certificate-authority": "ca.pem" } }] });
        assert.deepEqual(readKubeconfig(file), { server: api.url, caBase64: Buffer.from("placeholder CA bytes").toString("base64"), token: TOKEN });
        assert.equal(readKubeconfig(writeKubeconfig(dir, api.url, { token: TOKEN })).token, TOKEN);
    });

    it("says why the cluster could not be checked when the token is refused or the server does not answer", async () => {
        const refused = await connectKube(readKubeconfig(writeKubeconfig(dir, api.url, { token: "another" })));
        assert.ok("unreachable" in refused && /refused the token \(HTTP 401\)/.test(refused.unreachable));
        const down = await connectKube({ ...readKubeconfig(writeKubeconfig(dir, "http://127.0.0.1:9", { token: TOKEN })), timeoutMs: 2000 });
        assert.ok("unreachable" in down && /127\.0\.0\.1:9/.test(down.unreachable));
    });
});
