import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KEY_ADMIN_ACTIONS } from "./environment-key";
import { denyWithoutTls, enableIamPoliciesOf, PolicyDocument, policyDocument, PolicyStatement, roleArn } from "./iam";
import { roleNames } from "./naming";
import { TYPE } from "./tokens";

/** GitHub's OIDC issuer; IAM names the provider after it and prefixes its claim keys with it. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience that `aws-actions/configure-aws-credentials` requests. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";
/** The condition key of the token's subject claim. */
export const SUB_KEY = `${GITHUB_OIDC_HOST}:sub`;
/** The condition key of the token's audience claim. */
export const AUD_KEY = `${GITHUB_OIDC_HOST}:aud`;

/** The AWS managed policy both roles start from, so `pulumi preview`/`refresh` can read every resource type. */
export const READ_ONLY_POLICY_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/** Actions that return a secret value. Both roles are denied these on every resource, whatever else allows them. */
export const SECRET_VALUE_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue"];

/** SSM actions that can return SecureString values; ReadOnlyAccess allows them, so both roles are denied them. */
export const PARAMETER_VALUE_ACTIONS = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"];

/** Where the DIY backend writes its lock files; `pulumi preview` may write only there. */
export const PULUMI_LOCK_PREFIX = ".pulumi/locks/";

/** Services whose resources the platform creates. The deploy role may change them only in its own account. */
export const DEPLOY_MANAGED_SERVICES = ["cloudtrail", "events", "cloudwatch", "logs", "sns", "sqs", "lambda", "config", "athena", "glue"] as const;

/** What `pulumi up` does to keys: manage them, never use them (no Decrypt, Encrypt, GenerateDataKey). */
export const DEPLOY_KMS_ACTIONS = [
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:UpdateAlias",
    "kms:DescribeKey",
    "kms:EnableKey",
    "kms:DisableKey",
    "kms:EnableKeyRotation",
    "kms:DisableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListResourceTags",
    "kms:ListKeyRotations",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateKeyDescription",
    "kms:ReplicateKey",
    "kms:UpdatePrimaryRegion",
];

/** What `pulumi up` does to secrets: containers, policies, tags, replication and rotation; never a value. */
export const DEPLOY_SECRETSMANAGER_ACTIONS = [
    "secretsmanager:CreateSecret",
    "secretsmanager:DeleteSecret",
    "secretsmanager:RestoreSecret",
    "secretsmanager:DescribeSecret",
    "secretsmanager:UpdateSecret",
    "secretsmanager:TagResource",
    "secretsmanager:UntagResource",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:DeleteResourcePolicy",
    "secretsmanager:ValidateResourcePolicy",
    "secretsmanager:RotateSecret",
    "secretsmanager:CancelRotateSecret",
    "secretsmanager:ReplicateSecretToRegions",
    "secretsmanager:RemoveRegionsFromReplication",
    "secretsmanager:ListSecretVersionIds",
];

/** The GitHub repository whose workflows may assume the roles, and how its tokens name it. */
export interface GithubRepository {
    readonly org: string;
    readonly repo: string;
    /** `legacy` (repo:<org>/<repo>) or `immutable` (repo:<org>-<ownerId>/<repo>-<repositoryId>). */
    readonly subjectFormat: "legacy" | "immutable";
    /** The organisation's numeric id. Required for the immutable format. */
    readonly ownerId?: string;
    /** The repository's numeric id. Required for the immutable format. */
    readonly repositoryId?: string;
}

/** The part of a GitHub token's subject after the repository: a pull request, or a job bound to a GitHub environment. */
export type GithubContext = { readonly kind: "pull_request" } | { readonly kind: "environment"; readonly name: string };

/**
 * The exact `sub` claim GitHub puts in a workflow's OIDC token for this repository and context. The legacy format is
 * `repo:<org>/<repo>:<context>`; the immutable one (GitHub changelog 2026-04-23) appends the numeric owner and
 * repository ids, `repo:<org>-<ownerId>/<repo>-<repositoryId>:<context>`, so a deleted and re-created name cannot
 * mint a token the role trusts.
 */
export function githubSubject(github: GithubRepository, context: GithubContext): string {
    let repository: string;
    if (github.subjectFormat === "immutable") {
        if (!github.ownerId || !github.repositoryId) {
            throw new Error(`The immutable GitHub subject format needs ownerId and repositoryId for ${github.org}/${github.repo}; set them under finledger:github.`);
        }
        repository = `${github.org}-${github.ownerId}/${github.repo}-${github.repositoryId}`;
    } else {
        repository = `${github.org}/${github.repo}`;
    }
    const suffix = context.kind === "pull_request" ? "pull_request" : `environment:${context.name}`;
    return `repo:${repository}:${suffix}`;
}

/** The IAM ARN of the GitHub OIDC provider in an account. */
export function githubOidcProviderArn(accountId: string): string {
    return `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
}

/**
 * A role trust policy for GitHub's OIDC tokens: exactly one subject and the STS audience, both with `StringEquals`.
 * No wildcard and no `StringLike`, so neither a fork, another repository, a branch nor another environment matches.
 */
export function buildGithubTrustPolicy(oidcProviderArn: string, subject: string): PolicyDocument {
    if (/[*?]/.test(subject)) throw new Error(`GitHub trust subject '${subject}' contains a wildcard; trust exactly one subject.`);
    return policyDocument([
        {
            Sid: "GithubActionsOidcExactSubject",
            Effect: "Allow",
            Principal: { Federated: oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { [AUD_KEY]: GITHUB_OIDC_AUDIENCE, [SUB_KEY]: subject } },
        },
    ]);
}

/** What the role policies need to know about one environment's account and its deploy-time resources. */
export interface DeployAccessScope {
    readonly accountId: string;
    /** Prefix of every platform resource name, such as `fl-prod`. */
    readonly namePrefix: string;
    /** The Pulumi state bucket's name. */
    readonly stateBucket: string;
    /** ARN of the key that encrypts the state bucket and the stack's secrets (the `awskms://` provider). */
    readonly pulumiKeyArn: string;
}

function bucketArns(bucket: string): string[] {
    return [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`];
}

/** Denies shared by both roles: no secret value, no decrypt with any key but the Pulumi key, nothing outside the account. */
function commonDenies(scope: DeployAccessScope): PolicyStatement[] {
    return [
        { Sid: "NeverReadSecretValues", Effect: "Deny", Action: [...SECRET_VALUE_ACTIONS], Resource: "*" },
        { Sid: "NeverReadParameterValues", Effect: "Deny", Action: [...PARAMETER_VALUE_ACTIONS], Resource: "*" },
        // The environment key (and any other key) decrypts secret values; only the Pulumi key, which protects
        // state and stack config that by design hold no secret value, may be used.
        { Sid: "DecryptOnlyWithThePulumiKey", Effect: "Deny", Action: ["kms:Decrypt", "kms:ReEncrypt*"], NotResource: scope.pulumiKeyArn },
        {
            Sid: "StayInTheEnvironmentAccount",
            Effect: "Deny",
            NotAction: ["sts:GetCallerIdentity"],
            Resource: "*",
            Condition: { StringNotEqualsIfExists: { "aws:ResourceAccount": scope.accountId } },
        },
        // Role chaining would let a workflow borrow a workload role that may read secrets.
        { Sid: "NeverChainIntoAnotherRole", Effect: "Deny", Action: ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"], Resource: "*" },
    ];
}

/**
 * The preview role's inline policy, on top of ReadOnlyAccess: read the state and decrypt the stack's data key with
 * the Pulumi key, write only lock files, and never read a secret value or use any other key.
 */
export function buildPreviewPolicy(scope: DeployAccessScope): PolicyDocument {
    return policyDocument([
        { Sid: "ReadPulumiState", Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArns(scope.stateBucket) },
        {
            Sid: "WritePulumiLocksOnly",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:DeleteObject"],
            Resource: `arn:aws:s3:::${scope.stateBucket}/${PULUMI_LOCK_PREFIX}*`,
        },
        // Preview decrypts the stack's data key (awskms:// provider) and reads SSE-KMS state objects.
        { Sid: "UseThePulumiKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: scope.pulumiKeyArn },
        ...commonDenies(scope),
    ]);
}

/**
 * Resources only the bootstrap administrator changes: the GitHub roles, the OIDC provider, the state bucket and the
 * Pulumi key. The deploy role cannot widen its own access or weaken the state that records what it did.
 */
function protectedResourceStatements(scope: DeployAccessScope): PolicyStatement[] {
    return [
        {
            Sid: "CannotChangeTheDeployAccessItself",
            Effect: "Deny",
            NotAction: ["iam:Get*", "iam:List*"],
            Resource: [
                roleArn(scope.accountId, roleNames.githubPreview(scope.namePrefix)),
                roleArn(scope.accountId, roleNames.githubDeploy(scope.namePrefix)),
                githubOidcProviderArn(scope.accountId),
            ],
        },
        {
            Sid: "CannotWeakenTheStateBucket",
            Effect: "Deny",
            Action: ["s3:DeleteBucket", "s3:PutBucket*", "s3:DeleteBucket*", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutAccountPublicAccessBlock"],
            Resource: `arn:aws:s3:::${scope.stateBucket}`,
        },
        {
            Sid: "CannotChangeThePulumiKey",
            Effect: "Deny",
            Action: ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:CreateGrant", "kms:UpdateAlias", "kms:DeleteAlias"],
            Resource: scope.pulumiKeyArn,
        },
    ];
}

/**
 * The deploy role's inline policy, on top of ReadOnlyAccess: change the platform's resources in its own account
 * (IAM and S3 only under the environment's prefix), read and write state with the Pulumi key, and never read a
 * secret value, use the environment key, leave the account or change its own access.
 */
export function buildDeployPolicy(scope: DeployAccessScope): PolicyDocument {
    const account = scope.accountId;
    return policyDocument([
        // Explicit lists: no kms:* or secretsmanager:*, so no path to a value even before the denies below.
        { Sid: "ManageKeysInThisAccount", Effect: "Allow", Action: DEPLOY_KMS_ACTIONS, Resource: `arn:aws:kms:*:${account}:*` },
        { Sid: "ManageSecretContainersInThisAccount", Effect: "Allow", Action: DEPLOY_SECRETSMANAGER_ACTIONS, Resource: `arn:aws:secretsmanager:*:${account}:secret:*` },
        {
            Sid: "ManagePlatformServicesInThisAccount",
            Effect: "Allow",
            Action: DEPLOY_MANAGED_SERVICES.map((s) => `${s}:*`),
            Resource: DEPLOY_MANAGED_SERVICES.map((s) => `arn:aws:${s}:*:${account}:*`),
        },
        // These actions accept only Resource "*" (no resource ARN exists before the key or secret does); the
        // StayInTheEnvironmentAccount deny below still pins the account.
        {
            Sid: "CreateWithoutResourceArn",
            Effect: "Allow",
            Action: ["kms:CreateKey", "kms:ListAliases", "kms:ListKeys", "secretsmanager:ListSecrets", "sts:GetCallerIdentity", "tag:GetResources"],
            Resource: "*",
        },
        {
            Sid: "ManagePlatformRolesAndPolicies",
            Effect: "Allow",
            Action: "iam:*",
            Resource: [
                `arn:aws:iam::${account}:role/${scope.namePrefix}-*`,
                `arn:aws:iam::${account}:policy/${scope.namePrefix}-*`,
                `arn:aws:iam::${account}:oidc-provider/*`,
            ],
        },
        { Sid: "ManagePlatformBuckets", Effect: "Allow", Action: "s3:*", Resource: [`arn:aws:s3:::${scope.namePrefix}-*`, `arn:aws:s3:::${scope.namePrefix}-*/*`] },
        { Sid: "ReadAndWritePulumiState", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArns(scope.stateBucket) },
        { Sid: "UseThePulumiKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: scope.pulumiKeyArn },
        ...protectedResourceStatements(scope),
        ...commonDenies(scope),
    ]);
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
        {
            Sid: "DenyPrincipalsOutsideTheEnvironmentAccount",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: bucketArns(bucket),
            Condition: { StringNotEquals: { "aws:PrincipalAccount": accountId }, BoolIfExists: { "aws:PrincipalIsAWSService": "false" } },
        },
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

/** Arguments of {@link GithubDeployAccess}. */
export interface GithubDeployAccessArgs {
    /** Environment name; the deploy role trusts only jobs bound to the GitHub environment of this name. */
    readonly environment: string;
    /** The environment's AWS account id. Every policy names this account only. */
    readonly accountId: string;
    /** Region of the state bucket and the Pulumi key. */
    readonly region: string;
    /** Prefix of resource names, such as `fl-prod`. */
    readonly namePrefix: string;
    /** The repository whose workflows may assume the roles, and its subject claim format. */
    readonly github: GithubRepository;
    /** Role names that administer the Pulumi key. */
    readonly keyAdministrators: readonly string[];
    /** ARN of an OIDC provider for GitHub that already exists in the account. Default: the component creates one. */
    readonly existingOidcProviderArn?: string;
    /** Max session length of both roles, in seconds. Default: 3600 (one hour: a prod deploy fits, a leaked session expires soon). */
    readonly maxSessionDuration?: number;
}

/**
 * Deploy-time access for one environment: GitHub's OIDC provider, a preview role for pull requests and a deploy
 * role for the GitHub environment, neither of which can read a secret value, plus the Pulumi state bucket and the
 * `awskms://` secrets-provider key. An administrator creates it once per account (docs/cicd.md, bootstrap); after
 * that the deploy role cannot change it.
 */
export class GithubDeployAccess extends pulumi.ComponentResource {
    /** ARN of the role `pulumi preview` assumes on pull requests. */
    readonly previewRoleArn: pulumi.Output<string>;
    /** ARN of the role `pulumi up` assumes on merge. */
    readonly deployRoleArn: pulumi.Output<string>;
    /** ARN of the GitHub OIDC provider. */
    readonly oidcProviderArn: pulumi.Output<string>;
    /** The state bucket's name. */
    readonly stateBucket: string;
    /** ARN of the Pulumi state and secrets key. */
    readonly pulumiKeyArn: pulumi.Output<string>;
    /** `awskms://alias/<prefix>-pulumi-secrets?region=<region>`. */
    readonly secretsProviderUrl: string;
    /** `s3://<bucket>?region=<region>`. */
    readonly backendUrl: string;

    constructor(name: string, args: GithubDeployAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.GithubDeployAccess, name, {}, opts);
        const maxSessionDuration = args.maxSessionDuration ?? 3600;

        const problems: string[] = [];
        if (!/^\d{12}$/.test(args.accountId)) problems.push(`accountId '${args.accountId}' is not a 12-digit account id`);
        if (args.keyAdministrators.length === 0) problems.push("keyAdministrators is empty; name at least one role that administers the Pulumi key");
        if (args.github.subjectFormat === "immutable" && (!args.github.ownerId || !args.github.repositoryId)) {
            problems.push("github.subjectFormat is immutable but github.ownerId or github.repositoryId is missing; set both numeric ids");
        }
        if (args.existingOidcProviderArn !== undefined && args.existingOidcProviderArn !== githubOidcProviderArn(args.accountId)) {
            problems.push(`existingOidcProviderArn '${args.existingOidcProviderArn}' is not ${githubOidcProviderArn(args.accountId)}; use the GitHub provider of this account`);
        }
        if (maxSessionDuration < 900 || maxSessionDuration > 3600) problems.push(`maxSessionDuration ${maxSessionDuration} is outside 900..3600 seconds`);
        if (problems.length > 0) throw new pulumi.ResourceError(`GithubDeployAccess ${name}: ${problems.join("; ")}.`, this);

        const tags = { environment: args.environment, purpose: "deploy-access", "managed-by": "pulumi" };
        this.stateBucket = stateBucketName(args.namePrefix, args.accountId);
        this.secretsProviderUrl = pulumiSecretsProviderUrl(args.namePrefix, args.region);
        this.backendUrl = pulumiBackendUrl(args.namePrefix, args.accountId, args.region);

        const pulumiKey = new aws.kms.Key(
            `${name}-pulumi-key`,
            {
                description: `Encrypts the ${args.environment} Pulumi state bucket and the stack's secrets provider`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: JSON.stringify(buildPulumiKeyPolicy(args.accountId, args.keyAdministrators)),
                tags: { ...tags, purpose: "pulumi-state" },
            },
            { parent: this },
        );
        new aws.kms.Alias(`${name}-pulumi-key-alias`, { name: pulumiSecretsKeyAlias(args.namePrefix), targetKeyId: pulumiKey.keyId }, { parent: this });
        this.pulumiKeyArn = pulumiKey.arn;

        const bucket = new aws.s3.Bucket(`${name}-state`, { bucket: this.stateBucket, forceDestroy: false, tags }, { parent: this, protect: true });
        new aws.s3.BucketOwnershipControls(`${name}-state-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent: this });
        new aws.s3.BucketPublicAccessBlock(
            `${name}-state-public-access`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { parent: this },
        );
        new aws.s3.BucketVersioning(`${name}-state-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, { parent: this });
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-state-encryption`,
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: pulumiKey.arn }, bucketKeyEnabled: true }] },
            { parent: this },
        );
        new aws.s3.BucketPolicy(`${name}-state-policy`, { bucket: bucket.id, policy: JSON.stringify(buildStateBucketPolicy(this.stateBucket, args.accountId)) }, { parent: this });

        this.oidcProviderArn =
            args.existingOidcProviderArn !== undefined
                ? pulumi.output(args.existingOidcProviderArn)
                : new aws.iam.OpenIdConnectProvider(`${name}-github-oidc`, { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_OIDC_AUDIENCE], tags }, { parent: this }).arn;

        const scope = pulumiKey.arn.apply((pulumiKeyArn): DeployAccessScope => ({ accountId: args.accountId, namePrefix: args.namePrefix, stateBucket: this.stateBucket, pulumiKeyArn }));
        const makeRole = (role: "preview" | "deploy", roleName: string, context: GithubContext, policy: pulumi.Output<PolicyDocument>) => {
            const created = new aws.iam.Role(
                `${name}-${role}`,
                {
                    name: roleName,
                    description: role === "preview" ? `pulumi preview of ${args.environment} on pull requests; no secret value` : `pulumi up of ${args.environment} from its GitHub environment; no secret value`,
                    assumeRolePolicy: this.oidcProviderArn.apply((arn) => JSON.stringify(buildGithubTrustPolicy(arn, githubSubject(args.github, context)))),
                    maxSessionDuration,
                    tags,
                },
                { parent: this },
            );
            new aws.iam.RolePolicyAttachment(`${name}-${role}-read-only`, { role: created.name, policyArn: READ_ONLY_POLICY_ARN }, { parent: this });
            new aws.iam.RolePolicy(`${name}-${role}-policy`, { role: created.name, name: `${roleName}-policy`, policy: policy.apply((p) => JSON.stringify(p)) }, { parent: this });
            return created.arn;
        };
        this.previewRoleArn = makeRole("preview", roleNames.githubPreview(args.namePrefix), { kind: "pull_request" }, scope.apply(buildPreviewPolicy));
        this.deployRoleArn = makeRole("deploy", roleNames.githubDeploy(args.namePrefix), { kind: "environment", name: args.environment }, scope.apply(buildDeployPolicy));

        this.registerOutputs({
            previewRoleArn: this.previewRoleArn,
            deployRoleArn: this.deployRoleArn,
            oidcProviderArn: this.oidcProviderArn,
            stateBucket: this.stateBucket,
            pulumiKeyArn: this.pulumiKeyArn,
            secretsProviderUrl: this.secretsProviderUrl,
            backendUrl: this.backendUrl,
        });
    }
}
