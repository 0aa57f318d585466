import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { accountRootArn, enableIamPoliciesOf, PolicyDocument, policyDocument, roleArn } from "./iam";
import { TYPE } from "./tokens";
import { RETAIN_ON_DELETE } from "./retention";

/** Key-management actions that administrators get. None of them reads or writes data. */
export const KEY_ADMIN_ACTIONS = [
    "kms:Create*",
    "kms:Describe*",
    "kms:Enable*",
    "kms:List*",
    "kms:Put*",
    "kms:Update*",
    "kms:Revoke*",
    "kms:Disable*",
    "kms:Get*",
    "kms:Delete*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
    "kms:ReplicateKey",
    "kms:UpdatePrimaryRegion",
];

/** Cryptographic actions: what "using" the key means. */
export const KEY_USE_ACTIONS = ["kms:Decrypt", "kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"];

/** Inputs of the pure key-policy builder. */
export interface KeyPolicyInputs {
    readonly accountId: string;
    /** Region whose Secrets Manager endpoint may use this key copy. */
    readonly region: string;
    /** Role names (in the same account) that manage the key. */
    readonly administratorRoleNames: readonly string[];
}

/** The `kms:ViaService` value for Secrets Manager in one region. */
export function secretsManagerViaService(region: string): string {
    return `secretsmanager.${region}.amazonaws.com`;
}

/**
 * Builds the environment key's policy. It separates duties: the account delegates to IAM (so grants are IAM
 * policies that can be simulated), administrators may manage but never use the key, and nobody in the account
 * may use it except through Secrets Manager in its own region. It names no principal of another account.
 */
export function buildEnvironmentKeyPolicy(inputs: KeyPolicyInputs): PolicyDocument {
    const admins = inputs.administratorRoleNames.map((n) => roleArn(inputs.accountId, n));
    return policyDocument([
        enableIamPoliciesOf(inputs.accountId),
        {
            Sid: "KeyAdministratorsManageTheKey",
            Effect: "Allow",
            Principal: { AWS: admins },
            Action: KEY_ADMIN_ACTIONS,
            Resource: "*",
        },
        {
            Sid: "KeyAdministratorsNeverUseTheKey",
            Effect: "Deny",
            Principal: { AWS: admins },
            Action: KEY_USE_ACTIONS,
            Resource: "*",
        },
        {
            Sid: "UseOnlyThroughSecretsManager",
            Effect: "Deny",
            Principal: { AWS: accountRootArn(inputs.accountId) },
            Action: KEY_USE_ACTIONS,
            Resource: "*",
            Condition: { StringNotEquals: { "kms:ViaService": secretsManagerViaService(inputs.region) } },
        },
    ]);
}

/** Arguments of {@link EnvironmentKey}. */
export interface EnvironmentKeyArgs {
    /** Environment name (dev, staging, prod); it appears in the alias and the tags. */
    readonly environment: string;
    /** The environment's AWS account id. The key policy names no other account. */
    readonly accountId: string;
    /** Primary region of the key. */
    readonly region: string;
    /** Prefix of resource names, such as `fl-prod`. */
    readonly namePrefix: string;
    /** Role names that administer the key but cannot use it. */
    readonly administratorRoleNames: readonly string[];
    /** Region of a replica key for secret replicas. Default: no replica. */
    readonly replicaRegion?: string;
    /** Provider for the replica region. Required with `replicaRegion`. */
    readonly replicaProvider?: pulumi.ProviderResource;
    /** Waiting period before a scheduled deletion. Default: 30 days, the maximum. */
    readonly deletionWindowInDays?: number;
}

/**
 * The environment's customer-managed KMS key for Secrets Manager: multi-Region, rotated yearly by KMS, with an
 * alias and an optional replica in the replica region.
 */
export class EnvironmentKey extends pulumi.ComponentResource {
    /** The primary key. */
    readonly key: aws.kms.Key;
    /** The key's ARN, which secrets in the primary region use. */
    readonly keyArn: pulumi.Output<string>;
    /** `alias/<prefix>-secrets`. */
    readonly aliasName: string;
    /** The replica key's ARN in the replica region, when there is one. */
    readonly replicaKeyArn?: pulumi.Output<string>;
    /** The replica region, when there is one. */
    readonly replicaRegion?: string;
    /** The primary region. */
    readonly region: string;

    constructor(name: string, args: EnvironmentKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.EnvironmentKey, name, {}, opts);
        const deletionWindowInDays = args.deletionWindowInDays ?? 30;
        const problems: string[] = [];
        if (!/^\d{12}$/.test(args.accountId)) problems.push(`accountId '${args.accountId}' is not a 12-digit account id`);
        if (args.administratorRoleNames.length === 0) problems.push("administratorRoleNames is empty; name at least one key administrator role");
        if (args.replicaRegion !== undefined && args.replicaProvider === undefined) problems.push("replicaRegion is set but replicaProvider is not; pass a provider for the replica region");
        if (args.replicaRegion === args.region) problems.push(`replicaRegion '${args.replicaRegion}' equals the primary region`);
        if (deletionWindowInDays < 7 || deletionWindowInDays > 30) problems.push(`deletionWindowInDays ${deletionWindowInDays} is outside 7..30`);
        if (problems.length > 0) throw new pulumi.ResourceError(`EnvironmentKey ${name}: ${problems.join("; ")}.`, this);

        this.region = args.region;
        this.replicaRegion = args.replicaRegion;
        this.aliasName = `alias/${args.namePrefix}-secrets`;
        const tags = { environment: args.environment, purpose: "secrets-manager", "managed-by": "pulumi" };

        this.key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Customer-managed key for the ${args.environment} environment's Secrets Manager secrets`,
                keyUsage: "ENCRYPT_DECRYPT",
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                enableKeyRotation: true,
                rotationPeriodInDays: 365,
                multiRegion: args.replicaRegion !== undefined,
                deletionWindowInDays,
                policy: JSON.stringify(
                    buildEnvironmentKeyPolicy({ accountId: args.accountId, region: args.region, administratorRoleNames: args.administratorRoleNames }),
                ),
                tags,
            },
            { parent: this, ...RETAIN_ON_DELETE },
        );
        this.keyArn = this.key.arn;
        new aws.kms.Alias(`${name}-alias`, { name: this.aliasName, targetKeyId: this.key.keyId }, { parent: this });

        if (args.replicaRegion !== undefined) {
            const replica = new aws.kms.ReplicaKey(
                `${name}-replica`,
                {
                    description: `Replica of the ${args.environment} secrets key for secret replicas in ${args.replicaRegion}`,
                    primaryKeyArn: this.key.arn,
                    deletionWindowInDays,
                    policy: JSON.stringify(
                        buildEnvironmentKeyPolicy({ accountId: args.accountId, region: args.replicaRegion, administratorRoleNames: args.administratorRoleNames }),
                    ),
                    tags,
                },
                { parent: this, provider: args.replicaProvider, ...RETAIN_ON_DELETE },
            );
            new aws.kms.Alias(`${name}-replica-alias`, { name: this.aliasName, targetKeyId: replica.keyId }, { parent: this, provider: args.replicaProvider });
            this.replicaKeyArn = replica.arn;
        }
        this.registerOutputs({ keyArn: this.keyArn, aliasName: this.aliasName, replicaKeyArn: this.replicaKeyArn });
    }
}
