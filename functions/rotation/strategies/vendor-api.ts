// Third-party API tokens. A vendor adapter issues, verifies and revokes tokens through the vendor's own API; the
// strategy maps that onto the protocol. Issuing is installing (the vendor holds the token from then on), so
// setSecret has nothing to do. The old token stays valid until the rotation after next: after each promotion
// the strategy revokes every token this secret issued that neither AWSCURRENT nor AWSPREVIOUS holds. Vendors
// without an API are rotated by hand (strategy `manual`, `expires-at` tag, see docs/rotation.md).
import { RotationContext, RotationStrategy, SecretVersion } from "../protocol";

/** A token the vendor knows, as its listing shows it. */
export interface VendorTokenRef {
    readonly id: string;
    readonly name: string;
}

/** One vendor's token API. Every method must be safe to call twice. */
export interface VendorTokenAdapter<V> {
    /** The vendor's name, as the secret's `vendor` field holds it. */
    readonly vendor: string;
    /** Parses a stored value; throws naming each bad field. */
    parse(raw: string, label: string): V;
    /** The vendor's id of the token a value holds. */
    tokenId(value: V): string;
    /**
     * Issues a new token named `name` with the current value's authority, or returns the token already named so
     * (a retried createSecret must not issue a second one).
     */
    issue(current: V, name: string): Promise<V>;
    /** Throws unless the vendor accepts the token. */
    verify(value: V): Promise<void>;
    /** Tokens whose name starts with `prefix`, as the current value's authority sees them. */
    list(current: V, prefix: string): Promise<VendorTokenRef[]>;
    /** Revokes a token by id; a token that is already gone is not an error. */
    revoke(current: V, id: string): Promise<void>;
}

/** The name prefix of every token issued for one secret, so a listing finds exactly this secret's tokens. */
export function tokenNamePrefix(secretName: string): string {
    return `finledger-rotation:${secretName}:`;
}

/** The vendor-api strategy over one adapter. */
export function vendorApiStrategy<V>(adapter: VendorTokenAdapter<V>): RotationStrategy<V> {
    const secretName = async (ctx: RotationContext<V>) => (await ctx.store.describe(ctx.secretId)).name;
    return {
        name: `vendor-api:${adapter.vendor}`,
        parse: (raw, label) => adapter.parse(raw, label),
        serialize: (v) => JSON.stringify(v),
        async create(current: SecretVersion<V>, ctx): Promise<V> {
            // The token's name carries the version id, which makes issuing idempotent across retries.
            return adapter.issue(current.value, `${tokenNamePrefix(await secretName(ctx))}${ctx.token}`);
        },
        async set(): Promise<void> {
            // Issuing already installed the token at the vendor.
        },
        async test(pending): Promise<void> {
            await adapter.verify(pending.value);
        },
        async afterFinish(current, previous, ctx): Promise<void> {
            const keep = new Set([adapter.tokenId(current.value), ...(previous ? [adapter.tokenId(previous.value)] : [])]);
            const issued = await adapter.list(current.value, tokenNamePrefix(await secretName(ctx)));
            for (const t of issued) {
                if (keep.has(t.id)) continue;
                await adapter.revoke(current.value, t.id);
                ctx.log(`finishSecret: revoked ${adapter.vendor} token ${t.id} (${t.name}), which no stage holds any more.`);
            }
        },
    };
}
