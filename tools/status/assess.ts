// The pure part of `npm run status`: from what AWS shows about one planned secret (DescribeSecret,
// ListSecretVersionIds, the alarms in ALARM), decide its rotation state and whether it needs action now, soon, or
// not at all. No SDK here, so every rule is tested on plain data and again end to end against moto.
import { parseExpiresAt } from "../../functions/expiry-check/findings";
import { EnvironmentModel, PlannedSecret } from "../../model/environment";
import { rotationFunctionName, TAG } from "../../model/names";
import { STRATEGIES } from "../../model/strategies";

const DAY_MS = 24 * 60 * 60 * 1000;

/** How urgent a secret's state is: `now` makes the command exit 1. */
export type Urgency = "now" | "soon" | "ok";

/** The order in which the groups are printed and the worse-of rule applies. */
export const URGENCIES: readonly Urgency[] = ["now", "soon", "ok"];

/** One version of a secret, as ListSecretVersionIds returns it. */
export interface ObservedVersion {
    readonly versionId: string;
    readonly stages: readonly string[];
    readonly createdDate?: Date;
}

/** An alarm in ALARM state, as DescribeAlarms returns it. */
export interface ObservedAlarm {
    readonly name: string;
    readonly description?: string;
    readonly dimensions: ReadonlyArray<{ readonly name: string; readonly value: string }>;
    readonly since?: Date;
}

/** What the read-only calls found for one secret. */
export type Observation =
    | {
          readonly found: true;
          readonly rotationEnabled: boolean;
          readonly rotationDays?: number;
          readonly lastRotated?: Date;
          readonly lastChanged?: Date;
          readonly created?: Date;
          readonly nextRotation?: Date;
          readonly deletedDate?: Date;
          readonly tags: Readonly<Record<string, string>>;
          readonly versions: readonly ObservedVersion[];
      }
    | { readonly found: false; readonly reason: "missing" | "access-denied" | "error"; readonly message: string };

/** The result of the last rotation, as far as the version stages and dates show it. */
export type RotationResult = "succeeded" | "in-progress" | "stuck-pending" | "never-rotated" | "not-rotated-by-aws" | "unknown";

/** One finding that makes a secret need action. */
export interface Finding {
    readonly urgency: Exclude<Urgency, "ok">;
    readonly message: string;
}

/** The assessed state of one planned secret. */
export interface SecretStatus {
    readonly catalogName: string;
    readonly fullName: string;
    readonly strategy: string;
    readonly periodDays: number;
    readonly criticality: string;
    readonly lastRotated?: string;
    readonly nextDue?: string;
    readonly lastResult: RotationResult;
    readonly expiresAt?: string;
    readonly alarms: readonly string[];
    readonly findings: readonly Finding[];
    readonly urgency: Urgency;
}

/** Settings the assessment takes from the environment model. */
export interface AssessSettings {
    /** How long one rotation run may take, per catalog name; an AWSPENDING version older than this is stuck. */
    readonly runSecondsOf: (catalogName: string) => number;
    /** Days before `expires-at` (or a due date) that count as "soon". */
    readonly warningDays: number;
    /** Names of the rotation functions whose alarms concern a secret, per catalog name. */
    readonly functionNameOf: (catalogName: string) => string | undefined;
}

/** The assessment settings of one environment, from its model. */
export function assessSettings(model: EnvironmentModel): AssessSettings {
    const byName = new Map<string, { seconds: number; fn: string }>();
    for (const r of model.rotations) for (const s of r.secrets) byName.set(s.name, { seconds: r.timeoutSeconds, fn: r.functionName });
    const planned = (name: string) => model.secretsByName.get(name);
    return {
        // A run is bounded by the rotation window (the schedule's duration); the Lambda timeout bounds one step.
        runSecondsOf: (name) => Math.max(byName.get(planned(name)?.slotOf ?? name)?.seconds ?? 0, model.config.rotation.windowHours * 3600),
        warningDays: model.config.audit.expiryWarningDays,
        functionNameOf: (name) => {
            const p = planned(name);
            const strategy = p?.entry.rotation.strategy;
            return strategy && STRATEGIES[strategy].runner === "lambda" ? rotationFunctionName(model.config.namePrefix, strategy) : undefined;
        },
    };
}

/** Whether an alarm concerns a secret: a dimension names the secret or its rotation function, or its description names the secret. */
export function alarmConcerns(alarm: ObservedAlarm, secret: PlannedSecret, functionName: string | undefined): boolean {
    const names = new Set([secret.fullName, secret.entry.name, ...(functionName ? [functionName] : [])]);
    if (alarm.dimensions.some((d) => names.has(d.value))) return true;
    return (alarm.description ?? "").split(/[\s,;:()'"]+/).some((word) => word === secret.fullName);
}

const isoDay = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : undefined);
const days = (ms: number) => Math.floor(ms / DAY_MS);

/** Decides one secret's state from its observation at `now`. */
export function assessSecret(secret: PlannedSecret, observation: Observation, alarms: readonly ObservedAlarm[], settings: AssessSettings, now: Date): SecretStatus {
    const strategy = secret.entry.rotation.strategy;
    const runner = STRATEGIES[strategy].runner;
    const periodDays = secret.entry.rotation.days;
    const findings: Finding[] = [];
    const base = { catalogName: secret.entry.name, fullName: secret.fullName, strategy, periodDays, criticality: secret.entry.criticality };
    const concerning = alarms.filter((a) => alarmConcerns(a, secret, settings.functionNameOf(secret.entry.name))).map((a) => a.name);
    for (const a of concerning) findings.push({ urgency: "now", message: `alarm ${a} is in ALARM` });

    if (!observation.found) {
        findings.push({
            urgency: "now",
            message:
                observation.reason === "missing"
                    ? `no secret named ${secret.fullName} exists; run the deploy, or restore it if it was deleted`
                    : observation.reason === "access-denied"
                      ? `access denied reading ${secret.fullName} (${observation.message}); its state is unknown: check its resource policy and run status with the preview role`
                      : `could not read ${secret.fullName}: ${observation.message}`,
        });
        return { ...base, lastResult: "unknown", alarms: concerning, findings, urgency: "now" };
    }

    if (observation.deletedDate) findings.push({ urgency: "now", message: `scheduled for deletion since ${isoDay(observation.deletedDate)}; restore it or remove it from the catalog` });

    // AWSPENDING without AWSCURRENT on the same version: a rotation started and has not finished.
    const pending = observation.versions.filter((v) => v.stages.includes("AWSPENDING") && !v.stages.includes("AWSCURRENT"));
    const runMs = settings.runSecondsOf(secret.entry.name) * 1000;
    const stuck = pending.filter((v) => !v.createdDate || now.getTime() - v.createdDate.getTime() > runMs);
    for (const v of stuck) {
        findings.push({
            urgency: "now",
            message: `version ${v.versionId} has been AWSPENDING since ${v.createdDate?.toISOString() ?? "an unknown time"}, longer than one rotation run (${Math.round(runMs / 60000)} min): the last rotation failed; read the rotation function's log, then retry or cancel it`,
        });
    }

    let lastRotated: Date | undefined;
    let nextDue: Date | undefined;
    let lastResult: RotationResult;
    let expiresAt: string | undefined;
    const rotatedByAws = runner === "lambda" && !secret.slotOf;
    if (rotatedByAws) {
        lastRotated = observation.lastRotated;
        const since = lastRotated ?? observation.created;
        nextDue = observation.nextRotation ?? (since ? new Date(since.getTime() + periodDays * DAY_MS) : undefined);
        lastResult = stuck.length > 0 ? "stuck-pending" : pending.length > 0 ? "in-progress" : lastRotated ? "succeeded" : "never-rotated";
        if (!observation.rotationEnabled) findings.push({ urgency: "now", message: `rotation is not enabled, though the catalog says ${strategy} every ${periodDays} days; run the deploy` });
        else if (observation.rotationDays !== undefined && observation.rotationDays !== periodDays) {
            findings.push({ urgency: "soon", message: `rotates every ${observation.rotationDays} days in AWS but every ${periodDays} in the catalog; run the deploy` });
        }
        // The schedule may start the run anywhere in its window, so a rotation is overdue only a window after its due date.
        const dueBy = since ? new Date(since.getTime() + periodDays * DAY_MS + runMs) : undefined;
        if (dueBy && now > dueBy) findings.push({ urgency: "now", message: `overdue: last rotated ${isoDay(since)}, due every ${periodDays} days, ${days(now.getTime() - dueBy.getTime()) + 1} day(s) late` });
    } else {
        lastRotated = observation.lastChanged ?? observation.created;
        lastResult = runner === "lambda" ? (stuck.length > 0 ? "stuck-pending" : "succeeded") : "not-rotated-by-aws";
        if (runner === "person") {
            expiresAt = observation.tags[TAG.expiresAt];
            const expiry = expiresAt === undefined ? undefined : parseExpiresAt(expiresAt);
            if (expiresAt === undefined) findings.push({ urgency: "soon", message: `has no ${TAG.expiresAt} tag; set it when you set the value (runbook)` });
            else if (!expiry) findings.push({ urgency: "soon", message: `its ${TAG.expiresAt} tag '${expiresAt}' is not a date (YYYY-MM-DD); correct it` });
            else {
                nextDue = expiry;
                const left = Math.ceil((expiry.getTime() - now.getTime()) / DAY_MS);
                if (left < 0) findings.push({ urgency: "now", message: `expired on ${expiresAt}; set a new value through the runbook` });
                else if (left <= settings.warningDays) findings.push({ urgency: "soon", message: `expires in ${left} day(s) (${expiresAt}); plan the manual rotation` });
            }
        }
    }

    const urgency: Urgency = findings.some((f) => f.urgency === "now") ? "now" : findings.length > 0 ? "soon" : "ok";
    return { ...base, lastRotated: isoDay(lastRotated), nextDue: isoDay(nextDue), lastResult, expiresAt, alarms: concerning, findings, urgency };
}
