import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { buildAuditKeyPolicy } from "./audit-key-policy";
import { buildAccessLogBucketPolicy, buildTlsOnlyBucketPolicy, buildTrailBucketPolicy, LOG_RETENTION_DAYS } from "./audit-log-buckets";
import { buildAuditQueries, cloudTrailTableDdl } from "./audit-queries";
import { PolicyDocument, policyDocument } from "./iam";
import { TYPE } from "./tokens";
import { RETAIN_ON_DELETE } from "./retention";

// The trail's pure builders live beside it, one idea per file; they are re-exported here for callers of the trail.
export { AuditKeyPolicyInputs, buildAuditKeyPolicy } from "./audit-key-policy";
export { buildAccessLogBucketPolicy, buildTlsOnlyBucketPolicy, buildTrailBucketPolicy, LOG_RETENTION_DAYS, LOG_TAMPERING_ACTIONS, TrailBucketPolicyInputs } from "./audit-log-buckets";
export { AuditQueryInputs, buildAuditQueries, cloudTrailTableDdl } from "./audit-queries";

/** The name of an environment's trail. */
export function auditTrailName(namePrefix: string): string {
    return `${namePrefix}-audit`;
}

/** The trust of the role CloudTrail uses to write to its log group: this trail only. */
export function buildCloudTrailLogsTrustPolicy(trail: string): PolicyDocument {
    return policyDocument([{ Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceArn": trail } } }]);
}

/** The name of the trail's log-delivery role's inline policy (the platform change check compares policies by name). */
export const CLOUDTRAIL_LOGS_POLICY_NAME = "deliver-trail-logs";

/** What CloudTrail's log-delivery role may do: write streams of the trail's log group, nothing else. */
export function buildCloudTrailLogsPolicy(logGroupArn: string): PolicyDocument {
    return policyDocument([{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:log-stream:*` }]);
}

/** The ARN a trail will have. Built from its name so the key and bucket policies can name the trail before it exists. */
export function trailArn(region: string, accountId: string, trailName: string): string {
    return `arn:aws:cloudtrail:${region}:${accountId}:trail/${trailName}`;
}

/** The name of the CloudWatch Logs group that receives the trail, which metric filters read. */
export function trailLogGroupName(environment: string): string {
    return `/finledger/${environment}/cloudtrail`;
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

        const trailName = auditTrailName(args.namePrefix);
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
            { parent: this, ...RETAIN_ON_DELETE },
        );
        new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${args.namePrefix}-audit`, targetKeyId: this.key.keyId }, { parent: this });

        const bucketName = args.logArchive?.bucketName ?? `${args.namePrefix}-audit-trail-${args.accountId}`;
        this.bucketName = bucketName;
        const bucketPolicy = args.logArchive ? undefined : this.createLockedBucket(name, args, bucketName, arn, retentionDays);

        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-log-group`,
            { name: logGroupName, retentionInDays: logGroupRetentionDays, kmsKeyId: this.key.arn },
            { parent: this, ...RETAIN_ON_DELETE },
        );
        const logsRole = new aws.iam.Role(
            `${name}-logs-role`,
            {
                name: args.cloudTrailLogsRoleName,
                description: "CloudTrail delivers the trail to its CloudWatch Logs group",
                assumeRolePolicy: JSON.stringify(buildCloudTrailLogsTrustPolicy(arn)),
            },
            { parent: this },
        );
        const logsPolicy = new aws.iam.RolePolicy(
            `${name}-logs-policy`,
            {
                role: logsRole.name,
                name: CLOUDTRAIL_LOGS_POLICY_NAME,
                policy: this.logGroup.arn.apply((groupArn) => JSON.stringify(buildCloudTrailLogsPolicy(groupArn))),
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
        const accessLogs = new aws.s3.Bucket(`${name}-access-logs`, { bucket: accessLogBucketName, forceDestroy: false }, { parent: this, ...RETAIN_ON_DELETE });
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
            { parent: this, ...RETAIN_ON_DELETE },
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
        const results = new aws.s3.Bucket(`${name}-query-results`, { bucket: resultsBucketName, forceDestroy: true }, { parent: this, ...RETAIN_ON_DELETE });
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
