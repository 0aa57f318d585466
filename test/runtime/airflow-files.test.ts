// Airflow task files against real software: Airflow 2.11 (test venv) with the Kubernetes client, the dev plan's
// airflow_local_settings.py, base pod template, task ConfigMaps and ExternalSecrets. The cluster policy runs in
// Airflow's own DagBag; a task process starts with exactly the env, config files and secret files the plan's pod gives
// a domain (paths under /opt/airflow re-rooted to a temp dir, the metadata DB a local SQLite). Each file is rendered
// from the plan's ExternalSecret template by ESO's template engine (tools/eso-render); what stands in for the cluster
// is the kubelet's projection (we write the rendered keys with the volume's mode and paths).
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { createHash, generateKeyPairSync, randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { AIRFLOW_FILE_KEYS, airflowConnectionFromSecret, connectionVendorOf } from "../../components/airflow-connections";
import { AIRFLOW_HOME, LOCAL_SETTINGS_CONFIGMAP, LOCAL_SETTINGS_KEY, SECRET_FILES_MODE, TASK_CONFIG_CONFIGMAP } from "../../components/airflow-task-pod";
import { catalogForEnvironment, CatalogSecret, loadCatalog } from "../../model/catalog";
import { renderEsoTemplates } from "../support/eso-render";
import { extractJson } from "../support/eso-template";
import { exampleValue } from "../support/secret-values";
import { freePort, VENV } from "../support/moto";
import { planReport, PROJECT_DIR } from "../support/plan-cli";

const ENV = "dev";
const DOMAIN = "airflow-payments";
const OTHER = "airflow-fraud";
const K8S_CLIENT = path.join(PROJECT_DIR, ".cache", "airflow-k8s-client");
const sha256 = (v: string) => createHash("sha256").update(v).digest("hex");

type Json = Record<string, any>;

/** The Secrets Manager name an ExternalSecret reads (through `data` for a whole string, `dataFrom.extract` for JSON fields). */
function remoteKeyOf(es: Json): string | undefined {
    return es.spec.data?.[0]?.remoteRef.key ?? es.spec.dataFrom?.[0]?.extract?.key;
}

/** What ESO hands an ExternalSecret's templates for a stored value: the whole string, or each JSON field. */
function esoTemplateData(es: Json, raw: string): Record<string, string> {
    return es.spec.data?.[0] ? { [es.spec.data[0].secretKey]: raw } : extractJson(raw);
}

/** Runs test/python/airflow_task.py in a fresh process of the test venv. */
export function runAirflowTask(env: NodeJS.ProcessEnv, input: Json): Json {
    const res = spawnSync(path.join(VENV, "bin", "python"), [path.join(PROJECT_DIR, "test", "python", "airflow_task.py")], {
        env: { ...env, TASK_INPUT: JSON.stringify(input) },
        encoding: "utf8",
        timeout: 180_000,
    });
    assert.equal(res.status, 0, `airflow_task.py (${input.phase}) failed:\n${res.stderr.slice(-4000)}`);
    return JSON.parse(res.stdout.trim().split("\n").pop()!);
}

/** A fake stored value of a secret's kind, built at run time (never a real credential). */
function fakeStoredValue(secret: CatalogSecret): Json | string {
    const token = () => randomBytes(18).toString("base64url");
    const id = secret.name.split("/").pop()!;
    switch (secret.kind) {
        case "postgres-password":
            return { engine: "postgres", host: `${id}.db.internal.example`, port: 5432, dbname: "app", username: `${id}_a`, password: token(), masterarn: "arn:aws:secretsmanager:us-east-1:000000000000:secret:master" };
        case "snowflake-keypair": {
            const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
            return { account: "fl-test", user: id.toUpperCase(), privateKey: pem, publicKeyFingerprint: "SHA256:test", warehouse: "LOAD_WH", role: "LOADER" };
        }
        case "api-token":
            // A vendor with its own connection mapping stores that vendor's shape (model/secret-kinds.ts).
            return connectionVendorOf(secret) ? (exampleValue("api-token", connectionVendorOf(secret)) as Json) : { host: `https://${id}.api.example`, token: token() };
        case "basic-auth":
            return { host: `${id}.internal.example`, port: 8083, username: `svc_${id}`, password: token() };
        case "ssh-private-key":
            return { host: `${id}.sftp.example`, port: 22, username: "finledger", privateKey: ["-----BEGIN", "OPENSSH PRIVATE KEY-----", token(), "-----END", "OPENSSH PRIVATE KEY-----"].join(" ") };
        default:
            return token();
    }
}

describe("Airflow task files: a real Airflow task process with the plan's pod for a domain", function () {
    this.timeout(600_000);
    let home: string;
    let env: NodeJS.ProcessEnv;
    let values: Json;
    let groupsOf: (ns: string) => Json[];
    let podOverride: Json;
    let maxAge: number;
    const stored = new Map<string, Json | string>();
    const mine: CatalogSecret[] = [];
    let connIds: string[];
    let varKey: string;
    let otherConn: string;

    const planned = (type: string, ns: string) => planReport(ENV).resources.filter((r) => r.type === type && (r.inputs as any).metadata?.namespace === ns).map((r) => r.inputs as Json);
    const writeFile = (file: string, body: string, mode: number) => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, body, { mode });
        fs.chmodSync(file, mode);
    };
    const rebase = (p: string) => (p.startsWith(`${AIRFLOW_HOME}/`) ? path.join(home, p.slice(AIRFLOW_HOME.length + 1)) : p);
    const connFile = (id: string, suffix: string) => path.join(home, "secrets", "finledger", "connections", `${id}.${suffix}`);

    before(async function () {
        if (!fs.existsSync(K8S_CLIENT)) throw new Error(`${K8S_CLIENT} is missing; run bash tools/test-env/setup.sh.`);
        const report = planReport(ENV);
        const catalog = catalogForEnvironment(loadCatalog(path.join(PROJECT_DIR, "catalog")), ENV);
        const workload = catalog.workloads.find((w) => w.id === DOMAIN)!;
        mine.push(...catalog.secrets.filter((s) => s.consumers.includes(DOMAIN) && s.name.startsWith("airflow/")));
        connIds = mine.filter((s) => s.name.startsWith("airflow/connections/")).map((s) => s.name.split("/").pop()!).sort();
        varKey = mine.find((s) => s.name.startsWith("airflow/variables/"))!.name.split("/").pop()!;
        otherConn = catalog.secrets.find((s) => s.consumers.includes(OTHER) && !s.consumers.includes(DOMAIN) && s.name.startsWith("airflow/connections/"))!.name.split("/").pop()!;
        for (const s of mine) stored.set(s.name, fakeStoredValue(s));
        values = (report.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as any).chart === "airflow")!.inputs as Json).values;
        groupsOf = (ns) => planned("kubernetes:core/v1:ConfigMap", ns);
        home = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-files-"));

        // The cluster policy decides the pod: ask the real Airflow for the payments DAG's pod_override.
        const dags = path.join(home, "dags");
        const dag = (folder: string, file: string, override: string) =>
            writeFile(
                path.join(dags, folder, file),
                [
                    "import pendulum",
                    "from airflow import DAG",
                    "from airflow.operators.empty import EmptyOperator",
                    "from kubernetes.client import models as k8s",
                    `with DAG("${path.basename(file, ".py")}", start_date=pendulum.datetime(2026, 1, 1), schedule=None):`,
                    `    EmptyOperator(task_id="t", executor_config=${override})`,
                    "",
                ].join("\n"),
                0o644,
            );
        dag("payments", "payments_plain.py", "{}");
        dag("payments", "payments_with_resources.py", `{"pod_override": k8s.V1Pod(spec=k8s.V1PodSpec(containers=[k8s.V1Container(name="base", resources=k8s.V1ResourceRequirements(requests={"memory": "1Gi"}))]))}`);
        dag("payments", "payments_asks_fraud_namespace.py", `{"pod_override": k8s.V1Pod(metadata=k8s.V1ObjectMeta(namespace="airflow-fraud"))}`);
        dag("payments", "payments_asks_fraud_sa.py", `{"pod_override": k8s.V1Pod(spec=k8s.V1PodSpec(service_account_name="fraud-tasks", containers=[]))}`);
        dag("payments", "payments_asks_scheduler_sa.py", `{"pod_override": {"spec": {"serviceAccountName": "airflow-scheduler"}}}`);
        dag("fraud", "fraud_plain.py", "{}");
        const example = path.join(PROJECT_DIR, "examples", "airflow", "dags", "payments", "card_settlement_daily.py");
        writeFile(path.join(dags, "payments", path.basename(example)), fs.readFileSync(example, "utf8"), 0o644);
        dag(".", "platform_plain.py", "{}");
        fs.mkdirSync(path.join(home, "config"), { recursive: true });
        fs.writeFileSync(path.join(home, "config", LOCAL_SETTINGS_KEY), values.airflowLocalSettings);
        const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_") && !k.startsWith("AIRFLOW")));
        const unreachable = `http://127.0.0.1:${await freePort()}`;
        // What the EKS pod identity webhook injects into a pod with an IRSA service account, pointed at nothing:
        // a task that tried AWS would fail loudly instead of silently succeeding.
        const irsa = { AWS_ROLE_ARN: `arn:aws:iam::000000000000:role/fl-${ENV}-wl-${DOMAIN}`, AWS_WEB_IDENTITY_TOKEN_FILE: path.join(home, "token"), AWS_ENDPOINT_URL: unreachable, AWS_REGION: "us-east-1" };
        const schedulerEnv = { ...inherited, AIRFLOW_HOME: home, AIRFLOW__CORE__DAGS_FOLDER: dags, AIRFLOW__CORE__LOAD_EXAMPLES: "False", AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(home, "airflow.db")}`, PYTHONPATH: K8S_CLIENT };
        const migrate = spawnSync(path.join(VENV, "bin", "airflow"), ["db", "migrate"], { env: schedulerEnv, encoding: "utf8", timeout: 300_000 });
        assert.equal(migrate.status, 0, `airflow db migrate failed:\n${migrate.stderr.slice(-3000)}`);
        policy = runAirflowTask(schedulerEnv, {
            phase: "policy",
            dagsFolder: dags,
            mutationPods: {
                payments: { metadata: { name: "p", namespace: workload.namespace }, spec: { serviceAccountName: workload.serviceAccount, containers: [] } },
                paymentsNamespaceFraudSa: { metadata: { name: "p", namespace: workload.namespace }, spec: { serviceAccountName: "fraud-tasks", containers: [] } },
                schedulerSa: { metadata: { name: "p", namespace: "airflow" }, spec: { serviceAccountName: "airflow-scheduler", containers: [] } },
                esoNamespace: { metadata: { name: "p", namespace: "external-secrets" }, spec: { serviceAccountName: "external-secrets", containers: [] } },
            },
        });
        podOverride = policy.tasks["payments_plain.t"];
        assert.ok(podOverride, `the payments DAG loaded no task: ${JSON.stringify(policy.importErrors)}`);

        // Materialise the pod: the chart's base template with the forced override on top (disjoint names, so the
        // executor's merge is a concatenation), then every env var, envFrom and volume from the plan's objects.
        const base = YAML.parse(values.podTemplate);
        const ns = podOverride.metadata.namespace;
        const baseC = base.spec.containers[0];
        const overC = podOverride.spec.containers.find((c: Json) => c.name === "base");
        const container = { ...baseC, volumeMounts: [...baseC.volumeMounts, ...overC.volumeMounts] };
        const volumes: Json[] = [...base.spec.volumes, ...podOverride.spec.volumes];
        const configMaps = new Map(groupsOf(ns).map((c) => [c.metadata.name, c.data as Record<string, string>]));
        const externalSecrets = new Map(planned("kubernetes:external-secrets.io/v1:ExternalSecret", ns).map((e) => [e.spec.target.name, e]));
        assert.deepEqual(container.envFrom, [{ configMapRef: { name: TASK_CONFIG_CONFIGMAP } }]);
        assert.ok(volumes.some((v) => v.configMap?.name === LOCAL_SETTINGS_CONFIGMAP));
        assert.equal(configMaps.get(LOCAL_SETTINGS_CONFIGMAP)![LOCAL_SETTINGS_KEY], values.airflowLocalSettings, "tasks and core components run the same local settings");
        const taskEnv: Record<string, string> = {};
        for (const from of container.envFrom) Object.assign(taskEnv, configMaps.get(from.configMapRef.name));
        for (const e of container.env) {
            if (e.value !== undefined) taskEnv[e.name] = e.value;
            else if (e.valueFrom?.secretKeyRef && e.name === "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN") {
                assert.ok(externalSecrets.has(e.valueFrom.secretKeyRef.name), `${ns} has no ExternalSecret for ${e.valueFrom.secretKeyRef.name}`);
                taskEnv[e.name] = schedulerEnv.AIRFLOW__DATABASE__SQL_ALCHEMY_CONN; // the metadata DB stand-in
            } else assert.fail(`unhandled env ${JSON.stringify(e)}`);
        }
        for (const [k, v] of Object.entries(taskEnv)) taskEnv[k] = v.split(`${AIRFLOW_HOME}/`).join(`${home}/`);
        for (const mount of container.volumeMounts) {
            const volume = volumes.find((v) => v.name === mount.name)!;
            assert.equal(mount.readOnly, true, `${mount.name} is not mounted read-only`);
            if (volume.configMap) {
                const data = configMaps.get(volume.configMap.name)!;
                assert.ok(data, `${ns} has no ConfigMap ${volume.configMap.name}`);
                writeFile(rebase(mount.mountPath), data[mount.subPath], volume.configMap.defaultMode);
            } else if (volume.projected) {
                for (const source of volume.projected.sources) {
                    const es = externalSecrets.get(source.secret.name);
                    assert.ok(es, `${ns} has no ExternalSecret rendering ${source.secret.name}`);
                    const catalogName = remoteKeyOf(es)!.slice(`${ENV}/`.length);
                    const secret = mine.find((s) => s.name === catalogName);
                    if (!secret) continue; // not a payments secret we seeded (none expected)
                    const value = stored.get(catalogName)!;
                    const raw = typeof value === "string" ? value : JSON.stringify(value);
                    const rendered = renderEsoTemplates(es.spec.target.template.data, esoTemplateData(es, raw));
                    assert.ok(Math.abs(Number(rendered[AIRFLOW_FILE_KEYS.syncedAt]) - Date.now() / 1000) < 60, "the sync stamp is the render time");
                    for (const item of source.secret.items) writeFile(path.join(rebase(mount.mountPath), item.path), rendered[item.key], volume.projected.defaultMode);
                }
            } else assert.fail(`unhandled volume ${JSON.stringify(volume)}`);
        }
        maxAge = JSON.parse(taskEnv.AIRFLOW__SECRETS__BACKEND_KWARGS).max_age_seconds;
        env = { ...inherited, ...taskEnv, ...irsa, AIRFLOW_HOME: home, PYTHONPATH: `${taskEnv.PYTHONPATH}:${K8S_CLIENT}` };
    });

    after(() => {
        if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    let policy: Json;

    it("ESO's template engine renders every connection kind's file exactly as the pure mapping says", () => {
        const catalog = catalogForEnvironment(loadCatalog(path.join(PROJECT_DIR, "catalog")), ENV);
        const es = planReport(ENV).resources.filter((r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret").map((r) => r.inputs as Json);
        const seen = new Set<string>();
        for (const secret of catalog.secrets.filter((x) => x.name.startsWith("airflow/connections/"))) {
            if (seen.has(secret.kind)) continue;
            seen.add(secret.kind);
            const id = secret.name.split("/").pop()!;
            const e = es.find((x) => remoteKeyOf(x) === `${ENV}/${secret.name}`)!;
            const value = fakeStoredValue(secret) as Json;
            const rendered = renderEsoTemplates(e.spec.target.template.data, esoTemplateData(e, JSON.stringify(value)));
            assert.deepEqual(JSON.parse(rendered[AIRFLOW_FILE_KEYS.value]), { [id]: airflowConnectionFromSecret(secret.kind, value) }, secret.kind);
        }
        assert.deepEqual([...seen].sort(), ["api-token", "basic-auth", "postgres-password", "snowflake-keypair", "ssh-private-key"]);
    });

    it("the cluster policy forces the domain's namespace, service account and read-only secret files on its DAGs", () => {
        const catalog = catalogForEnvironment(loadCatalog(path.join(PROJECT_DIR, "catalog")), ENV);
        const [payments, fraud] = [DOMAIN, OTHER].map((id) => catalog.workloads.find((w) => w.id === id)!);
        for (const key of ["payments_plain.t", "payments_with_resources.t", "card_settlement_daily.load_settlements"]) {
            const pod = policy.tasks[key];
            assert.equal(pod.metadata.namespace, payments.namespace, key);
            assert.equal(pod.spec.serviceAccountName, payments.serviceAccount, key);
            const files = pod.spec.volumes.find((v: Json) => v.projected);
            assert.equal(files.projected.defaultMode, SECRET_FILES_MODE);
            assert.ok(files.projected.sources.every((s: Json) => s.secret.name.startsWith("airflow-")));
        }
        assert.deepEqual(policy.tasks["payments_with_resources.t"].spec.containers[0].resources, { requests: { memory: "1Gi" } }, "the DAG's own settings survive");
        assert.equal(policy.tasks["fraud_plain.t"].metadata.namespace, fraud.namespace);
        assert.equal(policy.tasks["fraud_plain.t"].spec.serviceAccountName, fraud.serviceAccount);
        assert.equal(policy.tasks["platform_plain.t"].metadata.namespace, "airflow", "a DAG outside every domain folder runs as the core worker");
        assert.equal(policy.tasks["platform_plain.t"].spec.serviceAccountName, "airflow-worker");
    });

    it("the cluster policy refuses a payments DAG that asks for another domain's namespace or service account, or a core one", () => {
        const errors = policy.importErrors as Record<string, string>;
        assert.match(errors["payments/payments_asks_fraud_namespace.py"], /has domain folder 'payments', so its tasks run only in namespace 'airflow-payments' as service account 'payments-tasks'.*asks for namespace 'airflow-fraud'/s);
        assert.match(errors["payments/payments_asks_fraud_sa.py"], /asks for service account 'fraud-tasks'/);
        assert.match(errors["payments/payments_asks_scheduler_sa.py"], /asks for service account 'airflow-scheduler'/);
        for (const refused of ["payments_asks_fraud_namespace.t", "payments_asks_fraud_sa.t", "payments_asks_scheduler_sa.t"]) assert.equal(policy.tasks[refused], undefined, `${refused} was loaded`);
        assert.equal(Object.keys(errors).length, 3, JSON.stringify(errors));
    });

    it("pod_mutation_hook refuses a pod whose service account is not its namespace's task account", () => {
        assert.equal(policy.mutationHook.payments, null);
        assert.match(policy.mutationHook.paymentsNamespaceFraudSa, /AirflowClusterPolicyViolation: .*namespace 'airflow-payments' as service account 'fraud-tasks'/);
        assert.match(policy.mutationHook.schedulerSa, /as service account 'airflow-scheduler'/);
        assert.match(policy.mutationHook.esoNamespace, /namespace 'external-secrets'/);
    });

    it("a task resolves its managed connections and variable from the files, with the AWS SDK never loaded", () => {
        const out = runAirflowTask(env, { phase: "task", connections: [...connIds, otherConn], variables: [varKey] });
        for (const id of connIds) {
            const got = out.lookups[`conn:${id}`];
            const secret = mine.find((s) => s.name === `airflow/connections/${id}`)!;
            const want = airflowConnectionFromSecret(secret.kind, stored.get(secret.name) as Json);
            assert.equal(got.error, undefined, `${id} did not resolve: ${out.log.join("\n")}`);
            assert.equal(got.conn_type, want.conn_type, id);
            assert.equal(got.login ?? undefined, want.login, id);
            assert.equal(got.host ?? undefined, want.host, id);
            assert.equal(got.password_sha256, sha256(want.password ?? ""), id);
            assert.deepEqual(got.extra_keys, Object.keys(want.extra ?? {}).sort(), id);
        }
        const pg = connIds.find((id) => mine.find((s) => s.name === `airflow/connections/${id}`)!.kind === "postgres-password")!;
        assert.equal(out.lookups[`conn:${pg}`].port, 5432);
        assert.equal(out.lookups[`conn:${pg}`].schema, "app");
        assert.equal(out.lookups[`var:${varKey}`].value_sha256, sha256(stored.get(`airflow/variables/${varKey}`) as string));
        assert.equal(out.lookups[`conn:${otherConn}`].error, "AirflowNotFoundException", "another domain's connection is not in this pod");
        assert.deepEqual(out.awsSdkLoaded, [], "a task that reads only files never loads boto3 or botocore");
        const ms = connIds.map((id) => out.lookups[`conn:${id}`].ms as number);
        console.log(`      ${connIds.length} connections from files: first ${ms[0].toFixed(1)} ms, median of the rest ${[...ms.slice(1)].sort((a, b) => a - b)[Math.floor((ms.length - 1) / 2)].toFixed(1)} ms`);
    });

    it("refuses a file whose sync stamp is older than the bound, naming the connection, and uses no copy", () => {
        const id = connIds[0];
        const stamp = connFile(id, "synced-at");
        const fresh = fs.readFileSync(stamp, "utf8");
        fs.chmodSync(stamp, 0o640);
        fs.writeFileSync(stamp, String(Math.floor(Date.now() / 1000) - maxAge - 60));
        try {
            const copy = { [`AIRFLOW_CONN_${id.toUpperCase()}`]: "generic://copy-login:copy@copy.example" };
            const out = runAirflowTask({ ...env, ...copy }, { phase: "task", connections: [id, connIds[1]], variables: [] });
            assert.equal(out.lookups[`conn:${id}`].error, "AirflowNotFoundException");
            const log = out.log.join("\n");
            assert.match(log, new RegExp(`StaleSecretFileError: The connection '${id}' in .*${id}\\.json was last synced by External Secrets \\d+ s ago, more than the ${maxAge} s`));
            assert.match(log, new RegExp(`connection '${id}' is managed by the FinLedger secrets platform; refusing the copy in EnvironmentVariablesBackend`));
            assert.equal(out.lookups[`conn:${connIds[1]}`].error, undefined, "a fresh file of the same domain still resolves");
        } finally {
            fs.writeFileSync(stamp, fresh);
        }
    });

    it("refuses env-var and metastore copies of a managed id whose file is missing, and keeps unmanaged ids working", () => {
        const id = connIds[1];
        const moved = connFile(id, "json");
        fs.renameSync(moved, `${moved}.away`);
        try {
            const copies = {
                [`AIRFLOW_CONN_${id.toUpperCase()}`]: "generic://copy-login:copy@copy.example",
                [`AIRFLOW_VAR_${varKey.toUpperCase()}`]: "env-copy",
                AIRFLOW_CONN_ADHOC_PROBE: "generic://adhoc:x@adhoc.example",
            };
            const out = runAirflowTask({ ...env, ...copies }, { phase: "task", connections: [id, "adhoc_probe"], variables: [varKey], seedMetastore: [id, "unused_key"] });
            assert.equal(out.lookups[`conn:${id}`].error, "AirflowNotFoundException");
            const log = out.log.join("\n");
            assert.match(log, new RegExp(`connection '${id}' is managed by the FinLedger secrets platform; refusing the copy in EnvironmentVariablesBackend`));
            assert.match(log, new RegExp(`connection '${id}' is managed by the FinLedger secrets platform; refusing the copy in MetastoreBackend`));
            assert.equal(out.lookups[`var:${varKey}`].error, undefined, "the variable's file is there and wins over the env copy");
            assert.equal(out.lookups[`var:${varKey}`].value_sha256, sha256(stored.get(`airflow/variables/${varKey}`) as string));
            assert.equal(out.lookups["conn:adhoc_probe"].login, "adhoc", "unmanaged ids keep Airflow's normal env-var path");
        } finally {
            fs.renameSync(`${moved}.away`, moved);
        }
    });
});
