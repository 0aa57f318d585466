// What the preview and deploy roles may do once assumed: their inline policies (the deploy role's on top of
// ReadOnlyAccess; the preview role's reads are listed in preview-reads.ts).
import { PolicyDocument, policyDocument, PolicyStatement, roleArn } from "../iam";
import { roleNames } from "../../model/names";
import { ESO_REFRESH_GROUP } from "../../model/event-refresh";
import { bucketArns, PULUMI_LOCK_PREFIX, pulumiSecretsKeyAlias } from "./backend";
import { buildDeployGuardrails, buildPreviewGuardrails } from "./guardrails";
import { buildPreviewReadStatements } from "./preview-reads";
import { githubOidcProviderArn } from "./trust";
import { previewerReadAllows, previewerReadDenies, provisionerReadAllows, provisionerReadDenies } from "./provisioner-read";
import { buildCodeSigningDenies, signingManifestObjects } from "./code-signing";

/** The AWS managed policy the deploy role starts from, so `refresh` inside `up` can read every resource type. */
export const READ_ONLY_POLICY_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/** SSM actions that can return SecureString values; ReadOnlyAccess allows them, so both roles are denied them. */
export const PARAMETER_VALUE_ACTIONS = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"];

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

/** What `pulumi up` does to the Secrets Manager interface endpoint of the rotation functions, when it creates one. */
export const DEPLOY_VPC_ENDPOINT_ACTIONS = ["ec2:CreateVpcEndpoint", "ec2:ModifyVpcEndpoint", "ec2:DeleteVpcEndpoints"];

/** What `pulumi up` does to the MSK cluster: associate and release the SCRAM user slots it owns; never the cluster itself. */
export const DEPLOY_MSK_ACTIONS = ["kafka:BatchAssociateScramSecret", "kafka:BatchDisassociateScramSecret"];

/** EKS actions that grant or change cluster access; the deploy role is denied them on the CI roles' own entries. */
export const EKS_ACCESS_WRITE_ACTIONS = ["eks:CreateAccessEntry", "eks:UpdateAccessEntry", "eks:DeleteAccessEntry", "eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy"];

/** Actions the deploy role may still take on the Pulumi key: use it for state and read it; nothing that changes it. */
export const PULUMI_KEY_USE_ACTIONS = ["kms:Describe*", "kms:Get*", "kms:List*", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*"];

/** What the role policies need to know about one environment's account and its deploy-time resources. */
export interface DeployAccessScope {
    readonly accountId: string;
    /** Environment name; the deploy role may read that environment's Snowflake provisioning key and no other value. */
    readonly environment: string;
    /** Prefix of every platform resource name, such as `fl-prod`. */
    readonly namePrefix: string;
    /** The Pulumi state bucket's name. */
    readonly stateBucket: string;
    /** ARN of the key that encrypts the state bucket and the stack's secrets (the `awskms://` provider). */
    readonly pulumiKeyArn: string;
    /** ARN of the environment key, which encrypts the Snowflake provisioning key (the deploy role's one read). */
    readonly environmentKeyArn: string;
    /** The environment's home region (its Signer profile and artifacts live there). */
    readonly region: string;
    /** ARN of the environment's code-signing config: the only one a function may be created with. */
    readonly codeSigningConfigArn: string;
}

/** Denies shared by both roles: no parameter value, nothing outside the account, no role chaining. */
function commonDenies(scope: DeployAccessScope): PolicyStatement[] {
    return [
        { Sid: "NeverReadParameterValues", Effect: "Deny", Action: [...PARAMETER_VALUE_ACTIONS], Resource: "*" },
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
 * The preview role's only policy (no ReadOnlyAccess): the reads preview, refresh, preflight and status make, read
 * the state and decrypt the stack's data key with the Pulumi key, write only lock files, and read no secret value
 * but the Snowflake previewer key (decrypted through Secrets Manager for that secret only).
 */
export function buildPreviewPolicy(scope: DeployAccessScope): PolicyDocument {
    return policyDocument([
        ...buildPreviewReadStatements(scope.accountId, scope.namePrefix),
        { Sid: "ReadPulumiState", Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArns(scope.stateBucket) },
        {
            Sid: "WritePulumiLocksOnly",
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:DeleteObject"],
            Resource: `arn:aws:s3:::${scope.stateBucket}/${PULUMI_LOCK_PREFIX}*`,
        },
        // Preview decrypts the stack's data key (awskms:// provider) and reads SSE-KMS state objects.
        { Sid: "UseThePulumiKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: scope.pulumiKeyArn },
        // Its one value: the Snowflake previewer key, whose Snowflake role holds no privilege (`provisioner-read.ts`).
        ...previewerReadAllows(scope),
        ...buildPreviewGuardrails(scope.stateBucket, [signingManifestObjects(scope)]),
        ...previewerReadDenies(scope),
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
                roleArn(scope.accountId, roleNames.githubSigner(scope.namePrefix)),
                githubOidcProviderArn(scope.accountId),
            ],
        },
        {
            Sid: "CannotWeakenTheStateBucket",
            Effect: "Deny",
            Action: ["s3:CreateBucket", "s3:DeleteBucket", "s3:PutBucket*", "s3:DeleteBucket*", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration", "s3:PutAccountPublicAccessBlock"],
            Resource: `arn:aws:s3:::${scope.stateBucket}`,
        },
        ...ciClusterAccessDenies(scope),
        {
            Sid: "CannotChangeThePulumiKey",
            Effect: "Deny",
            NotAction: PULUMI_KEY_USE_ACTIONS,
            Resource: [scope.pulumiKeyArn, `arn:aws:kms:*:${scope.accountId}:${pulumiSecretsKeyAlias(scope.namePrefix)}`],
        },
    ];
}

/**
 * The CI roles' EKS access entries are bootstrap-owned (cluster-access.ts): the deploy role can neither create, change
 * nor delete them, and no deploy may associate an EKS access policy with any entry (every one but view reads Secrets).
 */
function ciClusterAccessDenies(scope: Pick<DeployAccessScope, "accountId" | "namePrefix">): PolicyStatement[] {
    const account = scope.accountId;
    const ciRoles = [roleNames.githubPreview(scope.namePrefix), roleNames.githubDeploy(scope.namePrefix)];
    return [
        {
            Sid: "CannotMapTheCiRolesIntoTheCluster",
            Effect: "Deny",
            Action: "eks:CreateAccessEntry",
            Resource: `arn:aws:eks:*:${account}:cluster/*`,
            Condition: { StringEquals: { "eks:principalArn": ciRoles.map((r) => roleArn(account, r)) } },
        },
        {
            Sid: "CannotChangeTheCiAccessEntries",
            Effect: "Deny",
            Action: [...EKS_ACCESS_WRITE_ACTIONS.filter((a) => a !== "eks:CreateAccessEntry"), "eks:TagResource", "eks:UntagResource"],
            Resource: ciRoles.map((r) => `arn:aws:eks:*:${account}:access-entry/*/role/${account}/${r}/*`),
        },
        { Sid: "NeverAssociateAnEksAccessPolicy", Effect: "Deny", Action: ["eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy"], Resource: `arn:aws:eks:*:${account}:access-entry/*` },
    ];
}

/** What `pulumi up` does to the refresh function's EKS access entry once it exists. */
export const DEPLOY_ACCESS_ENTRY_ACTIONS = ["eks:DescribeAccessEntry", "eks:UpdateAccessEntry", "eks:DeleteAccessEntry", "eks:TagResource", "eks:UntagResource"];

/**
 * The one EKS access entry the deploy role manages: the event-driven refresh function's role, mapped only to its own
 * Kubernetes group (whose Roles allow `patch` on ExternalSecrets). No access policy association, no other principal.
 */
export function refreshAccessEntryStatements(scope: Pick<DeployAccessScope, "accountId" | "namePrefix">): PolicyStatement[] {
    const account = scope.accountId;
    const role = roleNames.esoRefresh(scope.namePrefix);
    return [
        {
            Sid: "MapOnlyTheRefreshFunctionIntoTheCluster",
            Effect: "Allow",
            Action: "eks:CreateAccessEntry",
            Resource: `arn:aws:eks:*:${account}:cluster/*`,
            Condition: { StringEquals: { "eks:principalArn": roleArn(account, role) }, "ForAllValues:StringEquals": { "eks:kubernetesGroups": [ESO_REFRESH_GROUP] } },
        },
        { Sid: "ManageOnlyTheRefreshAccessEntry", Effect: "Allow", Action: DEPLOY_ACCESS_ENTRY_ACTIONS, Resource: `arn:aws:eks:*:${account}:access-entry/*/role/${account}/${role}/*` },
    ];
}

/**
 * The deploy role's inline policy, on top of ReadOnlyAccess: change the platform's resources in its own account
 * (IAM and S3 only under the environment's prefix), read and write state with the Pulumi key, read the Snowflake
 * provisioning key of its environment and no other secret value, use the environment key for nothing else, and never
 * leave the account or change its own access.
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
            ],
        },
        {
            Sid: "ManageTheSecretsManagerEndpoint",
            Effect: "Allow",
            Action: DEPLOY_VPC_ENDPOINT_ACTIONS,
            Resource: ["vpc-endpoint/*", "vpc/*", "subnet/*", "security-group/*"].map((r) => `arn:aws:ec2:*:${account}:${r}`),
        },
        { Sid: "TagTheSecretsManagerEndpoint", Effect: "Allow", Action: ["ec2:CreateTags", "ec2:DeleteTags"], Resource: `arn:aws:ec2:*:${account}:vpc-endpoint/*` },
        ...refreshAccessEntryStatements(scope),
        { Sid: "AssociateKafkaUserSlots", Effect: "Allow", Action: DEPLOY_MSK_ACTIONS, Resource: `arn:aws:kafka:*:${account}:cluster/*` },
        { Sid: "ManagePlatformBuckets", Effect: "Allow", Action: "s3:*", Resource: [`arn:aws:s3:::${scope.namePrefix}-*`, `arn:aws:s3:::${scope.namePrefix}-*/*`] },
        { Sid: "ReadAndWritePulumiState", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation"], Resource: bucketArns(scope.stateBucket) },
        { Sid: "UseThePulumiKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"], Resource: scope.pulumiKeyArn },
        ...provisionerReadAllows(scope),
        ...protectedResourceStatements(scope),
        ...buildDeployGuardrails(scope),
        ...buildCodeSigningDenies(scope),
        ...provisionerReadDenies(scope),
        ...commonDenies(scope),
    ]);
}

