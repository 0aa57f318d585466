// The AWS side of `npm run status`: read-only calls only (DescribeSecret, ListSecretVersionIds, DescribeAlarms),
// a fixed number in flight at once, and retries with exponential backoff when AWS throttles.
import { CloudWatchClient, DescribeAlarmsCommand, DescribeAlarmsCommandOutput } from "@aws-sdk/client-cloudwatch";
import { DescribeSecretCommand, ListSecretVersionIdsCommand, ListSecretVersionIdsCommandOutput, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ObservedAlarm, Observation, ObservedVersion } from "./assess";

/** Where and how to query. */
export interface CollectOptions {
    readonly region: string;
    /** An endpoint override (moto in tests). Default: AWS. */
    readonly endpoint?: string;
    /** Requests in flight at once. Default: 8, below Secrets Manager's DescribeSecret rate of 40 per second. */
    readonly concurrency?: number;
    /** Attempts per call when throttled. Default: 6. */
    readonly maxAttempts?: number;
    /** First backoff in ms, doubled per attempt with jitter. Default: 200. */
    readonly baseDelayMs?: number;
    /** Called after each secret is read, for a progress indicator. */
    readonly onProgress?: (done: number, total: number) => void;
}

const THROTTLE_NAMES = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled"]);

/** Whether an SDK error is AWS throttling (and so worth retrying). */
export function isThrottling(err: unknown): boolean {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return THROTTLE_NAMES.has(e?.name ?? "") || e?.$metadata?.httpStatusCode === 429;
}

function isAccessDenied(err: unknown): boolean {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return /AccessDenied|UnauthorizedOperation|NotAuthorized/.test(e?.name ?? "") || e?.$metadata?.httpStatusCode === 403;
}

/** Runs `call`, retrying throttled attempts after exponential backoff with full jitter. */
export async function withBackoff<T>(call: () => Promise<T>, maxAttempts = 6, baseDelayMs = 200): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await call();
        } catch (err) {
            if (!isThrottling(err) || attempt >= maxAttempts) throw err;
            await new Promise((r) => setTimeout(r, Math.random() * baseDelayMs * 2 ** (attempt - 1)));
        }
    }
}

/** Maps `items` through `fn` with at most `limit` calls in flight, keeping the input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const i = next++;
            results[i] = await fn(items[i], i);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
    return results;
}

/** Reads one secret's metadata and versions; never its value. */
async function observeSecret(sm: SecretsManagerClient, secretId: string, retry: <T>(c: () => Promise<T>) => Promise<T>): Promise<Observation> {
    try {
        const d = await retry(() => sm.send(new DescribeSecretCommand({ SecretId: secretId })));
        const versions: ObservedVersion[] = [];
        let token: string | undefined;
        do {
            const page: ListSecretVersionIdsCommandOutput = await retry(() => sm.send(new ListSecretVersionIdsCommand({ SecretId: secretId, IncludeDeprecated: false, NextToken: token })));
            for (const v of page.Versions ?? []) versions.push({ versionId: v.VersionId ?? "?", stages: v.VersionStages ?? [], createdDate: v.CreatedDate });
            token = page.NextToken;
        } while (token);
        return {
            found: true,
            rotationEnabled: d.RotationEnabled === true,
            rotationDays: d.RotationRules?.AutomaticallyAfterDays,
            lastRotated: d.LastRotatedDate,
            lastChanged: d.LastChangedDate,
            created: d.CreatedDate,
            nextRotation: d.NextRotationDate,
            deletedDate: d.DeletedDate,
            tags: Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
            versions,
        };
    } catch (err) {
        const e = err as Error;
        if (e.name === "ResourceNotFoundException") return { found: false, reason: "missing", message: e.message };
        if (isAccessDenied(err)) return { found: false, reason: "access-denied", message: `${e.name}: ${e.message}` };
        return { found: false, reason: "error", message: `${e.name}: ${e.message}` };
    }
}

/** Reads every named secret's observation, in input order. */
export async function observeSecrets(secretIds: readonly string[], options: CollectOptions): Promise<Observation[]> {
    const sm = new SecretsManagerClient({ region: options.region, endpoint: options.endpoint, maxAttempts: 1 });
    const retry = <T>(c: () => Promise<T>) => withBackoff(c, options.maxAttempts, options.baseDelayMs);
    let done = 0;
    try {
        return await mapBounded(secretIds, options.concurrency ?? 8, async (id) => {
            const o = await observeSecret(sm, id, retry);
            options.onProgress?.(++done, secretIds.length);
            return o;
        });
    } finally {
        sm.destroy();
    }
}

/** The metric alarms in ALARM state, or the reason they could not be read. */
export async function alarmsInAlarm(options: CollectOptions): Promise<{ alarms: ObservedAlarm[]; error?: string }> {
    const cw = new CloudWatchClient({ region: options.region, endpoint: options.endpoint, maxAttempts: 1 });
    const alarms: ObservedAlarm[] = [];
    try {
        let token: string | undefined;
        do {
            const page: DescribeAlarmsCommandOutput = await withBackoff(() => cw.send(new DescribeAlarmsCommand({ StateValue: "ALARM", NextToken: token })), options.maxAttempts, options.baseDelayMs);
            for (const a of page.MetricAlarms ?? []) {
                alarms.push({
                    name: a.AlarmName ?? "?",
                    description: a.AlarmDescription,
                    dimensions: (a.Dimensions ?? []).map((d) => ({ name: d.Name ?? "", value: d.Value ?? "" })),
                    since: a.StateUpdatedTimestamp,
                });
            }
            token = page.NextToken;
        } while (token);
        return { alarms };
    } catch (err) {
        const e = err as Error;
        return { alarms, error: `${e.name}: ${e.message}` };
    } finally {
        cw.destroy();
    }
}
