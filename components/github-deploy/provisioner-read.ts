// Each CI role's one read exception: a Snowflake key of its own environment, and the environment key's decrypt for
// that secret only. The deploy role reads the provisioning key, the preview role the previewer key (whose Snowflake
// role holds no privilege). Everything else stays denied (docs/threat-model.md, paths 19 and 21).
import { PolicyStatement } from "../iam";
import { previewerSecretArnPattern, provisionerSecretArnPattern } from "../../model/snowflake-provisioner";

/** `kms:ViaService` values of Secrets Manager in any region; the environment key's own policy pins its region. */
const SECRETS_MANAGER_VIA_ANY_REGION = "secretsmanager.*.amazonaws.com";

/** What the exception needs to know about one environment. */
export interface ProvisionerReadScope {
    readonly accountId: string;
    readonly environment: string;
    /** ARN of the Pulumi key, the only key a CI role may use directly. */
    readonly pulumiKeyArn: string;
    /** ARN of the environment key, which encrypts the Snowflake key secrets. */
    readonly environmentKeyArn: string;
}

/** The one secret a role may read, and the word its statement ids use for it. */
interface KeyRead {
    readonly secretArnPattern: string;
    /** Statement id part of the allows, such as `TheSnowflakeProvisioningKey`. */
    readonly sid: string;
    /** Statement id part of the denies, such as `TheProvisioningKey`. */
    readonly short: string;
}

const provisionerKey = (scope: ProvisionerReadScope): KeyRead => ({ secretArnPattern: provisionerSecretArnPattern(scope.accountId, scope.environment), sid: "TheSnowflakeProvisioningKey", short: "TheProvisioningKey" });
const previewerKey = (scope: ProvisionerReadScope): KeyRead => ({ secretArnPattern: previewerSecretArnPattern(scope.accountId, scope.environment), sid: "TheSnowflakePreviewerKey", short: "ThePreviewerKey" });

/**
 * Allows GetSecretValue on exactly one secret, and kms:Decrypt with the environment key only through Secrets Manager
 * and only for that secret's encryption context (`SecretARN`, which Secrets Manager always sets).
 */
function oneKeyReadAllows(scope: ProvisionerReadScope, key: KeyRead): PolicyStatement[] {
    return [
        { Sid: `ReadOnly${key.sid}`, Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: key.secretArnPattern },
        {
            Sid: `DecryptOnly${key.sid}`,
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: scope.environmentKeyArn,
            Condition: { StringLike: { "kms:ViaService": SECRETS_MANAGER_VIA_ANY_REGION, "kms:EncryptionContext:SecretARN": key.secretArnPattern } },
        },
    ];
}

/**
 * The value and decrypt denies, narrowed by exactly one key: no secret value but that one, no batch read, and no
 * decrypt with a key other than the Pulumi key unless it is Secrets Manager decrypting that secret. Two decrypt
 * denies, because a deny applies when all its conditions hold.
 */
function oneKeyReadDenies(scope: ProvisionerReadScope, key: KeyRead): PolicyStatement[] {
    return [
        { Sid: `NeverReadSecretValuesBut${key.short}`, Effect: "Deny", Action: "secretsmanager:GetSecretValue", NotResource: key.secretArnPattern },
        { Sid: "NeverBatchReadSecretValues", Effect: "Deny", Action: "secretsmanager:BatchGetSecretValue", Resource: "*" },
        { Sid: "NeverReEncryptWithAnotherKey", Effect: "Deny", Action: "kms:ReEncrypt*", NotResource: scope.pulumiKeyArn },
        {
            Sid: "DecryptOtherKeysOnlyThroughSecretsManager",
            Effect: "Deny",
            Action: "kms:Decrypt",
            NotResource: scope.pulumiKeyArn,
            Condition: { StringNotLike: { "kms:ViaService": SECRETS_MANAGER_VIA_ANY_REGION } },
        },
        {
            Sid: `DecryptOtherKeysOnlyFor${key.short}`,
            Effect: "Deny",
            Action: "kms:Decrypt",
            NotResource: scope.pulumiKeyArn,
            Condition: { StringNotLike: { "kms:EncryptionContext:SecretARN": key.secretArnPattern } },
        },
    ];
}

/** The deploy role's exception: read and decrypt the provisioning key only. */
export function provisionerReadAllows(scope: ProvisionerReadScope): PolicyStatement[] {
    return oneKeyReadAllows(scope, provisionerKey(scope));
}

/** The deploy role's value and decrypt denies, narrowed by the provisioning key. */
export function provisionerReadDenies(scope: ProvisionerReadScope): PolicyStatement[] {
    return oneKeyReadDenies(scope, provisionerKey(scope));
}

/** The preview role's exception: read and decrypt the previewer key only. */
export function previewerReadAllows(scope: ProvisionerReadScope): PolicyStatement[] {
    return oneKeyReadAllows(scope, previewerKey(scope));
}

/** The preview role's value and decrypt denies, narrowed by the previewer key. */
export function previewerReadDenies(scope: ProvisionerReadScope): PolicyStatement[] {
    return oneKeyReadDenies(scope, previewerKey(scope));
}
