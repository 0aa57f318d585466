import { secretNamePrefixes } from "../model/names";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountRootArn, denyWithoutTls, enableIamPoliciesOf, PolicyDocument, policyDocument, PolicyStatement } from "./iam";
import { TYPE } from "./tokens";

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

/** The ARN a trail will have. Built from its name so the key and bucket policies can name the trail before it exists. */
export function trailArn(region: string, accountId: string, trailName: string): string {
    return `arn:aws:cloudtrail:${region}:${accountId}:trail/${trailName}`;
}

/** The name of the CloudWatch Logs group that receives the trail, which metric filters read. */
export function trailLogGroupName(environment: string): string {
    return `/finledger/${environment}/cloudtrail`;
}

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
        {
            Sid: "CloudWatchLogsEncryptsTheTrailLogGroup",
            Effect: "Allow",
            Principal: { Service: `logs.${inputs.region}.amazonaws.com` },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: {
                ArnEquals: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${inputs.region}:${inputs.accountId}:log-group:${inputs.logGroupName}` },
            },
        },
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
function buildTlsOnlyBucketPolicy(bucketName: string): PolicyDocument {
    const bucketArn = `arn:aws:s3:::${bucketName}`;
    return policyDocument([
        denyWithoutTls("s3:*", [bucketArn, `${bucketArn}/*`]),
    ]);
}

/** Inputs of the Athena review queries. */
export interface AuditQueryInputs {
    /** Glue database holding the CloudTrail table. */
    readonly database: string;
    /** The CloudTrail table. */
    readonly table: string;
    /** Environment name; queries look only at its secrets (`<env>/...` and `AmazonMSK_<env>/...`). */
    readonly environment: string;
    /** How far back the review looks. Default: 365 days. */
    readonly lookbackDays?: number;
}

/** The Athena DDL of the CloudTrail table: partition projection over region and day, so no crawler or MSCK is needed. */
export function cloudTrailTableDdl(database: string, table: string, logLocation: string, regions: readonly string[]): string {
    return `CREATE EXTERNAL TABLE IF NOT EXISTS ${database}.${table} (
  eventversion STRING,
  useridentity STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING, invokedby: STRING, accesskeyid: STRING, username: STRING,
    sessioncontext: STRUCT<attributes: STRUCT<mfaauthenticated: STRING, creationdate: STRING>,
      sessionissuer: STRUCT<type: STRING, principalid: STRING, arn: STRING, accountid: STRING, username: STRING>,
      sourceidentity: STRING>>,
  eventtime STRING,
  eventsource STRING,
  eventname STRING,
  awsregion STRING,
  sourceipaddress STRING,
  useragent STRING,
  errorcode STRING,
  errormessage STRING,
  requestparameters STRING,
  responseelements STRING,
  additionaleventdata STRING,
  requestid STRING,
  eventid STRING,
  readonly STRING,
  resources ARRAY<STRUCT<arn: STRING, accountid: STRING, type: STRING>>,
  eventtype STRING,
  apiversion STRING,
  recipientaccountid STRING,
  sharedeventid STRING,
  vpcendpointid STRING
)
PARTITIONED BY (region STRING, day STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION '${logLocation}'
TBLPROPERTIES (
  'projection.enabled' = 'true',
  'projection.region.type' = 'enum',
  'projection.region.values' = '${regions.join(",")}',
  'projection.day.type' = 'date',
  'projection.day.format' = 'yyyy/MM/dd',
  'projection.day.range' = '2024/01/01,NOW',
  'projection.day.interval' = '1',
  'projection.day.interval.unit' = 'DAYS',
  'storage.location.template' = '${logLocation}\${region}/\${day}'
)`;
}

/** The saved review queries: who read which secret, failed reads, and policy and key changes, over the lookback. */
export function buildAuditQueries(inputs: AuditQueryInputs): Array<{ id: string; name: string; description: string; sql: string }> {
    const days = inputs.lookbackDays ?? LOG_RETENTION_DAYS;
    const from = `day >= date_format(current_date - interval '${days}' day, '%Y/%m/%d')`;
    const t = `${inputs.database}.${inputs.table}`;
    const secretId = "json_extract_scalar(requestparameters, '$.secretId')";
    const names = secretNamePrefixes(inputs.environment);
    const ofThisEnvironment = `(${secretId} LIKE '%:secret:${names.standard}%' OR ${secretId} LIKE '${names.standard}%' OR ${secretId} LIKE '%${names.msk}%')`;
    const principal = "coalesce(useridentity.sessioncontext.sessionissuer.arn, useridentity.arn)";
    return [
        {
            id: "secret-reads",
            name: "who-read-which-secret",
            description: `Every successful read of a ${inputs.environment} secret value over the past ${days} days, by principal and secret.`,
            sql: `SELECT ${principal} AS principal, ${secretId} AS secret, count(*) AS reads, min(eventtime) AS first_read, max(eventtime) AS last_read
FROM ${t}
WHERE ${from}
  AND eventsource = 'secretsmanager.amazonaws.com'
  AND eventname IN ('GetSecretValue', 'BatchGetSecretValue')
  AND errorcode IS NULL
  AND ${ofThisEnvironment}
GROUP BY 1, 2
ORDER BY 2, 1`,
        },
        {
            id: "failed-reads",
            name: "failed-secret-and-key-access",
            description: `Every denied or failed Secrets Manager or KMS call over the past ${days} days, newest first.`,
            sql: `SELECT eventtime, ${principal} AS principal, eventsource, eventname, errorcode, errormessage, ${secretId} AS secret, sourceipaddress
FROM ${t}
WHERE ${from}
  AND eventsource IN ('secretsmanager.amazonaws.com', 'kms.amazonaws.com')
  AND errorcode IS NOT NULL
ORDER BY eventtime DESC`,
        },
        {
            id: "policy-changes",
            name: "secret-and-key-policy-changes",
            description: `Every change to a secret's policy, replication or existence, and to a KMS key's policy or state, over the past ${days} days.`,
            sql: `SELECT eventtime, ${principal} AS principal, eventsource, eventname, errorcode, requestparameters
FROM ${t}
WHERE ${from}
  AND (
    (eventsource = 'secretsmanager.amazonaws.com' AND eventname IN ('PutResourcePolicy', 'DeleteResourcePolicy', 'DeleteSecret', 'RestoreSecret',
      'ReplicateSecretToRegions', 'RemoveRegionsFromReplication', 'StopReplicationToReplica', 'UpdateSecret', 'RotateSecret', 'CancelRotateSecret', 'TagResource', 'UntagResource'))
    OR (eventsource = 'kms.amazonaws.com' AND eventname IN ('PutKeyPolicy', 'DisableKey', 'EnableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'CreateGrant', 'RevokeGrant', 'DisableKeyRotation'))
    OR (eventsource = 'iam.amazonaws.com' AND eventname IN ('PutRolePolicy', 'DeleteRolePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'UpdateAssumeRolePolicy', 'CreateRole', 'DeleteRole'))
  )
ORDER BY eventtime DESC`,
        },
    ];
}

/** Where a trail delivers: a bucket this stack creates, or one that a separate log-archive account owns. */
export interface LogArchiveBucket {
    /** The log-archive account that created the bucket. */
    readonly accountId: string;
    readonly bucketName: string;
}

/** Arguments of {@link AuditTrail}. */
export interface AuditTrailArgs {
    /** Environment name; it names the trail, buckets and queries. */
    readonly environment: string;
    /** The environment's account id. */
    readonly accountId: string;
    /** The home region of the trail. */
    readonly region: string;
    /** Other regions whose logs the Athena table covers (the trail is multi-region). */
    readonly otherRegions: readonly string[];
    /** Prefix of resource names, such as `fl-prod`. */
    readonly namePrefix: string;
    /** Role name of CloudTrail's CloudWatch Logs delivery role (from `roleNames`). */
    readonly cloudTrailLogsRoleName: string;
    /** A bucket in a separate log-archive account. Default: the stack creates the locked bucket in this account. */
    readonly logArchive?: LogArchiveBucket;
    /** Days a log object is locked. Default: 365. */
    readonly retentionDays?: number;
    /** Days the CloudWatch Logs copy (for metric filters) is kept. Default: 90. */
    readonly logGroupRetentionDays?: number;
    /** Buckets whose object reads and writes the trail records as S3 data events, such as the Pulumi state bucket. Default: none. */
    readonly dataEventBuckets?: readonly string[];
}

/**
 * The trail's classic event selector: every management event, reads included, plus S3 data events on the given
 * buckets (the trailing `/` selects every object of a bucket).
 */
export function buildTrailEventSelectors(dataEventBuckets: readonly string[]): aws.types.input.cloudtrail.TrailEventSelector[] {
    return [
        {
            readWriteType: "All",
            includeManagementEvents: true,
            ...(dataEventBuckets.length > 0 ? { dataResources: [{ type: "AWS::S3::Object", values: dataEventBuckets.map((b) => `arn:aws:s3:::${b}/`) }] } : {}),
        },
    ];
}

/**
 * The environment's audit trail: a multi-region CloudTrail that records every management event, reads included
 * (so every `GetSecretValue` is logged), validated and encrypted with its own KMS key; a versioned S3 bucket with
 * Object Lock in COMPLIANCE mode, lifecycle to colder storage, TLS only, no public access and server access logging;
 * a CloudWatch Logs copy for metric filters; and Athena saved queries for reviews.
 */
export class AuditTrail extends pulumi.ComponentResource {
    /** The trail. */
    readonly trail: aws.cloudtrail.Trail;
    /** The trail's ARN. */
    readonly trailArn: pulumi.Output<string>;
    /** The audit KMS key (trail, log group, alert topic); never the secrets key. */
    readonly key: aws.kms.Key;
    /** The bucket the trail writes to (in this account, or the log-archive account's). */
    readonly bucketName: string;
    /** The CloudWatch Logs group that receives the trail. */
    readonly logGroup: aws.cloudwatch.LogGroup;
    /** Days each log object stays locked. */
    readonly retentionDays: number;
    /** Names of the saved Athena queries, by id. */
    readonly queryNames: Record<string, string>;

    constructor(name: string, args: AuditTrailArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.AuditTrail, name, {}, opts);
        const retentionDays = args.retentionDays ?? LOG_RETENTION_DAYS;
        const logGroupRetentionDays = args.logGroupRetentionDays ?? 90;
        const problems: string[] = [];
        if (!/^\d{12}$/.test(args.accountId)) problems.push(`accountId '${args.accountId}' is not a 12-digit account id`);
        if (retentionDays < LOG_RETENTION_DAYS) problems.push(`retentionDays ${retentionDays} is below the ${LOG_RETENTION_DAYS} days that SOC 2 and PCI DSS 10.5.1 require`);
        if (args.logArchive && args.logArchive.accountId === args.accountId) problems.push("logArchive.accountId is the environment's own account; a log archive lives in a separate account");
        if (problems.length > 0) throw new pulumi.ResourceError(`AuditTrail ${name}: ${problems.join("; ")}.`, this);

        const trailName = `${args.namePrefix}-audit`;
        const arn = trailArn(args.region, args.accountId, trailName);
        const logGroupName = trailLogGroupName(args.environment);
        this.retentionDays = retentionDays;

        this.key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Audit key of the ${args.environment} environment: CloudTrail logs, their log group and the alert topic`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: JSON.stringify(
                    buildAuditKeyPolicy({ accountId: args.accountId, region: args.region, trailArn: arn, logGroupName, logArchiveAccountId: args.logArchive?.accountId }),
                ),
                tags: { environment: args.environment, purpose: "audit" },
            },
            { parent: this },
        );
        new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${args.namePrefix}-audit`, targetKeyId: this.key.keyId }, { parent: this });

        const bucketName = args.logArchive?.bucketName ?? `${args.namePrefix}-audit-trail-${args.accountId}`;
        this.bucketName = bucketName;
        const bucketPolicy = args.logArchive ? undefined : this.createLockedBucket(name, args, bucketName, arn, retentionDays);

        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-log-group`,
            { name: logGroupName, retentionInDays: logGroupRetentionDays, kmsKeyId: this.key.arn },
            { parent: this },
        );
        const logsRole = new aws.iam.Role(
            `${name}-logs-role`,
            {
                name: args.cloudTrailLogsRoleName,
                description: "CloudTrail delivers the trail to its CloudWatch Logs group",
                assumeRolePolicy: JSON.stringify(
                    policyDocument([
                        {
                            Effect: "Allow",
                            Principal: { Service: "cloudtrail.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            Condition: { StringEquals: { "aws:SourceArn": arn } },
                        },
                    ]),
                ),
            },
            { parent: this },
        );
        const logsPolicy = new aws.iam.RolePolicy(
            `${name}-logs-policy`,
            {
                role: logsRole.name,
                policy: this.logGroup.arn.apply((groupArn) =>
                    JSON.stringify(
                        policyDocument([{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${groupArn}:log-stream:*` }]),
                    ),
                ),
            },
            { parent: this },
        );

        this.trail = new aws.cloudtrail.Trail(
            `${name}-trail`,
            {
                name: trailName,
                s3BucketName: bucketName,
                isMultiRegionTrail: true,
                includeGlobalServiceEvents: true,
                enableLogFileValidation: true,
                enableLogging: true,
                kmsKeyId: this.key.arn,
                cloudWatchLogsGroupArn: pulumi.interpolate`${this.logGroup.arn}:*`,
                cloudWatchLogsRoleArn: logsRole.arn,
                // Read events too: GetSecretValue is a read-only management event, and it is the one auditors ask about.
                // State reads are data events: without them nobody could tell who read the Pulumi state.
                eventSelectors: buildTrailEventSelectors(args.dataEventBuckets ?? []),
                tags: { environment: args.environment, purpose: "audit" },
            },
            // CloudTrail checks at creation that it can write to the bucket and the log group.
            { parent: this, dependsOn: bucketPolicy ? [bucketPolicy, logsPolicy] : [logsPolicy] },
        );
        this.trailArn = this.trail.arn;

        this.queryNames = this.createAthena(name, args, bucketName);
        this.registerOutputs({
            trailArn: this.trailArn,
            bucketName,
            retentionDays,
            logArchiveAccountId: args.logArchive?.accountId,
            keyArn: this.key.arn,
            logGroupName,
        });
    }

    private createLockedBucket(name: string, args: AuditTrailArgs, bucketName: string, arn: string, retentionDays: number): aws.s3.BucketPolicy {
        const accessLogBucketName = `${args.namePrefix}-audit-access-logs-${args.accountId}`;
        // Server access logs cannot be delivered to an SSE-KMS bucket, so this bucket uses SSE-S3.
        const accessLogs = new aws.s3.Bucket(`${name}-access-logs`, { bucket: accessLogBucketName, forceDestroy: false }, { parent: this, retainOnDelete: true });
        this.hardenBucket(`${name}-access-logs`, accessLogs, { sseAlgorithm: "AES256" });
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-access-logs-lifecycle`,
            {
                bucket: accessLogs.id,
                rules: [
                    {
                        id: "colder-then-expire",
                        status: "Enabled",
                        filter: { prefix: "" },
                        transitions: [{ days: 30, storageClass: "STANDARD_IA" }],
                        expiration: { days: retentionDays + 35 },
                        noncurrentVersionExpiration: { noncurrentDays: 30 },
                    },
                ],
            },
            { parent: this },
        );
        new aws.s3.BucketPolicy(
            `${name}-access-logs-policy`,
            { bucket: accessLogs.id, policy: JSON.stringify(buildAccessLogBucketPolicy(accessLogBucketName, bucketName, args.accountId)) },
            { parent: this },
        );

        const bucket = new aws.s3.Bucket(
            `${name}-bucket`,
            { bucket: bucketName, objectLockEnabled: true, forceDestroy: false, tags: { environment: args.environment, purpose: "audit-trail" } },
            // A destroyed stack must never take the year of logs with it.
            { parent: this, retainOnDelete: true },
        );
        const versioning = this.hardenBucket(`${name}-bucket`, bucket, { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn });
        const objectLock = new aws.s3.BucketObjectLockConfiguration(
            `${name}-object-lock`,
            { bucket: bucket.id, objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "COMPLIANCE", days: retentionDays } } },
            { parent: this },
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        // Reviews read the last 90 days most; older logs move to cheaper tiers, still locked, and leave
                        // only after the lock has expired.
                        id: "colder-storage",
                        status: "Enabled",
                        filter: { prefix: "AWSLogs/" },
                        transitions: [
                            { days: 90, storageClass: "STANDARD_IA" },
                            { days: 180, storageClass: "GLACIER_IR" },
                        ],
                        expiration: { days: retentionDays + 30 },
                        noncurrentVersionExpiration: { noncurrentDays: retentionDays + 30 },
                    },
                ],
            },
            { parent: this },
        );
        new aws.s3.BucketLogging(
            `${name}-logging`,
            { bucket: bucket.id, targetBucket: accessLogs.id, targetPrefix: `${bucketName}/` },
            { parent: this },
        );
        return new aws.s3.BucketPolicy(
            `${name}-bucket-policy`,
            { bucket: bucket.id, policy: JSON.stringify(buildTrailBucketPolicy({ bucketName, trails: [{ accountId: args.accountId, trailArn: arn }] })) },
            // The policy denies changing versioning and the lock to everyone, so both must be in place before it is.
            { parent: this, dependsOn: [versioning, objectLock] },
        );
    }

    /** Versioning, default encryption and a full public access block: what every audit bucket carries. */
    private hardenBucket(name: string, bucket: aws.s3.Bucket, encryption: { sseAlgorithm: string; kmsMasterKeyId?: pulumi.Input<string> }): aws.s3.BucketVersioning {
        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, { parent: this });
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: encryption, bucketKeyEnabled: encryption.sseAlgorithm === "aws:kms" }] },
            { parent: this },
        );
        new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access-block`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { parent: this },
        );
        return versioning;
    }

    private createAthena(name: string, args: AuditTrailArgs, bucketName: string): Record<string, string> {
        const resultsBucketName = `${args.namePrefix}-audit-query-results-${args.accountId}`;
        const results = new aws.s3.Bucket(`${name}-query-results`, { bucket: resultsBucketName, forceDestroy: true }, { parent: this });
        this.hardenBucket(`${name}-query-results`, results, { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn });
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-query-results-lifecycle`,
            { bucket: results.id, rules: [{ id: "expire-results", status: "Enabled", filter: { prefix: "" }, expiration: { days: 30 }, noncurrentVersionExpiration: { noncurrentDays: 1 } }] },
            { parent: this },
        );
        new aws.s3.BucketPolicy(`${name}-query-results-policy`, { bucket: results.id, policy: JSON.stringify(buildTlsOnlyBucketPolicy(resultsBucketName)) }, { parent: this });

        const workgroup = new aws.athena.Workgroup(
            `${name}-workgroup`,
            {
                name: `${args.namePrefix}-audit`,
                description: "Audit reviews of secret access over the CloudTrail logs",
                forceDestroy: true,
                configuration: {
                    enforceWorkgroupConfiguration: true,
                    publishCloudwatchMetricsEnabled: true,
                    resultConfiguration: {
                        outputLocation: `s3://${resultsBucketName}/results/`,
                        encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: this.key.arn },
                    },
                },
            },
            { parent: this },
        );
        const database = `${args.namePrefix.replace(/-/g, "_")}_audit`;
        const table = "cloudtrail";
        new aws.glue.CatalogDatabase(`${name}-database`, { name: database, description: `CloudTrail logs of ${args.environment} for audit reviews` }, { parent: this });
        const logLocation = `s3://${bucketName}/AWSLogs/${args.accountId}/CloudTrail/`;
        const namedQueries: Record<string, string> = {};
        const all = [
            {
                id: "create-table",
                name: "create-cloudtrail-table",
                description: "Run once per environment: creates the CloudTrail table (partition projection, no crawler).",
                sql: cloudTrailTableDdl(database, table, logLocation, [args.region, ...args.otherRegions]),
            },
            ...buildAuditQueries({ database, table, environment: args.environment }),
        ];
        for (const q of all) {
            const queryName = `${args.namePrefix}-${q.name}`;
            new aws.athena.NamedQuery(
                `${name}-query-${q.id}`,
                { name: queryName, description: q.description, database, workgroup: workgroup.name, query: q.sql },
                { parent: this },
            );
            namedQueries[q.id] = queryName;
        }
        return namedQueries;
    }
}
