// The daily expiry check: lists the environment's secrets that carry an `expires-at` tag (manually rotated secrets;
// the manual-rotation runbook sets the tag), and sends one EventBridge event per secret that expires within the
// warning window, has expired, or carries an unreadable date. A rule turns those events into alerts. It reads
// metadata only (ListSecrets), never a value.
import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

/** Tag that holds a manual secret's expiry date, `YYYY-MM-DD` (UTC) or a full ISO timestamp. */
export const EXPIRES_AT_TAG = "expires-at";
/** Source and detail types of the findings; the `secret-expiry` detection rule matches these. */
export const FINDING_SOURCE = "finledger.audit";
export const DETAIL_TYPES = { expiring: "Secret Expiring", expired: "Secret Expired", invalid: "Secret Expiry Tag Invalid" } as const;

/** A secret's name and tags, as ListSecrets returns them. */
export interface SecretMetadata {
    readonly name: string;
    readonly arn: string;
    readonly tags: Readonly<Record<string, string>>;
}

/** One finding about a secret's expiry. */
export interface ExpiryFinding {
    readonly detailType: (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];
    readonly secretName: string;
    readonly secretArn: string;
    readonly expiresAt: string;
    /** Whole days until expiry (negative once expired); null when the tag cannot be read. */
    readonly daysLeft: number | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;

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

/** Where the check runs. */
export interface ExpiryCheckSettings {
    readonly region: string;
    readonly environment: string;
    readonly warningDays: number;
    /** An endpoint override (tests point it at moto). */
    readonly endpoint?: string;
    /** The current time. Default: now. */
    readonly now?: Date;
}

/** Lists tagged secrets, sends a finding event for each one that needs attention, and returns the findings. */
export async function runExpiryCheck(settings: ExpiryCheckSettings): Promise<ExpiryFinding[]> {
    const clientConfig = { region: settings.region, ...(settings.endpoint ? { endpoint: settings.endpoint } : {}) };
    const secrets = new SecretsManagerClient(clientConfig);
    const listed: SecretMetadata[] = [];
    let nextToken: string | undefined;
    do {
        const page = await secrets.send(new ListSecretsCommand({ Filters: [{ Key: "tag-key", Values: [EXPIRES_AT_TAG] }], NextToken: nextToken, MaxResults: 100 }));
        for (const s of page.SecretList ?? []) {
            listed.push({ name: s.Name ?? "", arn: s.ARN ?? "", tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])) });
        }
        nextToken = page.NextToken;
    } while (nextToken);
    secrets.destroy();

    const findings = findExpiryFindings(listed, settings.now ?? new Date(), settings.warningDays);
    const events = new EventBridgeClient(clientConfig);
    for (let i = 0; i < findings.length; i += 10) {
        const entries: PutEventsRequestEntry[] = findings.slice(i, i + 10).map((f) => ({
            Source: FINDING_SOURCE,
            DetailType: f.detailType,
            Resources: [f.secretArn],
            Detail: JSON.stringify({ environment: settings.environment, secretName: f.secretName, expiresAt: f.expiresAt, daysLeft: f.daysLeft }),
        }));
        const res = await events.send(new PutEventsCommand({ Entries: entries }));
        if ((res.FailedEntryCount ?? 0) > 0) throw new Error(`EventBridge rejected ${res.FailedEntryCount} expiry findings; the check will retry tomorrow, so look at the function's errors now.`);
    }
    events.destroy();
    return findings;
}

/** Lambda entry point, run once a day. */
export async function handler(): Promise<{ findings: number }> {
    const warningDays = Number(process.env.WARNING_DAYS);
    const environment = process.env.FINLEDGER_ENVIRONMENT;
    const region = process.env.AWS_REGION;
    if (!environment || !region || !Number.isInteger(warningDays) || warningDays < 1) {
        throw new Error("The expiry check needs FINLEDGER_ENVIRONMENT, AWS_REGION and WARNING_DAYS (a positive integer); the SecretExpiryCheck component sets them.");
    }
    const findings = await runExpiryCheck({ region, environment, warningDays });
    console.log(JSON.stringify({ findings: findings.map((f) => ({ secret: f.secretName, type: f.detailType, daysLeft: f.daysLeft })) }));
    return { findings: findings.length };
}
