import { PolicyResource } from "@pulumi/policy";
import { TAG } from "../../model/names";
import { isAssistedStrategy } from "../../model/strategies";
import { propsOf, stackRule } from "../define";
import { asRecord, isUnknown, knownString, toNumber } from "../inspect/values";
import { ROTATION_STRATEGIES } from "../../model/strategies";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.8"], pciDss: ["3.6.4", "8.3.9", "8.6.3"] };

/** Longest rotation period a critical secret may have. */
export const CRITICAL_MAX_DAYS = 30;

const SECRET = "aws:secretsmanager/secret:Secret";

/** Strategies whose rotation writes alternating-user slot secrets (`<parent>/user-a`, `<parent>/user-b`). */
export const ALTERNATING_STRATEGIES: ReadonlySet<string> = new Set(ROTATION_STRATEGIES.filter((s) => s.endsWith("-alternating-users")));
const ROTATION = "aws:secretsmanager/secretRotation:SecretRotation";

function dayGaps(days: number[]): number {
    const sorted = [...new Set(days)].sort((a, b) => a - b);
    let gap = 31 - sorted[sorted.length - 1] + sorted[0];
    for (let i = 1; i < sorted.length; i++) gap = Math.max(gap, sorted[i] - sorted[i - 1]);
    return gap;
}

/**
 * The longest interval, in days, between two runs of a Secrets Manager rotation schedule: `rate(N days|hours)`
 * or `cron(min hour day-of-month month day-of-week year)`. Undefined when the expression cannot be read.
 */
export function scheduleIntervalDays(expression: string): number | undefined {
    const rate = /^rate\((\d+)\s+(day|days|hour|hours)\)$/.exec(expression.trim());
    if (rate) return rate[2].startsWith("hour") ? Number(rate[1]) / 24 : Number(rate[1]);
    const cron = /^cron\((.+)\)$/.exec(expression.trim());
    if (!cron) return undefined;
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) return undefined;
    const [, , dom, month, dow] = fields;
    if (month !== "*" && month !== "?") return 365; // runs only in some months
    if (dom === "*" || dom === "?") {
        if (dow === "*" || dow === "?") return 1;
        return 7;
    }
    const step = /^(?:\*|(\d+))\/(\d+)$/.exec(dom);
    if (step) {
        const days: number[] = [];
        for (let d = Number(step[1] ?? 1); d <= 31 && Number(step[2]) > 0; d += Number(step[2])) days.push(d);
        return days.length > 0 ? dayGaps(days) : undefined;
    }
    if (/^\d+(,\d+)*$/.test(dom)) return dayGaps(dom.split(",").map(Number));
    if (dom === "L") return 31;
    return undefined;
}

/** The rotation period of a SecretRotation's rules, in days; undefined when unknown or missing. */
export function rotationPeriodDays(rotationRules: unknown): number | undefined {
    const rules = asRecord(Array.isArray(rotationRules) ? rotationRules[0] : rotationRules);
    if (!rules) return undefined;
    const days = rules.automaticallyAfterDays;
    if (typeof days === "number" && days > 0) return days;
    const expression = knownString(rules.scheduleExpression);
    return expression ? scheduleIntervalDays(expression) : undefined;
}

function tagsOf(secret: PolicyResource): Record<string, unknown> {
    return { ...(asRecord(propsOf(secret).tagsAll) ?? {}), ...(asRecord(propsOf(secret).tags) ?? {}) };
}

/**
 * Every critical secret has automatic rotation every 30 days or less. Every other secret has rotation, or an
 * `expires-at` tag (set by the manual-rotation runbook), within its catalog period (`rotation-days` tag).
 * RDS-managed secrets are created and rotated by RDS and are not in the stack. Slot secrets of alternating-user
 * strategies (`<parent>/user-a`) are covered by their parent's rotation. In the foundation phase, a secret tagged
 * `first-value-pending` needs no rotation yet, as long as the stack attaches none.
 */
export const secretsmanagerSecretRotationWithinPeriod = stackRule(
    {
        name: "secretsmanager-secret-rotation-within-period",
        description: "Critical secrets must rotate automatically every 30 days or less; other secrets must rotate or carry an expires-at tag within their catalog period.",
        severity: "high",
        controls,
        remediation:
            "attach the rotation component for the secret's rotation-strategy (aws.secretsmanager.SecretRotation with rotationRules.automaticallyAfterDays <= the catalog's rotation.days), or for a manual secret follow the runbook, which sets the expires-at tag (YYYY-MM-DD) at most rotation-days ahead.",
    },
    ({ args, report }) => {
        const today = Date.now();
        // Index rotations by the secret they rotate: its id when known, and the URNs it depends on (preview).
        const rotationByKey = new Map<string, PolicyResource>();
        for (const rot of args.resources) {
            if (rot.type !== ROTATION) continue;
            const id = propsOf(rot).secretId;
            if (typeof id === "string" && !isUnknown(id)) rotationByKey.set(id, rot);
            for (const d of [...(rot.propertyDependencies?.secretId ?? []), ...(rot.dependencies ?? [])]) if (typeof d?.urn === "string") rotationByKey.set(d.urn, rot);
        }
        const rotationFor = (secret: PolicyResource) => {
            const p = propsOf(secret);
            for (const k of [p.arn, p.id, p.name, secret.urn]) {
                const rot = typeof k === "string" ? rotationByKey.get(k) : undefined;
                if (rot) return rot;
            }
            return undefined;
        };
        // Slot secrets of alternating-user strategies (`<parent>/user-a`, `<parent>/user-b`) are written by their
        // parent's rotation function; they count as rotated when the parent has a rotation of the same strategy.
        const rotatedParents = new Map<string, string>();
        for (const secret of args.resources) {
            const name = secret.type === SECRET ? knownString(propsOf(secret).name) : undefined;
            if (name && rotationFor(secret)) rotatedParents.set(name, knownString(tagsOf(secret)[TAG.rotationStrategy]) ?? "");
        }
        // Only a slot that itself names an alternating-user strategy can be covered: a secret without a strategy tag
        // (strategy undefined) must never match a parent, or any untagged secret with a '/' in its name escapes.
        const parentOf = (name: string | undefined, strategy: unknown) => {
            const own = knownString(strategy);
            if (!name || own === undefined || !ALTERNATING_STRATEGIES.has(own)) return undefined;
            for (let i = name.lastIndexOf("/"); i > 0; i = name.lastIndexOf("/", i - 1)) {
                const parent = name.slice(0, i);
                if (rotatedParents.get(parent) === own) return parent;
            }
            return undefined;
        };
        // The foundation phase (docs/cicd.md) creates containers before anyone has set a value, and no rotation yet:
        // a secret tagged first-value-pending is accepted only while the stack attaches no rotation at all.
        const stackRotates = args.resources.some((r) => r.type === ROTATION);
        for (const secret of args.resources) {
            if (secret.type !== SECRET) continue;
            const tags = tagsOf(secret);
            if (knownString(tags[TAG.firstValuePending]) === "true") {
                const name = knownString(propsOf(secret).name) ?? secret.name;
                if (stackRotates) report(`Secret '${name}' is tagged ${TAG.firstValuePending} while the stack attaches rotations; set finledger:phase to full so the tag goes`, secret.urn);
                else if (rotationFor(secret) === undefined) continue;
            }
            const criticality = knownString(tags[TAG.criticality]) ?? "untagged";
            const catalogDays = toNumber(tags[TAG.rotationDays]);
            const limit = criticality === "critical" ? Math.min(CRITICAL_MAX_DAYS, catalogDays || CRITICAL_MAX_DAYS) : catalogDays;
            const label = `Secret '${knownString(propsOf(secret).name) ?? secret.name}' (${criticality})`;
            const rotation = rotationFor(secret);
            if (!rotation && parentOf(knownString(propsOf(secret).name), tags[TAG.rotationStrategy]) !== undefined) continue;
            if (rotation) {
                if (isUnknown(propsOf(rotation).rotationRules)) continue;
                const period = rotationPeriodDays(propsOf(rotation).rotationRules);
                if (period === undefined) report(`${label} has a SecretRotation without a readable period (automaticallyAfterDays or scheduleExpression)`, rotation.urn);
                else if (!(period <= limit)) report(`${label} rotates every ${period} days, more than its limit of ${limit} days`, rotation.urn);
                continue;
            }
            // An assisted critical secret has no SecretRotation: its due date is the alarmed expires-at tag, checked
            // below against the (critical-capped) limit.
            if (criticality === "critical" && !isAssistedStrategy(knownString(tags[TAG.rotationStrategy]))) {
                report(`${label} has no automatic rotation; critical secrets rotate every ${CRITICAL_MAX_DAYS} days or less, automatically or assisted`, secret.urn);
                continue;
            }
            if (!Number.isFinite(catalogDays) || catalogDays <= 0) {
                report(`${label} has neither rotation nor a rotation-days tag from the catalog`, secret.urn);
                continue;
            }
            const expires = knownString(tags[TAG.expiresAt]);
            if (!expires) {
                report(`${label} has neither automatic rotation nor an expires-at tag`, secret.urn);
                continue;
            }
            const end = Date.parse(expires.length === 10 ? `${expires}T23:59:59Z` : expires);
            if (Number.isNaN(end)) report(`${label} has an expires-at tag '${expires}' that is not a date`, secret.urn);
            else if (end < today) report(`${label} expired on ${expires}; rotate it now`, secret.urn);
            else if (end - today > limit * 86_400_000) report(`${label} expires on ${expires}, beyond its ${limit}-day catalog period`, secret.urn);
        }
    },
);

export default secretsmanagerSecretRotationWithinPeriod;
