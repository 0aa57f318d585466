// Kafka SASL/SCRAM on MSK, alternating users. MSK makes one SCRAM user from the AWSCURRENT value of each secret
// associated with the cluster, and drops a user as soon as its secret changes (docs: "Rotating sign-in
// credentials"), so a single secret cannot keep an old and a new password alive together. Each client secret
// therefore has two companion "user slot" secrets, `<secret>/user-a` and `<secret>/user-b`, both associated with
// the cluster. Clients read only the client secret, which holds the active user's credentials. A rotation
// writes the new password of the inactive user into that user's slot (MSK picks it up), waits for MSK to have
// propagated it, and then makes it current. The active user's slot is never written, so it stays valid.
import { kafkaSlotOfUsername, kafkaSlotSecretName } from "../../../model/names";
import { RotationContext, RotationError, RotationStrategy, SecretVersion } from "../protocol";
import { parseStoredValue, serializeStoredValue } from "../values";
import { generatePassword, otherUser } from "./alternating-users";

/** An MSK SCRAM secret: MSK reads exactly `username` and `password`. */
export interface ScramValue {
    readonly username: string;
    readonly password: string;
}

/** The slot secret that holds one user of the pair: `<client secret name>/user-a` or `/user-b`. */
export function scramSlotSecretName(clientSecretName: string, username: string): string {
    const slot = kafkaSlotOfUsername(username);
    if (!slot) throw new RotationError(`User '${username}' does not end in _a or _b.`);
    return kafkaSlotSecretName(clientSecretName, slot);
}

/** Proves that MSK accepts a SCRAM login; the Lambda's adapter waits out MSK's documented propagation. */
export interface ScramLoginCheck {
    /** Throws when the credentials would not (yet) authenticate. `slotWrittenAt` is when the slot got them. */
    verify(value: ScramValue, slotWrittenAt: Date): Promise<void>;
}

/**
 * The check the Lambda uses: MSK documents that changes to a secret take up to 10 minutes to reach the brokers,
 * so the pending credentials count as live once their slot has held them that long. It waits inside the
 * invocation when the wait fits in the remaining time, and otherwise throws so Secrets Manager retries the step.
 */
export class MskPropagationCheck implements ScramLoginCheck {
    constructor(
        private readonly propagationMs: number,
        private readonly maxWaitMs: number,
        private readonly now: () => number = Date.now,
        private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    ) {}

    async verify(value: ScramValue, slotWrittenAt: Date): Promise<void> {
        const remaining = slotWrittenAt.getTime() + this.propagationMs - this.now();
        if (remaining <= 0) return;
        if (remaining > this.maxWaitMs) throw new RotationError(`MSK may not have loaded user ${value.username} yet (${Math.ceil(remaining / 1000)} s of propagation left); the step is retried.`);
        await this.sleep(remaining);
    }
}

/** The Kafka SCRAM alternating-users strategy. */
export function kafkaScramAlternatingUsersStrategy(check: ScramLoginCheck): RotationStrategy<ScramValue> {
    const slotOf = async (ctx: RotationContext<ScramValue>, username: string) => {
        const { name } = await ctx.store.describe(ctx.secretId);
        return scramSlotSecretName(name, username);
    };
    /** Writes a user's credentials into its slot unless the slot already holds exactly them. */
    const ensureSlot = async (ctx: RotationContext<ScramValue>, value: ScramValue, versionId: string): Promise<void> => {
        const slot = await slotOf(ctx, value.username);
        const held = await ctx.store.get(slot, "AWSCURRENT");
        if (held && sameCredential(JSON.parse(held.value) as ScramValue, value)) return;
        // The client version's id is reused, so a retried write is the same version and not a second change.
        await ctx.store.put(slot, versionId, JSON.stringify({ username: value.username, password: value.password }), ["AWSCURRENT"]);
        ctx.log(`setSecret: wrote ${value.username} into ${slot}.`);
    };
    return {
        name: "kafka-scram-alternating-users",
        parse: (raw, label) => parseStoredValue<ScramValue>("kafka-scram", raw, label, "kafka-scram-alternating-users"),
        serialize: (v) => serializeStoredValue("kafka-scram", v, "kafka-scram-alternating-users"),
        async create(current: SecretVersion<ScramValue>): Promise<ScramValue> {
            return { ...current.value, username: otherUser(current.value.username), password: generatePassword() };
        },
        async set(current, pending, ctx): Promise<void> {
            if (pending.value.username !== otherUser(current.value.username)) {
                throw new RotationError(`The pending user ${pending.value.username} is not the inactive partner of ${current.value.username}; rotate again to create a fresh pending version.`);
            }
            // Repairs a slot that lost the active user (a bootstrap that wrote only the client secret).
            await ensureSlot(ctx, current.value, current.versionId);
            await ensureSlot(ctx, pending.value, pending.versionId);
        },
        async test(pending, ctx): Promise<void> {
            const slot = await slotOf(ctx, pending.value.username);
            const held = await ctx.store.get(slot, "AWSCURRENT");
            if (!held || !sameCredential(JSON.parse(held.value) as ScramValue, pending.value)) {
                throw new RotationError(`Slot ${slot} does not hold the pending credentials of ${pending.value.username}; run setSecret again.`);
            }
            await check.verify(pending.value, held.createdDate);
        },
    };
}

function sameCredential(a: ScramValue, b: ScramValue): boolean {
    return a.username === b.username && a.password === b.password;
}
