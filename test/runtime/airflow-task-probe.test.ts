// The per-domain task latency probe as the prod plan emits it: its pod is a task pod of the domain (admitted by the
// real admission engine as the Job controller creates it), its script run by the real Airflow 2.11 (test venv) with the
// plan's env, local settings and secret files times the file reads and sends the figure over StatsD (a UDP socket
// here), and its alerts, evaluated by Prometheus' own engine, fire above the target and when a domain stops reporting.
import { strict as assert } from "assert";
import { spawn } from "child_process";
import { randomBytes } from "crypto";
import * as dgram from "dgram";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { AIRFLOW_HOME, LOCAL_SETTINGS_CONFIGMAP, TASK_CONFIG_CONFIGMAP } from "../../components/airflow-task-pod";
import { TASK_PROBE_CRONJOB, TASK_RETRIEVAL_METRIC, TASK_RETRIEVAL_PROM_METRIC, TASK_RETRIEVAL_TARGET_MS } from "../../components/airflow-task-probe";
import { isAirflowTaskWorkload } from "../../components/airflow-patterns";
import { ESO_NAMESPACE } from "../../components/external-secrets";
import { catalogForEnvironment, loadCatalog } from "../../model/catalog";
import { admit } from "../support/admission-engine";
import { freePort, VENV } from "../support/moto";
import { planReport, PROJECT_DIR } from "../support/plan-cli";
import { promqlCheck } from "../support/promql";

type Json = Record<string, any>;
const STACK = "prod";
const DOMAIN = "airflow-payments";
const catalog = catalogForEnvironment(loadCatalog(path.join(PROJECT_DIR, "catalog")), STACK);
const domains = catalog.workloads.filter((w) => isAirflowTaskWorkload(w) && w.namespace !== catalog.workloads.find((c) => c.id === "airflow-scheduler")!.namespace);
const JOB_CONTROLLER = "system:serviceaccount:kube-system:job-controller";

/** Runs a command, collecting its output, with a time limit. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        const child = spawn(cmd, args, { env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
        child.on("close", (status) => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr });
        });
    });
}

describe("Airflow task latency probe: a task pod of each domain timing its secret reads", function () {
    this.timeout(600_000);
    let planned: Json[] = [];
    const cronJob = (ns: string): Json => planned.find((r) => r.type === "kubernetes:batch/v1:CronJob" && r.metadata.namespace === ns && r.metadata.name === TASK_PROBE_CRONJOB)!;

    before(() => {
        planned = planReport(STACK).resources.map((r) => ({ type: r.type, ...(r.inputs as Json) }));
    });

    it("runs in every domain namespace as the domain's task account, with the domain's task pod (env, local settings, secret files)", () => {
        const payments = domains.find((w) => w.id === DOMAIN)!;
        const taskOverride = JSON.parse(
            planned.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.metadata.namespace === payments.namespace && r.metadata.name === LOCAL_SETTINGS_CONFIGMAP)!.data["airflow_local_settings.py"].match(/GROUPS = json\.loads\(r"""(.*)"""\)/)[1],
        ).domains.payments.podOverride;
        for (const w of domains) {
            const job = cronJob(w.namespace);
            assert.ok(job, `no ${TASK_PROBE_CRONJOB} CronJob in ${w.namespace}`);
            const spec = job.spec.jobTemplate.spec.template.spec;
            assert.equal(spec.serviceAccountName, w.serviceAccount);
            assert.equal(spec.automountServiceAccountToken, false);
            const c = spec.containers[0];
            assert.deepEqual(c.envFrom, [{ configMapRef: { name: TASK_CONFIG_CONFIGMAP } }]);
            if (w.id === DOMAIN) {
                // The same secret-file volume and mount as the task pod the cluster policy forces on the domain's tasks.
                assert.deepEqual(spec.volumes.find((v: Json) => v.projected), taskOverride.spec.volumes[0]);
                assert.deepEqual(c.volumeMounts.find((m: Json) => m.mountPath === taskOverride.spec.containers[0].volumeMounts[0].mountPath), taskOverride.spec.containers[0].volumeMounts[0]);
            }
        }
        assert.equal(domains.length, planned.filter((r) => r.type === "kubernetes:batch/v1:CronJob" && r.metadata.name === TASK_PROBE_CRONJOB).length);
    });

    it("is admitted by the plan's admission policies in each domain namespace, and refused as another domain's account", () => {
        const objects = [
            ...[...new Set([...catalog.workloads.map((w) => w.namespace), ESO_NAMESPACE, "kube-system"])].map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "kubernetes.io/metadata.name": name } } })),
            ...planned.filter((r) => /ValidatingAdmissionPolicy/.test(r.type)).map(({ type: _t, ...o }) => o),
        ];
        const pods = domains.map((w) => {
            const t = cronJob(w.namespace).spec.jobTemplate.spec.template;
            return { apiVersion: "v1", kind: "Pod", metadata: { ...t.metadata, name: `${TASK_PROBE_CRONJOB}-1`, namespace: w.namespace }, spec: t.spec };
        });
        const decisions = admit(objects, pods.map((object) => ({ operation: "CREATE" as const, object, user: { username: JOB_CONTROLLER } })));
        assert.deepEqual(decisions.filter((d) => !d.allowed), []);
        const [other] = domains.filter((w) => w.id !== DOMAIN);
        const mine = pods[domains.findIndex((w) => w.id === DOMAIN)];
        const swapped = { ...mine, spec: { ...mine.spec, serviceAccountName: other.serviceAccount } };
        const [denied] = admit(objects, [{ operation: "CREATE", object: swapped, user: { username: JOB_CONTROLLER } }]);
        assert.equal(denied.allowed, false);
    });

    describe("the probe script, run by the real Airflow with the plan's payments pod", () => {
        let home: string;
        let env: NodeJS.ProcessEnv;
        let args: string[];
        let connection: string;
        const rebase = (p: string) => p.split(`${AIRFLOW_HOME}/`).join(`${home}/`);

        before(async () => {
            const job = cronJob(DOMAIN);
            const container = job.spec.jobTemplate.spec.template.spec.containers[0];
            home = fs.mkdtempSync(path.join(os.tmpdir(), "task-probe-"));
            const cm = (name: string) => planned.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.metadata.namespace === DOMAIN && r.metadata.name === name)!.data as Record<string, string>;
            fs.mkdirSync(path.join(home, "config"), { recursive: true });
            for (const [file, body] of Object.entries(cm(LOCAL_SETTINGS_CONFIGMAP))) fs.writeFileSync(path.join(home, "config", file), body);
            const direct = Object.fromEntries((container.env as Json[]).filter((e) => "value" in e).map((e) => [e.name, rebase(e.value)]));
            connection = direct.FINLEDGER_PROBE_CONNECTION;
            const variable = direct.FINLEDGER_PROBE_VARIABLE;
            assert.ok(connection && variable, "the payments probe should read one connection and one variable");
            // What ESO renders and the kubelet projects: fake values built here, each with a fresh sync stamp.
            const secrets = path.join(home, "secrets", "finledger");
            const write = (kind: string, id: string, value: unknown) => {
                fs.mkdirSync(path.join(secrets, kind), { recursive: true });
                fs.writeFileSync(path.join(secrets, kind, `${id}.json`), JSON.stringify({ [id]: value }), { mode: 0o440 });
                fs.writeFileSync(path.join(secrets, kind, `${id}.synced-at`), String(Math.floor(Date.now() / 1000)), { mode: 0o440 });
            };
            write("connections", connection, { conn_type: "postgres", host: "db.internal.example", login: "probe", password: randomBytes(12).toString("hex"), port: 5432 });
            write("variables", variable, randomBytes(8).toString("hex"));
            const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_") && !k.startsWith("AIRFLOW")));
            env = {
                ...inherited,
                ...Object.fromEntries(Object.entries(cm(TASK_CONFIG_CONFIGMAP)).map(([k, v]) => [k, rebase(v)])),
                ...direct,
                AIRFLOW_HOME: home,
                AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(home, "airflow.db")}`,
                // Any AWS call would fail here: nothing listens on this port.
                AWS_ENDPOINT_URL: `http://127.0.0.1:${await freePort()}`,
                AWS_DEFAULT_REGION: "us-east-1",
            };
            args = container.command.slice(1);
            assert.equal(container.command[0], "python");
        });

        async function probe(): Promise<{ status: number | null; stdout: string; stderr: string; packets: string[] }> {
            const socket = dgram.createSocket("udp4");
            const packets: string[] = [];
            socket.on("message", (m) => packets.push(m.toString()));
            await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
            const res = await run(path.join(VENV, "bin", "python"), args, { ...env, FINLEDGER_PROBE_STATSD: `127.0.0.1:${socket.address().port}` });
            await new Promise((r) => setTimeout(r, 200));
            socket.close();
            return { ...res, packets };
        }

        it("reads the connection and the variable from the files and sends the time as a StatsD timer tagged with the domain", async () => {
            const figures: number[] = [];
            const startups: number[] = [];
            for (let i = 0; i < 3; i++) {
                const res = await probe();
                assert.equal(res.status, 0, res.stderr.slice(-3000));
                const out = JSON.parse(res.stdout.trim().split("\n").pop()!);
                assert.equal(out.domain, "payments");
                assert.equal(res.packets.length, 1);
                assert.match(res.packets[0], new RegExp(`^${TASK_RETRIEVAL_METRIC.replace(".", "\\.")}:(\\d+\\.\\d{3})\\|ms\\|#domain:payments$`));
                assert.equal(Number(res.packets[0].split(":")[1].split("|")[0]), out.ms);
                assert.ok(!/botocore|amazonaws/i.test(res.stderr), "the probe touched the AWS SDK");
                figures.push(out.ms);
                startups.push(out.startupMs);
            }
            figures.sort((a, b) => a - b);
            console.log(`      measured here: retrieval ${figures.map((f) => f.toFixed(2)).join(", ")} ms (median ${figures[1].toFixed(2)} ms; target ${TASK_RETRIEVAL_TARGET_MS} ms) after Airflow start-up ${startups.map((f) => f.toFixed(0)).join(", ")} ms`);
        });

        it("fails, naming the connection, and sends nothing when its file is older than a task accepts", async () => {
            fs.writeFileSync(path.join(home, "secrets", "finledger", "connections", `${connection}.synced-at`), String(Math.floor(Date.now() / 1000) - 10 * 86400));
            const res = await probe();
            assert.notEqual(res.status, 0);
            // Airflow logs the backend's refusal (to stdout, its console handler) and then finds no other copy.
            assert.match(res.stdout + res.stderr, new RegExp(`StaleSecretFileError: The connection '${connection}'.*last synced by External Secrets \\d+ s ago`));
            assert.match(res.stderr, new RegExp(`AirflowNotFoundException: The conn_id \`${connection}\` isn't defined`));
            assert.deepEqual(res.packets, []);
        });
    });

    describe("its alerts, evaluated by Prometheus' own engine on statsd-exporter's summary (seconds)", () => {
        let rules: Json[] = [];
        before(() => {
            const rule = planned.find((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule" && r.metadata.name === "finledger-airflow-task-latency")!;
            rules = rule.spec.groups[0].rules;
            assert.deepEqual(promqlCheck(YAML.stringify({ groups: rule.spec.groups })).errors, []);
        });
        const probes = (domain: string, seconds: number, minutes = 120) => {
            const count = Array.from({ length: minutes + 1 }, (_, m) => Math.floor(m / 5));
            return [`${TASK_RETRIEVAL_PROM_METRIC}_count{domain="${domain}"} ${count.join(" ")}`, `${TASK_RETRIEVAL_PROM_METRIC}_sum{domain="${domain}"} ${count.map((c) => (c * seconds).toFixed(4)).join(" ")}`];
        };
        const judge = (alert: string, series: string[]) => {
            const r = rules.find((x) => x.alert === alert)!;
            const forMin = Number(/^(\d+)m$/.exec(r.for)![1]);
            const times = Array.from({ length: forMin + 1 }, (_, i) => `${110 - forMin + i}m`);
            return promqlCheck("", [{ name: alert, interval: "1m", series, expr: r.expr, times }]).results.get(alert)!;
        };
        const firing = (res: { series: { labels: Record<string, string> }[] }[], domain: string) => res.every((i) => i.series.some((s) => s.labels.domain === domain));

        it("AirflowTaskSecretRetrievalSlow fires for a domain whose probe averages above the target, and not for one below it", () => {
            const res = judge("AirflowTaskSecretRetrievalSlow", [...probes("payments", (TASK_RETRIEVAL_TARGET_MS * 1.6) / 1000), ...probes("fraud", 0.005)]);
            assert.ok(firing(res, "payments"), JSON.stringify(res));
            assert.ok(res.every((i) => !i.series.some((s) => s.labels.domain === "fraud")), JSON.stringify(res));
        });

        it("AirflowTaskLatencyProbeSilent fires for a domain that stopped reporting, and not for one that reports", () => {
            const reporting = domains.map((w) => w.namespace.replace(/^airflow-/, "")).filter((d) => d !== "fraud");
            const res = judge("AirflowTaskLatencyProbeSilent", reporting.flatMap((d) => probes(d, 0.005)));
            assert.ok(firing(res, "fraud"), JSON.stringify(res));
            assert.ok(res.every((i) => i.series.every((s) => s.labels.domain === "fraud")), JSON.stringify(res));
        });
    });
});
