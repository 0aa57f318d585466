// Policies of the audit buckets: the Object-Locked trail bucket, its server-access-log bucket and the Athena results
// bucket.
import { denyWithoutTls, PolicyDocument, policyDocument, PolicyStatement } from "./iam";

/** Days that CloudTrail log objects stay immutable (Object Lock, COMPLIANCE mode): PCI DSS 10.5.1 asks for one year. */
export const LOG_RETENTION_DAYS = 365;

/** Actions that would delete, overwrite or unlock a delivered log object. Nobody but CloudTrail itself may call them. */
export const LOG_TAMPERING_ACTIONS = [
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:PutObjectVersionAcl",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
    "s3:BypassGovernanceRetention",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersionTagging",
];

/** Inputs of {@link buildTrailBucketPolicy}. */
export interface TrailBucketPolicyInputs {
    readonly bucketName: string;
    /** Every trail that delivers to the bucket, with its account. A log-archive bucket lists one per environment. */
    readonly trails: ReadonlyArray<{ readonly accountId: string; readonly trailArn: string }>;
}

/**
 * The trail bucket's policy. CloudTrail may check the ACL and write only under `AWSLogs/<account>/` for the
 * listed trails. Every request without TLS is denied. No principal other than an AWS service acting for the trail
 * (not a platform role, not an administrator, not root) may delete, overwrite or unlock a log object or delete the
 * bucket, whatever its own policies allow; Object Lock in COMPLIANCE mode protects each version on top of this.
 */
export function buildTrailBucketPolicy(inputs: TrailBucketPolicyInputs): PolicyDocument {
    const bucketArn = `arn:aws:s3:::${inputs.bucketName}`;
    const trailArns = inputs.trails.map((t) => t.trailArn);
    return policyDocument([
        {
            Sid: "CloudTrailChecksTheBucketAcl",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:GetBucketAcl",
            Resource: bucketArn,
            Condition: { StringEquals: { "aws:SourceArn": trailArns.length === 1 ? trailArns[0] : trailArns } },
        },
        ...inputs.trails.map(
            (t): PolicyStatement => ({
                Sid: `CloudTrailWritesLogsOf${t.accountId}`,
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: `${bucketArn}/AWSLogs/${t.accountId}/*`,
                Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": t.trailArn } },
            }),
        ),
        denyWithoutTls("s3:*", [bucketArn, `${bucketArn}/*`]),
        {
            Sid: "NobodyDeletesOrOverwritesLogs",
            Effect: "Deny",
            Principal: "*",
            Action: LOG_TAMPERING_ACTIONS,
            Resource: `${bucketArn}/*`,
            Condition: { BoolIfExists: { "aws:PrincipalIsAWSService": "false" } },
        },
        {
            Sid: "NobodyDeletesTheBucketOrItsLock",
            Effect: "Deny",
            Principal: "*",
            Action: ["s3:DeleteBucket", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning"],
            Resource: bucketArn,
            Condition: { BoolIfExists: { "aws:PrincipalIsAWSService": "false" } },
        },
    ]);
}

/** The policy of the server-access-log bucket: only S3's logging service writes, for the trail bucket only, over TLS. */
export function buildAccessLogBucketPolicy(accessLogBucketName: string, sourceBucketName: string, accountId: string): PolicyDocument {
    const bucketArn = `arn:aws:s3:::${accessLogBucketName}`;
    return policyDocument([
        {
            Sid: "S3ServerAccessLoggingWrites",
            Effect: "Allow",
            Principal: { Service: "logging.s3.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${bucketArn}/*`,
            Condition: { ArnLike: { "aws:SourceArn": `arn:aws:s3:::${sourceBucketName}` }, StringEquals: { "aws:SourceAccount": accountId } },
        },
        denyWithoutTls("s3:*", [bucketArn, `${bucketArn}/*`]),
        {
            Sid: "NobodyDeletesAccessLogs",
            Effect: "Deny",
            Principal: "*",
            Action: ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectRetention", "s3:BypassGovernanceRetention"],
            Resource: `${bucketArn}/*`,
            Condition: { BoolIfExists: { "aws:PrincipalIsAWSService": "false" } },
        },
    ]);
}

/** A bucket that only accepts TLS and is never public (the Athena results bucket). */
export function buildTlsOnlyBucketPolicy(bucketName: string): PolicyDocument {
    const bucketArn = `arn:aws:s3:::${bucketName}`;
    return policyDocument([
        denyWithoutTls("s3:*", [bucketArn, `${bucketArn}/*`]),
    ]);
}
