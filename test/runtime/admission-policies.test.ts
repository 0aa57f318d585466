// The cluster's admission policies, as the prod plan emits them, run by Kubernetes' own ValidatingAdmissionPolicy
// plugin (tools/admission-engine) against the pods the plan and the examples describe: the intended pods are allowed,
// and each escalation of issues 11 and 14 is denied with a message that names what is wrong.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { AIRFLOW_BACKEND_CONFIGMAP, AIRFLOW_CHART, AIRFLOW_INTERNAL_SECRETS, buildDomainPodOverride } from "../../components/airflow";
import { buildAdmissionPolicies, POD_IDENTITY_POLICY, REPLICASET_CONTROLLER, SECRET_ISOLATION_POLICY } from "../../components/admission-policies";
import { ESO_NAMESPACE, ESO_SERVICE_ACCOUNT, SECRET_OWNER_LABEL, SECRET_READERS_ANNOTATION } from "../../components/external-secrets";
import { TAG } from "../../components/tokens";
import { catalogForEnvironment, loadCatalog } from "../../model/catalog";
import { AIRFLOW_RELEASE, planAdmissionInputs } from "../../stacks/runtime";
import { admit, AdmissionDecision, PodRequest } from "../support/admission-engine";
import { planReport, PROJECT_DIR } from "../support/plan-cli";

const EXAMPLES = path.join(PROJECT_DIR, "examples");
const catalog = catalogForEnvironment(loadCatalog(path.join(PROJECT_DIR, "catalog")), "prod");
const workload = (id: string) => catalog.workloads.find((w) => w.id === id)!;
const scheduler = workload("airflow-scheduler");
const worker = workload("airflow-worker");
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

    before(() => {
        const report = planReport("prod");
        const policies = report.resources.filter((r) => r.type === "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy").map((r) => r.inputs);
        const bindings = report.resources.filter((r) => r.type === "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding").map((r) => r.inputs);
        const namespaces = [...new Set([...catalog.workloads.map((w) => w.namespace), ESO_NAMESPACE, "kube-system"])].map((name) => ({
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
        }));
        objects = [...namespaces, ...policies, ...bindings];
    });

    function decide(object: Pod, options: Partial<PodRequest> = {}): AdmissionDecision {
        return admit(objects, [{ operation: "CREATE", object, ...options }])[0];
    }

    function assertAllowed(object: Pod, options: Partial<PodRequest> = {}): void {
        const decision = decide(object, options);
        assert.equal(decision.allowed, true, `expected ${object.metadata.namespace}/${object.metadata.name ?? object.metadata.generateName} to be allowed: ${decision.message}`);
    }

    function assertDenied(object: Pod, policy: string, message: RegExp, options: Partial<PodRequest> = {}): void {
        const decision = decide(object, options);
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
        const executorLabels = (dagId: string) => ({ tier: "airflow", component: "worker", release: AIRFLOW_RELEASE, kubernetes_executor: "True", dag_id: dagId, task_id: "extract" });
        // The chart's worker pod template (core namespace, worker account, Airflow's own Secrets in env) with the
        // domain's pod_override (buildDomainPodOverride, the example's settings) applied, as the executor launches it.
        const taskPod = (dagId: string, override?: Record<string, any>): Pod => {
            const s = AIRFLOW_INTERNAL_SECRETS;
            const base: Pod = {
                apiVersion: "v1",
                kind: "Pod",
                metadata: { name: `${dagId.replace(/_/g, "-")}-extract-a1b2c3`, namespace: worker.namespace, labels: executorLabels(dagId) },
                spec: {
                    serviceAccountName: worker.serviceAccount,
                    restartPolicy: "Never",
                    containers: [
                        {
                            name: "base",
                            image: `apache/airflow:${AIRFLOW_CHART.airflowVersion}`,
                            env: [
                                { name: "AIRFLOW__CORE__FERNET_KEY", valueFrom: { secretKeyRef: { name: s.fernetKey.secretName, key: s.fernetKey.key } } },
                                { name: "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", valueFrom: { secretKeyRef: { name: s.metadataDb.secretName, key: s.metadataDb.key } } },
                            ],
                        },
                    ],
                },
            };
            if (override) {
                base.metadata.namespace = override.metadata.namespace;
                base.spec.serviceAccountName = override.spec.serviceAccountName;
                base.spec.containers[0].envFrom = override.spec.containers[0].envFrom;
            }
            return base;
        };
        const asExecutor: Partial<PodRequest> = { user: { username: EXECUTOR, groups: ["system:serviceaccounts"] } };
        const paymentsDag = payments.dags![0];

        it("the example's pod_override is the domain override the tests apply", () => {
            const text = fs.readFileSync(path.join(EXAMPLES, "airflow", "payments_dag_defaults.py"), "utf8");
            const override = buildDomainPodOverride(payments.namespace, payments.serviceAccount) as any;
            assert.match(text, new RegExp(`namespace="${override.metadata.namespace}"`));
            assert.match(text, new RegExp(`service_account_name="${override.spec.serviceAccountName}"`));
            assert.match(text, new RegExp(`name="${AIRFLOW_BACKEND_CONFIGMAP}"`));
        });

        it("allows a payments DAG's task pod in its domain namespace as its task account (the example's pod_override)", () => {
            assertAllowed(taskPod(paymentsDag, buildDomainPodOverride(payments.namespace, payments.serviceAccount)), asExecutor);
        });

        it("allows a core DAG's task pod in the core namespace as the worker account, launched by the executor", () => {
            assertAllowed(taskPod("platform_housekeeping"), asExecutor);
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
            const p = taskPod(paymentsDag, buildDomainPodOverride(payments.namespace, "default"));
            assertDenied(p, POD_IDENTITY_POLICY, /runs as service account default, but pods in Airflow domain namespace airflow-payments must run as its task service account payments-tasks\. Remove service_account_name/, asExecutor);
        });

        it("denies a payments DAG whose pod_override asks for the risk domain's namespace and account", () => {
            const p = taskPod(paymentsDag, buildDomainPodOverride(risk.namespace, risk.serviceAccount));
            assertDenied(p, POD_IDENTITY_POLICY, new RegExp(`launched by the Airflow executor for DAG ${paymentsDag}, but that DAG belongs to domain namespace airflow-payments, not airflow-risk`), asExecutor);
        });

        it("denies a payments DAG that drops its pod_override to run in the core namespace as the worker account", () => {
            assertDenied(taskPod(paymentsDag), POD_IDENTITY_POLICY, new RegExp(`for DAG ${paymentsDag}, but that DAG belongs to domain namespace airflow-payments, not airflow\\.`), asExecutor);
        });

        it("denies a task pod without a catalogued DAG in a domain namespace", () => {
            const p = taskPod("unlisted_dag", buildDomainPodOverride(payments.namespace, payments.serviceAccount));
            assertDenied(p, POD_IDENTITY_POLICY, /for DAG unlisted_dag, but namespace airflow-payments runs only the DAGs its catalog file lists/, asExecutor);
        });

        it("denies a DAG that runs its task pod as the ESO controller's account", () => {
            const p = taskPod("platform_housekeeping");
            p.metadata.namespace = ESO_NAMESPACE;
            p.spec.serviceAccountName = ESO_SERVICE_ACCOUNT;
            assertDenied(p, POD_IDENTITY_POLICY, new RegExp(`runs as service account external-secrets/external-secrets, which is reserved for the External Secrets Operator controller, but it was created by ${EXECUTOR}; only ${REPLICASET_CONTROLLER} may create`), asExecutor);
        });

        it("denies a DAG that runs its task pod as the scheduler's account", () => {
            const p = taskPod("platform_housekeeping");
            p.spec.serviceAccountName = scheduler.serviceAccount;
            assertDenied(p, POD_IDENTITY_POLICY, new RegExp(`runs as service account airflow/airflow-scheduler, which is reserved for the Airflow scheduler, but it was created by ${EXECUTOR}`), asExecutor);
        });

        it("denies a person who creates a pod as the worker account, even with the worker's labels", () => {
            assertDenied(taskPod("platform_housekeeping"), POD_IDENTITY_POLICY, /reserved for the Airflow worker, but it was created by alice@finledger\.io; only system:serviceaccount:airflow:airflow-scheduler may create/, {
                user: { username: "alice@finledger.io", groups: ["system:authenticated"] },
            });
        });

        it("denies a ReplicaSet's pod that runs as the ESO controller's account without the chart's labels", () => {
            const p = pod(ESO_NAMESPACE, "impostor-6b8c7-klmno", { serviceAccountName: ESO_SERVICE_ACCOUNT }, { app: "impostor" });
            assertDenied(p, POD_IDENTITY_POLICY, /reserved for the External Secrets Operator controller, but it lacks the component's labels app\.kubernetes\.io\/instance=external-secrets, app\.kubernetes\.io\/name=external-secrets\./, {
                user: { username: REPLICASET_CONTROLLER },
            });
        });
    });
});
