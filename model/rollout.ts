// How a rotated value reaches running workloads without a redeploy, and the grace rule that keeps a rotation
// from breaking a task that already holds the old credential. The runtime layer (External Secrets, Airflow Helm
// values) reads these numbers from here; the rotation layer checks them against the catalog's schedules.
import { EVENT_REFRESH_BOUND_SECONDS } from "./event-refresh";

/**
 * Rollout timings of one environment: ESO's refresh comes from `finledger:runtime.refreshInterval` (the runtime
 * layer applies it to every ExternalSecret), the rest from `finledger:rotation.rollout`.
 */
export interface RolloutSettings {
    /** ExternalSecret `spec.refreshInterval` in seconds: how often ESO re-reads Secrets Manager into a Kubernetes Secret. */
    readonly esoRefreshIntervalSeconds: number;
    /** Worst delay before the kubelet projects a changed Secret into a mounted volume (sync period + cache TTL). */
    readonly kubeletSyncSeconds: number;
    /** Airflow `[secrets] cache_ttl_seconds` (with `use_cache = True`) of the Secrets Manager backend. */
    readonly airflowSecretsCacheTtlSeconds: number;
    /** The longest a task may run while holding a credential it read at start (Airflow execution_timeout, dbt/Spark job timeout). */
    readonly longestTaskSeconds: number;
}

/** Defaults: ESO every hour (the runtime default), kubelet 2 minutes, Airflow cache 5 minutes, tasks at most 6 hours. */
export const DEFAULT_ROLLOUT: RolloutSettings = {
    esoRefreshIntervalSeconds: 3600,
    kubeletSyncSeconds: 120,
    airflowSecretsCacheTtlSeconds: 300,
    longestTaskSeconds: 6 * 3600,
};

/** Seconds of a Go duration such as "15m", "1h30m" or "90s" (the form ESO's refreshInterval takes). */
export function goDurationSeconds(duration: string): number {
    const parts = [...duration.matchAll(/(\d+)(h|m|s)/g)];
    if (parts.length === 0 || parts.map((p) => p[0]).join("") !== duration) throw new Error(`'${duration}' is not a Go duration such as 15m or 1h.`);
    return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (unit === "h" ? 3600 : unit === "m" ? 60 : 1), 0);
}

/** The rollout settings of an environment from its config: ESO's interval from the runtime layer, the rest from rotation. */
export function rolloutSettings(config: { runtime: { refreshInterval: string }; rotation: { rollout: Omit<RolloutSettings, "esoRefreshIntervalSeconds"> } }): RolloutSettings {
    return { esoRefreshIntervalSeconds: goDurationSeconds(config.runtime.refreshInterval), ...config.rotation.rollout };
}

/** Annotation that makes Stakater Reloader roll a Deployment when one of the named Kubernetes Secrets changes. */
export const RELOADER_SECRET_ANNOTATION = "secret.reloader.stakater.com/reload";

/** Long-running Airflow components that read connections once at start, so they need a rolling restart. */
export const LONG_RUNNING_AIRFLOW_COMPONENTS = ["scheduler", "webserver", "triggerer", "dag-processor"] as const;

/** The Reloader annotations for a long-running Deployment that mounts or env-loads these Kubernetes Secrets. */
export function reloaderAnnotations(kubernetesSecretNames: readonly string[]): Record<string, string> {
    if (kubernetesSecretNames.length === 0) return {};
    return { [RELOADER_SECRET_ANNOTATION]: [...new Set(kubernetesSecretNames)].sort().join(",") };
}

/** Airflow settings for the Secrets Manager backend cache, as environment variables of every Airflow pod. */
export function airflowSecretsCacheEnv(rollout: RolloutSettings): Record<string, string> {
    return { AIRFLOW__SECRETS__USE_CACHE: "True", AIRFLOW__SECRETS__CACHE_TTL_SECONDS: String(rollout.airflowSecretsCacheTtlSeconds) };
}

/** ESO's `refreshInterval` as a Go duration string, such as "5m" or "90s". */
export function esoRefreshInterval(rollout: RolloutSettings): string {
    const s = rollout.esoRefreshIntervalSeconds;
    return s % 3600 === 0 ? `${s / 3600}h` : s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}

/** Slack on top of ESO refresh + kubelet sync before a task refuses a secret file as stale (ESO retries, jitter). */
export const TASK_FILE_MARGIN_SECONDS = 300;

/**
 * The oldest sync stamp a task accepts on a secret file: one ESO refresh, the kubelet's projection delay and a margin.
 * A task may therefore start with a replaced value at most this long after the rotation that replaced it.
 */
export function maxTaskFileAgeSeconds(rollout: RolloutSettings): number {
    return rollout.esoRefreshIntervalSeconds + rollout.kubeletSyncSeconds + TASK_FILE_MARGIN_SECONDS;
}

/**
 * How long until new tasks see a new current value on the event path: the event bound (EventBridge invoking the
 * refresh function to ESO's re-read, model/event-refresh.ts) plus the kubelet's projection. Polling
 * ({@link maxTaskFileAgeSeconds}) stays the bound when an event is late or lost, so the grace rule keeps that one.
 */
export function eventDeliverySeconds(rollout: RolloutSettings): number {
    return EVENT_REFRESH_BOUND_SECONDS + rollout.kubeletSyncSeconds;
}

/**
 * The longest a replaced credential must stay valid: the slowest path by which a new value reaches a task (a file
 * a task still accepts, or the core components' Airflow cache), plus the longest task that may have started with
 * the old value just before the new one arrived.
 */
export function requiredGraceSeconds(rollout: RolloutSettings): number {
    return Math.max(maxTaskFileAgeSeconds(rollout), rollout.airflowSecretsCacheTtlSeconds) + rollout.longestTaskSeconds;
}

/**
 * How long a replaced credential stays valid under the two-credential strategies: from the end of the rotation
 * that replaced it until the next rotation installs a new credential in its place. In the worst case the first
 * rotation finishes at the end of its window and the next starts at the beginning of its own.
 */
export function guaranteedGraceSeconds(rotationDays: number, windowHours: number): number {
    return rotationDays * 86400 - windowHours * 3600;
}

/** One secret's schedule, as the grace check needs it. */
export interface ScheduledSecret {
    readonly name: string;
    readonly days: number;
}

/**
 * The grace rule: every rotated secret's old credential stays valid for at least the refresh interval plus the
 * longest task. Returns one sentence per violation (empty when the rule holds).
 */
export function graceRuleViolations(rollout: RolloutSettings, windowHours: number, secrets: readonly ScheduledSecret[]): string[] {
    const need = requiredGraceSeconds(rollout);
    return secrets
        .filter((s) => guaranteedGraceSeconds(s.days, windowHours) < need)
        .map(
            (s) =>
                `Secret '${s.name}' rotates every ${s.days} days with a ${windowHours} h window, so its old credential is valid for only ${guaranteedGraceSeconds(s.days, windowHours)} s, ` +
                `less than the ${need} s that delivery (max(ESO ${rollout.esoRefreshIntervalSeconds} s + kubelet ${rollout.kubeletSyncSeconds} s + margin ${TASK_FILE_MARGIN_SECONDS} s, Airflow cache ${rollout.airflowSecretsCacheTtlSeconds} s)) plus the longest task (${rollout.longestTaskSeconds} s) need; ` +
                `rotate it less often, shorten the window, or lower the refresh interval or task timeout.`,
        );
}
