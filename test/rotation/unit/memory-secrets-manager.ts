// An in-memory Secrets Manager for fast unit tests of the rotation protocol (and for mutation testing, which runs
// them once per mutant). It answers the four commands SecretStore sends, reading each command's `input` exactly as
// the SDK built it, and follows the documented behaviour that the protocol relies on: a staging label sits on one
// version at a time; moving AWSCURRENT moves AWSPREVIOUS to the version it left; UpdateSecretVersionStage refuses a
// RemoveFromVersionId that does not hold the label, and a move that would silently take the label from another
// version; GetSecretValue by id and stage refuses a version without that stage; PutSecretValue is idempotent for
// the same token and value and refuses a different value (as AWS documents; moto accepts it); a version that
// RotateSecret staged has no value until createSecret writes one; inputs outside the API's constraints (an empty
// staging label, a ClientRequestToken not 32-64 characters long) are refused; Tags are omitted when a secret has
// none. The moto tests (faults, repair) stay the proof
// against the real API; this store makes the step logic testable in microseconds.
import {
    DescribeSecretCommand,
    GetSecretValueCommand,
    InvalidParameterException,
    InvalidRequestException,
    PutSecretValueCommand,
    ResourceExistsException,
    ResourceNotFoundException,
    SecretsManagerClient,
    UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { randomUUID } from "crypto";
import { SecretStore } from "../../../functions/rotation/protocol";

interface MemoryVersion {
    value?: string;
    stages: string[];
    created: Date;
}

interface MemorySecret {
    arn: string;
    name: string;
    rotationEnabled: boolean;
    tags: Record<string, string>;
    versions: Map<string, MemoryVersion>;
}

const $metadata = {};

/** One Secrets Manager account in memory; pass {@link MemorySecretsManager.store} to the protocol. */
export class MemorySecretsManager {
    private readonly secrets = new Map<string, MemorySecret>();
    /** Every command received, by name and input, in order. */
    readonly calls: Array<{ command: string; input: Record<string, unknown> }> = [];
    /** The clock for CreatedDate; tests may advance it. */
    now = new Date("2026-01-01T00:00:00Z");

    /** A SecretStore over this account, as the rotation Lambda builds one over the SDK client. */
    store(): SecretStore {
        return new SecretStore(this as unknown as SecretsManagerClient);
    }

    /** Creates a secret with an initial AWSCURRENT value (or none, as Pulumi creates it) and returns its ARN. */
    createSecret(name: string, value?: string, opts: { rotationEnabled?: boolean; tags?: Record<string, string> } = {}): string {
        const arn = `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${name}-${randomUUID().slice(0, 6)}`;
        const versions = new Map<string, MemoryVersion>();
        if (value !== undefined) versions.set(randomUUID(), { value, stages: ["AWSCURRENT"], created: this.now });
        this.secrets.set(arn, { arn, name, rotationEnabled: opts.rotationEnabled ?? true, tags: { ...(opts.tags ?? {}) }, versions });
        return arn;
    }

    /**
     * What RotateSecret does before it invokes the function: a new version id staged AWSPENDING with no value. Like
     * AWS, a pending rotation on a version other than AWSCURRENT is reattempted with its own token.
     */
    startRotation(secretId: string, token: string = randomUUID()): string {
        const s = this.secret(secretId);
        const pending = [...s.versions].find(([, v]) => v.stages.includes("AWSPENDING"));
        if (pending && !pending[1].stages.includes("AWSCURRENT")) return pending[0];
        if (pending) pending[1].stages = pending[1].stages.filter((x) => x !== "AWSPENDING");
        s.rotationEnabled = true;
        s.versions.set(token, { stages: ["AWSPENDING"], created: this.now });
        return token;
    }

    /** Each version id with its stages (only versions that carry one, as DescribeSecret lists them). */
    stages(secretId: string): Record<string, string[]> {
        const out: Record<string, string[]> = {};
        for (const [id, v] of this.secret(secretId).versions) if (v.stages.length) out[id] = [...v.stages];
        return out;
    }

    /** The value of one version by id, labelled or not. */
    valueOf(secretId: string, versionId: string): string | undefined {
        return this.secret(secretId).versions.get(versionId)?.value;
    }

    /** Commands received that change state. */
    writes(): Array<{ command: string; input: Record<string, unknown> }> {
        return this.calls.filter((c) => c.command === "PutSecretValue" || c.command === "UpdateSecretVersionStage");
    }

    /** Secrets Manager's API, for the commands SecretStore sends; anything else is a test bug. */
    async send(command: unknown): Promise<unknown> {
        if (command instanceof DescribeSecretCommand) return this.describe(this.record("DescribeSecret", command.input));
        if (command instanceof GetSecretValueCommand) return this.getValue(this.record("GetSecretValue", command.input));
        if (command instanceof PutSecretValueCommand) return this.putValue(this.record("PutSecretValue", command.input));
        if (command instanceof UpdateSecretVersionStageCommand) return this.updateStage(this.record("UpdateSecretVersionStage", command.input));
        throw new Error(`MemorySecretsManager does not implement ${(command as object)?.constructor?.name}; add it if the protocol now sends it.`);
    }

    private record<T extends object>(name: string, input: T): T {
        this.calls.push({ command: name, input: { ...input } as Record<string, unknown> });
        return input;
    }

    private secret(secretId: string | undefined): MemorySecret {
        const s = this.secrets.get(secretId ?? "") ?? [...this.secrets.values()].find((x) => x.name === secretId);
        if (!s) throw new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata });
        return s;
    }

    private describe(input: DescribeSecretCommand["input"]) {
        const s = this.secret(input.SecretId);
        const tags = Object.entries(s.tags).map(([Key, Value]) => ({ Key, Value }));
        return { ARN: s.arn, Name: s.name, RotationEnabled: s.rotationEnabled, VersionIdsToStages: this.stages(s.arn), ...(tags.length ? { Tags: tags } : {}) };
    }

    private getValue(input: GetSecretValueCommand["input"]) {
        const s = this.secret(input.SecretId);
        validStage(input.VersionStage);
        const stage = input.VersionStage ?? (input.VersionId ? undefined : "AWSCURRENT");
        const entry = input.VersionId !== undefined ? ([input.VersionId, s.versions.get(input.VersionId)] as const) : [...s.versions].find(([, v]) => v.stages.includes(stage!));
        const [id, v] = entry ?? [];
        // Asked by id and stage for a version that lacks the stage: moto answers this (its message is AWS's).
        if (v && stage && !v.stages.includes(stage)) throw new InvalidRequestException({ message: "You provided a VersionStage that is not associated to the provided VersionId.", $metadata });
        if (!id || !v || v.value === undefined) {
            throw new ResourceNotFoundException({ message: `Secrets Manager can't find the specified secret value for VersionId: ${input.VersionId ?? "-"}, staging label: ${stage ?? "-"}`, $metadata });
        }
        return { ARN: s.arn, Name: s.name, VersionId: id, SecretString: v.value, VersionStages: [...v.stages], CreatedDate: v.created };
    }

    private putValue(input: PutSecretValueCommand["input"]) {
        const s = this.secret(input.SecretId);
        const token = input.ClientRequestToken;
        if (token === undefined || token.length < 32 || token.length > 64 || input.SecretString === undefined) {
            throw new InvalidParameterException({ message: "A ClientRequestToken of 32 to 64 characters and a SecretString are required here.", $metadata });
        }
        for (const stage of input.VersionStages ?? []) validStage(stage);
        const existing = s.versions.get(token);
        if (existing?.value !== undefined) {
            if (existing.value === input.SecretString) return { ARN: s.arn, Name: s.name, VersionId: token, VersionStages: [...existing.stages] };
            throw new ResourceExistsException({ message: `A version with ID ${token} already exists with a different value.`, $metadata });
        }
        const version: MemoryVersion = existing ?? { stages: [], created: this.now };
        version.value = input.SecretString;
        version.created = this.now;
        s.versions.set(token, version);
        for (const stage of input.VersionStages ?? ["AWSCURRENT"]) this.attach(s, stage, token);
        return { ARN: s.arn, Name: s.name, VersionId: token, VersionStages: [...version.stages] };
    }

    private updateStage(input: UpdateSecretVersionStageCommand["input"]) {
        const s = this.secret(input.SecretId);
        const stage = validStage(input.VersionStage) ?? "";
        if (!stage) throw new InvalidParameterException({ message: "VersionStage is required.", $metadata });
        const holder = [...s.versions].find(([, v]) => v.stages.includes(stage))?.[0];
        if (input.RemoveFromVersionId !== undefined && holder !== input.RemoveFromVersionId) {
            throw new InvalidParameterException({ message: `The staging label ${stage} is not attached to version ${input.RemoveFromVersionId}.`, $metadata });
        }
        if (input.MoveToVersionId !== undefined) {
            if (!s.versions.has(input.MoveToVersionId)) throw new ResourceNotFoundException({ message: `Version ${input.MoveToVersionId} does not exist.`, $metadata });
            if (holder !== undefined && holder !== input.MoveToVersionId && input.RemoveFromVersionId === undefined) {
                throw new InvalidRequestException({ message: `The staging label ${stage} is currently attached to version ${holder}; name it in RemoveFromVersionId to move it.`, $metadata });
            }
            this.attach(s, stage, input.MoveToVersionId);
        } else if (holder !== undefined && input.RemoveFromVersionId !== undefined) {
            const v = s.versions.get(holder)!;
            v.stages = v.stages.filter((x) => x !== stage);
        }
        return { ARN: s.arn, Name: s.name };
    }

    /** Puts a label on one version, taking it from any other; AWSCURRENT leaving a version leaves AWSPREVIOUS there. */
    private attach(s: MemorySecret, stage: string, to: string): void {
        for (const [id, v] of s.versions) {
            if (id === to || !v.stages.includes(stage)) continue;
            v.stages = v.stages.filter((x) => x !== stage);
            if (stage === "AWSCURRENT") this.attach(s, "AWSPREVIOUS", id);
        }
        const target = s.versions.get(to)!;
        if (!target.stages.includes(stage)) target.stages.push(stage);
    }
}

/** A staging label as the API accepts it: 1 to 256 characters (or absent where optional). */
function validStage(stage: string | undefined): string | undefined {
    if (stage !== undefined && (stage.length < 1 || stage.length > 256)) throw new InvalidParameterException({ message: `Invalid VersionStage '${stage}': it must be 1 to 256 characters long.`, $metadata });
    return stage;
}
