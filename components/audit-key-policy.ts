// The audit key's policy: who may encrypt and decrypt the trail, its log copy and the alert topic.
import { accountRootArn, cloudWatchLogsKeyUse, enableIamPoliciesOf, logGroupArn, PolicyDocument, policyDocument } from "./iam";

/** Inputs of {@link buildAuditKeyPolicy}. */
export interface AuditKeyPolicyInputs {
    readonly accountId: string;
    readonly region: string;
    /** The trail that may encrypt with the key. */
    readonly trailArn: string;
    /** The CloudWatch Logs group that stores the trail's copy. */
    readonly logGroupName: string;
    /** A log-archive account whose readers may decrypt the delivered logs. Default: none. */
    readonly logArchiveAccountId?: string;
}

/**
 * The audit key's policy. CloudTrail may encrypt only for this environment's trail (`aws:SourceArn` and the
 * CloudTrail encryption context), CloudWatch Logs only for the trail's log group, and EventBridge and CloudWatch
 * alarms may publish to the encrypted alert topic only for this account. Readers of this account (and of the
 * log-archive account, when there is one) may decrypt CloudTrail logs only. No other environment is named.
 */
export function buildAuditKeyPolicy(inputs: AuditKeyPolicyInputs): PolicyDocument {
    const cloudTrailContext = `arn:aws:cloudtrail:*:${inputs.accountId}:trail/*`;
    const readers = [accountRootArn(inputs.accountId), ...(inputs.logArchiveAccountId ? [accountRootArn(inputs.logArchiveAccountId)] : [])];
    return policyDocument([
        enableIamPoliciesOf(inputs.accountId),
        {
            Sid: "CloudTrailEncryptsThisTrailOnly",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "kms:GenerateDataKey*",
            Resource: "*",
            Condition: {
                StringEquals: { "aws:SourceArn": inputs.trailArn },
                StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": cloudTrailContext },
            },
        },
        {
            Sid: "CloudTrailDescribesTheKey",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "kms:DescribeKey",
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceArn": inputs.trailArn } },
        },
        {
            Sid: "LogReadersDecryptCloudTrailLogs",
            Effect: "Allow",
            Principal: { AWS: readers },
            Action: ["kms:Decrypt", "kms:ReEncryptFrom"],
            Resource: "*",
            Condition: {
                StringEquals: { "kms:CallerAccount": inputs.logArchiveAccountId ? [inputs.accountId, inputs.logArchiveAccountId] : inputs.accountId },
                StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": cloudTrailContext },
            },
        },
        cloudWatchLogsKeyUse("CloudWatchLogsEncryptsTheTrailLogGroup", inputs.region, logGroupArn(inputs.region, inputs.accountId, inputs.logGroupName)),
        {
            Sid: "AlarmsAndRulesPublishToTheEncryptedTopic",
            Effect: "Allow",
            Principal: { Service: ["events.amazonaws.com", "cloudwatch.amazonaws.com"] },
            Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": inputs.accountId } },
        },
    ]);
}
