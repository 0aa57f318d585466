// The daily expiry check: lists the environment's secrets that carry an `expires-at` tag (manually rotated secrets;
// the manual-rotation runbook sets the tag), and sends one EventBridge event per secret that expires within the
// warning window, has expired, or carries an unreadable date. A rule turns those events into alerts. It reads
// metadata only (ListSecrets), never a value.
import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { ListSecretsCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { EXPIRES_AT_TAG, ExpiryFinding, findExpiryFindings, FINDING_SOURCE, SecretMetadata } from "./findings";

export * from "./findings";

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
