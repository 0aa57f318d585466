// What an Airflow task pod gets, as plain data: the base pod template every task starts from (the chart's
// `podTemplate`), and the per-namespace override the cluster policy in airflow_local_settings.py forces on every task
// of a domain (namespace, service account, and the read-only, memory-backed volume of the domain's secret files).
// test/runtime/airflow-files.test.ts runs a real Airflow task process with exactly these volumes, env and config.
import { AIRFLOW_FILE_KEYS } from "./airflow-connections";
import { SECRETS_MODULE_FILE } from "./airflow-local-settings";
import { exactIdPattern } from "./airflow-patterns";

/** AIRFLOW_HOME in the official image; every path below is under it. */
export const AIRFLOW_HOME = "/opt/airflow";
/** Where a task pod's secret files are mounted: `connections/<conn_id>.json`, `variables/<key>.json`, each with a `.synced-at` stamp. */
export const SECRET_FILES_DIR = `${AIRFLOW_HOME}/secrets/finledger`;
/**
 * Mode of the secret files. The kubelet writes Secret files as root; the official image runs as uid 50000 with gid 0,
 * so 0400 (owner only) would be unreadable by the task, and 0440 with the files' group (0) is the narrowest mode the
 * task can read. No other container runs in a task pod.
 */
export const SECRET_FILES_MODE = 0o440;
/** ConfigMap (same name in every Airflow namespace) with that namespace's task settings as env vars. */
export const TASK_CONFIG_CONFIGMAP = "airflow-task-config";
/** ConfigMap (same name in every Airflow namespace) with airflow_local_settings.py and the secrets backend module. */
export const LOCAL_SETTINGS_CONFIGMAP = "airflow-local-settings";
export const LOCAL_SETTINGS_KEY = "airflow_local_settings.py";
/** Where both files are mounted; on PYTHONPATH so that Airflow can import the backend while its configuration loads. */
export const AIRFLOW_CONFIG_DIR = `${AIRFLOW_HOME}/config`;
/** The Kubernetes Secret (ESO-synced into each Airflow namespace) and key of the metadata DB connection URL. */
export const METADATA_DB_SECRET = { name: "airflow-metadata-db", key: "connection" } as const;
/** The secrets backend task processes use: reads the mounted files, never the network (in airflow_local_settings.py). */
export const FILE_BACKEND_CLASS = `${SECRETS_MODULE_FILE.replace(/\.py$/, "")}.FinLedgerFileBackend`;
/** The image's non-root user and group. */
export const AIRFLOW_UID = 50000;
export const AIRFLOW_GID = 0;
const SECRET_VOLUME = "finledger-secret-files";

/** One managed connection or variable that a namespace's tasks read from a file. */
export interface ManagedFile {
    readonly type: "connections" | "variables";
    /** The connection id or variable key. */
    readonly id: string;
    /** The Kubernetes Secret ESO renders it into (keys in AIRFLOW_FILE_KEYS). */
    readonly kubernetesSecret: string;
}

/** Inputs of {@link buildTaskConfigEnv}. */
export interface TaskConfigInputs {
    readonly connections: readonly string[];
    readonly variables: readonly string[];
    /** Oldest sync stamp a task still accepts, in seconds: ESO refresh + kubelet sync + margin (model/rollout.ts). */
    readonly maxFileAgeSeconds: number;
}

/**
 * The env vars of a namespace's task processes (ConfigMap {@link TASK_CONFIG_CONFIGMAP}): the file backend and the
 * guard's own managed-id patterns. No AWS setting: a task reads no secret over the network.
 */
export function buildTaskConfigEnv(inputs: TaskConfigInputs): Record<string, string> {
    return {
        AIRFLOW__CORE__EXECUTOR: "KubernetesExecutor",
        PYTHONPATH: AIRFLOW_CONFIG_DIR,
        AIRFLOW__CORE__LOAD_EXAMPLES: "False",
        AIRFLOW__SECRETS__BACKEND: FILE_BACKEND_CLASS,
        AIRFLOW__SECRETS__BACKEND_KWARGS: JSON.stringify({ root: SECRET_FILES_DIR, max_age_seconds: inputs.maxFileAgeSeconds }),
        AIRFLOW__FINLEDGER__MANAGED_CONNECTIONS_PATTERN: exactIdPattern(inputs.connections),
        AIRFLOW__FINLEDGER__MANAGED_VARIABLES_PATTERN: exactIdPattern(inputs.variables),
    };
}

/** The projected volume of a namespace's secret files: tmpfs, read-only, one optional source per managed id. */
export function buildSecretFilesVolume(files: readonly ManagedFile[]): Record<string, unknown> {
    return {
        name: SECRET_VOLUME,
        projected: {
            defaultMode: SECRET_FILES_MODE,
            sources: [...files]
                .sort((a, b) => `${a.type}/${a.id}`.localeCompare(`${b.type}/${b.id}`))
                .map((f) => ({
                    secret: {
                        name: f.kubernetesSecret,
                        // A missing Secret fails only the lookups of that id (loudly), not the start of every task.
                        optional: true,
                        items: [
                            { key: AIRFLOW_FILE_KEYS.value, path: `${f.type}/${f.id}.json` },
                            { key: AIRFLOW_FILE_KEYS.syncedAt, path: `${f.type}/${f.id}.synced-at` },
                        ],
                    },
                })),
        },
    };
}

/**
 * The base pod template of every task (the chart's `podTemplate`): the image, the namespace's task settings, the
 * metadata DB connection and airflow_local_settings.py, all by names that exist in every Airflow namespace. No fernet
 * key: tasks cannot decrypt connections or variables kept in the metastore.
 */
export function buildBaseTaskPod(image: string): Record<string, unknown> {
    return {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "placeholder-name", labels: { "app.kubernetes.io/part-of": "airflow", "finledger.io/airflow-task": "true" } },
        spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            securityContext: { runAsNonRoot: true, runAsUser: AIRFLOW_UID, runAsGroup: AIRFLOW_GID },
            containers: [
                {
                    name: "base",
                    image,
                    imagePullPolicy: "IfNotPresent",
                    envFrom: [{ configMapRef: { name: TASK_CONFIG_CONFIGMAP } }],
                    env: [{ name: "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", valueFrom: { secretKeyRef: { name: METADATA_DB_SECRET.name, key: METADATA_DB_SECRET.key } } }],
                    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: false, capabilities: { drop: ["ALL"] } },
                    volumeMounts: [LOCAL_SETTINGS_KEY, SECRETS_MODULE_FILE].map((file) => ({ name: "local-settings", mountPath: `${AIRFLOW_CONFIG_DIR}/${file}`, subPath: file, readOnly: true })),
                },
            ],
            volumes: [{ name: "local-settings", configMap: { name: LOCAL_SETTINGS_CONFIGMAP, defaultMode: 0o444 } }],
        },
    };
}

/** Inputs of {@link buildTaskPodOverride}. */
export interface TaskPodOverrideInputs {
    readonly namespace: string;
    readonly serviceAccount: string;
    /** Workload id of the group (`airflow-payments`), as a label for the admission policy and logs. */
    readonly workloadId: string;
    readonly files: readonly ManagedFile[];
}

/**
 * The `pod_override` the cluster policy forces on every task of a group: its namespace and service account, and its
 * secret files mounted read-only. Merged by the executor onto {@link buildBaseTaskPod} (names do not overlap).
 */
export function buildTaskPodOverride(inputs: TaskPodOverrideInputs): Record<string, unknown> {
    return {
        metadata: { namespace: inputs.namespace, labels: { "finledger.io/workload": inputs.workloadId } },
        spec: {
            serviceAccountName: inputs.serviceAccount,
            // IRSA's webhook mounts its own token; tasks need no Kubernetes API token.
            automountServiceAccountToken: false,
            containers: [{ name: "base", volumeMounts: [{ name: SECRET_VOLUME, mountPath: SECRET_FILES_DIR, readOnly: true }] }],
            volumes: [buildSecretFilesVolume(inputs.files)],
        },
    };
}
