// The monthly cost of one environment, from its model: what the platform itself makes AWS bill (containers,
// replicas, ESO's polling reads and their KMS decrypts, rotation Lambdas, Config rule evaluations). Unit prices
// and where they were read live in ./prices.ts; this file only counts.
import { buildConfigRules } from "../../components/compliance-rules";
import { EnvironmentModel } from "../../model/environment";
import { REFRESH_FUNCTION_TIMEOUT_SECONDS } from "../../model/event-refresh";
import { planRefreshTargets } from "../../stacks/refresh";
import { planSyncedSecrets } from "../../stacks/runtime";
import { PRICES } from "./prices";

/** Days in the month this model prices. */
export const MONTH_DAYS = 30;
const MONTH_SECONDS = MONTH_DAYS * 86400;

/** Invocations of a Lambda rotation per rotation run: createSecret, setSecret, testSecret, finishSecret. */
export const STEPS_PER_ROTATION = 4;
/** Memory of every rotation function (components/secret-rotation.ts sets 512 MB). */
export const ROTATION_MEMORY_GB = 0.5;

/**
 * Config managed rules that run on a schedule (24 h by default) rather than on configuration changes, as AWS's
 * managed-rule reference lists their trigger types.
 */
export const PERIODIC_CONFIG_RULES: ReadonlySet<string> = new Set(["SECRETSMANAGER_SECRET_PERIODIC_ROTATION", "SECRETSMANAGER_SECRET_UNUSED"]);

/** One priced line. */
export interface CostLine {
    readonly item: string;
    /** How the quantity was counted, in words. */
    readonly basis: string;
    readonly quantity: number;
    readonly unit: string;
    readonly usd: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** ESO's GetSecretValue calls per month at one refresh interval, and what they and their KMS decrypts cost. */
export function pollingLines(syncs: number, refreshSeconds: number): CostLine[] {
    const calls = Math.round(syncs * (MONTH_SECONDS / refreshSeconds));
    return [
        { item: "Secrets Manager API: ESO polling", basis: `${syncs} ExternalSecrets x one GetSecretValue every ${refreshSeconds / 60} min`, quantity: calls, unit: "calls", usd: round2((calls / 10000) * PRICES.secretsManagerPer10kCalls.usd) },
        { item: "KMS requests: decrypts behind those reads", basis: "one Decrypt with the environment key per GetSecretValue", quantity: calls, unit: "requests", usd: round2((calls / 10000) * PRICES.kmsPer10kRequests.usd) },
    ];
}

/** Events that reach the refresh function per Lambda rotation: the version-stage move of AWSCURRENT and RotationSucceeded. */
export const REFRESH_EVENTS_PER_ROTATION = 2;
/** Memory of the event-driven refresh function (components/eso-refresh.ts sets 256 MB). */
export const REFRESH_MEMORY_GB = 0.25;

/**
 * The event-driven refresh path in one month: the refresh function's invocations (two events per Lambda rotation)
 * and, for each, ESO re-reading the rotated secret once per ExternalSecret that syncs it (a GetSecretValue and its KMS
 * decrypt). First and manual values through secret:set add one event each and are not counted (a few a month).
 */
export function eventRefreshLines(model: EnvironmentModel): CostLine[] {
    const targets = planRefreshTargets(model.catalog, (n) => model.secretsByName.get(n)?.fullName);
    let events = 0;
    let reads = 0;
    for (const r of model.rotations) {
        for (const s of r.secrets) {
            const runs = MONTH_DAYS / s.days;
            const fullName = model.secretsByName.get(s.name)?.fullName;
            events += runs * REFRESH_EVENTS_PER_ROTATION;
            reads += runs * REFRESH_EVENTS_PER_ROTATION * (fullName ? (targets[fullName]?.length ?? 0) : 0);
        }
    }
    const invocations = Math.round(events);
    const calls = Math.round(reads);
    const gbSeconds = invocations * REFRESH_FUNCTION_TIMEOUT_SECONDS * REFRESH_MEMORY_GB;
    return [
        { item: "EventBridge: secret value events", basis: "AWS service events on the default bus (CloudTrail records of Secrets Manager calls)", quantity: invocations, unit: "events", usd: 0 },
        { item: "Refresh function invocations", basis: `${REFRESH_EVENTS_PER_ROTATION} events per Lambda rotation run`, quantity: invocations, unit: "invocations", usd: round2((invocations / 1e6) * PRICES.lambdaPer1MRequests.usd) },
        { item: "Refresh function duration (upper bound)", basis: `every invocation running to its ${REFRESH_FUNCTION_TIMEOUT_SECONDS} s timeout at ${REFRESH_MEMORY_GB * 1024} MB`, quantity: Math.round(gbSeconds), unit: "GB-s", usd: round2(gbSeconds * PRICES.lambdaPerGbSecond.usd) },
        { item: "Secrets Manager API: ESO resyncs on events", basis: "one GetSecretValue per ExternalSecret of the rotated secret, per event", quantity: calls, unit: "calls", usd: round2((calls / 10000) * PRICES.secretsManagerPer10kCalls.usd) },
        { item: "KMS requests: decrypts behind those resyncs", basis: "one Decrypt with the environment key per GetSecretValue", quantity: calls, unit: "requests", usd: round2((calls / 10000) * PRICES.kmsPer10kRequests.usd) },
    ];
}

/** The cost lines of one environment at its configured refresh interval (polling is priced separately per interval). */
export function environmentCost(model: EnvironmentModel): { fixed: CostLine[]; syncs: number; refreshSeconds: number } {
    const containers = model.secrets.length;
    const replicas = model.secrets.filter((s) => s.replicated).length;
    const syncs = planSyncedSecrets(model.catalog.secrets, model.catalog.workloads, (n) => model.secretsByName.has(n)).length;

    let rotationsPerMonth = 0;
    let gbSecondsBound = 0;
    for (const r of model.rotations) {
        for (const s of r.secrets) {
            const runs = MONTH_DAYS / s.days;
            rotationsPerMonth += runs;
            gbSecondsBound += runs * STEPS_PER_ROTATION * r.timeoutSeconds * ROTATION_MEMORY_GB;
        }
    }
    const invocations = Math.round(rotationsPerMonth * STEPS_PER_ROTATION);

    // The same secrets the stack passes to its Config rules (stacks/audit.ts): the containers, MSK user slots excluded.
    const rules = buildConfigRules(model.secrets.filter((s) => !s.slotOf).map((s) => s.entry), ["arn:aws:kms:placeholder"]);
    const inScope = (scope?: { tagKey: string; tagValue: string }) => model.secrets.filter((s) => !scope || s.tags[scope.tagKey] === scope.tagValue).length;
    let periodic = 0;
    let onChange = 0;
    for (const rule of rules) {
        if (PERIODIC_CONFIG_RULES.has(rule.sourceIdentifier)) periodic += inScope(rule.scope) * MONTH_DAYS;
        else onChange += Math.round(rotationsPerMonth * (inScope(rule.scope) / Math.max(1, containers)));
    }
    const evaluations = periodic + onChange;
    const configItems = Math.round(rotationsPerMonth);

    const fixed: CostLine[] = [
        { item: "Secrets Manager storage", basis: `${containers} containers (MSK user slots included) + ${replicas} replicas of critical secrets`, quantity: containers + replicas, unit: "secrets", usd: round2((containers + replicas) * PRICES.secretPerMonth.usd) },
        { item: "Rotation Lambda invocations", basis: `${Math.round(rotationsPerMonth)} rotations a month (catalog periods) x ${STEPS_PER_ROTATION} steps`, quantity: invocations, unit: "invocations", usd: round2((invocations / 1e6) * PRICES.lambdaPer1MRequests.usd) },
        { item: "Rotation Lambda duration (upper bound)", basis: `every step running to its timeout at ${ROTATION_MEMORY_GB * 1024} MB`, quantity: Math.round(gbSecondsBound), unit: "GB-s", usd: round2(gbSecondsBound * PRICES.lambdaPerGbSecond.usd) },
        { item: "Config rule evaluations", basis: `${rules.length} rules: periodic ones daily on every secret in scope (${periodic}), change-triggered ones on each rotation of a secret in their scope (${onChange})`, quantity: evaluations, unit: "evaluations", usd: round2(evaluations * PRICES.configRuleEvaluation.usd) },
        { item: "Config items recorded", basis: "one configuration item per rotation of a secret", quantity: configItems, unit: "items", usd: round2(configItems * PRICES.configItem.usd) },
        { item: "CloudTrail management events", basis: "the trail is the account's first copy of management events (Secrets Manager and KMS calls are management events)", quantity: 1, unit: "trail", usd: 0 },
    ];
    return { fixed: [...fixed, ...eventRefreshLines(model)], syncs, refreshSeconds: model.rollout.esoRefreshIntervalSeconds };
}

/** Refresh intervals compared in the document, in seconds. */
export const COMPARED_REFRESH_SECONDS = [15 * 60, 60 * 60, 6 * 60 * 60] as const;

/** The sum of some lines in USD, rounded to cents. */
export function total(lines: readonly CostLine[]): number {
    return round2(lines.reduce((n, l) => n + l.usd, 0));
}
