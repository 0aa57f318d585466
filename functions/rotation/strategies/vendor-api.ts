// Third-party API tokens. A vendor adapter issues, verifies and revokes tokens through the vendor's own API; the
// strategy maps that onto the protocol. Issuing is installing (the vendor holds the token from then on), so
// setSecret has nothing to do. The old token stays valid until the rotation after next: after each promotion
// the strategy revokes every token this secret issued that neither AWSCURRENT nor AWSPREVIOUS holds. Vendors
// without an API are rotated by hand (strategy `manual`, `expires-at` tag, see docs/rotation.md).
import { RotationContext, RotationError, RotationStrategy, SecretVersion } from "../protocol";
import { serializeStoredValue } from "../values";

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

/** A vendor token secret: every value names its vendor, which picks the adapter. */
export interface VendorTokenValue {
    readonly vendor: string;
    /** The vendor id of the token this one replaced; revoked when this one leaves AWSPREVIOUS. */
    readonly supersedesTokenId?: string;
    readonly [field: string]: unknown;
}

/** The vendor-api strategy over a registry of adapters, keyed by the value's `vendor` field. */
export function vendorApiStrategy(adapters: Readonly<Record<string, VendorTokenAdapter<any>>>): RotationStrategy<VendorTokenValue> {
    const adapterOf = (v: VendorTokenValue): VendorTokenAdapter<VendorTokenValue> => adapters[v.vendor]!;
    const secretName = async (ctx: RotationContext<VendorTokenValue>) => (await ctx.store.describe(ctx.secretId)).name;
    return {
        name: "vendor-api",
        parse(raw, label) {
            let vendor: unknown;
            try {
                vendor = (JSON.parse(raw) as { vendor?: unknown }).vendor;
            } catch {
                throw new RotationError(`The ${label} value of the vendor token secret is not JSON.`);
            }
            const adapter = typeof vendor === "string" && Object.hasOwn(adapters, vendor) ? adapters[vendor] : undefined;
            if (!adapter) {
                throw new RotationError(
                    `The ${label} value names vendor '${String(vendor)}', which has no adapter (known: ${Object.keys(adapters).join(", ")}); add one under functions/rotation/strategies (vendor-adapters.ts) or set the secret's rotation to assisted.`,
                );
            }
            return adapter.parse(raw, label) as VendorTokenValue;
        },
        serialize: (v) => serializeStoredValue("api-token", v, "vendor-api"),
        async create(current: SecretVersion<VendorTokenValue>, ctx): Promise<VendorTokenValue> {
            // The token's name carries the version id, which makes issuing idempotent across retries.
            const adapter = adapterOf(current.value);
            const issued = await adapter.issue(current.value, `${tokenNamePrefix(await secretName(ctx))}${ctx.token}`);
            // Remembered so the token it replaces is revoked one rotation later, even one a person issued by hand.
            return { ...issued, supersedesTokenId: adapter.tokenId(current.value) };
        },
        async set(): Promise<void> {
            // Issuing already installed the token at the vendor.
        },
        async test(pending): Promise<void> {
            await adapterOf(pending.value).verify(pending.value);
        },
        async afterFinish(current, previous, ctx): Promise<void> {
            const adapter = adapterOf(current.value);
            const keep = new Set([adapter.tokenId(current.value), ...(previous ? [adapter.tokenId(previous.value)] : [])]);
            const issued = await adapter.list(current.value, tokenNamePrefix(await secretName(ctx)));
            const superseded = previous?.value.supersedesTokenId;
            if (typeof superseded === "string" && !issued.some((t) => t.id === superseded)) issued.push({ id: superseded, name: "(the token AWSPREVIOUS replaced)" });
            for (const t of issued) {
                if (keep.has(t.id)) continue;
                await adapter.revoke(current.value, t.id);
                ctx.log(`finishSecret: revoked ${adapter.vendor} token ${t.id} (${t.name}), which no stage holds any more.`);
            }
        },
    };
}
