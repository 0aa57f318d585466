// The Secrets Manager rotation protocol, shared by every strategy. Secrets Manager calls the function four times
// per rotation (createSecret, setSecret, testSecret, finishSecret) with one ClientRequestToken, the id of the new
// version. Any call may be a retry or a duplicate, so every step first checks the token's stages (as AWS's
// reference templates do) and is written so that running it again changes nothing.
import {
    DescribeSecretCommand,
    GetSecretValueCommand,
    PutSecretValueCommand,
    ResourceNotFoundException,
    SecretsManagerClient,
    UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";

/** The four steps Secrets Manager invokes, in order. */
export const ROTATION_STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** The event Secrets Manager sends to a rotation function. */
export interface RotationEvent {
    readonly SecretId: string;
    readonly ClientRequestToken: string;
    readonly Step: RotationStep;
    /** Sent by Secrets Manager for customer-managed rotation; not used. */
    readonly RotationToken?: string;
}

/** A secret version's value with its id. */
export interface SecretVersion<V> {
    readonly versionId: string;
    readonly value: V;
}

/** What a strategy sees of the secret being rotated. */
export interface RotationContext<V> {
    /** The secret's ARN or name, as Secrets Manager sent it. */
    readonly secretId: string;
    /** The token, which is also the id of the pending version. */
    readonly token: string;
    /** The store, for strategies that read or write companion secrets. */
    readonly store: SecretStore;
    /** Writes a line to the function's log (never a secret value). */
    readonly log: (message: string) => void;
}

/**
 * One credential type's part of rotation. The protocol core owns version stages and idempotency; a strategy owns
 * the credential: it makes the next value, installs it in the target system, proves it works, and cleans up.
 * Each method must be safe to run twice with the same arguments.
 */
export interface RotationStrategy<V> {
    /** Name used in logs and in the function's name. */
    readonly name: string;
    /** Parses and validates a stored value; throws a message that says which field is wrong. */
    parse(raw: string, versionLabel: string): V;
    /** Serialises a value for Secrets Manager. */
    serialize(value: V): string;
    /** Makes the next value from the current one. It may call the target system, which must tolerate a retry. */
    create(current: SecretVersion<V>, ctx: RotationContext<V>): Promise<V>;
    /** Installs the pending value in the target system, without invalidating the current one. */
    set(current: SecretVersion<V>, pending: SecretVersion<V>, ctx: RotationContext<V>): Promise<void>;
    /** Proves the pending value works by using it. Throws when it does not. */
    test(pending: SecretVersion<V>, ctx: RotationContext<V>): Promise<void>;
    /**
     * Runs after the pending version became AWSCURRENT, and again on every duplicate finishSecret, so it must
     * reconcile rather than act once: credentials held by neither AWSCURRENT nor AWSPREVIOUS have outlived their
     * grace period and may be revoked. Default: nothing.
     */
    afterFinish?(current: SecretVersion<V>, previous: SecretVersion<V> | undefined, ctx: RotationContext<V>): Promise<void>;
}

/** A rotation request that cannot proceed; the message says why and what to do. */
export class RotationError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RotationError";
    }
}

/** The part of Secrets Manager the protocol uses, over the AWS SDK. Also used by tests to inspect state. */
export class SecretStore {
    constructor(readonly client: SecretsManagerClient) {}

    /** Whether rotation is on, and each version id's stages. */
    async describe(secretId: string): Promise<{ arn: string; name: string; rotationEnabled: boolean; stages: Record<string, string[]> }> {
        const d = await this.client.send(new DescribeSecretCommand({ SecretId: secretId }));
        return { arn: d.ARN ?? secretId, name: d.Name ?? secretId, rotationEnabled: d.RotationEnabled === true, stages: d.VersionIdsToStages ?? {} };
    }

    /** The raw value of a version chosen by stage (and id), or undefined when no such value exists. */
    async get(secretId: string, stage: string, versionId?: string): Promise<{ versionId: string; value: string; createdDate: Date } | undefined> {
        try {
            const r = await this.client.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, VersionId: versionId }));
            if (r.SecretString === undefined) return undefined;
            return { versionId: r.VersionId ?? versionId ?? "", value: r.SecretString, createdDate: r.CreatedDate ?? new Date(0) };
        } catch (err) {
            // A version that RotateSecret staged but nobody filled yet has no value.
            if (err instanceof ResourceNotFoundException || (err as { name?: string }).name === "ResourceNotFoundException") return undefined;
            throw err;
        }
    }

    /** Writes a value as the version `token` with the given stages. Idempotent for the same token and value. */
    async put(secretId: string, token: string, value: string, stages: string[]): Promise<void> {
        await this.client.send(new PutSecretValueCommand({ SecretId: secretId, ClientRequestToken: token, SecretString: value, VersionStages: stages }));
    }

    /** Moves a stage label from one version to another (either side may be absent). */
    async moveStage(secretId: string, stage: string, to: string | undefined, from: string | undefined): Promise<void> {
        await this.client.send(new UpdateSecretVersionStageCommand({ SecretId: secretId, VersionStage: stage, MoveToVersionId: to, RemoveFromVersionId: from }));
    }
}

/** The id of the version that carries a stage, if any. */
export function versionWithStage(stages: Record<string, string[]>, stage: string): string | undefined {
    return Object.entries(stages).find(([, s]) => s.includes(stage))?.[0];
}

/** Dependencies of {@link rotate}. */
export interface RotateDeps<V> {
    readonly store: SecretStore;
    readonly strategy: RotationStrategy<V>;
    /** Default: console.log with the strategy name. */
    readonly log?: (message: string) => void;
}

async function readVersion<V>(store: SecretStore, strategy: RotationStrategy<V>, secretId: string, stage: string, versionId?: string): Promise<SecretVersion<V> | undefined> {
    const raw = await store.get(secretId, stage, versionId);
    return raw === undefined ? undefined : { versionId: raw.versionId, value: strategy.parse(raw.value, stage) };
}

async function requireVersion<V>(store: SecretStore, strategy: RotationStrategy<V>, secretId: string, stage: string, versionId?: string): Promise<SecretVersion<V>> {
    const v = await readVersion(store, strategy, secretId, stage, versionId);
    if (!v) {
        throw new RotationError(
            `Secret ${secretId} has no ${stage} value${versionId ? ` for version ${versionId}` : ""}. ` +
                (stage === "AWSCURRENT"
                    ? "Bootstrap it first with the initial value described in docs/rotation.md, then rotate again."
                    : "Run the createSecret step for this token first."),
        );
    }
    return v;
}

async function runAfterFinish<V>(store: SecretStore, strategy: RotationStrategy<V>, secretId: string, token: string, ctx: RotationContext<V>): Promise<void> {
    if (!strategy.afterFinish) return;
    const current = await requireVersion(store, strategy, secretId, "AWSCURRENT", token);
    const previous = await readVersion(store, strategy, secretId, "AWSPREVIOUS");
    await strategy.afterFinish(current, previous, ctx);
}

/**
 * Runs one step of the rotation protocol. It returns without change when the token's version is already
 * AWSCURRENT (a duplicate after success), and refuses a token that is neither pending nor current (a stale
 * invocation of an abandoned rotation), so a late retry can never move a stage backwards.
 */
export async function rotate<V>(event: RotationEvent, deps: RotateDeps<V>): Promise<void> {
    const { store, strategy } = deps;
    const log = deps.log ?? ((m: string) => console.log(`[${strategy.name}] ${m}`));
    const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
    if (!ROTATION_STEPS.includes(step)) throw new RotationError(`Unknown rotation step '${step}'; expected one of ${ROTATION_STEPS.join(", ")}.`);

    const meta = await store.describe(secretId);
    if (!meta.rotationEnabled) throw new RotationError(`Secret ${secretId} does not have rotation enabled; enable it with a SecretRotation before invoking the function.`);
    const tokenStages = meta.stages[token];
    if (!tokenStages) throw new RotationError(`Secret version ${token} has no stage for rotation of secret ${secretId}; Secrets Manager stages AWSPENDING before it invokes the function.`);
    if (tokenStages.includes("AWSCURRENT")) {
        // Already promoted. A version may keep AWSPENDING next to AWSCURRENT; drop it so the next rotation can start.
        if (step === "finishSecret") {
            if (tokenStages.includes("AWSPENDING")) await store.moveStage(meta.arn, "AWSPENDING", undefined, token);
            // A finish that failed after the promotion is retried here, so the clean-up still happens.
            await runAfterFinish(store, strategy, meta.arn, token, { secretId: meta.arn, token, store, log });
        }
        log(`${step}: version ${token} is already AWSCURRENT for ${meta.name}; nothing more to do.`);
        return;
    }
    if (!tokenStages.includes("AWSPENDING")) {
        throw new RotationError(`Secret version ${token} is not staged AWSPENDING for ${secretId}; it belongs to an abandoned rotation and is ignored.`);
    }
    const ctx: RotationContext<V> = { secretId: meta.arn, token, store, log };

    switch (step) {
        case "createSecret": {
            const current = await requireVersion(store, strategy, meta.arn, "AWSCURRENT");
            const existing = await store.get(meta.arn, "AWSPENDING", token);
            if (existing !== undefined) {
                log(`createSecret: version ${token} already has a value; keeping it.`);
                return;
            }
            const next = await strategy.create(current, ctx);
            await store.put(meta.arn, token, strategy.serialize(next), ["AWSPENDING"]);
            log(`createSecret: wrote version ${token} as AWSPENDING for ${meta.name}.`);
            return;
        }
        case "setSecret": {
            const current = await requireVersion(store, strategy, meta.arn, "AWSCURRENT");
            const pending = await requireVersion(store, strategy, meta.arn, "AWSPENDING", token);
            await strategy.set(current, pending, ctx);
            log(`setSecret: installed version ${token} for ${meta.name}.`);
            return;
        }
        case "testSecret": {
            const pending = await requireVersion(store, strategy, meta.arn, "AWSPENDING", token);
            await strategy.test(pending, ctx);
            log(`testSecret: version ${token} works for ${meta.name}.`);
            return;
        }
        case "finishSecret": {
            const currentId = versionWithStage(meta.stages, "AWSCURRENT");
            // Secrets Manager moves AWSPREVIOUS to the version AWSCURRENT leaves.
            await store.moveStage(meta.arn, "AWSCURRENT", token, currentId);
            await store.moveStage(meta.arn, "AWSPENDING", undefined, token);
            log(`finishSecret: version ${token} is now AWSCURRENT for ${meta.name} (was ${currentId ?? "none"}).`);
            await runAfterFinish(store, strategy, meta.arn, token, ctx);
            return;
        }
    }
}
