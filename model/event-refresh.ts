// Event-driven refresh: when a secret of this environment gets a new AWSCURRENT version (a rotation, or a first or
// manual value through PutSecretValue), EventBridge invokes a small function that asks External Secrets Operator to
// resync exactly the ExternalSecrets that read that secret, instead of waiting for ESO's polling interval. Plain data
// and pure functions: the component builds the rule from here, the function parses events with it, tests use both.
import { secretNamePrefixes } from "./names";

/**
 * The bound of the event path, in seconds: from EventBridge invoking the refresh function with a secret's event to
 * ESO having re-read that secret into every Kubernetes Secret synced from it. It covers a cold start, the EKS token,
 * one PATCH per ExternalSecret with retries (the function's timeout, {@link REFRESH_FUNCTION_TIMEOUT_SECONDS}) and
 * ESO's reconcile, which starts on the annotation change. It does not cover CloudTrail's delivery of the event to
 * EventBridge, which AWS does not bound; polling stays as the safety net for a late or lost event.
 */
export const EVENT_REFRESH_BOUND_SECONDS = 60;

/** The refresh function's timeout: its share of {@link EVENT_REFRESH_BOUND_SECONDS}, leaving the rest to ESO's reconcile. */
export const REFRESH_FUNCTION_TIMEOUT_SECONDS = 30;

/** The annotation whose change makes ESO resync an ExternalSecret at once (ESO's documented `force-sync`). */
export const FORCE_SYNC_ANNOTATION = "force-sync";

/** The Secrets Manager events that mean "this secret has a new AWSCURRENT version". */
export const SECRET_VALUE_EVENTS = ["PutSecretValue", "UpdateSecretVersionStage", "RotationSucceeded"] as const;

/** The Kubernetes group the refresh function's EKS access entry maps its role to; only its namespaced Roles bind it. */
export const ESO_REFRESH_GROUP = "finledger:eso-refresh";

/** The file beside the function's handler that holds its {@link RefreshTargets} as JSON. */
export const TARGETS_FILE = "targets.json";

/** One ExternalSecret that reads a secret: the object the function patches. */
export interface RefreshTarget {
    readonly namespace: string;
    readonly name: string;
}

/** Which ExternalSecrets read each secret, by full Secrets Manager name. The function's only view of the cluster. */
export type RefreshTargets = Readonly<Record<string, readonly RefreshTarget[]>>;

/** The ARN prefixes of one environment's secrets in its account and region (standard and MSK names). */
export function secretArnPrefixes(accountId: string, region: string, environment: string): string[] {
    return Object.values(secretNamePrefixes(environment)).map((p) => `arn:aws:secretsmanager:${region}:${accountId}:secret:${p}`);
}

/**
 * The EventBridge pattern of the refresh rule: CloudTrail's record of a successful PutSecretValue that makes the new
 * version current (no `versionStages`, which defaults to AWSCURRENT, or AWSCURRENT among them; a rotation's
 * AWSPENDING put does not match), of an UpdateSecretVersionStage that moves AWSCURRENT, and Secrets Manager's
 * RotationSucceeded service event; each only for a secret whose ARN starts with this environment's prefixes.
 */
export function buildSecretValueChangedPattern(args: { readonly accountId: string; readonly region: string; readonly environment: string }): Record<string, unknown> {
    const arn = secretArnPrefixes(args.accountId, args.region, args.environment).map((prefix) => ({ prefix }));
    const succeeded = { errorCode: [{ exists: false }] };
    return {
        source: ["aws.secretsmanager"],
        "detail-type": ["AWS API Call via CloudTrail", "AWS Service Event via CloudTrail"],
        detail: {
            eventSource: ["secretsmanager.amazonaws.com"],
            $or: [
                { eventName: ["PutSecretValue"], ...succeeded, requestParameters: { versionStages: [{ exists: false }] }, responseElements: { arn } },
                { eventName: ["PutSecretValue"], ...succeeded, requestParameters: { versionStages: ["AWSCURRENT"] }, responseElements: { arn } },
                { eventName: ["UpdateSecretVersionStage"], ...succeeded, requestParameters: { versionStage: ["AWSCURRENT"], moveToVersionId: [{ exists: true }] }, responseElements: { arn } },
                { eventName: ["RotationSucceeded"], additionalEventData: { SecretId: arn } },
            ],
        },
    };
}

/** The secret's ARN in one of the matched events, or undefined when the event carries none. */
export function secretArnOfEvent(event: { readonly detail?: Record<string, any> }): string | undefined {
    const d = event.detail ?? {};
    // Before February 2024 some Secrets Manager records spelled the key `aRN`; accepting both costs nothing.
    const arn = d.responseElements?.arn ?? d.responseElements?.aRN ?? d.additionalEventData?.SecretId;
    return typeof arn === "string" ? arn : undefined;
}

/** The secret name in a Secrets Manager ARN: the resource after `secret:`, without the six random characters AWS appends. */
export function secretNameOfArn(arn: string): string | undefined {
    const m = /^arn:aws[a-z-]*:secretsmanager:[^:]+:\d{12}:secret:(.+)-[A-Za-z0-9]{6}$/.exec(arn);
    return m?.[1];
}
