// The Athena table over the trail and the saved review queries: who read which secret, failed reads, policy and key
// changes, always limited to this environment's secrets.
import { secretNamePrefixes } from "../model/names";
import { LOG_RETENTION_DAYS } from "./audit-log-buckets";

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
