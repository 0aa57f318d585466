// The deploy role's one read exception: the Snowflake provisioning key of its own environment, and the environment
// key's decrypt for that secret only. Everything else stays denied (docs/threat-model.md, "Deploy-time reads").
import { PolicyStatement } from "../iam";
import { provisionerSecretArnPattern } from "../../model/snowflake-provisioner";

/** `kms:ViaService` values of Secrets Manager in any region; the environment key's own policy pins its region. */
const SECRETS_MANAGER_VIA_ANY_REGION = "secretsmanager.*.amazonaws.com";

/** What the exception needs to know about one environment. */
export interface ProvisionerReadScope {
    readonly accountId: string;
    readonly environment: string;
    /** ARN of the Pulumi key, the only key the deploy role may use directly. */
    readonly pulumiKeyArn: string;
    /** ARN of the environment key, which encrypts the provisioning secret. */
    readonly environmentKeyArn: string;
}

/**
 * Allows GetSecretValue on exactly the provisioning secret, and kms:Decrypt with the environment key only through
 * Secrets Manager and only for that secret's encryption context (`SecretARN`, which Secrets Manager always sets).
 */
export function provisionerReadAllows(scope: ProvisionerReadScope): PolicyStatement[] {
    const secret = provisionerSecretArnPattern(scope.accountId, scope.environment);
    return [
        { Sid: "ReadOnlyTheSnowflakeProvisioningKey", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secret },
        {
            Sid: "DecryptOnlyTheSnowflakeProvisioningKey",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: scope.environmentKeyArn,
            Condition: { StringLike: { "kms:ViaService": SECRETS_MANAGER_VIA_ANY_REGION, "kms:EncryptionContext:SecretARN": secret } },
        },
    ];
}

/**
 * The deploy role's value and decrypt denies, narrowed by exactly the exception above: no secret value but the
 * provisioning key, no batch read, and no decrypt with a key other than the Pulumi key unless it is Secrets Manager
 * decrypting that secret. Two decrypt denies, because a deny applies when all its conditions hold.
 */
export function provisionerReadDenies(scope: ProvisionerReadScope): PolicyStatement[] {
    const secret = provisionerSecretArnPattern(scope.accountId, scope.environment);
    return [
        { Sid: "NeverReadSecretValuesButTheProvisioningKey", Effect: "Deny", Action: "secretsmanager:GetSecretValue", NotResource: secret },
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
            Sid: "DecryptOtherKeysOnlyForTheProvisioningKey",
            Effect: "Deny",
            Action: "kms:Decrypt",
            NotResource: scope.pulumiKeyArn,
            Condition: { StringNotLike: { "kms:EncryptionContext:SecretARN": secret } },
        },
    ];
}
