// Snowflake key-pair rotation. A Snowflake user has two public-key slots, RSA_PUBLIC_KEY and RSA_PUBLIC_KEY_2,
// and accepts a login signed by either. The new key goes into the slot that does not hold the current key, so
// the current key (held by running tasks) stays valid until the next rotation overwrites its slot.
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
 * What the rotation needs from Snowflake. The real adapter (`snowflake-sdk-admin.ts`) runs `DESC USER` and
 * `ALTER USER` as the rotation role; tests use a fake that follows the same documented behaviour.
 */
export interface SnowflakeUserAdmin {
    /** `DESC USER <user>`. */
    describeUser(user: string): Promise<readonly DescribeUserRow[]>;
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

/**
 * The slot to write the pending key into: the one that already holds it (a retry), else the one that does not
 * hold the current key. Returns undefined when the current key is in both slots, which cannot happen through
 * this function and needs a person.
 */
export function chooseSlot(slots: Record<KeySlot, string | undefined>, currentFp: string | undefined, pendingFp: string): KeySlot | undefined {
    const holding = KEY_SLOTS.find((s) => slots[s] === pendingFp);
    if (holding) return holding;
    const free = KEY_SLOTS.filter((s) => slots[s] === undefined || slots[s] !== currentFp);
    // Prefer an empty slot, so a bootstrap never overwrites a key somebody set by hand.
    return free.find((s) => slots[s] === undefined) ?? free[0];
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
            return { ...current.value, privateKey: key.privateKey, publicKeyFingerprint: key.fingerprint };
        },
        async set(current, pending, ctx: RotationContext<SnowflakeKeyPairValue>): Promise<void> {
            const { user } = pending.value;
            if (user !== current.value.user) throw new RotationError(`The pending value names user ${user} but the current one names ${current.value.user}; a rotation never changes the user.`);
            const body = publicKeyBody(pending.value.privateKey!);
            const pendingFp = publicKeyFingerprint(body);
            const currentFp = current.value.privateKey ? publicKeyFingerprint(publicKeyBody(current.value.privateKey)) : undefined;
            const slots = slotFingerprints(await admin.describeUser(user));
            const slot = chooseSlot(slots, currentFp, pendingFp);
            if (!slot) throw new RotationError(`User ${user} holds the current key in both slots; unset one slot by hand (docs/rotation.md, Snowflake) and rotate again.`);
            if (slots[slot] === pendingFp) {
                ctx.log(`setSecret: ${user} already has the pending key in ${slot}.`);
                return;
            }
            if (currentFp !== undefined && slots[slot] === currentFp) throw new RotationError(`Refusing to overwrite the current key of ${user} in ${slot}.`);
            await admin.setPublicKey(user, slot, body);
            ctx.log(`setSecret: set ${slot} of ${user} (replaced ${slots[slot] ?? "an empty slot"}).`);
        },
        async test(pending): Promise<void> {
            await admin.verifyKeyLogin(pending.value.account, pending.value.user, pending.value.privateKey!);
        },
    };
}
