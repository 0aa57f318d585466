// The runtime layer (issue 3): one IRSA identity per workload group, External Secrets Operator with one SecretStore
// per workload, ExternalSecrets for the values workloads mount as files, and Airflow's Secrets Manager backend.
// See docs/access-patterns.md for who reads what, when, and with which identity.
import * as aws from "../components/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AIRFLOW_CHART, AIRFLOW_IMAGE, AIRFLOW_INTERNAL_SECRETS, AIRFLOW_MIGRATION_JOB, buildAirflowBackendEnv, buildAirflowBackendKwargs, buildAirflowHelmValues, buildTaskNamespaceRbac } from "../components/airflow";
import { connectionFileView, variableFileView } from "../components/airflow-connections";
import { buildAirflowLocalSettings, buildSecretsBackendModule, domainDagFolder, SECRETS_MODULE_FILE, TaskGroupSettings } from "../components/airflow-local-settings";
import { AIRFLOW_CONNECTIONS_PATH, AIRFLOW_DEFAULT_TASK_WORKLOAD, AIRFLOW_VARIABLES_PATH, isAirflowBackendSecret, isAirflowTaskWorkload, managedAirflowIds } from "../components/airflow-patterns";
import { buildBaseTaskPod, buildTaskConfigEnv, buildTaskPodOverride, LOCAL_SETTINGS_CONFIGMAP, LOCAL_SETTINGS_KEY, ManagedFile, TASK_CONFIG_CONFIGMAP } from "../components/airflow-task-pod";
import { buildTaskProbeAlerts, buildTaskProbeCronJob } from "../components/airflow-task-probe";
import { AdmissionPolicies, AdmissionPolicyInputs, JOB_CONTROLLER, REPLICASET_CONTROLLER, ReservedIdentity, serviceAccountUsername, STATEFULSET_CONTROLLER, TaskAccount } from "../components/admission-policies";
import { buildExternalSecret, buildSecretStore, ESO_CHART, ESO_NAMESPACE, ESO_RELEASE, ESO_SERVICE_ACCOUNT, ExternalSecretSpecInputs, ExternalSecretsOperator } from "../components/external-secrets";
import { kubernetesSecretName } from "../model/names";
import { maxTaskFileAgeSeconds, reloaderAnnotations, rolloutSettings } from "../model/rollout";
import { WorkloadIdentity } from "../components/workload-identity";
import { CatalogError, CatalogSecret, CatalogWorkload } from "../model/catalog";
import { managedNamespaces } from "../model/namespaces";
import { consumerBinding, SECRET_KIND_CONTRACTS } from "../model/secret-kinds";
import { airflowPathOf } from "./consumer-bindings";
import { EnvironmentConfig } from "../model/config";
import { buildPaced } from "./pacing";
import { deployedLayerOptions } from "./role-boundary";
import { EnvironmentPlatform } from "./platform";
import { RETAIN_ON_DELETE } from "../components/retention";

/** The region SecretStores and Airflow's backend read from: the failover switch `finledger:runtime.storeRegion`. */
export function secretStoreRegion(config: Pick<EnvironmentConfig, "region" | "replicaRegion" | "runtime">): string {
    return config.runtime.storeRegion === "replica" ? config.replicaRegion : config.region;
}

/**
 * A kubeconfig for the environment's cluster that holds no credential: the endpoint and CA come from EKS, and the
 * token is minted per call by `aws eks get-token` with whatever AWS identity runs the deploy (the GitHub OIDC role).
 */
export function buildKubeconfig(clusterName: string, region: string, endpoint: string, caData: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": caData } }],
        contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
        "current-context": clusterName,
        users: [
            {
                name: clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}

/** Which workload's SecretStore syncs which secret into which namespace: one ExternalSecret per (secret, namespace). */
export interface SyncedSecret {
    readonly secret: CatalogSecret;
    readonly namespace: string;
    /** The consumer whose store (and so whose identity) ESO reads with: the first consumer id in that namespace. */
    readonly via: CatalogWorkload;
}

/**
 * Every secret that ESO syncs: each consumed secret once per consumer namespace (Airflow connections and variables
 * as task files). Secrets absent from `present` (RDS-managed) are skipped.
 */
export function planSyncedSecrets(secrets: readonly CatalogSecret[], workloads: readonly CatalogWorkload[], present: (name: string) => boolean): SyncedSecret[] {
    const byId = new Map(workloads.map((w) => [w.id, w]));
    const out: SyncedSecret[] = [];
    for (const secret of secrets) {
        if (!present(secret.name)) continue;
        const byNamespace = new Map<string, CatalogWorkload>();
        for (const id of [...secret.consumers].sort()) {
            const w = byId.get(id);
            if (w && !byNamespace.has(w.namespace)) byNamespace.set(w.namespace, w);
        }
        for (const [namespace, via] of byNamespace) out.push({ secret, namespace, via });
    }
    return out;
}

/**
 * How the Kubernetes Secret of a synced catalog secret is shaped: Airflow connections and variables become a task file
 * in Airflow's JSON format plus its sync stamp (the connection mapping is the kind's, model/secret-kinds.ts); every
 * other secret gets the view its consumer type has of its kind (model/secret-kinds.ts), under the name the Airflow
 * chart expects for Airflow's own secrets.
 */
export function externalSecretShape(sync: Pick<SyncedSecret, "secret" | "via">): Pick<ExternalSecretSpecInputs, "view" | "storedFormat" | "targetName"> {
    const catalogName = sync.secret.name;
    if (isAirflowBackendSecret(catalogName)) {
        const id = catalogName.split("/").pop()!;
        return catalogName.startsWith(`${AIRFLOW_CONNECTIONS_PATH}/`) ? connectionFileView(sync.secret, id) : variableFileView(id);
    }
    const binding = consumerBinding(sync.secret, sync.via.type, airflowPathOf);
    if (!("eso" in binding)) {
        throw new CatalogError([`${sync.secret.file}: secret '${sync.secret.name}' key 'consumers' entry '${sync.via.id}': ${"none" in binding ? binding.none : "it is read through Airflow's backend, not synced"}.`]);
    }
    const internal = Object.values(AIRFLOW_INTERNAL_SECRETS).find((s) => s.catalogName === sync.secret.name);
    return { view: binding.eso, storedFormat: SECRET_KIND_CONTRACTS[sync.secret.kind].format, ...(internal ? { targetName: internal.secretName } : {}) };
}

/** Service accounts of the consumers of a synced secret that live in its namespace: the pods allowed to reference it. */
export function syncedSecretReaders(sync: SyncedSecret, workloads: readonly CatalogWorkload[]): string[] {
    const byId = workloadIndex(workloads);
    const readers = new Set<string>();
    for (const id of sync.secret.consumers) {
        const w = byId.get(id);
        if (w && w.namespace === sync.namespace) readers.add(w.serviceAccount);
    }
    return [...readers].sort();
}

const workloadIndexes = new WeakMap<readonly CatalogWorkload[], ReadonlyMap<string, CatalogWorkload>>();
/** Workloads by id, built once per workload list (a plan asks for every synced secret). */
function workloadIndex(workloads: readonly CatalogWorkload[]): ReadonlyMap<string, CatalogWorkload> {
    let index = workloadIndexes.get(workloads);
    if (!index) {
        index = new Map(workloads.map((w) => [w.id, w]));
        workloadIndexes.set(workloads, index);
    }
    return index;
}

/** Helm release name of the Airflow chart; the chart puts it in every pod's `release` label. */
export const AIRFLOW_RELEASE = "airflow";

/** The labels a pod's metadata carries in a pod (or pod_override) built by components/airflow-task-pod.ts. */
function podLabels(pod: Record<string, unknown>): Record<string, string> {
    return { ...((pod as { metadata?: { labels?: Record<string, string> } }).metadata?.labels ?? {}) };
}

/**
 * What the cluster's admission policies enforce, from the catalog: each synced Secret's readers (Airflow's metadata DB
 * in every task namespace and each connection or variable file included), the task account of each Airflow task
 * namespace (each domain, and the core worker for DAGs outside every domain folder, as the cluster policy in
 * airflow_local_settings.py assigns them), and the reserved identities of Airflow's core components and of the ESO
 * controller, recognised by the labels their pods carry and by who creates their pods.
 */
export function planAdmissionInputs(catalog: { secrets: readonly CatalogSecret[]; workloads: readonly CatalogWorkload[] }, present: (name: string) => boolean): AdmissionPolicyInputs {
    const secretReaders = planSyncedSecrets(catalog.secrets, catalog.workloads, present).map((sync) => ({
        namespace: sync.namespace,
        secretName: externalSecretShape(sync).targetName ?? kubernetesSecretName(sync.secret.name),
        serviceAccounts: syncedSecretReaders(sync, catalog.workloads),
    }));
    const taskGroups = catalog.workloads.filter(isAirflowTaskWorkload);
    const account = (w: CatalogWorkload): TaskAccount => ({ namespace: w.namespace, serviceAccount: w.serviceAccount, dags: w.dags ?? [] });
    const taskAccounts = taskGroups.filter((w) => w.id !== AIRFLOW_DEFAULT_TASK_WORKLOAD).map(account);
    const defaultWorker = taskGroups.find((w) => w.id === AIRFLOW_DEFAULT_TASK_WORKLOAD);
    const controllers = [REPLICASET_CONTROLLER, STATEFULSET_CONTROLLER];
    const reservedIdentities: ReservedIdentity[] = [
        {
            namespace: ESO_NAMESPACE,
            serviceAccount: ESO_SERVICE_ACCOUNT,
            component: "External Secrets Operator controller",
            podLabels: { "app.kubernetes.io/name": ESO_CHART.chart, "app.kubernetes.io/instance": ESO_RELEASE },
            creators: [REPLICASET_CONTROLLER],
        },
    ];
    const core = catalog.workloads.filter((w) => w.type === "airflow-core");
    const scheduler = core.find((w) => w.id === "airflow-scheduler");
    const executor = scheduler ? serviceAccountUsername(scheduler.namespace, scheduler.serviceAccount) : "";
    for (const w of core) {
        const component = w.id.replace(/^airflow-/, "");
        if (w.id === AIRFLOW_DEFAULT_TASK_WORKLOAD) {
            // The worker account runs only the default group's task pods, which the executor (inside the scheduler)
            // creates from the base task pod with the group's forced pod_override: their labels are those two builders'.
            const forced = buildTaskPodOverride({ namespace: w.namespace, serviceAccount: w.serviceAccount, workloadId: w.id, files: [] });
            reservedIdentities.push({
                namespace: w.namespace,
                serviceAccount: w.serviceAccount,
                component: `Airflow ${component}`,
                podLabels: { ...podLabels(buildBaseTaskPod(AIRFLOW_IMAGE)), ...podLabels(forced) },
                creators: executor ? [executor] : [],
            });
            continue;
        }
        if (w.id === AIRFLOW_MIGRATION_JOB.workloadId) {
            // The chart's migration Job: only the Job controller creates its pods, with the chart's labels for it.
            reservedIdentities.push({
                namespace: w.namespace,
                serviceAccount: w.serviceAccount,
                component: "Airflow database migration",
                podLabels: { tier: "airflow", component: AIRFLOW_MIGRATION_JOB.podComponent, release: AIRFLOW_RELEASE },
                creators: [JOB_CONTROLLER],
            });
            continue;
        }
        reservedIdentities.push({
            namespace: w.namespace,
            serviceAccount: w.serviceAccount,
            component: `Airflow ${component}`,
            podLabels: { tier: "airflow", component, release: AIRFLOW_RELEASE },
            creators: controllers,
        });
    }
    return { secretReaders, taskAccounts, defaultTaskAccount: defaultWorker && account(defaultWorker), reservedIdentities, airflowExecutor: executor };
}

/** What the runtime layer built, for stack outputs and tests. */
export interface RuntimeAccess {
    readonly identities: ReadonlyMap<string, WorkloadIdentity>;
    readonly eso: ExternalSecretsOperator;
    readonly secretStoreRegion: string;
    /** The cluster's Kubernetes provider, for other layers' in-cluster objects (alert rules). */
    readonly kubernetesProvider: k8s.Provider;
}

/** Logical names of the environment's two Kubernetes providers: every object's, and the namespaces' (which adopt existing ones). */
export function kubernetesProviderNames(prefix: string): { readonly objects: string; readonly namespaces: string } {
    return { objects: `${prefix}-k8s`, namespaces: `${prefix}-k8s-namespaces` };
}

/** Builds the runtime layer of one environment on top of its platform (key and managed secrets). */
export async function buildRuntimeAccess(platform: EnvironmentPlatform): Promise<RuntimeAccess> {
    const { config, catalog } = platform;
    const prefix = config.namePrefix;
    const region = secretStoreRegion(config);
    const refreshInterval = config.runtime.refreshInterval;

    const cluster = aws.eks.getClusterOutput({ name: config.cluster.name }, { provider: platform.provider });
    const kubeconfig = cluster.apply((c) => {
        const issuer = c.identities?.[0]?.oidcs?.[0]?.issuer;
        if (issuer !== config.cluster.oidcIssuer) {
            throw new Error(
                `Cluster ${config.cluster.name} has OIDC issuer '${issuer}', but finledger:cluster.oidcIssuer in Pulumi.${config.environment}.yaml is '${config.cluster.oidcIssuer}'; every IRSA trust policy uses the config value, so fix the config.`,
            );
        }
        return buildKubeconfig(config.cluster.name, config.region, c.endpoint, c.certificateAuthorities[0].data);
    });
    // Helm keeps release state in ConfigMaps, so the deploy role needs no right on Secrets (DEPLOYER_NAMESPACE_RULES).
    const providerNames = kubernetesProviderNames(prefix);
    const kubernetesProvider = new k8s.Provider(providerNames.objects, { kubeconfig: pulumi.secret(kubeconfig), enableServerSideApply: true, helmReleaseSettings: { driver: "configmap" } });
    // A cluster administrator creates each namespace with the deployer's RoleBinding (npm run cluster-rbac), since the
    // deployer may not create namespaces; the stack's Namespace resources adopt them. Upsert only here: every
    // namespace is retained on delete, so a rename's create-then-delete cannot remove a live one.
    const namespaceProvider = new k8s.Provider(providerNames.namespaces, { kubeconfig: pulumi.secret(kubeconfig), enableServerSideApply: true, upsertExistingObjects: true });

    const namespaces = new Map<string, k8s.core.v1.Namespace>();
    for (const ns of managedNamespaces(catalog)) {
        namespaces.set(
            ns,
            new k8s.core.v1.Namespace(
                `${prefix}-ns-${ns}`,
                { metadata: { name: ns, labels: { "app.kubernetes.io/managed-by": "pulumi", "finledger.io/environment": config.environment } } },
                // Renaming a catalog namespace must not delete the live one and everything in it.
                { provider: namespaceProvider, ...RETAIN_ON_DELETE },
            ),
        );
    }

    const eso = new ExternalSecretsOperator(
        `${prefix}-eso`,
        { namePrefix: prefix, accountId: config.accountId, oidcIssuer: config.cluster.oidcIssuer, kubernetesProvider, namespaceProvider },
        deployedLayerOptions(platform),
    );

    // What each workload reads comes from the model; RDS-managed secrets are out of every workload's reach.
    const readsOf = new Map(platform.model.identities.map((i) => [i.workload.id, i.reads]));

    const identities = new Map<string, WorkloadIdentity>();
    const stores = new Map<string, k8s.apiextensions.CustomResource>();
    await buildPaced(catalog.workloads, (w) => {
        const reads = (readsOf.get(w.id) ?? []).map((name) => platform.secrets.get(name)!);
        const identity = new WorkloadIdentity(
            `${prefix}-wl-${w.id}`,
            {
                workloadId: w.id,
                namePrefix: prefix,
                accountId: config.accountId,
                oidcIssuer: config.cluster.oidcIssuer,
                namespace: namespaces.get(w.namespace)!.metadata.name,
                serviceAccount: w.serviceAccount,
                reads,
                labels: { "finledger.io/workload-type": w.type },
                kubernetesProvider,
            },
            deployedLayerOptions(platform),
        );
        identities.set(w.id, identity);
        const store = buildSecretStore({ name: w.serviceAccount, namespace: w.namespace, serviceAccount: w.serviceAccount, region, labels: { "finledger.io/workload": w.id } });
        stores.set(
            w.id,
            new k8s.apiextensions.CustomResource(
                `${prefix}-store-${w.id}`,
                { apiVersion: store.apiVersion, kind: store.kind, metadata: store.metadata, spec: store.spec },
                { parent: identity, provider: kubernetesProvider, dependsOn: [eso.release, identity.serviceAccountResource] },
            ),
        );
    });

    const internalSecrets: pulumi.Resource[] = [];
    await buildPaced(planSyncedSecrets(catalog.secrets, catalog.workloads, (n) => platform.secrets.has(n)), (sync) => {
        const managed = platform.secrets.get(sync.secret.name)!;
        const shape = externalSecretShape(sync);
        const name = kubernetesSecretName(sync.secret.name);
        const es = buildExternalSecret({
            name,
            namespace: sync.namespace,
            storeName: sync.via.serviceAccount,
            remoteKey: managed.secretName,
            refreshInterval,
            labels: { "finledger.io/catalog-name": name },
            ownerServiceAccount: sync.via.serviceAccount,
            readerServiceAccounts: syncedSecretReaders(sync, catalog.workloads),
            ...shape,
        });
        const resource = new k8s.apiextensions.CustomResource(
            `${prefix}-es-${sync.namespace}-${name}`,
            { apiVersion: es.apiVersion, kind: es.kind, metadata: es.metadata, spec: es.spec },
            { parent: identities.get(sync.via.id), provider: kubernetesProvider, dependsOn: [stores.get(sync.via.id)!] },
        );
        if (shape.targetName) internalSecrets.push(resource);
    });

    buildAirflow(platform, { namespaces, identities, readsOf, internalSecrets, region, kubernetesProvider });
    new AdmissionPolicies(`${prefix}-admission`, { inputs: planAdmissionInputs(catalog, (n) => platform.secrets.has(n)), kubernetesProvider }, { dependsOn: [...namespaces.values()] });
    return { identities, eso, secretStoreRegion: region, kubernetesProvider };
}

/** Stack outputs of the runtime layer: role ARNs by workload and the region stores read from. No secret. */
export function runtimeOutputs(runtime: RuntimeAccess) {
    return {
        workloadRoleArns: pulumi.output(Object.fromEntries([...runtime.identities].map(([id, i]) => [id, i.roleArn]))),
        esoControllerRoleArn: runtime.eso.controllerRoleArn,
        secretStoreRegion: runtime.secretStoreRegion,
    };
}

/** What the Airflow part of the runtime layer needs from the rest of it. */
interface AirflowWiring {
    readonly namespaces: ReadonlyMap<string, k8s.core.v1.Namespace>;
    readonly identities: ReadonlyMap<string, WorkloadIdentity>;
    /** Catalog names each workload reads (from the model). */
    readonly readsOf: ReadonlyMap<string, readonly string[]>;
    readonly internalSecrets: readonly pulumi.Resource[];
    readonly region: string;
    readonly kubernetesProvider: k8s.Provider;
}

/** One Airflow task group per namespace: the core worker's (DAGs outside every domain folder) and each domain's. */
export interface AirflowTaskGroup {
    readonly workload: CatalogWorkload;
    readonly connections: string[];
    readonly variables: string[];
    readonly files: ManagedFile[];
}

/** The task groups of a catalog: for each Airflow namespace, the workload whose identity its tasks use and the files they read. */
export function planAirflowTaskGroups(workloads: readonly CatalogWorkload[], readsOf: ReadonlyMap<string, readonly string[]>, present: (name: string) => boolean): AirflowTaskGroup[] {
    const taskWorkloads = workloads.filter(isAirflowTaskWorkload);
    return taskWorkloads.map((workload) => {
        const names = (readsOf.get(workload.id) ?? []).filter(present);
        const ids = managedAirflowIds([...new Set(names)]);
        const files: ManagedFile[] = [
            ...ids.connections.map((id) => ({ type: "connections" as const, id, kubernetesSecret: kubernetesSecretName(`${AIRFLOW_CONNECTIONS_PATH}/${id}`) })),
            ...ids.variables.map((id) => ({ type: "variables" as const, id, kubernetesSecret: kubernetesSecretName(`${AIRFLOW_VARIABLES_PATH}/${id}`) })),
        ];
        return { workload, ...ids, files };
    });
}

function buildAirflow(platform: EnvironmentPlatform, w: AirflowWiring): void {
    const { config, catalog } = platform;
    const prefix = config.namePrefix;
    const k8sOpts = { provider: w.kubernetesProvider };
    const rollout = rolloutSettings(config);
    const core = catalog.workloads.filter((x) => x.type === "airflow-core");
    const coreSa = (suffix: string) => core.find((x) => x.id === `airflow-${suffix}`)?.serviceAccount;
    const [scheduler, webserver, triggerer, worker] = ["scheduler", "webserver", "triggerer", "worker"].map(coreSa);
    const migrations = core.find((x) => x.id === AIRFLOW_MIGRATION_JOB.workloadId)?.serviceAccount;
    if (!(scheduler && webserver && triggerer && worker && migrations)) return;
    const coreNamespace = core[0].namespace;

    const groups = planAirflowTaskGroups(catalog.workloads, w.readsOf, (n) => platform.secrets.has(n));
    const settingsOf = (g: AirflowTaskGroup): TaskGroupSettings => ({
        workloadId: g.workload.id,
        namespace: g.workload.namespace,
        serviceAccount: g.workload.serviceAccount,
        podOverride: buildTaskPodOverride({ namespace: g.workload.namespace, serviceAccount: g.workload.serviceAccount, workloadId: g.workload.id, files: g.files }),
    });
    const defaultGroup = groups.find((g) => g.workload.id === AIRFLOW_DEFAULT_TASK_WORKLOAD)!;
    const localSettings = buildAirflowLocalSettings({
        defaultGroup: settingsOf(defaultGroup),
        domains: Object.fromEntries(groups.filter((g) => g !== defaultGroup).map((g) => [domainDagFolder(g.workload.id), settingsOf(g)])),
    });

    // Every task namespace: its task settings, the trusted local settings, and the scheduler's pod rights (no exec).
    for (const g of groups) {
        const ns = g.workload.namespace;
        const nsName = w.namespaces.get(ns)!.metadata.name;
        const labels = { "app.kubernetes.io/managed-by": "pulumi", "finledger.io/workload": g.workload.id };
        new k8s.core.v1.ConfigMap(
            `${prefix}-airflow-task-config-${ns}`,
            { metadata: { name: TASK_CONFIG_CONFIGMAP, namespace: nsName, labels }, data: buildTaskConfigEnv({ connections: g.connections, variables: g.variables, maxFileAgeSeconds: maxTaskFileAgeSeconds(rollout) }) },
            k8sOpts,
        );
        new k8s.core.v1.ConfigMap(`${prefix}-airflow-local-settings-${ns}`, { metadata: { name: LOCAL_SETTINGS_CONFIGMAP, namespace: nsName, labels }, data: { [LOCAL_SETTINGS_KEY]: localSettings, [SECRETS_MODULE_FILE]: buildSecretsBackendModule() } }, k8sOpts);
        for (const rbac of buildTaskNamespaceRbac(coreNamespace, { scheduler, webserver })) {
            const role = new k8s.rbac.v1.Role(`${prefix}-${rbac.role.name}-${ns}`, { metadata: { name: rbac.role.name, namespace: nsName, labels }, rules: rbac.role.rules }, k8sOpts);
            for (const b of rbac.bindings) {
                new k8s.rbac.v1.RoleBinding(
                    `${prefix}-${b.role}-binding-${ns}`,
                    { metadata: { name: b.role, namespace: nsName, labels }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: b.role }, subjects: b.subjects },
                    { ...k8sOpts, dependsOn: [role] },
                );
            }
        }
    }

    // Each domain's latency probe: a task pod of the domain timing its secret reads, reported to the chart's StatsD.
    const domains = groups.filter((g) => g !== defaultGroup);
    for (const g of domains) {
        const probe = buildTaskProbeCronJob({
            namespace: g.workload.namespace,
            serviceAccount: g.workload.serviceAccount,
            workloadId: g.workload.id,
            files: g.files,
            domain: domainDagFolder(g.workload.id),
            image: AIRFLOW_IMAGE,
            connection: g.connections[0],
            variable: g.variables[0],
            statsdAddress: `${AIRFLOW_RELEASE}-statsd.${coreNamespace}.svc.cluster.local:9125`,
        });
        new k8s.batch.v1.CronJob(`${prefix}-airflow-latency-probe-${g.workload.namespace}`, { metadata: { ...probe.metadata, namespace: w.namespaces.get(g.workload.namespace)!.metadata.name }, spec: probe.spec }, k8sOpts);
    }
    new k8s.apiextensions.CustomResource(
        `${prefix}-airflow-latency-alerts`,
        {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: "finledger-airflow-task-latency", namespace: coreNamespace, labels: { "app.kubernetes.io/part-of": "finledger-secrets-platform" } },
            spec: { groups: [{ name: "airflow-task-latency", rules: buildTaskProbeAlerts(config.environment, domains.map((g) => domainDagFolder(g.workload.id))) }] },
        },
        k8sOpts,
    );

    // The long-running core components keep the Secrets Manager backend for their own few ids (start-up cost is paid once).
    const coreNames = core.flatMap((m) => w.readsOf.get(m.id) ?? []);
    const coreEnv = buildAirflowBackendEnv(buildAirflowBackendKwargs({ environment: config.environment, region: w.region, ...managedAirflowIds([...new Set(coreNames)]) }));
    new k8s.helm.v3.Release(
        `${prefix}-airflow`,
        {
            name: AIRFLOW_RELEASE,
            chart: AIRFLOW_CHART.chart,
            version: AIRFLOW_CHART.version,
            repositoryOpts: { repo: AIRFLOW_CHART.repo },
            namespace: w.namespaces.get(coreNamespace)!.metadata.name,
            values: buildAirflowHelmValues({
                namespace: coreNamespace,
                serviceAccounts: { scheduler, webserver, triggerer, worker, migrations },
                backendEnv: coreEnv,
                taskNamespaces: groups.map((g) => g.workload.namespace),
                secretsCacheTtlSeconds: rollout.airflowSecretsCacheTtlSeconds,
                reloaderAnnotations: reloaderAnnotations(Object.values(AIRFLOW_INTERNAL_SECRETS).map((s) => s.secretName)),
                localSettings,
            }),
        },
        { provider: w.kubernetesProvider, dependsOn: [...w.internalSecrets, ...core.map((x) => w.identities.get(x.id)!)] },
    );
}
