// The preview role's reads, listed action by action instead of AWS's ReadOnlyAccess: what `pulumi preview` and
// `pulumi refresh` read for every resource type the plan creates, and what `npm run preflight` and `npm run status`
// (which run with this role) call. test/cicd/preview-reads.iam.test.ts derives the same set from the plan and the
// tools' SDK calls and fails on a missing or an extra action; the sufficiency simulation proves the role can make
// every read of every planned resource.
import { PolicyStatement } from "../iam";

/** Reads the AWS provider makes while previewing or refreshing the plan's resources, by IAM service. */
export const PLAN_READ_ACTIONS: Readonly<Record<string, readonly string[]>> = {
    athena: ["GetNamedQuery", "GetWorkGroup", "ListTagsForResource"],
    cloudtrail: ["GetEventSelectors", "GetTrail", "GetTrailStatus", "ListTags"],
    cloudwatch: ["DescribeAlarms", "ListTagsForResource"],
    config: ["DescribeConfigRules", "ListTagsForResource"],
    ec2: ["DescribeVpcEndpoints"],
    eks: ["DescribeAccessEntry", "DescribeCluster", "ListAssociatedAccessPolicies"],
    events: ["DescribeRule", "ListTagsForResource", "ListTargetsByRule"],
    glue: ["GetDatabase"],
    iam: ["GetOpenIDConnectProvider", "GetPolicy", "GetPolicyVersion", "GetRole", "GetRolePolicy", "ListAttachedRolePolicies", "ListInstanceProfilesForRole", "ListPolicyVersions", "ListRolePolicies"],
    kafka: ["ListScramSecrets"],
    kms: ["DescribeKey", "GetKeyPolicy", "GetKeyRotationStatus", "ListAliases", "ListResourceTags"],
    // GetFunction returns a link to the code; accepted, the code is built from this repository (docs/threat-model.md, path 13).
    lambda: ["GetCodeSigningConfig", "GetFunction", "GetFunctionCodeSigningConfig", "GetPolicy", "ListTags", "ListVersionsByFunction"],
    logs: ["DescribeLogGroups", "DescribeMetricFilters", "ListTagsForResource"],
    s3: [
        "GetBucketAcl",
        "GetBucketLogging",
        "GetBucketObjectLockConfiguration",
        "GetBucketOwnershipControls",
        "GetBucketPolicy",
        "GetBucketPublicAccessBlock",
        "GetBucketTagging",
        "GetBucketVersioning",
        "GetEncryptionConfiguration",
        "GetLifecycleConfiguration",
        // Only the signing manifests and the state: buildPreviewGuardrails denies every other object.
        "GetObject",
        "ListBucket",
    ],
    secretsmanager: ["DescribeSecret", "GetResourcePolicy"],
    sns: ["GetSubscriptionAttributes", "GetTopicAttributes", "ListTagsForResource"],
    signer: ["GetSigningProfile", "ListTagsForResource"],
    sts: ["GetCallerIdentity"],
};

/** Reads of `npm run preflight` (tools/preflight) and `npm run status` (tools/status), by IAM service. */
export const TOOL_READ_ACTIONS: Readonly<Record<string, readonly string[]>> = {
    cloudwatch: ["DescribeAlarms"],
    config: ["DescribeConfigurationRecorders", "DescribeConfigurationRecorderStatus"],
    ec2: ["DescribeVpcEndpoints"],
    eks: ["DescribeAccessEntry", "DescribeCluster", "ListAccessEntries", "ListAssociatedAccessPolicies"],
    iam: ["GetOpenIDConnectProvider"],
    kafka: ["DescribeClusterV2", "ListClustersV2"],
    secretsmanager: ["DescribeSecret", "ListSecretVersionIds"],
};

/**
 * Reads that IAM authorises on no resource ARN (or that the tools make without naming one: listing every alarm or
 * recorder), so they take `Resource: "*"`; the role's account deny still keeps them in the environment's account.
 */
export const READS_WITHOUT_RESOURCE_ARN: readonly string[] = [
    "sts:GetCallerIdentity",
    "kms:ListAliases",
    "ec2:DescribeVpcEndpoints",
    "logs:DescribeLogGroups",
    "config:DescribeConfigRules",
    "config:DescribeConfigurationRecorders",
    "config:DescribeConfigurationRecorderStatus",
    "kafka:ListClustersV2",
    "cloudwatch:DescribeAlarms",
];

/** Every read the preview role is granted, as `service:Action`, sorted. */
export function previewReadActions(): string[] {
    const all = new Set<string>();
    for (const table of [PLAN_READ_ACTIONS, TOOL_READ_ACTIONS]) {
        for (const [service, actions] of Object.entries(table)) for (const action of actions) all.add(`${service}:${action}`);
    }
    return [...all].sort();
}

/** Where one service's resources live in the environment: its account for regional services and IAM, the environment's prefix for S3. */
function resourcesOf(service: string, accountId: string, namePrefix: string): string[] {
    if (service === "s3") return [`arn:aws:s3:::${namePrefix}-*`];
    if (service === "iam") return [`arn:aws:iam::${accountId}:*`];
    return [`arn:aws:${service}:*:${accountId}:*`];
}

/**
 * The preview role's read grants: one statement per service on that service's resources in the environment's
 * account (S3: the environment's buckets), plus the reads that take no resource ARN on `*`.
 */
export function buildPreviewReadStatements(accountId: string, namePrefix: string): PolicyStatement[] {
    const withoutArn = new Set(READS_WITHOUT_RESOURCE_ARN);
    const byService = new Map<string, string[]>();
    for (const action of previewReadActions()) {
        if (withoutArn.has(action)) continue;
        const service = action.split(":")[0];
        byService.set(service, [...(byService.get(service) ?? []), action]);
    }
    const capitalised = (s: string) => s.replace(/^./, (c) => c.toUpperCase());
    return [
        ...[...byService.entries()].map(([service, actions]): PolicyStatement => ({ Sid: `Read${capitalised(service)}ForPreview`, Effect: "Allow", Action: actions, Resource: resourcesOf(service, accountId, namePrefix) })),
        { Sid: "ReadsWithoutResourceArn", Effect: "Allow", Action: [...READS_WITHOUT_RESOURCE_ARN].sort(), Resource: "*" },
    ];
}
