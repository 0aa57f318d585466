// Where Pulumi keeps one environment's state: the S3 bucket, its policy, and the `awskms://` secrets-provider key.
import { KEY_ADMIN_ACTIONS } from "../environment-key";
import { denyPrincipalsOutsideAccount, denyWithoutTls, enableIamPoliciesOf, PolicyDocument, policyDocument, roleArn } from "../iam";

/** Where the DIY backend writes its lock files; `pulumi preview` may write only there. */
export const PULUMI_LOCK_PREFIX = ".pulumi/locks/";

/** The bucket ARN and its objects' ARN pattern. */
export function bucketArns(bucket: string): string[] {
    return [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`];
}

/**
 * The Pulumi key's policy: the account's IAM decides (so only roles granted it in this account may use it) and the
 * key administrators manage it. It names no principal of another account, so no other environment's role can use it.
 */
export function buildPulumiKeyPolicy(accountId: string, administratorRoleNames: readonly string[]): PolicyDocument {
    return policyDocument([
        enableIamPoliciesOf(accountId),
        {
            Sid: "KeyAdministratorsManageTheKey",
            Effect: "Allow",
            Principal: { AWS: administratorRoleNames.map((n) => roleArn(accountId, n)) },
            Action: KEY_ADMIN_ACTIONS,
            Resource: "*",
        },
    ]);
}

/** The state bucket's policy: TLS only, and no principal of another account, whatever its own policies say. */
export function buildStateBucketPolicy(bucket: string, accountId: string): PolicyDocument {
    return policyDocument([
        denyWithoutTls("s3:*", bucketArns(bucket)),
        denyPrincipalsOutsideAccount(accountId, "s3:*", bucketArns(bucket)),
    ]);
}

/** `alias/<prefix>-pulumi-secrets`: must match the `secretsprovider:` URL in `Pulumi.<env>.yaml`. */
export function pulumiSecretsKeyAlias(namePrefix: string): string {
    return `alias/${namePrefix}-pulumi-secrets`;
}

/** The stack's `secretsprovider:` URL. */
export function pulumiSecretsProviderUrl(namePrefix: string, region: string): string {
    return `awskms://${pulumiSecretsKeyAlias(namePrefix)}?region=${region}`;
}

/** The state bucket's name. The account id makes it globally unique without a random suffix, so docs and CI can name it. */
export function stateBucketName(namePrefix: string, accountId: string): string {
    return `${namePrefix}-pulumi-state-${accountId}`;
}

/** The `pulumi login` URL of the environment's state backend. */
export function pulumiBackendUrl(namePrefix: string, accountId: string, region: string): string {
    return `s3://${stateBucketName(namePrefix, accountId)}?region=${region}`;
}
