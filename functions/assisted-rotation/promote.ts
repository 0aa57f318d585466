// Assisted rotation, the hand-over: a person issued a new credential in the vendor's console and hands it over.
// The value is checked (JSON, the vendor adapter's field checks where one exists, different from AWSCURRENT) and
// verified with the vendor where an adapter exists, all before anything is written; then it is staged AWSPENDING,
// promoted to AWSCURRENT (the old value becomes AWSPREVIOUS, still valid for running tasks), and the secret's tags
// record who did it and when, the next due date (`expires-at`) and the deadline for revoking the old credential
// (`revoke-previous-by`). A refused value changes nothing. An interrupted hand-over resumes when the same value is
// handed over again.
import { randomUUID } from "crypto";
import { DescribeSecretCommand, TagResourceCommand, UntagResourceCommand } from "@aws-sdk/client-secrets-manager";
import { TAG } from "../../model/names";
import { isAssistedStrategy } from "../../model/strategies";
import { expiryDateFor } from "../expiry-check/findings";
import { SecretStore, versionWithStage } from "../rotation/protocol";
import { VendorTokenAdapter } from "../rotation/strategies/vendor-api";

/** Default: the replaced credential must be revoked within 3 days (well past the longest consumer grace, 6 h 17 min). */
export const DEFAULT_REVOKE_WITHIN_HOURS = 72;

/** A hand-over that cannot proceed; nothing was changed. */
export class HandOverRefused extends Error {
    constructor(message: string) {
        super(message);
        this.name = "HandOverRefused";
    }
}

/** What a hand-over needs. */
export interface HandOver {
    readonly store: SecretStore;
    readonly secretId: string;
    /** The new value, as the person supplied it. */
    readonly raw: string;
    /** Who hands it over (the caller's ARN from STS). */
    readonly actor: string;
    /** Adapters by vendor id; the value's `vendor` field picks the one whose parse and verify run. */
    readonly adapters: Readonly<Record<string, VendorTokenAdapter<any>>>;
    readonly now?: Date;
    readonly revokeWithinHours?: number;
}

/** What a hand-over did. */
export interface HandOverResult {
    readonly versionId: string;
    readonly previousVersionId: string | undefined;
    readonly expiresAt: string;
    readonly revokePreviousBy: string;
    readonly verifiedWith?: string;
}

async function check(h: HandOver, current: string | undefined): Promise<string | undefined> {
    let value: unknown;
    try {
        value = JSON.parse(h.raw);
    } catch {
        throw new HandOverRefused(`The new value for ${h.secretId} is not JSON; write the secret kind's JSON (docs/rotation.md, "Assisted rotation") and hand it over again. Nothing was changed.`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new HandOverRefused(`The new value for ${h.secretId} must be a JSON object. Nothing was changed.`);
    if (current !== undefined && JSON.stringify(JSON.parse(current)) === JSON.stringify(value)) {
        throw new HandOverRefused(`The new value for ${h.secretId} is the current one; issue a new credential in the vendor's console first. Nothing was changed.`);
    }
    const vendor = (value as { vendor?: unknown }).vendor;
    const adapter = typeof vendor === "string" && Object.hasOwn(h.adapters, vendor) ? h.adapters[vendor] : undefined;
    if (!adapter) return undefined;
    let parsed: unknown;
    try {
        parsed = adapter.parse(h.raw, "new");
        await adapter.verify(parsed);
    } catch (err) {
        throw new HandOverRefused(`${(err as Error).message} The new value for ${h.secretId} was refused; nothing was changed.`);
    }
    return adapter.vendor;
}

/** Checks, verifies, stages and promotes a new value of an assisted secret. Throws HandOverRefused with nothing changed. */
export async function handOver(h: HandOver): Promise<HandOverResult> {
    const now = h.now ?? new Date();
    const meta = await h.store.describe(h.secretId);
    const tags = await tagsOf(h.store, h.secretId);
    if (!isAssistedStrategy(tags[TAG.rotationStrategy])) {
        throw new HandOverRefused(`${meta.name} rotates '${tags[TAG.rotationStrategy] ?? "(untagged)"}', not by an assisted strategy; its own rotation replaces it. Nothing was changed.`);
    }
    const days = Number(tags[TAG.rotationDays]);
    if (!Number.isInteger(days) || days < 1) throw new HandOverRefused(`${meta.name} has no valid '${TAG.rotationDays}' tag (the stack sets it from the catalog); run pulumi up first. Nothing was changed.`);
    const currentId = versionWithStage(meta.stages, "AWSCURRENT");
    const pendingId = versionWithStage(meta.stages, "AWSPENDING");
    const current = currentId ? await h.store.get(meta.arn, "AWSCURRENT") : undefined;

    let token: string;
    let verifiedWith: string | undefined;
    if (pendingId && pendingId !== currentId) {
        // An earlier hand-over stopped after staging: resume only with the same value.
        const pending = await h.store.get(meta.arn, "AWSPENDING", pendingId);
        if (pending?.value !== h.raw) {
            throw new HandOverRefused(`${meta.name} has a pending version ${pendingId} with another value (an interrupted hand-over or a stuck rotation); hand over that value again or cancel it with npm run rotation:repair -- --secret-id ${meta.name} --cancel. Nothing was changed.`);
        }
        verifiedWith = await check(h, current?.value);
        token = pendingId;
    } else {
        verifiedWith = await check(h, current?.value);
        token = randomUUID();
        await h.store.put(meta.arn, token, h.raw, ["AWSPENDING"]);
    }
    await h.store.moveStage(meta.arn, "AWSCURRENT", token, currentId);
    await h.store.moveStage(meta.arn, "AWSPENDING", undefined, token);
    const expiresAt = expiryDateFor(now, days);
    const revokePreviousBy = new Date(now.getTime() + (h.revokeWithinHours ?? DEFAULT_REVOKE_WITHIN_HOURS) * 3_600_000).toISOString();
    const record: Record<string, string> = { [TAG.expiresAt]: expiresAt, [TAG.rotatedBy]: h.actor, [TAG.rotatedAt]: now.toISOString() };
    if (currentId) record[TAG.revokePreviousBy] = revokePreviousBy;
    await h.store.client.send(new TagResourceCommand({ SecretId: meta.arn, Tags: Object.entries(record).map(([Key, Value]) => ({ Key, Value })) }));
    return { versionId: token, previousVersionId: currentId, expiresAt, revokePreviousBy, verifiedWith };
}

/** Records that the replaced credential was revoked at the vendor: the revocation deadline is cleared. */
export async function confirmRevoked(store: SecretStore, secretId: string): Promise<void> {
    const tags = await tagsOf(store, secretId);
    if (tags[TAG.revokePreviousBy] === undefined) throw new HandOverRefused(`${secretId} has no revocation pending ('${TAG.revokePreviousBy}' is not set).`);
    await store.client.send(new UntagResourceCommand({ SecretId: secretId, TagKeys: [TAG.revokePreviousBy] }));
}

async function tagsOf(store: SecretStore, secretId: string): Promise<Record<string, string>> {
    const d = await store.client.send(new DescribeSecretCommand({ SecretId: secretId }));
    return Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""]));
}
