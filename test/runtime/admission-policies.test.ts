// The cluster's admission policies, as the prod plan emits them, run by Kubernetes' own ValidatingAdmissionPolicy
// plugin (tools/admission-engine) against the pods the plan and the examples describe: the intended pods are allowed,
// and each escalation of issues 11 and 14 is denied with a message that names what is wrong.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { AIRFLOW_INTERNAL_SECRETS } from "../../components/airflow";
import { domainDagFolder } from "../../components/airflow-local-settings";
import { buildAdmissionPolicies, POD_IDENTITY_POLICY, REPLICASET_CONTROLLER, SECRET_ISOLATION_POLICY } from "../../components/admission-policies";
import { ESO_NAMESPACE, ESO_SERVICE_ACCOUNT, SECRET_OWNER_LABEL, SECRET_READERS_ANNOTATION } from "../../components/external-secrets";
import { TAG } from "../../model/names";
import { catalogForEnvironment, loadCatalog } from "../../model/catalog";
import { AIRFLOW_RELEASE, planAdmissionInputs } from "../../stacks/runtime";
import { admit, AdmissionDecision, PodRequest } from "../support/admission-engine";
import { planReport, PROJECT_DIR } from "../support/plan-cli";

const EXAMPLES = path.join(PROJECT_DIR, "examples");
const catalog = catalogForEnvironment(loadCatalog(path.join(PROJECT_DIR, "catalog")), "prod");
const workload = (id: string) => catalog.workloads.find((w) => w.id === id)!;
const scheduler = workload("airflow-scheduler");
const payments = workload("airflow-payments");
const risk = workload("airflow-risk");
const EXECUTOR = `system:serviceaccount:${scheduler.namespace}:${scheduler.serviceAccount}`;

type Pod = { apiVersion: "v1"; kind: "Pod"; metadata: Record<string, any>; spec: Record<string, any> };

function pod(namespace: string, name: string, spec: Record<string, any>, labels: Record<string, string> = {}): Pod {
    return { apiVersion: "v1", kind: "Pod", metadata: { name, namespace, labels }, spec: { containers: [{ name: "main", image: "busybox:1.37" }], ...spec } };
}

describe("Admission policies run by Kubernetes' ValidatingAdmissionPolicy plugin", function () {
    this.timeout(600_000);
    let objects: unknown[] = [];
    /** The Airflow release's values in the prod plan: the base task pod template and airflow_local_settings.py. */
    let airflowValues: { podTemplate: string; airflowLocalSettings: string };

    before(() => {
        const report = planReport("prod");
        airflowValues = (report.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as any).chart === "airflow")!.inputs as any).values;
        const policies = report.resources.filter((r) => r.type === "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").map((r) => r.inputs);
        const bindings = report.resources.filter((r) => r.type === "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding").map((r) => r.inputs);
        const namespaces = [...new Set([...catalog.workloads.map((w) => w.namespace), ESO_NAMESPACE, "kube-system"])].map((name) => ({
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
        }));
        objects = [...namespaces, ...policies, ...bindings];
    });

    function decide(object: Pod, options: Partial<PodRequest> = {}, only?: string): AdmissionDecision {
        // With `only`, the cluster holds that one policy and its binding: a deny is then that policy's own, even when
        // another policy would refuse the same pod for another reason.
        const cluster = only ? objects.filter((o: any) => o.kind === "Namespace" || o.metadata?.name === only) : objects;
        return admit(cluster, [{ operation: "CREATE", object, ...options }])[0];
    }

    function assertAllowed(object: Pod, options: Partial<PodRequest> = {}): void {
        const decision = decide(object, options);
        assert.equal(decision.allowed, true, `expected ${object.metadata.namespace}/${object.metadata.name ?? object.metadata.generateName} to be allowed: ${decision.message}`);
    }

    function assertDenied(object: Pod, policy: string, message: RegExp, options: Partial<PodRequest> = {}): void {
        assert.equal(decide(object, options).allowed, false, `expected ${object.metadata.namespace}/${object.metadata.name} to be denied by the policies together`);
        const decision = decide(object, options, policy);
        assert.equal(decision.allowed, false, `expected ${object.metadata.namespace}/${object.metadata.name} to be denied`);
        assert.match(decision.message ?? "", new RegExp(`ValidatingAdmissionPolicy '${policy}' with binding '${policy}' denied request`));
        assert.match(decision.message ?? "", message);
    }

    describe("the plan", () => {
        it("emits both policies with Deny bindings, exactly as the builders make them from the prod catalog", () => {
            const present = new Set(
                planReport("prod")
                    .resources.filter((r) => r.type === "aws:secretsmanager/secret:Secret")
                    .map((r) => String((r.inputs as any).tags?.[TAG.catalogName])),
            );
            const expected = buildAdmissionPolicies(planAdmissionInputs(catalog, (n) => present.has(n)));
            const emitted = objects.filter((o: any) => o.kind !== "Namespace").map((o: any) => ({ kind: o.kind, name: o.metadata.name, spec: o.spec }));
            const built = expected.flatMap((p) => [p.policy, p.binding]).map((o) => ({ kind: o.kind, name: o.metadata.name, spec: JSON.parse(JSON.stringify(o.spec)) }));
            assert.deepEqual(
                emitted.sort((a, b) => (a.kind + a.name).localeCompare(b.kind + b.name)),
                built.sort((a, b) => (a.kind + a.name).localeCompare(b.kind + b.name)),
            );
            for (const b of emitted.filter((o) => o.kind === "ValidatingAdmissionPolicyBinding")) assert.deepEqual(b.spec.validationActions, ["Deny"]);
        });

        it("labels every ESO target Secret with its owner service account and lists its readers, the set the policy allows", () => {
            const externalSecrets = planReport("prod")
                .resources.filter((r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret")
                .map((r) => r.inputs as any);
            assert.ok(externalSecrets.length > 50, `only ${externalSecrets.length} ExternalSecrets in the prod plan`);
            const readers = planAdmissionInputs(catalog, () => true).secretReaders;
            for (const es of externalSecrets) {
                const meta = es.spec.target.template?.metadata;
                assert.equal(meta?.labels?.[SECRET_OWNER_LABEL], es.spec.secretStoreRef.name, `${es.metadata.namespace}/${es.metadata.name}`);
                const r = readers.find((x) => x.namespace === es.metadata.namespace && x.secretName === es.spec.target.name);
                assert.ok(r, `no reader entry for ${es.metadata.namespace}/${es.spec.target.name}`);
                assert.equal(meta?.annotations?.[SECRET_READERS_ANNOTATION], r.serviceAccounts.join(","));
                assert.ok(r.serviceAccounts.includes(es.spec.secretStoreRef.name), `the owner of ${es.spec.target.name} is not among its readers`);
            }
        });
    });

    describe("secret isolation (every namespace, shared or not)", () => {
        const dbtJob = YAML.parse(fs.readFileSync(path.join(EXAMPLES, "dbt", "job.yaml"), "utf8"));
        const dbtPod = (): Pod => ({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "dbt-finance-marts-x7k2p", namespace: dbtJob.metadata.namespace, labels: { ...dbtJob.spec.template.metadata.labels } },
            spec: structuredClone(dbtJob.spec.template.spec),
        });
        const spark = YAML.parse(fs.readFileSync(path.join(EXAMPLES, "spark", "payments-stream-enrich.yaml"), "utf8"));
        // What the Spark operator renders for the executors: the application's volumes, the role's mounts and account.
        const sparkExecutor = (): Pod => ({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: `${spark.metadata.name}-exec-1`, namespace: spark.metadata.namespace, labels: { ...spark.spec.executor.labels, "spark-role": "executor" } },
            spec: {
                serviceAccountName: spark.spec.executor.serviceAccount,
                volumes: structuredClone(spark.spec.volumes),
                containers: [{ name: "spark-kubernetes-executor", image: spark.spec.image, volumeMounts: structuredClone(spark.spec.executor.volumeMounts) }],
            },
        });
        const sparkDriver = (): Pod => ({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: `${spark.metadata.name}-driver`, namespace: spark.metadata.namespace, labels: { ...spark.spec.driver.labels, "spark-role": "driver" } },
            spec: {
                serviceAccountName: spark.spec.driver.serviceAccount,
                volumes: structuredClone(spark.spec.volumes),
                containers: [{ name: "spark-kubernetes-driver", image: spark.spec.image, volumeMounts: structuredClone(spark.spec.driver.volumeMounts) }],
            },
        });

        it("allows the dbt example job's pod, which mounts its own key", () => {
            assertAllowed(dbtPod());
        });

        it("allows the Spark example's driver and executor pods, which mount the application's three Secrets", () => {
            assertAllowed(sparkDriver());
            assertAllowed(sparkExecutor());
        });

        it("denies a dbt job that mounts another job's key as a secret volume", () => {
            const p = dbtPod();
            p.spec.volumes.find((v: any) => v.secret).secret.secretName = "snowflake-dbt-core-dimensions";
            assertDenied(p, SECRET_ISOLATION_POLICY, /runs as service account dbt-finance-marts, but its secret volumes name Secret\(s\) snowflake-dbt-core-dimensions that External Secrets syncs for other service accounts of namespace dbt/);
        });

        it("denies a dbt job that reads another job's key through env secretKeyRef, in an init container", () => {
            const p = dbtPod();
            p.spec.initContainers = [{ name: "peek", image: "busybox:1.37", env: [{ name: "K", valueFrom: { secretKeyRef: { name: "snowflake-dbt-revenue-marts", key: "private_key" } } }] }];
            assertDenied(p, SECRET_ISOLATION_POLICY, /its env secretKeyRef name Secret\(s\) snowflake-dbt-revenue-marts /);
        });

        it("denies a dbt job that loads another job's Secret with envFrom", () => {
            const p = dbtPod();
            p.spec.containers[0].envFrom = [{ secretRef: { name: "snowflake-dbt-exec-kpis" } }];
            assertDenied(p, SECRET_ISOLATION_POLICY, /its envFrom secretRef name Secret\(s\) snowflake-dbt-exec-kpis /);
        });

        it("denies a dbt job that mounts another job's key through a projected volume", () => {
            const p = dbtPod();
            p.spec.volumes.push({ name: "bundle", projected: { sources: [{ configMap: { name: "dbt-profiles" } }, { secret: { name: "snowflake-dbt-gl-reporting" } }] } });
            assertDenied(p, SECRET_ISOLATION_POLICY, /its projected volumes name Secret\(s\) snowflake-dbt-gl-reporting /);
        });

        it("denies a dbt job that names another job's Secret as an image pull secret", () => {
            const p = dbtPod();
            p.spec.imagePullSecrets = [{ name: "snowflake-dbt-board-reporting" }];
            assertDenied(p, SECRET_ISOLATION_POLICY, /its imagePullSecrets name Secret\(s\) snowflake-dbt-board-reporting /);
        });

        it("denies a dbt job that hands another job's Secret to a CSI driver as its nodePublishSecretRef", () => {
            const p = dbtPod();
            p.spec.volumes.push({ name: "csi", csi: { driver: "secrets-store.csi.k8s.io", nodePublishSecretRef: { name: "snowflake-dbt-kyc-marts" } } });
            assertDenied(p, SECRET_ISOLATION_POLICY, /its CSI volume nodePublishSecretRef name Secret\(s\) snowflake-dbt-kyc-marts /);
        });

        it("denies a Spark executor that mounts another application's Kafka credentials", () => {
            const p = sparkExecutor();
            p.spec.volumes.push({ name: "other", secret: { secretName: "msk-kafka-spark-ledger-stream-posting" } });
            assertDenied(p, SECRET_ISOLATION_POLICY, /runs as service account spark-payments-stream-enrich, but its secret volumes name Secret\(s\) msk-kafka-spark-ledger-stream-posting that External Secrets syncs for other service accounts of namespace spark-apps/);
        });

        it("denies adding an ephemeral (debug) container that loads another job's Secret to a running pod", () => {
            const running = dbtPod();
            const debugged = dbtPod();
            debugged.spec.ephemeralContainers = [{ name: "debugger", image: "busybox:1.37", envFrom: [{ secretRef: { name: "snowflake-dbt-core-dimensions" } }] }];
            assertDenied(debugged, SECRET_ISOLATION_POLICY, /its envFrom secretRef name Secret\(s\) snowflake-dbt-core-dimensions /, {
                operation: "UPDATE",
                oldObject: running,
                subResource: "ephemeralcontainers",
                user: { username: "alice@finledger.io", groups: ["system:authenticated"] },
            });
        });

        it("denies a pod on the default service account that reads Airflow's metadata DB Secret, though several core accounts may", () => {
            const p = pod(scheduler.namespace, "grabber", {
                containers: [{ name: "main", image: "busybox:1.37", env: [{ name: "DB", valueFrom: { secretKeyRef: { name: AIRFLOW_INTERNAL_SECRETS.metadataDb.secretName, key: AIRFLOW_INTERNAL_SECRETS.metadataDb.key } } }] }],
            });
            assertDenied(p, SECRET_ISOLATION_POLICY, /runs as service account default, but its env secretKeyRef name Secret\(s\) airflow-metadata-db that External Secrets syncs for other service accounts of namespace airflow/);
        });

        it("leaves Secrets the platform does not sync, and other namespaces' Secret names, alone", () => {
            const p = dbtPod();
            p.spec.volumes.push({ name: "own", secret: { secretName: "dbt-finance-marts-scratch" } });
            p.spec.volumes.push({ name: "same-name-elsewhere", secret: { secretName: "snowflake-spark-ledger-stream-posting" } });
            assertAllowed(p);
        });
    });

    describe("RBAC", () => {
        const READS = new Set(["get", "list", "watch", "*"]);
        /** Workload service accounts (namespace/name) that the plan's Roles and bindings let read Secrets. */
        function secretReaders(resources: ReadonlyArray<{ type: string; inputs: any }>): string[] {
            const rbac = (kind: string) => resources.filter((r) => r.type === `kubernetes:rbac.authorization.k8s.io/v1:${kind}`).map((r) => r.inputs);
            const readsSecrets = (role: any) =>
                (role.rules ?? []).some(
                    (rule: any) =>
                        (rule.apiGroups ?? []).some((g: string) => g === "" || g === "*") &&
                        (rule.resources ?? []).some((x: string) => x === "secrets" || x === "*") &&
                        (rule.verbs ?? []).some((v: string) => READS.has(v)),
                );
            const roles = new Set([...rbac("Role").filter(readsSecrets).map((r) => `Role/${r.metadata.namespace}/${r.metadata.name}`), ...rbac("ClusterRole").filter(readsSecrets).map((r) => `ClusterRole//${r.metadata.name}`)]);
            const out: string[] = [];
            for (const b of [...rbac("RoleBinding"), ...rbac("ClusterRoleBinding")]) {
                const ref = b.roleRef.kind === "Role" ? `Role/${b.metadata.namespace}/${b.roleRef.name}` : `ClusterRole//${b.roleRef.name}`;
                if (!roles.has(ref)) continue;
                for (const subject of b.subjects ?? []) {
                    for (const w of catalog.workloads) {
                        const sa = subject.kind === "ServiceAccount" && subject.name === w.serviceAccount && (subject.namespace ?? b.metadata.namespace) === w.namespace;
                        const group = subject.kind === "Group" && ["system:serviceaccounts", `system:serviceaccounts:${w.namespace}`, "system:authenticated"].includes(subject.name);
                        const user = subject.kind === "User" && subject.name === `system:serviceaccount:${w.namespace}:${w.serviceAccount}`;
                        if (sa || group || user) out.push(`${w.namespace}/${w.serviceAccount}`);
                    }
                }
            }
            return [...new Set(out)].sort();
        }

        it("finds a planted Role and RoleBinding that would let a dbt job list Secrets", () => {
            const planted = [
                { type: "kubernetes:rbac.authorization.k8s.io/v1:Role", inputs: { metadata: { name: "peek", namespace: "dbt" }, rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }] } },
                { type: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", inputs: { metadata: { name: "peek", namespace: "dbt" }, roleRef: { kind: "Role", name: "peek" }, subjects: [{ kind: "ServiceAccount", name: "dbt-finance-marts" }] } },
            ];
            assert.deepEqual(secretReaders(planted), ["dbt/dbt-finance-marts"]);
        });

        it("the prod plan gives no workload service account get, list or watch on Secrets", () => {
            assert.deepEqual(secretReaders(planReport("prod").resources), []);
        });
    });

    describe("Airflow pod identity", () => {
        type Group = { workloadId: string; namespace: string; serviceAccount: string; podOverride: Record<string, any> };
        /** The task groups the cluster policy in the plan's airflow_local_settings.py forces on tasks, by DAG folder. */
        const groups = (): { domains: Record<string, Group>; default: Group } => JSON.parse(/GROUPS = json\.loads\(r"""(.*)"""\)/.exec(airflowValues.airflowLocalSettings)![1]);
        const domainGroup = (w: { id: string }) => groups().domains[domainDagFolder(w.id)];
        // The labels Airflow 2's KubernetesExecutor adds itself, after pod_override (pod_generator.construct_pod).
        const executorLabels = (dagId: string) => ({ dag_id: dagId, task_id: "extract", run_id: "scheduled__2026-01-01T0000000000-abc", try_number: "1", "airflow-worker": "12", kubernetes_executor: "True", airflow_version: "2.11.0" });
        /**
         * A task pod as the executor launches it: the plan's base task pod (the chart's podTemplate, from
         * buildBaseTaskPod), the DAG's own pod_override, then the group's forced pod_override from the plan's cluster
         * policy (buildTaskPodOverride) on top, as _force_group merges them, then the executor's labels.
         */
        const taskPod = (dagId: string, group: Group, dagOverride: { resources?: Record<string, any> } = {}): Pod => {
            const base = YAML.parse(airflowValues.podTemplate);
            const forced = group.podOverride;
            const forcedVolumes = new Set(forced.spec.volumes.map((v: any) => v.name));
            const container = { ...base.spec.containers[0], ...(dagOverride.resources ? { resources: dagOverride.resources } : {}) };
            container.volumeMounts = [...(container.volumeMounts ?? []).filter((m: any) => !forcedVolumes.has(m.name)), ...forced.spec.containers[0].volumeMounts];
            return {
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: `${dagId.replace(/_/g, "-")}-extract-a1b2c3`, namespace: forced.metadata.namespace, labels: { ...base.metadata.labels, ...forced.metadata.labels, ...executorLabels(dagId) } },
                spec: {
                    ...base.spec,
                    serviceAccountName: forced.spec.serviceAccountName,
                    automountServiceAccountToken: forced.spec.automountServiceAccountToken,
                    containers: [container],
                    volumes: [...base.spec.volumes.filter((v: any) => !forcedVolumes.has(v.name)), ...forced.spec.volumes],
                },
            };
        };
        const asExecutor: Partial<PodRequest> = { user: { username: EXECUTOR, groups: ["system:serviceaccounts"] } };
        const paymentsDag = payments.dags![0];
        const exampleText = () => fs.readFileSync(path.join(EXAMPLES, "airflow", "dags", domainDagFolder(payments.id), "card_settlement_daily.py"), "utf8");

        it("the cluster policy's groups are the catalog's task accounts: each domain by its folder, and the core worker for DAGs outside them", () => {
            const g = groups();
            assert.equal(domainGroup(payments).serviceAccount, payments.serviceAccount);
            assert.equal(domainGroup(payments).podOverride.metadata.namespace, payments.namespace);
            assert.equal(g.default.workloadId, "airflow-worker");
            const inputs = planAdmissionInputs(catalog, () => true);
            assert.deepEqual(
                Object.values(g.domains).map((x) => `${x.namespace}/${x.serviceAccount}`).sort(),
                inputs.taskAccounts.map((t) => `${t.namespace}/${t.serviceAccount}`).sort(),
            );
            assert.equal(`${g.default.namespace}/${g.default.serviceAccount}`, `${inputs.defaultTaskAccount!.namespace}/${inputs.defaultTaskAccount!.serviceAccount}`);
        });

        it("lets each task group's account read its own copy of the metadata DB Secret and every connection or variable file Secret its pod mounts", () => {
            const present = new Set(
                planReport("prod")
                    .resources.filter((r) => r.type === "aws:secretsmanager/secret:Secret")
                    .map((r) => String((r.inputs as any).tags?.[TAG.catalogName])),
            );
            const readers = planAdmissionInputs(catalog, (n) => present.has(n)).secretReaders;
            const readersOf = (ns: string, name: string) => readers.find((r) => r.namespace === ns && r.secretName === name)?.serviceAccounts ?? [];
            const all = [groups().default, ...Object.values(groups().domains)];
            let files = 0;
            for (const g of all) {
                assert.ok(readersOf(g.namespace, AIRFLOW_INTERNAL_SECRETS.metadataDb.secretName).includes(g.serviceAccount), `${g.serviceAccount} may not read ${g.namespace}/${AIRFLOW_INTERNAL_SECRETS.metadataDb.secretName}`);
                for (const source of g.podOverride.spec.volumes[0].projected.sources) {
                    files++;
                    assert.ok(readersOf(g.namespace, source.secret.name).includes(g.serviceAccount), `${g.serviceAccount} may not read its file Secret ${g.namespace}/${source.secret.name}`);
                }
            }
            assert.ok(all.length >= 11 && files >= all.length, `only ${all.length} groups and ${files} file Secrets checked`);
        });

        it("allows the example payments DAG's task pod: its domain's namespace, account, metadata DB Secret and connection files", () => {
            const dagId = /with DAG\("([^"]+)"/.exec(exampleText())![1];
            const p = taskPod(dagId, domainGroup(payments), { resources: { requests: { memory: "1Gi" } } });
            // The pod names the domain's own copy of the metadata DB Secret and at least one connection file Secret.
            assert.ok(p.spec.containers[0].env.some((e: any) => e.valueFrom?.secretKeyRef?.name === AIRFLOW_INTERNAL_SECRETS.metadataDb.secretName));
            assert.ok(p.spec.volumes.some((v: any) => (v.projected?.sources ?? []).length > 0), "the payments group mounts no secret file");
            assertAllowed(p, asExecutor);
        });

        it("allows a task pod of a DAG outside every domain folder in the core namespace as the worker account, launched by the executor", () => {
            assertAllowed(taskPod("platform_housekeeping", groups().default), asExecutor);
        });

        it("allows the scheduler's and the ESO controller's own pods, created by the ReplicaSet controller with their chart labels", () => {
            const s = AIRFLOW_INTERNAL_SECRETS;
            const schedulerPod = pod(
                scheduler.namespace,
                "airflow-scheduler-7d9f8-abcde",
                {
                    serviceAccountName: scheduler.serviceAccount,
                    containers: [{ name: "scheduler", image: "apache/airflow:2.11.0", env: [{ name: "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", valueFrom: { secretKeyRef: { name: s.metadataDb.secretName, key: s.metadataDb.key } } }] }],
                },
                { tier: "airflow", component: "scheduler", release: AIRFLOW_RELEASE },
            );
            assertAllowed(schedulerPod, { user: { username: REPLICASET_CONTROLLER } });
            const esoPod = pod(ESO_NAMESPACE, "external-secrets-5c7d9-fghij", { serviceAccountName: ESO_SERVICE_ACCOUNT }, { "app.kubernetes.io/name": "external-secrets", "app.kubernetes.io/instance": "external-secrets" });
            assertAllowed(esoPod, { user: { username: REPLICASET_CONTROLLER } });
        });

        it("denies a pod in a domain namespace that runs as any account but the domain's task account", () => {
            const p = taskPod(paymentsDag, domainGroup(payments));
            p.spec.serviceAccountName = "default";
            assertDenied(p, POD_IDENTITY_POLICY, /runs as service account default, but pods in Airflow domain namespace airflow-payments must run as its task service account payments-tasks\. Remove service_account_name/, asExecutor);
        });

        it("denies a payments DAG's task pod that reaches the risk domain's namespace and account (the cluster policy bypassed)", () => {
            const p = taskPod(paymentsDag, domainGroup(risk));
            assertDenied(p, POD_IDENTITY_POLICY, new RegExp(`launched by the Airflow executor for DAG ${paymentsDag}, but that DAG belongs to domain namespace airflow-payments, not airflow-risk`), asExecutor);
        });

        it("denies a payments DAG moved out of its domain folder, which the cluster policy runs as the core worker", () => {
            assertDenied(taskPod(paymentsDag, groups().default), POD_IDENTITY_POLICY, new RegExp(`for DAG ${paymentsDag}, but that DAG belongs to domain namespace airflow-payments, not airflow\\.`), asExecutor);
        });

        it("denies a task pod of a DAG that no catalog file lists in a domain namespace", () => {
            const p = taskPod("unlisted_dag", domainGroup(payments));
            assertDenied(p, POD_IDENTITY_POLICY, /for DAG unlisted_dag, but namespace airflow-payments runs only the DAGs its catalog file lists/, asExecutor);
        });

        it("denies the executor launching a task pod outside Airflow's task namespaces, as another workload's account", () => {
            const dbt = workload("dbt-finance-marts");
            const p = taskPod("platform_housekeeping", groups().default);
            p.metadata.namespace = dbt.namespace;
            p.spec.serviceAccountName = dbt.serviceAccount;
            assertDenied(p, POD_IDENTITY_POLICY, /launched by the Airflow executor as service account dbt-finance-marts, but Airflow launches pods only in its task namespaces, each as that namespace's task account \(.*airflow: airflow-worker.*airflow-payments: payments-tasks/, asExecutor);
        });

        it("denies the executor launching a core-namespace task pod on the default account", () => {
            const p = taskPod("platform_housekeeping", groups().default);
            p.spec.serviceAccountName = "default";
            assertDenied(p, POD_IDENTITY_POLICY, /launched by the Airflow executor as service account default, but Airflow launches pods only in its task namespaces/, asExecutor);
        });

        it("denies a DAG that runs its task pod as the ESO controller's account", () => {
            const p = taskPod("platform_housekeeping", groups().default);
            p.metadata.namespace = ESO_NAMESPACE;
            p.spec.serviceAccountName = ESO_SERVICE_ACCOUNT;
            assertDenied(p, POD_IDENTITY_POLICY, new RegExp(`runs as service account external-secrets/external-secrets, which is reserved for the External Secrets Operator controller, but it was created by ${EXECUTOR}; only ${REPLICASET_CONTROLLER} may create`), asExecutor);
        });

        it("denies a DAG that runs its task pod as the scheduler's account", () => {
            const p = taskPod("platform_housekeeping", groups().default);
            p.spec.serviceAccountName = scheduler.serviceAccount;
            assertDenied(p, POD_IDENTITY_POLICY, new RegExp(`runs as service account airflow/airflow-scheduler, which is reserved for the Airflow scheduler, but it was created by ${EXECUTOR}`), asExecutor);
        });

        it("denies a person who creates a pod as the worker account, even with a task pod's labels", () => {
            assertDenied(taskPod("platform_housekeeping", groups().default), POD_IDENTITY_POLICY, /reserved for the Airflow worker, but it was created by alice@finledger\.io; only system:serviceaccount:airflow:airflow-scheduler may create/, {
                user: { username: "alice@finledger.io", groups: ["system:authenticated"] },
            });
        });

        it("denies an executor pod as the worker account without the labels the base task pod and the worker's forced override set", () => {
            const p = taskPod("platform_housekeeping", groups().default);
            p.metadata.labels = executorLabels("platform_housekeeping");
            assertDenied(p, POD_IDENTITY_POLICY, /reserved for the Airflow worker, but it lacks the component's labels app\.kubernetes\.io\/part-of=airflow, finledger\.io\/airflow-task=true, finledger\.io\/workload=airflow-worker\./, asExecutor);
        });

        it("denies a ReplicaSet's pod that runs as the ESO controller's account without the chart's labels", () => {
            const p = pod(ESO_NAMESPACE, "impostor-6b8c7-klmno", { serviceAccountName: ESO_SERVICE_ACCOUNT }, { app: "impostor" });
            assertDenied(p, POD_IDENTITY_POLICY, /reserved for the External Secrets Operator controller, but it lacks the component's labels app\.kubernetes\.io\/instance=external-secrets, app\.kubernetes\.io\/name=external-secrets\./, {
                user: { username: REPLICASET_CONTROLLER },
            });
        });
    });
});
