// The assisted-rotation part of the daily check (pure): the ticket-ready message that opens a rotation window,
// and the revocation deadline of the credential an assisted rotation replaced. An assisted secret carries the same
// `expires-at` tag as a manual one (the due date, moved forward by each promotion), so "window open" is an
// expiring finding and "missed deadline" an expired one; this file adds what a person needs to act on them.
import { TAG } from "../../model/names";
import { ExpiryFinding, DETAIL_TYPES, parseExpiresAt, SecretMetadata } from "./findings";

/** The command a person runs to hand over a new value (docs/rotation.md, "Assisted rotation"). */
export const ASSISTED_PROMOTE_COMMAND = "npm run rotation:assisted -- promote --secret-id";

/** A message a person can paste into a ticket: which secret, where, by when, and the steps. */
export function assistedTicket(f: ExpiryFinding, environment: string, owner: string | undefined): string {
    const what = f.detailType === DETAIL_TYPES.revocationOverdue ? "revoke the replaced credential of" : "rotate";
    const state =
        f.detailType === DETAIL_TYPES.expired || f.detailType === DETAIL_TYPES.revocationOverdue
            ? `OVERDUE since ${f.expiresAt}`
            : `due by ${f.expiresAt} (${f.daysLeft} days left)`;
    const steps =
        f.detailType === DETAIL_TYPES.revocationOverdue
            ? [`Revoke the previous credential in the vendor's console (its id is in the AWSPREVIOUS version).`, `Confirm: npm run rotation:assisted -- confirm-revoked --secret-id ${f.secretName}`]
            : [
                  "Issue a new credential in the vendor's console (keep the old one valid).",
                  `Hand it over: ${ASSISTED_PROMOTE_COMMAND} ${f.secretName} --value-file <file> (validates, verifies with the vendor where possible, promotes, records who).`,
                  "Revoke the old credential in the console once consumers have the new one, then run confirm-revoked.",
              ];
    return [`[${environment}] ${what} ${f.secretName}: ${state}. Owner: ${owner ?? "(no owner tag)"}.`, ...steps.map((s, i) => `${i + 1}. ${s}`)].join("\n");
}

/** Secrets whose replaced credential was not confirmed revoked by the `revoke-previous-by` deadline. */
export function findRevocationFindings(secrets: readonly SecretMetadata[], now: Date): ExpiryFinding[] {
    const out: ExpiryFinding[] = [];
    for (const s of secrets) {
        const raw = s.tags[TAG.revokePreviousBy];
        if (raw === undefined) continue;
        const at = parseExpiresAt(raw);
        if (!at) {
            out.push({ detailType: DETAIL_TYPES.invalid, secretName: s.name, secretArn: s.arn, expiresAt: raw, daysLeft: null });
            continue;
        }
        if (at.getTime() <= now.getTime()) {
            out.push({ detailType: DETAIL_TYPES.revocationOverdue, secretName: s.name, secretArn: s.arn, expiresAt: raw, daysLeft: Math.floor((at.getTime() - now.getTime()) / 86_400_000) });
        }
    }
    return out;
}
