// Pure builders for Airflow's runtime wiring: the Secrets Manager backend settings a domain's task pods get, and
// the values of the official Airflow Helm chart. The contract test (test/runtime/airflow-contract.test.ts) loads
// exactly what these return into a real Airflow.
import { fullSecretName } from "../model/names";

/** Airflow's Secrets Manager backend class (apache-airflow-providers-amazon). */
export const AIRFLOW_SECRETS_BACKEND = "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend";
/** The official Airflow Helm chart, pinned, and the Airflow version it runs (the same as the test venv's). */
export const AIRFLOW_CHART = { chart: "airflow", version: "1.18.0", repo: "https://airflow.apache.org", airflowVersion: "2.11.0" } as const;
/** Catalog name prefixes that Airflow's backend resolves (the rest of the name is the connection id / variable key). */
export const AIRFLOW_CONNECTIONS_PATH = "airflow/connections";
export const AIRFLOW_VARIABLES_PATH = "airflow/variables";
/** Kubernetes Secrets (synced by ESO in namespace `airflow`) that the chart reads Airflow's own secrets from. */
export const AIRFLOW_INTERNAL_SECRETS = {
    fernetKey: { catalogName: "airflow/fernet-key", secretName: "airflow-fernet-key", key: "fernet-key" },
    webserverSecretKey: { catalogName: "airflow/webserver-secret-key", secretName: "airflow-webserver-secret-key", key: "webserver-secret-key" },
    metadataDb: { catalogName: "airflow/metadata-db", secretName: "airflow-metadata-db", key: "connection" },
} as const;
/** Name of the ConfigMap, in each Airflow namespace, that holds that namespace's backend settings as env vars. */
export const AIRFLOW_BACKEND_CONFIGMAP = "airflow-secrets-backend";
/** A Python regex that matches no id: a group with no managed ids never calls Secrets Manager. */
export const MATCH_NOTHING = "^(?!)$";

/** The connection ids and variable keys the platform manages for a set of catalog secret names. */
export function managedAirflowIds(catalogNames: readonly string[]): { connections: string[]; variables: string[] } {
    const pick = (path: string) =>
        catalogNames
            .filter((n) => n.startsWith(`${path}/`))
            .map((n) => n.slice(path.length + 1))
            .sort();
    return { connections: pick(AIRFLOW_CONNECTIONS_PATH), variables: pick(AIRFLOW_VARIABLES_PATH) };
}

/** True when a catalog secret is read through Airflow's secrets backend rather than synced by ESO. */
export function isAirflowBackendSecret(catalogName: string): boolean {
    return catalogName.startsWith(`${AIRFLOW_CONNECTIONS_PATH}/`) || catalogName.startsWith(`${AIRFLOW_VARIABLES_PATH}/`);
}

/** An anchored Python regex that matches exactly the given ids. */
export function exactIdPattern(ids: readonly string[]): string {
    if (ids.length === 0) return MATCH_NOTHING;
    return `^(?:${[...ids].sort().map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})$`;
}

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

/**
 * `airflow_local_settings.py` for every Airflow process: an id that matches the lookup patterns (a platform-managed
 * id) resolves only from Secrets Manager. Airflow 2 falls through to env vars and the metastore when a backend
 * raises; this makes those two backends refuse managed ids, so during an outage a lookup fails loudly instead of
 * using a stale or hand-made copy. Unmanaged ids keep Airflow's normal behaviour.
 */
export function buildAirflowLocalSettings(): string {
    return `# Generated by the FinLedger secrets platform (components/airflow.ts). See docs/access-patterns.md.
import logging
import re


def _finledger_managed_ids_resolve_only_from_secrets_manager():
    from airflow.configuration import conf
    from airflow.secrets.environment_variables import EnvironmentVariablesBackend
    from airflow.secrets.metastore import MetastoreBackend

    kwargs = conf.getjson("secrets", "backend_kwargs", fallback={}) or {}
    patterns = {
        "connection": kwargs.get("connections_lookup_pattern"),
        "variable": kwargs.get("variables_lookup_pattern"),
    }
    log = logging.getLogger("finledger.secrets")

    def guard(kind, original):
        def refuse_managed(self, *args, **kw):
            key = args[0] if args else kw.get("conn_id", kw.get("key"))
            pattern = patterns[kind]
            if pattern and key is not None and re.match(pattern, key):
                log.error(
                    "%s '%s' is managed in AWS Secrets Manager; refusing the copy in %s. "
                    "If Secrets Manager failed above, the task fails and retries; do not add a copy.",
                    kind, key, type(self).__name__,
                )
                return None
            return original(self, *args, **kw)
        return refuse_managed

    EnvironmentVariablesBackend.get_conn_value = guard("connection", EnvironmentVariablesBackend.get_conn_value)
    EnvironmentVariablesBackend.get_variable = guard("variable", EnvironmentVariablesBackend.get_variable)
    MetastoreBackend.get_connection = guard("connection", MetastoreBackend.get_connection)
    MetastoreBackend.get_variable = guard("variable", MetastoreBackend.get_variable)


_finledger_managed_ids_resolve_only_from_secrets_manager()
`;
}

/** Inputs of {@link buildAirflowHelmValues}. */
export interface AirflowHelmInputs {
    /** Namespace of Airflow's own components. */
    readonly namespace: string;
    /** Service accounts (created by WorkloadIdentity) of the core components. */
    readonly serviceAccounts: { readonly scheduler: string; readonly webserver: string; readonly triggerer: string; readonly worker: string };
    /** Env vars of the backend for the core components (their own managed ids). */
    readonly backendEnv: Record<string, string>;
    /** Every namespace the KubernetesExecutor may launch task pods in (the core one and each domain's). */
    readonly taskNamespaces: readonly string[];
    /** TTL of Airflow's secrets-backend cache, from the rollout settings (components/rollout.ts). */
    readonly secretsCacheTtlSeconds: number;
    /** Annotations that make Reloader restart the long-running components when their ESO-synced Secrets change. Default: none. */
    readonly reloaderAnnotations?: Record<string, string>;
}

/**
 * Values of the official Airflow chart: KubernetesExecutor across the domain namespaces, each core component on
 * its own pre-created service account (no chart-created ones), Airflow's own secrets from ESO-synced Kubernetes
 * Secrets, and the Secrets Manager backend. No `AIRFLOW_CONN_*` or `AIRFLOW_VAR_*` env var is ever set, so a
 * managed id has no second copy to fall back to.
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
        multiNamespaceMode: true,
        fernetKeySecretName: s.fernetKey.secretName,
        webserverSecretKeySecretName: s.webserverSecretKey.secretName,
        data: { metadataSecretName: s.metadataDb.secretName },
        airflowLocalSettings: buildAirflowLocalSettings(),
        postgresql: { enabled: false },
        redis: { enabled: false },
        scheduler: sa(inputs.serviceAccounts.scheduler),
        webserver: sa(inputs.serviceAccounts.webserver),
        triggerer: sa(inputs.serviceAccounts.triggerer),
        workers: sa(inputs.serviceAccounts.worker, false),
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
            kubernetes_executor: {
                multi_namespace_mode: "True",
                multi_namespace_mode_namespace_list: [...inputs.taskNamespaces].sort().join(","),
            },
        },
    };
}

/**
 * The `pod_override` a domain's DAGs set (through `default_args`) so that each task pod runs in the domain's namespace,
 * as the domain's service account, with the domain's backend settings. Shown in docs/access-patterns.md.
 */
export function buildDomainPodOverride(namespace: string, serviceAccount: string): Record<string, unknown> {
    return {
        metadata: { namespace },
        spec: {
            serviceAccountName: serviceAccount,
            containers: [{ name: "base", envFrom: [{ configMapRef: { name: AIRFLOW_BACKEND_CONFIGMAP } }] }],
        },
    };
}
