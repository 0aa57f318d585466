// The IAM requests `pulumi up` makes, per resource type of the plan: what the AWS provider calls to create, update,
// delete, tag and (during `preview`/`refresh`) read each resource, and on which ARN. Data, read by the deploy-role
// sufficiency simulation; a resource type missing here fails that test, so a new type cannot slip past it.
import { BOUNDARY_ENFORCED_ACTIONS } from "../../components/github-deploy/guardrails";
import type { PlanReport } from "../../tools/plan/report";

/** One plan resource as the plan report gives it. */
export type PlannedResource = PlanReport["resources"][number];

/** What `pulumi up` may do to a resource. `read` is also all that `preview` and `refresh` do. */
export const OPERATIONS = ["create", "update", "delete", "tag", "read"] as const;
/** One of {@link OPERATIONS}. */
export type Operation = (typeof OPERATIONS)[number];

/** The account, region and lookups an ARN builder needs. */
export interface ArnContext {
    readonly accountId: string;
    /** The stack's home region (the replica provider's resources carry their region in their mock ARN). */
    readonly region: string;
    /** The EKS cluster the Kubernetes provider's kubeconfig is built from. */
    readonly clusterName: string;
    /** KMS key id to key ARN, for aliases that name their target by id. */
    readonly keyArnById: ReadonlyMap<string, string>;
    /** Role ARN to the permissions boundary the plan puts on it; calls that carry `iam:PermissionsBoundary` send it. */
    readonly roleBoundaries?: ReadonlyMap<string, string>;
}

/** One IAM request: an action on a resource ARN ("*" for actions that take none), with the context keys AWS sets. */
export interface IamCall {
    readonly action: string;
    readonly resource: string;
    readonly context?: Record<string, string | string[]>;
}

/** How one AWS resource type is operated on. Each operation lists its calls; `resources` names the ARNs they act on. */
export interface AwsTypeOperations {
    readonly kind: "aws";
    /** The ARNs the calls act on, keyed by a role name the calls refer to (`self` unless said otherwise). */
    readonly arns: (r: PlannedResource, ctx: ArnContext) => Record<string, string>;
    readonly calls: Readonly<Record<Operation, ReadonlyArray<readonly [action: string, on: string, context?: Record<string, string>]>>>;
}

/** A type that makes no AWS call of its own (components), or whose calls IAM does not authorise (Kubernetes RBAC). */
export interface NoIamTypeOperations {
    readonly kind: "none";
    /** Why IAM does not decide this type, for the test's failure message and the reader. */
    readonly why: string;
}

type Inputs = Record<string, any>;
const inputs = (r: PlannedResource): Inputs => r.inputs as Inputs;
const outputs = (r: PlannedResource): Inputs => r.outputs as Inputs;
/** The region of a resource: its mock ARN carries the provider's region, so replica-region resources get theirs. */
const regionOf = (r: PlannedResource, ctx: ArnContext): string => {
    const arn = outputs(r).arn;
    const region = typeof arn === "string" ? arn.split(":")[3] : "";
    return region || ctx.region;
};
const roleArnOf = (ctx: ArnContext, roleNameOrArn: string): string => (roleNameOrArn.startsWith("arn:") ? roleNameOrArn : `arn:aws:iam::${ctx.accountId}:role/${roleNameOrArn}`);
const bucketArnOf = (bucket: string): string => `arn:aws:s3:::${bucket}`;
const none = [] as const;
/** The ARN of the access entry of a resource's `principalArn` on its `clusterName` (a fixed UUID: EKS picks one at creation). */
const accessEntryArnOf = (r: PlannedResource, ctx: ArnContext): string => {
    const [, account, roleName] = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(String(inputs(r).principalArn)) ?? [];
    return `arn:aws:eks:${regionOf(r, ctx)}:${ctx.accountId}:access-entry/${inputs(r).clusterName}/role/${account}/${roleName}/0ac7a1f2-0000-4000-a000-000000000000`;
};

/** A bucket sub-resource: one Put/Get pair on the bucket named by `inputs.bucket`; deleting it is a Put or Delete. */
function bucketSetting(put: string, get: string, del: string = put): AwsTypeOperations {
    return {
        kind: "aws",
        arns: (r) => ({ self: bucketArnOf(inputs(r).bucket) }),
        calls: { create: [[put, "self"]], update: [[put, "self"]], delete: [[del, "self"]], tag: none, read: [[get, "self"]] },
    };
}

const PASS_TO_LAMBDA = { "iam:PassedToService": "lambda.amazonaws.com" };
const PASS_TO_EVENTS = { "iam:PassedToService": "events.amazonaws.com" };
const PASS_TO_CLOUDTRAIL = { "iam:PassedToService": "cloudtrail.amazonaws.com" };

/** Every resource type of the plan, with the calls `pulumi up` and `refresh` make on it. */
export const DEPLOY_OPERATIONS: Readonly<Record<string, AwsTypeOperations | NoIamTypeOperations>> = {
    "aws:secretsmanager/secret:Secret": {
        kind: "aws",
        arns: (r) => ({ self: outputs(r).arn }),
        calls: {
            create: [["secretsmanager:CreateSecret", "self"]],
            update: [["secretsmanager:UpdateSecret", "self"], ["secretsmanager:ReplicateSecretToRegions", "self"], ["secretsmanager:RemoveRegionsFromReplication", "self"]],
            delete: [["secretsmanager:DeleteSecret", "self"]],
            tag: [["secretsmanager:TagResource", "self"], ["secretsmanager:UntagResource", "self"]],
            read: [["secretsmanager:DescribeSecret", "self"], ["secretsmanager:GetResourcePolicy", "self"]],
        },
    },
    "aws:secretsmanager/secretPolicy:SecretPolicy": {
        kind: "aws",
        arns: (r) => ({ self: inputs(r).secretArn }),
        calls: {
            create: [["secretsmanager:PutResourcePolicy", "self"]],
            update: [["secretsmanager:PutResourcePolicy", "self"]],
            delete: [["secretsmanager:DeleteResourcePolicy", "self"]],
            tag: none,
            read: [["secretsmanager:GetResourcePolicy", "self"]],
        },
    },
    "aws:secretsmanager/secretRotation:SecretRotation": {
        kind: "aws",
        arns: (r) => ({ self: inputs(r).secretId }),
        calls: {
            create: [["secretsmanager:RotateSecret", "self"]],
            update: [["secretsmanager:RotateSecret", "self"]],
            delete: [["secretsmanager:CancelRotateSecret", "self"]],
            tag: none,
            read: [["secretsmanager:DescribeSecret", "self"]],
        },
    },
    "aws:kms/key:Key": {
        kind: "aws",
        arns: (r) => ({ self: outputs(r).arn, any: "*" }),
        calls: {
            create: [["kms:CreateKey", "any"]],
            update: [["kms:PutKeyPolicy", "self"], ["kms:EnableKeyRotation", "self"], ["kms:DisableKeyRotation", "self"], ["kms:UpdateKeyDescription", "self"], ["kms:EnableKey", "self"], ["kms:DisableKey", "self"]],
            delete: [["kms:ScheduleKeyDeletion", "self"]],
            tag: [["kms:TagResource", "self"], ["kms:UntagResource", "self"]],
            read: [["kms:DescribeKey", "self"], ["kms:GetKeyPolicy", "self"], ["kms:GetKeyRotationStatus", "self"], ["kms:ListResourceTags", "self"]],
        },
    },
    "aws:kms/replicaKey:ReplicaKey": {
        kind: "aws",
        arns: (r) => ({ self: outputs(r).arn, primary: inputs(r).primaryKeyArn, any: "*" }),
        calls: {
            create: [["kms:ReplicateKey", "primary"], ["kms:CreateKey", "any"]],
            update: [["kms:PutKeyPolicy", "self"], ["kms:UpdateKeyDescription", "self"], ["kms:EnableKey", "self"], ["kms:DisableKey", "self"]],
            delete: [["kms:ScheduleKeyDeletion", "self"]],
            tag: [["kms:TagResource", "self"], ["kms:UntagResource", "self"]],
            read: [["kms:DescribeKey", "self"], ["kms:GetKeyPolicy", "self"], ["kms:ListResourceTags", "self"]],
        },
    },
    "aws:kms/alias:Alias": {
        kind: "aws",
        arns: (r, ctx) => {
            const target = String(inputs(r).targetKeyId);
            const key = target.startsWith("arn:") ? target : ctx.keyArnById.get(target);
            if (!key) throw new Error(`Alias ${r.name} targets key '${target}', which the plan does not create.`);
            return { self: `arn:aws:kms:${regionOf(r, ctx)}:${ctx.accountId}:${inputs(r).name}`, key, any: "*" };
        },
        calls: {
            // An alias call is authorised on both the alias and its key.
            create: [["kms:CreateAlias", "self"], ["kms:CreateAlias", "key"]],
            update: [["kms:UpdateAlias", "self"], ["kms:UpdateAlias", "key"]],
            delete: [["kms:DeleteAlias", "self"], ["kms:DeleteAlias", "key"]],
            tag: none,
            read: [["kms:ListAliases", "any"]],
        },
    },
    "aws:iam/role:Role": {
        kind: "aws",
        arns: (r) => ({ self: outputs(r).arn }),
        calls: {
            create: [["iam:CreateRole", "self"]],
            update: [["iam:UpdateAssumeRolePolicy", "self"], ["iam:UpdateRole", "self"], ["iam:UpdateRoleDescription", "self"]],
            delete: [["iam:DeleteRole", "self"]],
            tag: [["iam:TagRole", "self"], ["iam:UntagRole", "self"]],
            // ListInstanceProfilesForRole runs before a delete, but it is a read.
            read: [["iam:GetRole", "self"], ["iam:ListRolePolicies", "self"], ["iam:ListAttachedRolePolicies", "self"], ["iam:ListInstanceProfilesForRole", "self"]],
        },
    },
    "aws:iam/policy:Policy": {
        kind: "aws",
        arns: (r) => ({ self: outputs(r).arn }),
        calls: {
            create: [["iam:CreatePolicy", "self"]],
            update: [["iam:CreatePolicyVersion", "self"], ["iam:DeletePolicyVersion", "self"]],
            delete: [["iam:DeletePolicy", "self"]],
            tag: [["iam:TagPolicy", "self"], ["iam:UntagPolicy", "self"]],
            read: [["iam:GetPolicy", "self"], ["iam:GetPolicyVersion", "self"], ["iam:ListPolicyVersions", "self"]],
        },
    },
    "aws:iam/rolePolicy:RolePolicy": {
        kind: "aws",
        arns: (r, ctx) => ({ self: roleArnOf(ctx, inputs(r).role) }),
        calls: { create: [["iam:PutRolePolicy", "self"]], update: [["iam:PutRolePolicy", "self"]], delete: [["iam:DeleteRolePolicy", "self"]], tag: none, read: [["iam:GetRolePolicy", "self"]] },
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        kind: "aws",
        arns: (r, ctx) => ({ self: roleArnOf(ctx, inputs(r).role) }),
        calls: { create: [["iam:AttachRolePolicy", "self"]], update: none, delete: [["iam:DetachRolePolicy", "self"]], tag: none, read: [["iam:ListAttachedRolePolicies", "self"]] },
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
        kind: "aws",
        arns: (r) => ({ self: outputs(r).arn }),
        calls: {
            create: [["iam:CreateOpenIDConnectProvider", "self"]],
            update: [["iam:UpdateOpenIDConnectProviderThumbprint", "self"], ["iam:AddClientIDToOpenIDConnectProvider", "self"], ["iam:RemoveClientIDFromOpenIDConnectProvider", "self"]],
            delete: [["iam:DeleteOpenIDConnectProvider", "self"]],
            tag: [["iam:TagOpenIDConnectProvider", "self"], ["iam:UntagOpenIDConnectProvider", "self"]],
            read: [["iam:GetOpenIDConnectProvider", "self"]],
        },
    },
    // Code from a signed S3 object (components/function-code.ts): Lambda reads the object with the caller's rights, the
    // create carries lambda:CodeSigningConfigArn, and every preview and up lists the artifacts bucket and reads the
    // package's signing manifest (the data sources of signedLambdaCode).
    "aws:lambda/function:Function": {
        kind: "aws",
        arns: (r, ctx) => {
            const i = inputs(r);
            const packageHex = /^signed\/([0-9a-f]{64})\//.exec(String(i.s3Key))?.[1];
            return {
                self: outputs(r).arn,
                role: roleArnOf(ctx, i.role),
                code: `arn:aws:s3:::${i.s3Bucket}/${i.s3Key}`,
                artifacts: bucketArnOf(i.s3Bucket),
                manifest: `arn:aws:s3:::${i.s3Bucket}/manifests/${packageHex}.json`,
            };
        },
        calls: {
            create: [["lambda:CreateFunction", "self"], ["iam:PassRole", "role", PASS_TO_LAMBDA], ["s3:GetObject", "code"], ["s3:GetObjectVersion", "code"]],
            update: [
                ["lambda:UpdateFunctionCode", "self"],
                ["lambda:UpdateFunctionConfiguration", "self"],
                ["lambda:PutFunctionCodeSigningConfig", "self"],
                ["iam:PassRole", "role", PASS_TO_LAMBDA],
                ["s3:GetObject", "code"],
                ["s3:GetObjectVersion", "code"],
            ],
            delete: [["lambda:DeleteFunction", "self"]],
            tag: [["lambda:TagResource", "self"], ["lambda:UntagResource", "self"]],
            read: [["lambda:GetFunction", "self"], ["lambda:GetFunctionCodeSigningConfig", "self"], ["lambda:ListVersionsByFunction", "self"], ["s3:ListBucket", "artifacts"], ["s3:GetObject", "manifest"]],
        },
    },
    "aws:lambda/codeSigningConfig:CodeSigningConfig": {
        kind: "aws",
        arns: (r) => ({ self: outputs(r).arn, any: "*" }),
        calls: {
            create: [["lambda:CreateCodeSigningConfig", "any"]],
            update: [["lambda:UpdateCodeSigningConfig", "self"]],
            delete: [["lambda:DeleteCodeSigningConfig", "self"]],
            tag: [["lambda:TagResource", "self"], ["lambda:UntagResource", "self"]],
            read: [["lambda:GetCodeSigningConfig", "self"], ["lambda:ListTags", "self"]],
        },
    },
    "aws:signer/signingProfile:SigningProfile": {
        kind: "aws",
        arns: (r) => ({ self: outputs(r).arn, any: "*" }),
        calls: {
            create: [["signer:PutSigningProfile", "any"]],
            update: none,
            delete: [["signer:CancelSigningProfile", "self"]],
            tag: [["signer:TagResource", "self"], ["signer:UntagResource", "self"]],
            read: [["signer:GetSigningProfile", "self"], ["signer:ListTagsForResource", "self"]],
        },
    },
    // The refresh function's access entry (components/eso-refresh.ts): created on the cluster, then managed as itself.
    "aws:eks/accessEntry:AccessEntry": {
        kind: "aws",
        arns: (r, ctx) => ({ cluster: `arn:aws:eks:${regionOf(r, ctx)}:${ctx.accountId}:cluster/${inputs(r).clusterName}`, self: accessEntryArnOf(r, ctx) }),
        calls: {
            create: [["eks:CreateAccessEntry", "cluster"]],
            update: [["eks:UpdateAccessEntry", "self"]],
            delete: [["eks:DeleteAccessEntry", "self"]],
            tag: [["eks:TagResource", "self"], ["eks:UntagResource", "self"]],
            read: [["eks:DescribeAccessEntry", "self"]],
        },
    },
    "aws:lambda/permission:Permission": {
        kind: "aws",
        arns: (r, ctx) => {
            const fn = String(inputs(r).function);
            return { self: fn.startsWith("arn:") ? fn : `arn:aws:lambda:${regionOf(r, ctx)}:${ctx.accountId}:function:${fn}` };
        },
        calls: { create: [["lambda:AddPermission", "self"]], update: none, delete: [["lambda:RemovePermission", "self"]], tag: none, read: [["lambda:GetPolicy", "self"]] },
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        kind: "aws",
        arns: (r, ctx) => {
            const base = `arn:aws:ec2:${regionOf(r, ctx)}:${ctx.accountId}`;
            const i = inputs(r);
            return {
                self: `${base}:vpc-endpoint/${outputs(r).id}`,
                newEndpoint: `${base}:vpc-endpoint/*`,
                vpc: `${base}:vpc/${i.vpcId}`,
                subnet: `${base}:subnet/${i.subnetIds[0]}`,
                securityGroup: `${base}:security-group/${i.securityGroupIds[0]}`,
                any: "*",
            };
        },
        calls: {
            create: [
                ["ec2:CreateVpcEndpoint", "newEndpoint"],
                ["ec2:CreateVpcEndpoint", "vpc"],
                ["ec2:CreateVpcEndpoint", "subnet"],
                ["ec2:CreateVpcEndpoint", "securityGroup"],
                ["ec2:CreateTags", "newEndpoint", { "ec2:CreateAction": "CreateVpcEndpoint" }],
            ],
            update: [["ec2:ModifyVpcEndpoint", "self"], ["ec2:ModifyVpcEndpoint", "subnet"], ["ec2:ModifyVpcEndpoint", "securityGroup"]],
            delete: [["ec2:DeleteVpcEndpoints", "self"]],
            tag: [["ec2:CreateTags", "self"], ["ec2:DeleteTags", "self"]],
            read: [["ec2:DescribeVpcEndpoints", "any"]],
        },
    },
    "aws:msk/scramSecretAssociation:ScramSecretAssociation": {
        kind: "aws",
        arns: (r) => ({ self: inputs(r).clusterArn }),
        calls: {
            create: [["kafka:BatchAssociateScramSecret", "self"]],
            update: [["kafka:BatchAssociateScramSecret", "self"], ["kafka:BatchDisassociateScramSecret", "self"]],
            delete: [["kafka:BatchDisassociateScramSecret", "self"]],
            tag: none,
            read: [["kafka:ListScramSecrets", "self"]],
        },
    },
    "aws:msk/singleScramSecretAssociation:SingleScramSecretAssociation": {
        kind: "aws",
        arns: (r) => ({ self: inputs(r).clusterArn }),
        calls: {
            create: [["kafka:BatchAssociateScramSecret", "self"]],
            update: none,
            delete: [["kafka:BatchDisassociateScramSecret", "self"]],
            tag: none,
            read: [["kafka:ListScramSecrets", "self"]],
        },
    },
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": {
        kind: "aws",
        // An association acts on the access entry of its principal.
        arns: (r, ctx) => ({ self: accessEntryArnOf(r, ctx) }),
        calls: {
            create: [["eks:AssociateAccessPolicy", "self"]],
            update: [["eks:AssociateAccessPolicy", "self"]],
            delete: [["eks:DisassociateAccessPolicy", "self"]],
            tag: none,
            read: [["eks:ListAssociatedAccessPolicies", "self"]],
        },
    },
    "aws:s3/bucket:Bucket": {
        kind: "aws",
        arns: (r) => ({ self: bucketArnOf(outputs(r).id) }),
        calls: {
            create: [["s3:CreateBucket", "self"]],
            update: none,
            delete: [["s3:DeleteBucket", "self"]],
            tag: [["s3:PutBucketTagging", "self"]],
            read: [["s3:ListBucket", "self"], ["s3:GetBucketTagging", "self"], ["s3:GetBucketPolicy", "self"], ["s3:GetBucketAcl", "self"], ["s3:GetBucketObjectLockConfiguration", "self"]],
        },
    },
    "aws:s3/bucketPolicy:BucketPolicy": bucketSetting("s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": bucketSetting("s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"),
    "aws:s3/bucketLogging:BucketLogging": bucketSetting("s3:PutBucketLogging", "s3:GetBucketLogging"),
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": bucketSetting("s3:PutBucketObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": bucketSetting("s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": bucketSetting("s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": bucketSetting("s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"),
    "aws:s3/bucketVersioning:BucketVersioning": bucketSetting("s3:PutBucketVersioning", "s3:GetBucketVersioning"),
    "aws:sns/topic:Topic": {
        kind: "aws",
        arns: (r) => ({ self: outputs(r).arn }),
        calls: {
            create: [["sns:CreateTopic", "self"]],
            update: [["sns:SetTopicAttributes", "self"]],
            delete: [["sns:DeleteTopic", "self"]],
            tag: [["sns:TagResource", "self"], ["sns:UntagResource", "self"]],
            read: [["sns:GetTopicAttributes", "self"], ["sns:ListTagsForResource", "self"]],
        },
    },
    "aws:sns/topicPolicy:TopicPolicy": {
        kind: "aws",
        arns: (r) => ({ self: inputs(r).arn }),
        calls: { create: [["sns:SetTopicAttributes", "self"]], update: [["sns:SetTopicAttributes", "self"]], delete: [["sns:SetTopicAttributes", "self"]], tag: none, read: [["sns:GetTopicAttributes", "self"]] },
    },
    "aws:sns/topicSubscription:TopicSubscription": {
        kind: "aws",
        arns: (r) => ({ self: inputs(r).topic }),
        calls: {
            create: [["sns:Subscribe", "self"]],
            update: [["sns:SetSubscriptionAttributes", "self"]],
            delete: [["sns:Unsubscribe", "self"]],
            tag: none,
            read: [["sns:GetSubscriptionAttributes", "self"]],
        },
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        kind: "aws",
        arns: (r, ctx) => ({ self: `arn:aws:logs:${regionOf(r, ctx)}:${ctx.accountId}:log-group:${inputs(r).name}`, any: "*" }),
        calls: {
            create: [["logs:CreateLogGroup", "self"], ["logs:PutRetentionPolicy", "self"]],
            update: [["logs:PutRetentionPolicy", "self"]],
            delete: [["logs:DeleteLogGroup", "self"]],
            tag: [["logs:TagResource", "self"], ["logs:UntagResource", "self"]],
            read: [["logs:DescribeLogGroups", "any"], ["logs:ListTagsForResource", "self"]],
        },
    },
    "aws:cloudwatch/logMetricFilter:LogMetricFilter": {
        kind: "aws",
        arns: (r, ctx) => ({ self: `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${inputs(r).logGroupName}` }),
        calls: { create: [["logs:PutMetricFilter", "self"]], update: [["logs:PutMetricFilter", "self"]], delete: [["logs:DeleteMetricFilter", "self"]], tag: none, read: [["logs:DescribeMetricFilters", "self"]] },
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        kind: "aws",
        arns: (r) => ({ self: outputs(r).arn }),
        calls: {
            create: [["cloudwatch:PutMetricAlarm", "self"]],
            update: [["cloudwatch:PutMetricAlarm", "self"]],
            delete: [["cloudwatch:DeleteAlarms", "self"]],
            tag: [["cloudwatch:TagResource", "self"], ["cloudwatch:UntagResource", "self"]],
            read: [["cloudwatch:DescribeAlarms", "self"], ["cloudwatch:ListTagsForResource", "self"]],
        },
    },
    "aws:cloudwatch/eventRule:EventRule": {
        kind: "aws",
        arns: (r, ctx) => ({ self: `arn:aws:events:${regionOf(r, ctx)}:${ctx.accountId}:rule/${inputs(r).name}` }),
        calls: {
            create: [["events:PutRule", "self"]],
            update: [["events:PutRule", "self"]],
            delete: [["events:DeleteRule", "self"]],
            tag: [["events:TagResource", "self"], ["events:UntagResource", "self"]],
            read: [["events:DescribeRule", "self"], ["events:ListTagsForResource", "self"]],
        },
    },
    "aws:cloudwatch/eventTarget:EventTarget": {
        kind: "aws",
        arns: (r, ctx) => {
            const arns: Record<string, string> = { self: `arn:aws:events:${regionOf(r, ctx)}:${ctx.accountId}:rule/${inputs(r).rule}` };
            if (inputs(r).roleArn) arns.role = roleArnOf(ctx, inputs(r).roleArn);
            return arns;
        },
        calls: {
            create: [["events:PutTargets", "self"], ["iam:PassRole", "role", PASS_TO_EVENTS]],
            update: [["events:PutTargets", "self"], ["iam:PassRole", "role", PASS_TO_EVENTS]],
            delete: [["events:RemoveTargets", "self"]],
            tag: none,
            read: [["events:ListTargetsByRule", "self"]],
        },
    },
    "aws:cfg/rule:Rule": {
        kind: "aws",
        arns: (r) => ({ self: outputs(r).arn, any: "*" }),
        calls: {
            create: [["config:PutConfigRule", "self"]],
            update: [["config:PutConfigRule", "self"]],
            delete: [["config:DeleteConfigRule", "self"]],
            tag: [["config:TagResource", "self"], ["config:UntagResource", "self"]],
            read: [["config:DescribeConfigRules", "any"], ["config:ListTagsForResource", "self"]],
        },
    },
    "aws:cloudtrail/trail:Trail": {
        kind: "aws",
        arns: (r, ctx) => {
            const arns: Record<string, string> = { self: outputs(r).arn };
            if (inputs(r).cloudWatchLogsRoleArn) arns.role = roleArnOf(ctx, inputs(r).cloudWatchLogsRoleArn);
            return arns;
        },
        calls: {
            create: [["cloudtrail:CreateTrail", "self"], ["cloudtrail:PutEventSelectors", "self"], ["cloudtrail:StartLogging", "self"], ["iam:PassRole", "role", PASS_TO_CLOUDTRAIL]],
            update: [["cloudtrail:UpdateTrail", "self"], ["cloudtrail:PutEventSelectors", "self"], ["iam:PassRole", "role", PASS_TO_CLOUDTRAIL]],
            delete: [["cloudtrail:StopLogging", "self"], ["cloudtrail:DeleteTrail", "self"]],
            tag: [["cloudtrail:AddTags", "self"], ["cloudtrail:RemoveTags", "self"]],
            read: [["cloudtrail:GetTrail", "self"], ["cloudtrail:GetTrailStatus", "self"], ["cloudtrail:GetEventSelectors", "self"], ["cloudtrail:ListTags", "self"]],
        },
    },
    "aws:athena/workgroup:Workgroup": {
        kind: "aws",
        arns: (r) => ({ self: outputs(r).arn }),
        calls: {
            create: [["athena:CreateWorkGroup", "self"]],
            update: [["athena:UpdateWorkGroup", "self"]],
            delete: [["athena:DeleteWorkGroup", "self"]],
            tag: [["athena:TagResource", "self"], ["athena:UntagResource", "self"]],
            read: [["athena:GetWorkGroup", "self"], ["athena:ListTagsForResource", "self"]],
        },
    },
    "aws:athena/namedQuery:NamedQuery": {
        kind: "aws",
        arns: (r, ctx) => ({ self: `arn:aws:athena:${regionOf(r, ctx)}:${ctx.accountId}:workgroup/${inputs(r).workgroup}` }),
        calls: { create: [["athena:CreateNamedQuery", "self"]], update: none, delete: [["athena:DeleteNamedQuery", "self"]], tag: none, read: [["athena:GetNamedQuery", "self"]] },
    },
    "aws:glue/catalogDatabase:CatalogDatabase": {
        kind: "aws",
        arns: (r, ctx) => {
            const base = `arn:aws:glue:${regionOf(r, ctx)}:${ctx.accountId}`;
            return { catalog: `${base}:catalog`, self: `${base}:database/${inputs(r).name}` };
        },
        calls: {
            create: [["glue:CreateDatabase", "catalog"], ["glue:CreateDatabase", "self"]],
            update: [["glue:UpdateDatabase", "catalog"], ["glue:UpdateDatabase", "self"]],
            delete: [["glue:DeleteDatabase", "catalog"], ["glue:DeleteDatabase", "self"]],
            tag: [["glue:TagResource", "self"], ["glue:UntagResource", "self"]],
            read: [["glue:GetDatabase", "catalog"], ["glue:GetDatabase", "self"]],
        },
    },
    // The AWS provider checks its credentials and allowedAccountIds with GetCallerIdentity before any other call.
    "pulumi:providers:aws": {
        kind: "aws",
        arns: () => ({ any: "*" }),
        calls: { create: none, update: none, delete: none, tag: none, read: [["sts:GetCallerIdentity", "any"]] },
    },
    // The Kubernetes provider's kubeconfig comes from `aws.eks.getCluster` (DescribeCluster); its token from
    // `aws eks get-token`, a presigned GetCallerIdentity. What it may do in the cluster is the access entry's business.
    "pulumi:providers:kubernetes": {
        kind: "aws",
        arns: (_r, ctx) => ({ cluster: `arn:aws:eks:${ctx.region}:${ctx.accountId}:cluster/${ctx.clusterName}`, any: "*" }),
        calls: { create: none, update: none, delete: none, tag: none, read: [["eks:DescribeCluster", "cluster"], ["sts:GetCallerIdentity", "any"]] },
    },
};

const KUBERNETES_RBAC = "a Kubernetes object: the API server authorises it through the role's EKS access entry (RBAC), not IAM";
const COMPONENT = "a component resource: Pulumi records it in state and makes no cloud call for it";
const SNOWFLAKE =
    "a Snowflake object or provider: the provider signs in to Snowflake with the provisioning user's key pair (docs/snowflake.md) and makes no AWS call, so no IAM action is needed or granted for it";

/** How a type is operated on: its table entry, or the rule for component and Kubernetes types; undefined if unknown. */
export function operationsOf(type: string): AwsTypeOperations | NoIamTypeOperations | undefined {
    if (DEPLOY_OPERATIONS[type]) return DEPLOY_OPERATIONS[type];
    if (type.startsWith("finledger:")) return { kind: "none", why: COMPONENT };
    if (type.startsWith("kubernetes:")) return { kind: "none", why: KUBERNETES_RBAC };
    if (type.startsWith("snowflake:") || type === "pulumi:providers:snowflake") return { kind: "none", why: SNOWFLAKE };
    return undefined;
}

/** The IAM calls of one operation on one planned resource. */
export function callsOf(r: PlannedResource, op: Operation, ctx: ArnContext): IamCall[] {
    const ops = operationsOf(r.type);
    if (!ops) throw new Error(`Resource type ${r.type} (${r.name}) is not in DEPLOY_OPERATIONS (test/support/deploy-operations.ts); add the calls the AWS provider makes for it.`);
    if (ops.kind === "none") return [];
    const arns = ops.arns(r, ctx);
    const calls: IamCall[] = [];
    for (const [action, on, context] of ops.calls[op]) {
        const resource = arns[on];
        // An optional ARN (a target without a role) means the call is not made.
        if (resource === undefined && on !== "self") continue;
        if (typeof resource !== "string" || resource.length === 0) throw new Error(`DEPLOY_OPERATIONS for ${r.type} has no '${on}' ARN for ${r.name}.`);
        calls.push({ action, resource, context: requestContext(r, action, resource, ctx, context) });
    }
    return calls;
}

/**
 * The condition keys AWS adds from the request itself: the target role's boundary on the calls that carry
 * `iam:PermissionsBoundary`, the attached policy's ARN, and the tag keys a tagging call sends.
 */
function requestContext(r: PlannedResource, action: string, resource: string, ctx: ArnContext, fixed?: Record<string, string>): Record<string, string | string[]> | undefined {
    const extra: Record<string, string | string[]> = { ...(fixed ?? {}) };
    const boundary = ctx.roleBoundaries?.get(resource);
    if (boundary && BOUNDARY_ENFORCED_ACTIONS.includes(action)) extra["iam:PermissionsBoundary"] = boundary;
    if (action === "iam:AttachRolePolicy" || action === "iam:DetachRolePolicy") extra["iam:PolicyARN"] = String(inputs(r).policyArn);
    if (action === "eks:CreateAccessEntry") Object.assign(extra, { "eks:principalArn": String(inputs(r).principalArn), "eks:kubernetesGroups": inputs(r).kubernetesGroups ?? [] });
    // The function's code-signing config travels with the create and with attaching a config (the key is absent without one).
    if ((action === "lambda:CreateFunction" || action === "lambda:PutFunctionCodeSigningConfig") && inputs(r).codeSigningConfigArn) extra["lambda:CodeSigningConfigArn"] = String(inputs(r).codeSigningConfigArn);
    if ((action === "secretsmanager:TagResource" || action === "secretsmanager:UntagResource") && inputs(r).tags) extra["aws:TagKeys"] = Object.keys(inputs(r).tags);
    return Object.keys(extra).length > 0 ? extra : undefined;
}
