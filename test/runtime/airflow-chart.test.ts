// The prod plan's Airflow values rendered by Helm (tools/test-env/helm.sh) with the official chart's own 1.18.0
// templates, and the pods they describe run through the plan's admission policies by Kubernetes' own plugin: what the
// chart would really create in the cluster, not what our values say they mean.
import { strict as assert } from "assert";
import * as path from "path";
import * as YAML from "yaml";
import { AIRFLOW_CHART, AIRFLOW_INTERNAL_SECRETS, AIRFLOW_MIGRATION_JOB, TASK_LAUNCHER_ROLE, TASK_LOG_READER_ROLE } from "../../components/airflow";
import { LOCAL_SETTINGS_CONFIGMAP, METADATA_DB_SECRET, TASK_CONFIG_CONFIGMAP } from "../../components/airflow-task-pod";
import { JOB_CONTROLLER, REPLICASET_CONTROLLER, serviceAccountUsername, STATEFULSET_CONTROLLER } from "../../components/admission-policies";
import { ESO_NAMESPACE } from "../../components/external-secrets";
import { isAirflowTaskWorkload } from "../../components/airflow-patterns";
import { catalogForEnvironment, loadCatalog } from "../../model/catalog";
import { AIRFLOW_RELEASE } from "../../stacks/runtime";
import { admit } from "../support/admission-engine";
import { airflowChartOrSkip, helmTemplate } from "../support/helm";
import { planReport, PROJECT_DIR } from "../support/plan-cli";

type Json = Record<string, any>;
const STACK = "prod";
const catalog = catalogForEnvironment(loadCatalog(path.join(PROJECT_DIR, "catalog")), STACK);
const core = catalog.workloads.filter((w) => w.type === "airflow-core");
const CORE_NAMESPACE = core[0].namespace;
const taskNamespaces = [...new Set(catalog.workloads.filter(isAirflowTaskWorkload).map((w) => w.namespace))].sort();

/** The pod spec inside a workload object, and who creates its pods. */
function podsOf(manifests: Json[]): { owner: string; pod: Json; creator: string }[] {
    const creators: Record<string, string> = { Deployment: REPLICASET_CONTROLLER, StatefulSet: STATEFULSET_CONTROLLER, Job: JOB_CONTROLLER };
    return manifests
        .filter((m) => m.kind in creators)
        .map((m) => ({
            owner: `${m.kind}/${m.metadata.name}`,
            creator: creators[m.kind],
            pod: { apiVersion: "v1", kind: "Pod", metadata: { ...m.spec.template.metadata, name: `${m.metadata.name}-0`, namespace: m.metadata.namespace ?? CORE_NAMESPACE }, spec: m.spec.template.spec },
        }));
}

/** Every Secret a pod spec names: env secretKeyRefs, envFrom, secret and projected volumes. */
function secretNames(spec: Json): string[] {
    const names = new Set<string>();
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
        for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) names.add(e.valueFrom.secretKeyRef.name);
        for (const e of c.envFrom ?? []) if (e.secretRef) names.add(e.secretRef.name);
    }
    for (const v of spec.volumes ?? []) {
        if (v.secret) names.add(v.secret.secretName);
        for (const s of v.projected?.sources ?? []) if (s.secret) names.add(s.secret.name);
    }
    return [...names].sort();
}

/** Every ConfigMap a pod spec names. */
function configMapNames(spec: Json): string[] {
    const names = new Set<string>();
    for (const c of spec.containers ?? []) for (const e of c.envFrom ?? []) if (e.configMapRef) names.add(e.configMapRef.name);
    for (const v of spec.volumes ?? []) if (v.configMap) names.add(v.configMap.name);
    return [...names].sort();
}

describe(`Airflow chart ${AIRFLOW_CHART.version}: the ${STACK} plan's values rendered by helm template`, function () {
    this.timeout(600_000);
    let values: Json;
    let manifests: Json[] = [];
    let planned: Json[] = [];
    /** Kubernetes Secrets the plan makes exist, by namespace: ESO targets. */
    const syncedSecrets = new Map<string, Set<string>>();

    before(function () {
        // The pinned package is not in the repository (test/support/helm.ts says where it is looked up): without it
        // the suite is skipped, saying why; an altered copy fails it.
        const chart = airflowChartOrSkip(this);
        const report = planReport(STACK);
        planned = report.resources.map((r) => ({ type: r.type, ...(r.inputs as Json) }));
        const release = planned.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.chart === AIRFLOW_CHART.chart)!;
        assert.equal(release.version, AIRFLOW_CHART.version);
        values = release.values;
        manifests = helmTemplate(chart, AIRFLOW_RELEASE, release.namespace, values);
        for (const es of planned.filter((r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret")) {
            const ns = es.metadata.namespace;
            if (!syncedSecrets.has(ns)) syncedSecrets.set(ns, new Set());
            syncedSecrets.get(ns)!.add(es.spec.target?.name ?? es.metadata.name);
        }
    });

    const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);
    const airflowCfg = (): string => byKind("ConfigMap").find((m) => m.metadata.name === `${AIRFLOW_RELEASE}-config`)!.data["airflow.cfg"];
    const cfgValue = (section: string, key: string): string | undefined => {
        const body = airflowCfg().split(/^\[/m).find((s) => s.startsWith(`${section}]`));
        return body?.match(new RegExp(`^${key} = (.*)$`, "m"))?.[1];
    };

    it("creates no default user: no create-user Job, and the only Job is the database migration", () => {
        const jobs = byKind("Job").map((j) => j.metadata.name);
        assert.deepEqual(jobs, [`${AIRFLOW_RELEASE}-run-airflow-migrations`]);
        assert.ok(!manifests.some((m) => /create-user/.test(m.metadata?.name ?? "")), "a create-user object was rendered");
    });

    it("runs the KubernetesExecutor: scheduler, webserver and triggerer only, no Celery worker, Redis, Flower or bundled Postgres", () => {
        assert.equal(cfgValue("core", "executor"), "KubernetesExecutor");
        const workloads = [...byKind("Deployment"), ...byKind("StatefulSet")].map((m) => m.metadata.name).sort();
        assert.deepEqual(workloads, [`${AIRFLOW_RELEASE}-scheduler`, `${AIRFLOW_RELEASE}-statsd`, `${AIRFLOW_RELEASE}-triggerer`, `${AIRFLOW_RELEASE}-webserver`]);
    });

    it("launches tasks into exactly the plan's task namespaces, from our base task pod template", () => {
        assert.equal(cfgValue("kubernetes_executor", "multi_namespace_mode"), "True");
        assert.deepEqual(cfgValue("kubernetes_executor", "multi_namespace_mode_namespace_list")?.split(","), taskNamespaces);
        const template = byKind("ConfigMap").find((m) => m.metadata.name === `${AIRFLOW_RELEASE}-config`)!.data["pod_template_file.yaml"];
        assert.deepEqual(YAML.parse(template), YAML.parse(values.podTemplate));
        // The chart passes the file through `tpl` and a `|-` block: with no `{{` in it, only the final newline goes.
        assert.ok(!values.airflowLocalSettings.includes("{{"), "airflow_local_settings.py contains '{{', which the chart's tpl would template");
        assert.equal(byKind("ConfigMap").find((m) => m.metadata.name === `${AIRFLOW_RELEASE}-config`)!.data["airflow_local_settings.py"], values.airflowLocalSettings.trimEnd());
    });

    it("creates no RBAC and nothing outside Airflow's namespace: the scheduler's pod rights come only from the plan's per-namespace Roles", () => {
        for (const kind of ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"]) assert.deepEqual(byKind(kind).map((m) => m.metadata.name), [], `the chart rendered a ${kind}`);
        const elsewhere = manifests.filter((m) => m.metadata.namespace && m.metadata.namespace !== CORE_NAMESPACE);
        assert.deepEqual(elsewhere.map((m) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`), []);
        for (const ns of taskNamespaces) {
            const roles = planned.filter((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role" && r.metadata.namespace === ns).map((r) => r.metadata.name).sort();
            for (const role of [TASK_LAUNCHER_ROLE, TASK_LOG_READER_ROLE]) assert.ok(roles.includes(role), `task namespace ${ns} has no Role ${role}: ${roles}`);
        }
    });

    it("runs each core component and the migration Job as its own pre-created service account, and creates no secret of its own", () => {
        const sa = (name: string) => [...byKind("Deployment"), ...byKind("StatefulSet")].find((m) => m.metadata.name === `${AIRFLOW_RELEASE}-${name}`)!.spec.template.spec.serviceAccountName;
        for (const component of ["scheduler", "webserver", "triggerer"]) {
            assert.equal(sa(component), core.find((w) => w.id === `airflow-${component}`)!.serviceAccount);
        }
        const migration = byKind("Job").find((m) => m.metadata.name === `${AIRFLOW_RELEASE}-run-airflow-migrations`)!;
        assert.equal(migration.spec.template.spec.serviceAccountName, core.find((w) => w.id === AIRFLOW_MIGRATION_JOB.workloadId)!.serviceAccount);
        assert.equal(migration.spec.template.metadata.labels.component, AIRFLOW_MIGRATION_JOB.podComponent);
        const created = byKind("ServiceAccount").map((m) => m.metadata.name);
        for (const w of core) assert.ok(!created.includes(w.serviceAccount), `the chart creates ${w.serviceAccount}, which the plan's WorkloadIdentity owns`);
        // Every value comes from Secrets Manager through ESO; a chart-generated Secret would be a value made by IaC.
        assert.deepEqual(byKind("Secret").map((m) => m.metadata.name), []);
    });

    it("references only Secrets the plan syncs into Airflow's namespace", () => {
        const synced = syncedSecrets.get(CORE_NAMESPACE) ?? new Set();
        const expected = Object.values(AIRFLOW_INTERNAL_SECRETS).map((s) => s.secretName).sort();
        for (const { owner, pod } of podsOf(manifests)) {
            for (const name of secretNames(pod.spec)) assert.ok(synced.has(name), `${owner} references Secret ${name}, which no ExternalSecret of the plan creates in ${CORE_NAMESPACE}`);
        }
        const scheduler = podsOf(manifests).find((p) => p.owner === `Deployment/${AIRFLOW_RELEASE}-scheduler`)!;
        assert.deepEqual(secretNames(scheduler.pod.spec), expected);
    });

    it("gives every task namespace what the rendered task pod template names: its ConfigMaps and the metadata DB Secret", () => {
        const template = YAML.parse(byKind("ConfigMap").find((m) => m.metadata.name === `${AIRFLOW_RELEASE}-config`)!.data["pod_template_file.yaml"]);
        assert.deepEqual(secretNames(template.spec), [METADATA_DB_SECRET.name]);
        assert.deepEqual(configMapNames(template.spec), [LOCAL_SETTINGS_CONFIGMAP, TASK_CONFIG_CONFIGMAP].sort());
        for (const ns of taskNamespaces) {
            const configMaps = planned.filter((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.metadata.namespace === ns).map((r) => r.metadata.name);
            for (const name of configMapNames(template.spec)) assert.ok(configMaps.includes(name), `task namespace ${ns} has no ConfigMap ${name}`);
            assert.ok(syncedSecrets.get(ns)?.has(METADATA_DB_SECRET.name), `task namespace ${ns} has no ExternalSecret for ${METADATA_DB_SECRET.name}`);
        }
    });

    it("admits every pod the chart renders, the migration Job's included, and refuses the migration account to any other creator or labels", () => {
        const objects = [
            ...[...new Set([...catalog.workloads.map((w) => w.namespace), ESO_NAMESPACE, "kube-system"])].map((name) => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "kubernetes.io/metadata.name": name } } })),
            ...planned.filter((r) => r.type === "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy" || r.type === "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding").map(({ type: _t, ...o }) => o),
        ];
        const pods = podsOf(manifests);
        assert.deepEqual(pods.map((p) => p.owner).sort(), [
            `Deployment/${AIRFLOW_RELEASE}-scheduler`,
            `Deployment/${AIRFLOW_RELEASE}-statsd`,
            `Deployment/${AIRFLOW_RELEASE}-webserver`,
            `Job/${AIRFLOW_RELEASE}-run-airflow-migrations`,
            `StatefulSet/${AIRFLOW_RELEASE}-triggerer`,
        ].sort());
        const migration = pods.find((p) => p.owner === `Job/${AIRFLOW_RELEASE}-run-airflow-migrations`)!;
        // The migration pod names exactly Airflow's three internal Secrets, which its catalog entry consumes.
        assert.deepEqual(secretNames(migration.pod.spec), Object.values(AIRFLOW_INTERNAL_SECRETS).map((s) => s.secretName).sort());
        const decisions = admit(objects, pods.map((p) => ({ operation: "CREATE" as const, object: p.pod, user: { username: p.creator } })));
        const denied = pods.map((p, i) => ({ owner: p.owner, ...decisions[i] })).filter((d) => !d.allowed);
        assert.deepEqual(denied, []);

        // The same engine refuses the migration account elsewhere: a pod with the migration labels created by a
        // ReplicaSet, the same pod created by a task account, and a pod of the migration account without its labels.
        const relabelled = { ...migration.pod, metadata: { ...migration.pod.metadata, labels: { ...migration.pod.metadata.labels, component: "scheduler" } } };
        const escalations = admit(objects, [
            { operation: "CREATE", object: migration.pod, user: { username: REPLICASET_CONTROLLER } },
            { operation: "CREATE", object: migration.pod, user: { username: serviceAccountUsername(taskNamespaces[1], "default") } },
            { operation: "CREATE", object: relabelled, user: { username: JOB_CONTROLLER } },
        ]);
        const migrationAccount = migration.pod.spec.serviceAccountName;
        for (const [i, d] of escalations.entries()) {
            assert.equal(d.allowed, false, `escalation ${i} was admitted: ${JSON.stringify(d)}`);
            assert.match(d.message ?? "", new RegExp(`finledger-pod-identity.*${migrationAccount}`), `escalation ${i}: ${d.message}`);
        }
        // And a core identity's pod created by someone else (the check can fail).
        const scheduler = pods.find((p) => p.owner === `Deployment/${AIRFLOW_RELEASE}-scheduler`)!;
        const [impostor] = admit(objects, [{ operation: "CREATE", object: scheduler.pod, user: { username: serviceAccountUsername(taskNamespaces[1], "default") } }]);
        assert.equal(impostor.allowed, false);
    });
});
