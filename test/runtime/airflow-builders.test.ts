// The pure Airflow builders (connection views, task pod, RBAC, chart values, alerts) and, for every domain of the prod
// plan, that its task pod finds everything it needs in its own namespace. The real-Airflow behaviour of the same
// objects is in test/runtime/airflow-files.test.ts.
import { strict as assert } from "assert";
import * as YAML from "yaml";
import { buildAirflowHelmValues, buildTaskNamespaceRbac } from "../../components/airflow";
import { airflowConnectionFromSecret, connectionFileTemplate } from "../../components/airflow-connections";
import { airflowConnectionTemplate } from "../../model/secret-kinds";
import { SECRETS_MODULE_FILE } from "../../components/airflow-local-settings";
import { buildBaseTaskPod, buildTaskPodOverride, LOCAL_SETTINGS_CONFIGMAP, LOCAL_SETTINGS_KEY, METADATA_DB_SECRET, SECRET_FILES_DIR, TASK_CONFIG_CONFIGMAP } from "../../components/airflow-task-pod";
import { buildAirflowFileAlerts } from "../../components/eso-alert-rules";
import { planReport } from "../support/plan-cli";

describe("Airflow connection files: a stored secret as an Airflow Connection", () => {
    it("maps a Postgres user secret (as the alternating-users rotation writes it) to a postgres connection", () => {
        const stored = { engine: "postgres", host: "db.example", port: 5432, dbname: "ledger", username: "app_b", password: "p", masterarn: "arn:m" };
        assert.deepEqual(airflowConnectionFromSecret("postgres-password", stored), { conn_type: "postgres", host: "db.example", port: 5432, schema: "ledger", login: "app_b", password: "p" });
    });

    it("maps a Snowflake key pair to login, base64 private_key_content and its extras, and drops the fingerprint", () => {
        const stored = { account: "acme-x1", user: "LOADER", privateKey: "pem", publicKeyFingerprint: "SHA256:x", warehouse: "WH" };
        assert.deepEqual(airflowConnectionFromSecret("snowflake-keypair", stored), {
            conn_type: "snowflake",
            login: "LOADER",
            extra: { account: "acme-x1", private_key_content: Buffer.from("pem").toString("base64"), warehouse: "WH" },
        });
    });

    it("maps a Datadog token to a datadog connection and a hand-set token to an http connection with the token as password", () => {
        const dd = { vendor: "datadog", apiUrl: "https://api.example", apiKey: "k", apiKeyId: "i", appKey: "a", supersedesTokenId: "old" };
        assert.deepEqual(airflowConnectionFromSecret("api-token", dd), { conn_type: "datadog", host: "https://api.example", extra: { api_host: "https://api.example", api_key: "k", app_key: "a" } });
        assert.deepEqual(airflowConnectionFromSecret("api-token", { token: "t", host: "https://x.example" }), { conn_type: "http", host: "https://x.example", password: "t" });
    });

    it("refuses a kind that has no connection mapping, naming the secret and the kinds that do", () => {
        assert.throws(() => connectionFileTemplate("kafka-scram", "k", "airflow/connections/k"), /Secret 'airflow\/connections\/k' is an Airflow connection of kind 'kafka-scram', which has no connection mapping; use one of postgres-password, /);
    });

    it("renders the connection file template from the kind's mapping in model/secret-kinds.ts, reading every mapped field", () => {
        const t = connectionFileTemplate("postgres-password", "pg_x");
        assert.equal(t, airflowConnectionTemplate("postgres-password", "pg_x"));
        for (const prop of ["host", "port", "dbname", "username", "password"]) assert.match(t, new RegExp(`\\.${prop}\\b`));
        assert.match(t, /^\{"pg_x":\{"conn_type":"postgres"/);
        assert.doesNotMatch(t, /masterarn/, "rotation bookkeeping never reaches the task file");
    });
});

describe("Airflow task pods, RBAC and chart values", () => {
    const files = [{ type: "connections" as const, id: "pg_x", kubernetesSecret: "airflow-connections-pg-x" }];

    it("mounts the secret files read-only from a projected (memory-backed) volume, one optional source per id", () => {
        const pod = buildTaskPodOverride({ namespace: "airflow-p", serviceAccount: "p-tasks", workloadId: "airflow-p", files }) as any;
        assert.equal(pod.metadata.namespace, "airflow-p");
        assert.equal(pod.spec.serviceAccountName, "p-tasks");
        assert.deepEqual(pod.spec.containers[0].volumeMounts, [{ name: pod.spec.volumes[0].name, mountPath: SECRET_FILES_DIR, readOnly: true }]);
        assert.equal(pod.spec.volumes[0].projected.defaultMode, 0o440);
        assert.deepEqual(pod.spec.volumes[0].projected.sources[0].secret, {
            name: "airflow-connections-pg-x",
            optional: true,
            items: [
                { key: "value.json", path: "connections/pg_x.json" },
                { key: "synced-at", path: "connections/pg_x.synced-at" },
            ],
        });
    });

    it("gives every task the metadata DB and the local settings but no fernet key and no Kubernetes API token", () => {
        const base = buildBaseTaskPod("apache/airflow:2.11.0") as any;
        const c = base.spec.containers[0];
        assert.equal(base.spec.automountServiceAccountToken, false);
        assert.deepEqual(c.env.map((e: any) => e.name), ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]);
        assert.doesNotMatch(JSON.stringify(base), /FERNET/i);
        assert.deepEqual(c.volumeMounts.map((m: any) => m.subPath).sort(), [LOCAL_SETTINGS_KEY, SECRETS_MODULE_FILE].sort());
    });

    it("lets the scheduler manage pods in a task namespace but never exec into them or read Secrets", () => {
        const rbac = buildTaskNamespaceRbac("airflow", { scheduler: "airflow-scheduler", webserver: "airflow-webserver" });
        const rules = rbac.flatMap((r) => r.role.rules);
        assert.ok(rules.some((r) => r.resources.includes("pods") && r.verbs.includes("create")));
        for (const r of rules) {
            assert.ok(!r.resources.includes("pods/exec") && !r.resources.includes("secrets") && !r.resources.includes("serviceaccounts/token"), JSON.stringify(r));
            assert.ok(!r.verbs.includes("*") && !r.resources.includes("*"), JSON.stringify(r));
        }
        assert.deepEqual(rbac[0].bindings[0].subjects, [{ kind: "ServiceAccount", name: "airflow-scheduler", namespace: "airflow" }]);
    });

    it("turns off the chart's cluster-wide RBAC and its default admin user, runs the migration Job as its own pre-created account, and ships our base pod template", () => {
        const v = buildAirflowHelmValues({
            namespace: "airflow",
            serviceAccounts: { scheduler: "s", webserver: "w", triggerer: "t", worker: "k", migrations: "m" },
            backendEnv: {},
            taskNamespaces: ["airflow"],
            secretsCacheTtlSeconds: 60,
            localSettings: "# s",
        }) as any;
        assert.equal(v.multiNamespaceMode, false);
        assert.equal(v.rbac.create, false);
        assert.equal(v.webserver.defaultUser.enabled, false);
        assert.deepEqual(v.migrateDatabaseJob.serviceAccount, { create: false, name: "m" }, "the migration Job must run as its pre-created account, not one the chart creates");
        assert.deepEqual(YAML.parse(v.podTemplate).spec.containers[0].envFrom, [{ configMapRef: { name: TASK_CONFIG_CONFIGMAP } }]);
    });

    it("alerts per domain when a task file's ExternalSecret is not Ready or has not synced within the accepted age", () => {
        const [notReady, stale] = buildAirflowFileAlerts("prod", ["airflow-b", "airflow-a"], 1320);
        assert.match(notReady.expr, /status="False",namespace=~"airflow-a\|airflow-b"/);
        assert.match(stale.expr, /increase\(externalsecret_sync_calls_total\{namespace=~"airflow-a\|airflow-b"\}\[1320s\]\)/);
        assert.deepEqual(buildAirflowFileAlerts("prod", [], 1320), []);
    });
});

describe("Airflow task pods in the prod plan", () => {
    it("every domain's task pod finds its config, local settings, metadata DB and each secret file in its own namespace", () => {
        const report = planReport("prod");
        const inputs = (type: string) => report.resources.filter((r) => r.type === type).map((r) => r.inputs as any);
        const release = inputs("kubernetes:helm.sh/v3:Release").find((r) => r.chart === "airflow");
        const groups = JSON.parse(/GROUPS = json\.loads\(r"""(.*)"""\)/.exec(release.values.airflowLocalSettings)![1]);
        const all = [groups.default, ...Object.values(groups.domains)] as any[];
        assert.ok(all.length >= 11, `only ${all.length} task groups`);
        const externalSecrets = inputs("kubernetes:external-secrets.io/v1:ExternalSecret");
        const configMaps = inputs("kubernetes:core/v1:ConfigMap");
        for (const g of all) {
            const ns = g.namespace;
            const es = new Map(externalSecrets.filter((e) => e.metadata.namespace === ns).map((e) => [e.spec.target.name, e]));
            assert.ok(es.has(METADATA_DB_SECRET.name), `${ns} lacks ${METADATA_DB_SECRET.name}`);
            for (const name of [TASK_CONFIG_CONFIGMAP, LOCAL_SETTINGS_CONFIGMAP]) assert.ok(configMaps.some((c) => c.metadata.namespace === ns && c.metadata.name === name), `${ns} lacks ConfigMap ${name}`);
            for (const source of g.podOverride.spec.volumes[0].projected.sources) {
                const e = es.get(source.secret.name);
                assert.ok(e, `${ns}: no ExternalSecret renders ${source.secret.name}`);
                // A domain has one identity; the core namespace reads through the first core consumer's store.
                if (g !== groups.default) assert.equal(e.spec.secretStoreRef.name, g.serviceAccount, `${ns}: ${source.secret.name} is not read through the domain's own store`);
            }
            const config = configMaps.find((c) => c.metadata.namespace === ns && c.metadata.name === TASK_CONFIG_CONFIGMAP).data;
            const managed = new RegExp(config.AIRFLOW__FINLEDGER__MANAGED_CONNECTIONS_PATTERN);
            for (const source of g.podOverride.spec.volumes[0].projected.sources.filter((s: any) => s.secret.items[0].path.startsWith("connections/"))) {
                assert.match(source.secret.items[0].path.slice("connections/".length, -".json".length), managed, `${ns}: a file's id is not guarded`);
            }
        }
    });
});
