// The daily expiry check. It reads metadata only (ListSecrets, ListSecretVersionIds), never a value, and sends one
// EventBridge event per finding; rules turn them into alerts and owner notifications:
// - secrets with an `expires-at` tag (manual and assisted rotation): expiring within the warning window, expired,
//   or an unreadable date; for assisted secrets the event carries a ticket-ready message and the owner;
// - assisted secrets whose replaced credential was not confirmed revoked by `revoke-previous-by`;
// - rotations stuck with AWSPENDING on a version other than AWSCURRENT for longer than `stuckAfterHours`.
import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { ListSecretsCommand, ListSecretVersionIdsCommand, SecretListEntry, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { TAG } from "../../model/names";
import { isAssistedStrategy } from "../../model/strategies";
import { assistedTicket, findRevocationFindings } from "./assisted";
import { DETAIL_TYPES, EXPIRES_AT_TAG, ExpiryFinding, findExpiryFindings, FINDING_SOURCE, SecretMetadata } from "./findings";
import { findStuckRotations, SecretVersions, StuckRotation } from "./stuck";

export * from "./findings";
export * from "./assisted";
export * from "./stuck";

/** Where the check runs. */
export interface ExpiryCheckSettings {
    readonly region: string;
    readonly environment: string;
    readonly warningDays: number;
    /** Hours after which a pending rotation counts as stuck. Default: 24 (several rotation windows). */
    readonly stuckAfterHours?: number;
    /** An endpoint override (tests point it at moto). */
    readonly endpoint?: string;
    /** The current time. Default: now. */
    readonly now?: Date;
}

/** What one run found. */
export interface ExpiryCheckResult {
    readonly findings: ExpiryFinding[];
    readonly stuck: StuckRotation[];
}

const tagsOf = (s: SecretListEntry) => Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));

async function listAll(secrets: SecretsManagerClient): Promise<SecretListEntry[]> {
    const out: SecretListEntry[] = [];
    let nextToken: string | undefined;
    do {
        const page = await secrets.send(new ListSecretsCommand({ NextToken: nextToken, MaxResults: 100 }));
        out.push(...(page.SecretList ?? []));
        nextToken = page.NextToken;
    } while (nextToken);
    return out;
}

/** Lists the environment's secrets, sends an event for each finding, and returns the findings. */
export async function runExpiryCheck(settings: ExpiryCheckSettings): Promise<ExpiryCheckResult> {
    const clientConfig = { region: settings.region, ...(settings.endpoint ? { endpoint: settings.endpoint } : {}) };
    const now = settings.now ?? new Date();
    const secrets = new SecretsManagerClient(clientConfig);
    const listed = await listAll(secrets);
    const metadata: SecretMetadata[] = listed.map((s) => ({ name: s.Name ?? "", arn: s.ARN ?? "", tags: tagsOf(s) }));

    // Only secrets whose stage map shows AWSPENDING off AWSCURRENT cost a second call for the versions' dates.
    const candidates = listed.filter((s) => Object.values(s.SecretVersionsToStages ?? {}).some((st) => st.includes("AWSPENDING") && !st.includes("AWSCURRENT")));
    const versions: SecretVersions[] = [];
    for (const s of candidates) {
        const r = await secrets.send(new ListSecretVersionIdsCommand({ SecretId: s.ARN }));
        versions.push({ name: s.Name ?? "", arn: s.ARN ?? "", versions: (r.Versions ?? []).map((v) => ({ id: v.VersionId ?? "", stages: v.VersionStages ?? [], created: v.CreatedDate ?? now })) });
    }
    secrets.destroy();

    const findings = [...findExpiryFindings(metadata.filter((m) => m.tags[EXPIRES_AT_TAG] !== undefined), now, settings.warningDays), ...findRevocationFindings(metadata, now)];
    const stuck = findStuckRotations(versions, now, settings.stuckAfterHours ?? 24);
    const byArn = new Map(metadata.map((m) => [m.arn, m]));
    const entries: PutEventsRequestEntry[] = [
        ...findings.map((f) => {
            const tags = byArn.get(f.secretArn)?.tags ?? {};
            const assisted = isAssistedStrategy(tags[TAG.rotationStrategy]);
            const detail = {
                environment: settings.environment,
                secretName: f.secretName,
                expiresAt: f.expiresAt,
                daysLeft: f.daysLeft,
                owner: tags[TAG.owner],
                criticality: tags[TAG.criticality],
                ...(assisted ? { strategy: tags[TAG.rotationStrategy], ticket: assistedTicket(f, settings.environment, tags[TAG.owner]) } : {}),
            };
            return { Source: FINDING_SOURCE, DetailType: f.detailType, Resources: [f.secretArn], Detail: JSON.stringify(detail) };
        }),
        ...stuck.map((s) => ({
            Source: FINDING_SOURCE,
            DetailType: DETAIL_TYPES.rotationStuck,
            Resources: [s.secretArn],
            Detail: JSON.stringify({ environment: settings.environment, secretName: s.secretName, pendingVersionId: s.pendingVersionId, pendingSince: s.pendingSince, hoursStuck: s.hoursStuck, repair: `npm run rotation:repair -- --secret-id ${s.secretName}` }),
        })),
    ];
    const events = new EventBridgeClient(clientConfig);
    for (let i = 0; i < entries.length; i += 10) {
        const res = await events.send(new PutEventsCommand({ Entries: entries.slice(i, i + 10) }));
        if ((res.FailedEntryCount ?? 0) > 0) throw new Error(`EventBridge rejected ${res.FailedEntryCount} expiry findings; the check will retry tomorrow, so look at the function's errors now.`);
    }
    events.destroy();
    return { findings, stuck };
}

/** Lambda entry point, run once a day. */
export async function handler(): Promise<{ findings: number; stuck: number }> {
    const warningDays = Number(process.env.WARNING_DAYS);
    const stuckAfterHours = process.env.STUCK_AFTER_HOURS === undefined ? undefined : Number(process.env.STUCK_AFTER_HOURS);
    const environment = process.env.FINLEDGER_ENVIRONMENT;
    const region = process.env.AWS_REGION;
    if (!environment || !region || !Number.isInteger(warningDays) || warningDays < 1 || (stuckAfterHours !== undefined && !(stuckAfterHours > 0))) {
        throw new Error("The expiry check needs FINLEDGER_ENVIRONMENT, AWS_REGION and WARNING_DAYS (a positive integer), and STUCK_AFTER_HOURS if set must be positive; the SecretExpiryCheck component sets them.");
    }
    const r = await runExpiryCheck({ region, environment, warningDays, stuckAfterHours });
    console.log(JSON.stringify({ findings: r.findings.map((f) => ({ secret: f.secretName, type: f.detailType, daysLeft: f.daysLeft })), stuck: r.stuck.map((s) => ({ secret: s.secretName, hours: s.hoursStuck })) }));
    return { findings: r.findings.length, stuck: r.stuck.length };
}
