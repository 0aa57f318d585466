import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { CatalogSecret, MAX_ROTATION_DAYS } from "../model/catalog";
import { secretTags } from "../model/environment";
import { fullSecretName } from "../model/names";
import { hasExpiryTag } from "../model/strategies";
import { expiryDateFor } from "../functions/expiry-check/findings";
import { EnvironmentKey, secretsManagerViaService } from "./environment-key";
import { denyPrincipalsOutsideAccount, denyWithoutTls, IGrantable, PolicyDocument, policyDocument, PolicyStatement } from "./iam";
import { TYPE } from "./tokens";
import { TAG } from "../model/names";
import { RETAIN_ON_DELETE } from "./retention";

/** Actions a reader needs: the value and the metadata (ESO and Airflow call DescribeSecret to resolve versions). */
export const SECRET_READ_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"];

/** Tags a person's hand-over writes (expires-at, and who rotated and the revocation deadline for assisted secrets). */
export const PERSON_WRITTEN_TAGS = [TAG.expiresAt, TAG.rotatedBy, TAG.rotatedAt, TAG.revokePreviousBy] as const;

/**
 * The first `expires-at` of a manually (or assisted) rotated secret: its catalog period from the day it is created. The runbook
 * moves the tag forward each time a person sets a new value (Pulumi ignores later changes to it), and the expiry
 * check alerts before it passes, so a manual secret whose value nobody sets is noticed too.
 */
export function initialExpiry(createdAt: Date, rotationDays: number): string {
    return expiryDateFor(createdAt, rotationDays);
}

/**
 * The secret's resource policy: nobody outside the environment's account may touch it, whatever their own
 * policies say, and nobody may reach it without TLS. AWS services acting for the account are not principals of
 * another account, so they are left to their own checks.
 */
export function buildSecretResourcePolicy(accountId: string): PolicyDocument {
    return policyDocument([
        denyPrincipalsOutsideAccount(accountId, "secretsmanager:*", "*"),
        denyWithoutTls("secretsmanager:*", "*"),
    ]);
}

/** The principal of MSK, which reads a SCRAM secret's value itself when the secret is associated with a cluster. */
export const KAFKA_SERVICE_PRINCIPAL = "kafka.amazonaws.com";

/**
 * The statement that lets an AWS service read a secret's value itself. For MSK it is the statement MSK attaches on
 * association (Sid `AWSKafkaResourcePolicy`), so our policy keeps it instead of replacing it, and Pulumi sees no drift.
 */
export function serviceReadStatement(service: string, secretArn: string): PolicyStatement {
    const sid = service === KAFKA_SERVICE_PRINCIPAL ? "AWSKafkaResourcePolicy" : `${service.split(".")[0]}ReadsTheValue`;
    return { Sid: sid, Effect: "Allow", Principal: { Service: service }, Action: "secretsmanager:getSecretValue", Resource: secretArn };
}

/**
 * The least-privilege statements that let a principal read one secret: its value on its own ARN, and the
 * environment key's decrypt only when Secrets Manager calls KMS for it.
 */
export function secretReadStatements(secretArn: string, keyArn: string, region: string): PolicyStatement[] {
    return [
        { Effect: "Allow", Action: [...SECRET_READ_ACTIONS], Resource: secretArn },
        {
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: keyArn,
            Condition: { StringEquals: { "kms:ViaService": secretsManagerViaService(region) } },
        },
    ];
}

/** The ARN of a secret's replica: same account, name and suffix, in the replica region. */
export function replicaSecretArn(secretArn: string, replicaRegion: string): string {
    const parts = secretArn.split(":");
    parts[3] = replicaRegion;
    return parts.join(":");
}

/** Arguments of {@link ManagedSecret}. */
export interface ManagedSecretArgs {
    /** Environment name; it prefixes the secret's name and fills the `environment` tag. */
    readonly environment: string;
    /** The environment's account id; the resource policy denies every other account. */
    readonly accountId: string;
    /** The catalog entry: relative name, kind, owner, criticality and rotation. */
    readonly secret: Pick<CatalogSecret, "name" | "kind" | "description" | "owner" | "criticality" | "rotation">;
    /** The environment's key. The secret is encrypted with it, never with `aws/secretsmanager`. */
    readonly key: EnvironmentKey;
    /** Days a deleted secret can still be restored. Default: 30. */
    readonly recoveryWindowInDays?: number;
    /** Whether to replicate into the key's replica region. Default: true for critical secrets when the key has a replica. */
    readonly replicate?: boolean;
    /**
     * Whether the secret waits for its first value (the foundation phase): a rotated secret is then tagged
     * `first-value-pending`, which the rotation rule accepts while the stack attaches no rotation. Default: false.
     */
    readonly firstValuePending?: boolean;
    /** AWS service principals that read the value themselves, such as MSK for SCRAM secrets. Default: none. */
    readonly serviceReaders?: readonly string[];
    /** When the secret is created, for the first `expires-at` of a manual secret. Default: now. */
    readonly createdAt?: Date;
}

/**
 * A Secrets Manager secret, without a value. Pulumi owns its container, key, tags and policy; rotation functions,
 * RDS or a person through a runbook own the value, so no value ever passes through code, config or state.
 */
export class ManagedSecret extends pulumi.ComponentResource {
    /** The secret resource. */
    readonly secret: aws.secretsmanager.Secret;
    /** The secret's ARN (with the random suffix Secrets Manager adds). */
    readonly arn: pulumi.Output<string>;
    /** The full name, `<env>/<catalog name>`. */
    readonly secretName: string;
    /** The catalog name, without the environment. */
    readonly catalogName: string;
    /** The environment key that encrypts the secret. */
    readonly key: EnvironmentKey;
    /** Whether the secret is replicated to the replica region. */
    readonly replicated: boolean;
    private readonly region: string;

    constructor(name: string, args: ManagedSecretArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.ManagedSecret, name, {}, opts);
        const recoveryWindowInDays = args.recoveryWindowInDays ?? 30;
        const replicate = args.replicate ?? (args.secret.criticality === "critical" && args.key.replicaKeyArn !== undefined);
        const createdAt = args.createdAt ?? new Date();
        const serviceReaders = args.serviceReaders ?? [];

        const problems: string[] = [];
        if (recoveryWindowInDays < 7 || recoveryWindowInDays > 30) problems.push(`recoveryWindowInDays ${recoveryWindowInDays} is outside 7..30`);
        if (replicate && args.key.replicaKeyArn === undefined) problems.push("replicate is true but the environment key has no replica region");
        if (args.secret.rotation.days > MAX_ROTATION_DAYS[args.secret.criticality]) {
            problems.push(`rotation.days ${args.secret.rotation.days} exceeds the ${MAX_ROTATION_DAYS[args.secret.criticality]} days allowed for ${args.secret.criticality} secrets`);
        }
        if (problems.length > 0) throw new pulumi.ResourceError(`ManagedSecret ${name} (${args.secret.name}): ${problems.join("; ")}.`, this);

        this.catalogName = args.secret.name;
        this.secretName = fullSecretName(args.environment, args.secret.name);
        this.key = args.key;
        this.region = args.key.region;
        this.replicated = replicate;

        this.secret = new aws.secretsmanager.Secret(
            `${name}-secret`,
            {
                name: this.secretName,
                description: args.secret.description,
                kmsKeyId: args.key.keyArn,
                recoveryWindowInDays,
                replicas: replicate ? [{ region: args.key.replicaRegion!, kmsKeyId: args.key.replicaKeyArn! }] : undefined,
                tags: {
                    ...secretTags(args.environment, args.secret),
                    ...(hasExpiryTag(args.secret.rotation.strategy) ? { [TAG.expiresAt]: initialExpiry(createdAt, args.secret.rotation.days) } : {}),
                    ...(args.firstValuePending && !hasExpiryTag(args.secret.rotation.strategy) ? { [TAG.firstValuePending]: "true" } : {}),
                },
            },
            // These tags are written by the manual-rotation runbook and the assisted hand-over, not by Pulumi, so a
            // deploy never resets them.
            { parent: this, ignoreChanges: PERSON_WRITTEN_TAGS.flatMap((t) => [`tags["${t}"]`, `tagsAll["${t}"]`]), ...RETAIN_ON_DELETE },
        );
        this.arn = this.secret.arn;
        new aws.secretsmanager.SecretPolicy(
            `${name}-policy`,
            {
                secretArn: this.secret.arn,
                policy: this.secret.arn.apply((arn) => {
                    const base = buildSecretResourcePolicy(args.accountId);
                    return JSON.stringify({ ...base, Statement: [...base.Statement, ...serviceReaders.map((service) => serviceReadStatement(service, arn))] });
                }),
                blockPublicPolicy: true,
            },
            { parent: this },
        );
        this.registerOutputs({ arn: this.arn, secretName: this.secretName });
    }

    /**
     * Lets a grantee read this secret: `GetSecretValue` and `DescribeSecret` on this ARN, plus `kms:Decrypt` on the
     * environment key only through Secrets Manager. With `includeReplica` (for regional failover), a replicated
     * secret's replica and the replica key in the replica region too. Returns the statements it added.
     */
    grantRead(grantee: IGrantable, options?: { readonly includeReplica?: boolean }): pulumi.Output<PolicyStatement[]> {
        const replicaRegion = this.key.replicaRegion;
        const withReplica = (options?.includeReplica ?? false) && this.replicated && replicaRegion !== undefined && this.key.replicaKeyArn !== undefined;
        const statements = pulumi.all([this.arn, this.key.keyArn, this.key.replicaKeyArn ?? ""]).apply(([secretArn, keyArn, replicaKeyArn]) => [
            ...secretReadStatements(secretArn, keyArn, this.region),
            // The replica keeps the primary's name and random suffix; only the region differs. It decrypts with the
            // replica key, through Secrets Manager in the replica region.
            ...(withReplica ? secretReadStatements(replicaSecretArn(secretArn, replicaRegion!), replicaKeyArn, replicaRegion!) : []),
        ]);
        for (let i = 0; i < (withReplica ? 4 : 2); i++) grantee.addToPrincipalPolicy(statements.apply((s) => s[i]));
        return statements;
    }
}
