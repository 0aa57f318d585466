// The in-cluster latency probe of Airflow tasks: per domain, a CronJob whose pod is a task pod of that domain (the base
// task pod with the domain's forced pod_override: its namespace, service account, env and secret files), running a
// fresh Python process that times what a task pays to have a connection and a variable once Airflow has started, and
// sends the figure to the chart's StatsD exporter. PrometheusRule alerts fire above the target or when a domain's
// probe stops reporting. test/runtime/airflow-task-probe.test.ts runs the script with the real Airflow.
import { buildBaseTaskPod, buildTaskPodOverride, TaskPodOverrideInputs } from "./airflow-task-pod";
import { PrometheusAlert } from "./eso-alert-rules";

/** The goal of issue 11: secret retrieval adds at most 50 ms to a task start, on average (docs/latency-budget.md). */
export const TASK_RETRIEVAL_TARGET_MS = 50;
/** The StatsD timer the probe sends (DogStatsD tag `domain`); the exporter turns it into a summary in seconds. */
export const TASK_RETRIEVAL_METRIC = "finledger.task_secret_retrieval";
/** Its Prometheus name, as statsd-exporter's default mapping writes it (dots become underscores). */
export const TASK_RETRIEVAL_PROM_METRIC = TASK_RETRIEVAL_METRIC.replace(/\./g, "_");
/** Name of each domain's probe CronJob. */
export const TASK_PROBE_CRONJOB = "airflow-task-latency-probe";

/** An unmanaged env-var connection the probe uses first, as tools/bench-task-start.ts does: Airflow's first-use cost. */
export const TASK_PROBE_WARMUP_CONNECTION = "finledger_probe_warmup";

/**
 * The probe, run as `python -c`, measured as tools/bench-task-start.ts measures: Airflow's own start-up (configuration,
 * secrets backends, ORM mappers, and the first use of any connection, here an unmanaged env-var one) is paid first, as
 * every task pays it whatever the path; the timed part is what a task adds to have its secrets: one connection and one
 * variable through the configured backend. It never prints or sends a value, only the times and the ids.
 */
export const TASK_PROBE_SCRIPT = `import json, os, socket, time
t0 = time.perf_counter()
from airflow.hooks.base import BaseHook
from airflow.models import Connection, Variable
from sqlalchemy.orm import configure_mappers
configure_mappers()
BaseHook.get_connection("${TASK_PROBE_WARMUP_CONNECTION}")
domain = os.environ["FINLEDGER_PROBE_DOMAIN"]
conn_id = os.environ.get("FINLEDGER_PROBE_CONNECTION", "")
var_key = os.environ.get("FINLEDGER_PROBE_VARIABLE", "")
start = time.perf_counter()
if conn_id:
    BaseHook.get_connection(conn_id)
if var_key:
    Variable.get(var_key)
ms = (time.perf_counter() - start) * 1000
host, port = os.environ["FINLEDGER_PROBE_STATSD"].rsplit(":", 1)
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.sendto(f"${TASK_RETRIEVAL_METRIC}:{ms:.3f}|ms|#domain:{domain}".encode(), (host, int(port)))
print(json.dumps({"domain": domain, "connection": conn_id, "variable": var_key, "ms": round(ms, 3), "startupMs": round((start - t0) * 1000, 1)}))
`;

/** Inputs of {@link buildTaskProbeCronJob}. */
export interface TaskProbeInputs extends TaskPodOverrideInputs {
    /** The domain's short name (its DAG folder), the `domain` tag of the figure. */
    readonly domain: string;
    /** The task image. */
    readonly image: string;
    /** The connection id and variable key the probe reads (the domain's first of each). Default: none of that type. */
    readonly connection?: string;
    readonly variable?: string;
    /** `host:port` of the chart's StatsD exporter (UDP). */
    readonly statsdAddress: string;
    /** Cron schedule. Default: every 5 minutes. */
    readonly schedule?: string;
}

/** A batch/v1 CronJob whose pod is exactly a task pod of the domain, with the probe as its command. */
export function buildTaskProbeCronJob(inputs: TaskProbeInputs): Record<string, any> {
    const base = buildBaseTaskPod(inputs.image) as any;
    const forced = buildTaskPodOverride(inputs) as any;
    const container = base.spec.containers[0];
    const pod = {
        metadata: { labels: { ...base.metadata.labels, ...forced.metadata.labels, "finledger.io/latency-probe": "true" } },
        spec: {
            ...base.spec,
            ...forced.spec,
            restartPolicy: "Never",
            containers: [
                {
                    ...container,
                    command: ["python", "-c", TASK_PROBE_SCRIPT],
                    env: [
                        ...container.env,
                        { name: "FINLEDGER_PROBE_DOMAIN", value: inputs.domain },
                        { name: "FINLEDGER_PROBE_CONNECTION", value: inputs.connection ?? "" },
                        { name: "FINLEDGER_PROBE_VARIABLE", value: inputs.variable ?? "" },
                        { name: "FINLEDGER_PROBE_STATSD", value: inputs.statsdAddress },
                        { name: `AIRFLOW_CONN_${TASK_PROBE_WARMUP_CONNECTION.toUpperCase()}`, value: "generic://warmup.invalid" },
                    ],
                    volumeMounts: [...container.volumeMounts, ...forced.spec.containers[0].volumeMounts],
                },
            ],
            volumes: [...base.spec.volumes, ...forced.spec.volumes],
        },
    };
    return {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: TASK_PROBE_CRONJOB, namespace: inputs.namespace, labels: { "finledger.io/workload": inputs.workloadId } },
        spec: {
            schedule: inputs.schedule ?? "*/5 * * * *",
            concurrencyPolicy: "Forbid",
            successfulJobsHistoryLimit: 1,
            failedJobsHistoryLimit: 3,
            jobTemplate: { spec: { backoffLimit: 0, activeDeadlineSeconds: 240, ttlSecondsAfterFinished: 3600, template: pod } },
        },
    };
}

/**
 * Alerts on the probe's figure: a domain whose average over 30 minutes is above the target, and a domain whose probe
 * has not reported for 30 minutes (a silent probe, or a probe that fails, e.g. on a stale file, measures nothing).
 */
export function buildTaskProbeAlerts(environment: string, domains: readonly string[], targetMs = TASK_RETRIEVAL_TARGET_MS): PrometheusAlert[] {
    if (domains.length === 0) return [];
    const runbook = "docs/latency-budget.md";
    const m = TASK_RETRIEVAL_PROM_METRIC;
    return [
        {
            alert: "AirflowTaskSecretRetrievalSlow",
            expr: `(sum by (domain) (rate(${m}_sum[30m])) / sum by (domain) (rate(${m}_count[30m]))) * 1000 > ${targetMs}`,
            for: "15m",
            labels: { severity: "warning", environment },
            annotations: {
                summary: `Airflow domain {{ $labels.domain }}: tasks pay {{ $value | printf "%.0f" }} ms to read their secrets, over the ${targetMs} ms target.`,
                description: "Measured by the domain's probe pod (a task pod of the domain). Check the node's memory pressure and the secret files' size.",
                runbook_url: runbook,
            },
        },
        {
            alert: "AirflowTaskLatencyProbeSilent",
            expr: [...domains].sort().map((d) => `absent_over_time(${m}_count{domain="${d}"}[30m])`).join(" or "),
            for: "5m",
            labels: { severity: "warning", environment },
            annotations: {
                summary: "Airflow domain {{ $labels.domain }}: the task latency probe has not reported for 30 minutes.",
                description: `Nobody measures what this domain's tasks pay. Look at the ${TASK_PROBE_CRONJOB} CronJob's last Job: a stale or missing secret file makes it fail.`,
                runbook_url: runbook,
            },
        },
    ];
}
