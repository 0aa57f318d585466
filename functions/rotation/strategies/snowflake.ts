// Snowflake key-pair rotation. A Snowflake user has two public-key slots, RSA_PUBLIC_KEY and RSA_PUBLIC_KEY_2,
// and accepts a login signed by either. The new key goes into the slot that does not hold the current key, so
// the current key (held by running tasks) stays valid until the next rotation overwrites its slot. The secret's value
// records which slot holds its key (`publicKeySlot`), so the rotation needs no DESC USER of another user, which
// Snowflake allows only to the user's owner (docs/snowflake.md, "The rotator's privilege").
import { createHash, createPublicKey, generateKeyPairSync } from "node:crypto";
import { RotationContext, RotationError, RotationStrategy, SecretVersion } from "../protocol";
import { parseStoredValue, serializeStoredValue } from "../values";

/** The two public-key slots of a Snowflake user, as `ALTER USER ... SET <slot>` names them. */
export const KEY_SLOTS = ["RSA_PUBLIC_KEY", "RSA_PUBLIC_KEY_2"] as const;
export type KeySlot = (typeof KEY_SLOTS)[number];

/** One row of `DESC USER`: Snowflake returns property, value, default and description columns. */
export interface DescribeUserRow {
    readonly property: string;
    readonly value: string | null;
}

/**
 * What the rotation needs from Snowflake. The real adapter (`snowflake-sdk-admin.ts`) runs `ALTER USER ... SET
 * RSA_PUBLIC_KEY[_2]` as the rotation role; tests use a fake that follows the same documented behaviour.
 */
export interface SnowflakeUserAdmin {
    /** `ALTER USER <user> SET <slot> = '<public key body>'`. */
    setPublicKey(user: string, slot: KeySlot, publicKeyBody: string): Promise<void>;
    /** Opens a session as `user` with key-pair (JWT) authentication and runs a trivial query; throws on failure. */
    verifyKeyLogin(account: string, user: string, privateKeyPem: string): Promise<void>;
}

/** A Snowflake key-pair secret. Unknown fields (connection extras the runtime layer adds) are kept as they are. */
export interface SnowflakeKeyPairValue {
    readonly account: string;
    readonly user: string;
    /** PKCS#8 PEM private key. Absent only in the bootstrap value, before the first rotation. */
    readonly privateKey?: string;
    /** `SHA256:<base64>` of the public key, as `DESC USER` shows it in RSA_PUBLIC_KEY_FP. */
    readonly publicKeyFingerprint?: string;
    /** The slot holding this key's public key. Absent with a key means RSA_PUBLIC_KEY, where the first key always goes. */
    readonly publicKeySlot?: KeySlot;
    readonly [extra: string]: unknown;
}

/** The public key's body for `ALTER USER`: the base64 DER of the SubjectPublicKeyInfo, without PEM delimiters. */
export function publicKeyBody(privateKeyPem: string): string {
    return createPublicKey(privateKeyPem).export({ type: "spki", format: "der" }).toString("base64");
}

/** Snowflake's fingerprint of a public key: `SHA256:` and the base64 SHA-256 of its DER SubjectPublicKeyInfo. */
export function publicKeyFingerprint(publicKeyDerBase64: string): string {
    return `SHA256:${createHash("sha256").update(Buffer.from(publicKeyDerBase64, "base64")).digest("base64")}`;
}

/** A fresh 2048-bit RSA key pair: the PKCS#8 PEM private key and its Snowflake fingerprint. */
export function generateSnowflakeKey(): { privateKey: string; publicKeyBody: string; fingerprint: string } {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const body = publicKeyBody(privateKey);
    return { privateKey, publicKeyBody: body, fingerprint: publicKeyFingerprint(body) };
}

/** Reads the two slots' fingerprints from `DESC USER` rows; Snowflake shows an empty slot as null or "null". */
export function slotFingerprints(rows: readonly DescribeUserRow[]): Record<KeySlot, string | undefined> {
    const get = (p: string) => {
        const v = rows.find((r) => r.property.toUpperCase() === p)?.value;
        return v === null || v === undefined || v === "" || v === "null" ? undefined : v;
    };
    return { RSA_PUBLIC_KEY: get("RSA_PUBLIC_KEY_FP"), RSA_PUBLIC_KEY_2: get("RSA_PUBLIC_KEY_2_FP") };
}

/** The slot the next key goes into: RSA_PUBLIC_KEY for a user's first key, else the slot not holding the current key. */
export function nextSlot(current: SnowflakeKeyPairValue): KeySlot {
    if (!current.privateKey) return "RSA_PUBLIC_KEY";
    return (current.publicKeySlot ?? "RSA_PUBLIC_KEY") === "RSA_PUBLIC_KEY" ? "RSA_PUBLIC_KEY_2" : "RSA_PUBLIC_KEY";
}

/** Parses a Snowflake key-pair secret value through the kind's schema; throws naming each bad field. */
export function parseSnowflakeValue(raw: string, label: string): SnowflakeKeyPairValue {
    return parseStoredValue<SnowflakeKeyPairValue>("snowflake-keypair", raw, label, "snowflake-key-pair");
}

/** The Snowflake key-pair strategy over an admin client. */
export function snowflakeKeyPairStrategy(admin: SnowflakeUserAdmin): RotationStrategy<SnowflakeKeyPairValue> {
    return {
        name: "snowflake-key-pair",
        parse: parseSnowflakeValue,
        serialize: (v) => serializeStoredValue("snowflake-keypair", v, "snowflake-key-pair"),
        async create(current: SecretVersion<SnowflakeKeyPairValue>): Promise<SnowflakeKeyPairValue> {
            const key = generateSnowflakeKey();
            return { ...current.value, privateKey: key.privateKey, publicKeyFingerprint: key.fingerprint, publicKeySlot: nextSlot(current.value) };
        },
        async set(current, pending, ctx: RotationContext<SnowflakeKeyPairValue>): Promise<void> {
            const { user } = pending.value;
            if (user !== current.value.user) throw new RotationError(`The pending value names user ${user} but the current one names ${current.value.user}; a rotation never changes the user.`);
            // The slot was chosen when the pending value was created; setting the same key again on a retry is harmless.
            const slot = pending.value.publicKeySlot ?? nextSlot(current.value);
            if (current.value.privateKey && slot === (current.value.publicKeySlot ?? "RSA_PUBLIC_KEY")) {
                throw new RotationError(`Refusing to overwrite the current key of ${user} in ${slot}: the pending value names the current key's slot.`);
            }
            await admin.setPublicKey(user, slot, publicKeyBody(pending.value.privateKey!));
            ctx.log(`setSecret: set ${slot} of ${user}.`);
        },
        async test(pending): Promise<void> {
            await admin.verifyKeyLogin(pending.value.account, pending.value.user, pending.value.privateKey!);
        },
    };
}
