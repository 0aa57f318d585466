// Pure builders for Airflow's runtime wiring: the values of the official Airflow Helm chart, the Secrets Manager
// backend settings of the long-running core components, and the RBAC of the task namespaces. Task processes read
// their secrets from files (components/airflow-task-pod.ts, components/airflow-local-settings.ts).
import * as YAML from "yaml";
import { buildBaseTaskPod } from "./airflow-task-pod";
import { fullSecretName } from "../model/names";
import { AIRFLOW_CONNECTIONS_PATH, AIRFLOW_VARIABLES_PATH, exactIdPattern } from "./airflow-patterns";

export { AIRFLOW_CONNECTIONS_PATH, AIRFLOW_VARIABLES_PATH, exactIdPattern, isAirflowBackendSecret, managedAirflowIds, MATCH_NOTHING } from "./airflow-patterns";

/** Airflow's Secrets Manager backend class (apache-airflow-providers-amazon): the core components' path, and the old task path the bench compares with. */
export const AIRFLOW_SECRETS_BACKEND = "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend";
/** The official Airflow Helm chart, pinned, and the Airflow version it runs (the same as the test venv's). */
export const AIRFLOW_CHART = { chart: "airflow", version: "1.18.0", repo: "https://airflow.apache.org", airflowVersion: "2.11.0" } as const;
/** The task image: the chart's default image at the pinned Airflow version. */
export const AIRFLOW_IMAGE = `apache/airflow:${AIRFLOW_CHART.airflowVersion}`;
/** Kubernetes Secrets (synced by ESO) that Airflow's own secrets come from; the metadata DB one also in every task namespace. */
export const AIRFLOW_INTERNAL_SECRETS = {
    fernetKey: { catalogName: "airflow/fernet-key", secretName: "airflow-fernet-key", key: "fernet-key" },
    webserverSecretKey: { catalogName: "airflow/webserver-secret-key", secretName: "airflow-webserver-secret-key", key: "webserver-secret-key" },
    metadataDb: { catalogName: "airflow/metadata-db", secretName: "airflow-metadata-db", key: "connection" },
} as const;

/**
 * The chart's database-migration Job (`airflow db migrate`): the catalog workload whose pre-created account it runs as,
 * and the `component` label the chart puts on its pod.
 */
export const AIRFLOW_MIGRATION_JOB = { workloadId: "airflow-migrations", podComponent: "run-airflow-migrations" } as const;

/** The broker Secret name the chart is given so that it generates none: no pod reads it (there is no Celery executor). */
export const NO_BROKER_SECRET = "airflow-broker-url-unused";

/** Inputs of {@link buildAirflowBackendKwargs}. */
export interface AirflowBackendInputs {
    readonly environment: string;
    /** The Secrets Manager region: primary, or the replica region during a failover (same switch as ESO). */
    readonly region: string;
    /** Connection ids the platform manages for this group (from the catalog). */
    readonly connections: readonly string[];
    /** Variable keys the platform manages for this group (from the catalog). */
    readonly variables: readonly string[];
}

/**
 * `[secrets] backend_kwargs`: the environment's prefixes, lookup patterns that let only the group's managed ids reach
 * Secrets Manager, and `config_prefix` null so Airflow's own configuration is never looked up there.
 */
export function buildAirflowBackendKwargs(inputs: AirflowBackendInputs): Record<string, string | null> {
    return {
        connections_prefix: fullSecretName(inputs.environment, AIRFLOW_CONNECTIONS_PATH),
        connections_lookup_pattern: exactIdPattern(inputs.connections),
        variables_prefix: fullSecretName(inputs.environment, AIRFLOW_VARIABLES_PATH),
        variables_lookup_pattern: exactIdPattern(inputs.variables),
        config_prefix: null,
        region_name: inputs.region,
    };
}

/**
 * Environment variables that configure the backend in a pod. boto's standard retry mode with 3 attempts bounds how
 * long a lookup waits during a Secrets Manager outage before Airflow gives up on the backend.
 */
export function buildAirflowBackendEnv(kwargs: Record<string, string | null>): Record<string, string> {
    return {
        AIRFLOW__SECRETS__BACKEND: AIRFLOW_SECRETS_BACKEND,
        AIRFLOW__SECRETS__BACKEND_KWARGS: JSON.stringify(kwargs),
        AWS_RETRY_MODE: "standard",
        AWS_MAX_ATTEMPTS: "3",
        AWS_STS_REGIONAL_ENDPOINTS: "regional",
    };
}

/** Inputs of {@link buildAirflowHelmValues}. */
export interface AirflowHelmInputs {
    /** Namespace of Airflow's own components. */
    readonly namespace: string;
    /** Service accounts (created by WorkloadIdentity) of the core components and of the database-migration Job. */
    readonly serviceAccounts: { readonly scheduler: string; readonly webserver: string; readonly triggerer: string; readonly worker: string; readonly migrations: string };
    /** Env vars of the backend for the core components (their own managed ids). */
    readonly backendEnv: Record<string, string>;
    /** Every namespace the KubernetesExecutor may launch task pods in (the core one and each domain's). */
    readonly taskNamespaces: readonly string[];
    /** TTL of Airflow's secrets-backend cache, from the rollout settings (model/rollout.ts). */
    readonly secretsCacheTtlSeconds: number;
    /** Annotations that make Reloader restart the long-running components when their ESO-synced Secrets change. Default: none. */
    readonly reloaderAnnotations?: Record<string, string>;
    /** airflow_local_settings.py (components/airflow-local-settings.ts), the same file every task pod mounts. */
    readonly localSettings: string;
}

/**
 * Values of the official Airflow chart: KubernetesExecutor across the task namespaces, each core component on its own
 * pre-created service account (no chart-created ones), Airflow's own secrets from ESO-synced Kubernetes Secrets, the
 * Secrets Manager backend for the long-running components, and our base task pod template. The chart creates no RBAC
 * (the stack grants the scheduler pod rights per task namespace, without exec: {@link buildTaskNamespaceRbac}) and no
 * default user (docs/access-patterns.md: first admin from a secret). No `AIRFLOW_CONN_*` or `AIRFLOW_VAR_*` env var is
 * ever set, so a managed id has no second copy to fall back to.
 */
export function buildAirflowHelmValues(inputs: AirflowHelmInputs): Record<string, unknown> {
    const annotations = inputs.reloaderAnnotations ?? {};
    // Long-running components read Airflow's own secrets once at start; Reloader rolls them when ESO syncs a new value.
    const sa = (name: string, restartOnRotation = true) => ({
        serviceAccount: { create: false, name },
        ...(restartOnRotation && Object.keys(annotations).length > 0 ? { annotations } : {}),
    });
    const s = AIRFLOW_INTERNAL_SECRETS;
    return {
        airflowVersion: AIRFLOW_CHART.airflowVersion,
        defaultAirflowTag: AIRFLOW_CHART.airflowVersion,
        executor: "KubernetesExecutor",
        // Cluster-wide pod rights would let any DAG's pod_override reach any namespace; the stack grants per namespace.
        multiNamespaceMode: false,
        rbac: { create: false, createSCCRoleBinding: false },
        podTemplate: YAML.stringify(buildBaseTaskPod(AIRFLOW_IMAGE)),
        fernetKeySecretName: s.fernetKey.secretName,
        webserverSecretKeySecretName: s.webserverSecretKey.secretName,
        // Without a broker Secret name the chart generates a Redis URL Secret with a random password itself (a value
        // made by IaC), even with no Celery; nothing reads this name under the KubernetesExecutor (test/runtime/airflow-chart.test.ts).
        data: { metadataSecretName: s.metadataDb.secretName, brokerUrlSecretName: NO_BROKER_SECRET },
        airflowLocalSettings: inputs.localSettings,
        postgresql: { enabled: false },
        redis: { enabled: false },
        scheduler: sa(inputs.serviceAccounts.scheduler),
        webserver: { ...sa(inputs.serviceAccounts.webserver), defaultUser: { enabled: false } },
        triggerer: sa(inputs.serviceAccounts.triggerer),
        workers: sa(inputs.serviceAccounts.worker, false),
        // Its own least-privilege account, which the admission policies reserve for pods the Job controller creates.
        migrateDatabaseJob: { serviceAccount: { create: false, name: inputs.serviceAccounts.migrations } },
        dagProcessor: { annotations },
        env: Object.entries(inputs.backendEnv)
            .filter(([k]) => k.startsWith("AWS_"))
            .map(([name, value]) => ({ name, value })),
        config: {
            core: { load_examples: "False" },
            secrets: {
                backend: inputs.backendEnv.AIRFLOW__SECRETS__BACKEND,
                backend_kwargs: inputs.backendEnv.AIRFLOW__SECRETS__BACKEND_KWARGS,
                // Airflow's cache applies to DAG parsing only; tasks always read the current value.
                use_cache: "True",
                cache_ttl_seconds: String(inputs.secretsCacheTtlSeconds),
            },
            // The guard in airflow_local_settings.py: the core components' own managed ids never come from env or the metastore.
            finledger: guardPatterns(inputs.backendEnv.AIRFLOW__SECRETS__BACKEND_KWARGS),
            kubernetes_executor: {
                multi_namespace_mode: "True",
                multi_namespace_mode_namespace_list: [...inputs.taskNamespaces].sort().join(","),
            },
        },
    };
}

function guardPatterns(backendKwargs: string | undefined): Record<string, string> {
    const kwargs = backendKwargs ? (JSON.parse(backendKwargs) as Record<string, string | null>) : {};
    return { managed_connections_pattern: kwargs.connections_lookup_pattern ?? exactIdPattern([]), managed_variables_pattern: kwargs.variables_lookup_pattern ?? exactIdPattern([]) };
}

/** The scheduler's and webserver's rights in one task namespace. */
export interface TaskNamespaceRbac {
    readonly role: { readonly name: string; readonly rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    readonly bindings: { readonly role: string; readonly subjects: { kind: "ServiceAccount"; name: string; namespace: string }[] }[];
}

/** Name of the Role, in each task namespace, with which the scheduler launches and watches task pods. */
export const TASK_LAUNCHER_ROLE = "airflow-task-launcher";
/** Name of the Role, in each task namespace, with which the webserver reads running tasks' logs. */
export const TASK_LOG_READER_ROLE = "airflow-task-log-reader";

/**
 * RBAC of one task namespace: the scheduler may create, watch, patch and delete pods there (what the
 * KubernetesExecutor does) but not exec into them or read Secrets; the webserver may read pod logs. Nothing else in
 * the cluster: the chart's cluster-wide role is off (`multiNamespaceMode: false`).
 */
export function buildTaskNamespaceRbac(coreNamespace: string, serviceAccounts: { readonly scheduler: string; readonly webserver: string }): TaskNamespaceRbac[] {
    const subject = (name: string) => ({ kind: "ServiceAccount" as const, name, namespace: coreNamespace });
    return [
        {
            role: {
                name: TASK_LAUNCHER_ROLE,
                rules: [
                    { apiGroups: [""], resources: ["pods"], verbs: ["create", "get", "list", "watch", "patch", "delete", "deletecollection"] },
                    { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
                    { apiGroups: [""], resources: ["events"], verbs: ["list"] },
                ],
            },
            bindings: [{ role: TASK_LAUNCHER_ROLE, subjects: [subject(serviceAccounts.scheduler)] }],
        },
        {
            role: { name: TASK_LOG_READER_ROLE, rules: [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list"] }] },
            bindings: [{ role: TASK_LOG_READER_ROLE, subjects: [subject(serviceAccounts.webserver)] }],
        },
    ];
}
