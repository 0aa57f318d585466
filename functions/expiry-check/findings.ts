// The pure part of the expiry check: the tag, the finding types and the decision. The stack imports these
// constants, so this file must not load the AWS SDK.

import { TAG } from "../../model/names";

/** Tag that holds a manual secret's expiry date, `YYYY-MM-DD` (UTC) or a full ISO timestamp. */
export const EXPIRES_AT_TAG = TAG.expiresAt;
/** Source and detail types of the findings; the `secret-expiry` detection rule matches these. */
export const FINDING_SOURCE = "finledger.audit";
export const DETAIL_TYPES = {
    expiring: "Secret Expiring",
    expired: "Secret Expired",
    invalid: "Secret Expiry Tag Invalid",
    /** An assisted rotation's replaced credential was not confirmed revoked by its deadline. */
    revocationOverdue: "Previous Credential Revocation Overdue",
    /** A rotation left AWSPENDING on a version other than AWSCURRENT for longer than a rotation window. */
    rotationStuck: "Rotation Stuck",
} as const;

/** A secret's name and tags, as ListSecrets returns them. */
export interface SecretMetadata {
    readonly name: string;
    readonly arn: string;
    readonly tags: Readonly<Record<string, string>>;
}

/** One finding about a secret's expiry. */
export interface ExpiryFinding {
    readonly detailType: typeof DETAIL_TYPES.expiring | typeof DETAIL_TYPES.expired | typeof DETAIL_TYPES.invalid | typeof DETAIL_TYPES.revocationOverdue;
    readonly secretName: string;
    readonly secretArn: string;
    readonly expiresAt: string;
    /** Whole days until expiry (negative once expired); null when the tag cannot be read. */
    readonly daysLeft: number | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The `expires-at` date for a value set at `from` that must be replaced within `rotationDays`. The tag is a date and
 * means "until the end of that day (UTC)", so the last full day inside the period is the one before from + period:
 * any later date would reach past the period by up to a day.
 */
export function expiryDateFor(from: Date, rotationDays: number): string {
    return new Date(from.getTime() + (rotationDays - 1) * DAY_MS).toISOString().slice(0, 10);
}

/** Parses an `expires-at` value; a bare date means the end of that day, UTC. Returns undefined when unreadable. */
export function parseExpiresAt(value: string): Date | undefined {
    const trimmed = value.trim();
    if (/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) {
        const d = new Date(`${trimmed}T23:59:59Z`);
        return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== trimmed ? undefined : d;
    }
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(trimmed)) {
        const d = new Date(trimmed);
        return Number.isNaN(d.getTime()) ? undefined : d;
    }
    return undefined;
}

/** Decides which secrets need an alert: expired, expiring within `warningDays`, or with an unreadable tag. */
export function findExpiryFindings(secrets: readonly SecretMetadata[], now: Date, warningDays: number): ExpiryFinding[] {
    const findings: ExpiryFinding[] = [];
    for (const s of secrets) {
        const raw = s.tags[EXPIRES_AT_TAG];
        if (raw === undefined) continue;
        const at = parseExpiresAt(raw);
        if (!at) {
            findings.push({ detailType: DETAIL_TYPES.invalid, secretName: s.name, secretArn: s.arn, expiresAt: raw, daysLeft: null });
            continue;
        }
        const msLeft = at.getTime() - now.getTime();
        const daysLeft = Math.floor(msLeft / DAY_MS);
        if (msLeft <= 0) findings.push({ detailType: DETAIL_TYPES.expired, secretName: s.name, secretArn: s.arn, expiresAt: raw, daysLeft });
        else if (daysLeft <= warningDays) findings.push({ detailType: DETAIL_TYPES.expiring, secretName: s.name, secretArn: s.arn, expiresAt: raw, daysLeft });
    }
    return findings;
}

