// Every name scheme of an environment, in one place: secret names and their prefixes, logical resource names,
// Kubernetes object names, the MSK user slots, IAM role names and the tag keys. Components, functions, policies and
// tests derive names from here, so a scheme cannot drift between the thing that creates a name and the thing that
// matches it.

/** The prefix MSK requires on every secret it associates for SASL/SCRAM. */
export const MSK_SECRET_PREFIX = "AmazonMSK_";

/** The Secrets Manager name prefixes of one environment: `<env>/` for every secret, `AmazonMSK_<env>/` for MSK's. */
export function secretNamePrefixes(environment: string): { readonly standard: string; readonly msk: string } {
    return { standard: `${environment}/`, msk: `${MSK_SECRET_PREFIX}${environment}/` };
}

/** The full Secrets Manager name of a catalog secret in one environment. MSK SCRAM secrets keep their required prefix. */
export function fullSecretName(environment: string, catalogName: string): string {
    const prefixes = secretNamePrefixes(environment);
    return catalogName.startsWith(MSK_SECRET_PREFIX) ? `${prefixes.msk}${catalogName.slice(MSK_SECRET_PREFIX.length)}` : `${prefixes.standard}${catalogName}`;
}

/** ARN pattern of exactly one secret by its full name: Secrets Manager appends `-` and six random characters to its name. */
export function exactSecretArnPattern(accountId: string, fullName: string, region = "*"): string {
    return `arn:aws:secretsmanager:${region}:${accountId}:secret:${fullName}-??????`;
}

/** ARN patterns that match every secret of one environment in an account, in any region. */
export function environmentSecretArnPatterns(accountId: string, environment: string, region = "*"): string[] {
    const p = secretNamePrefixes(environment);
    return [`arn:aws:secretsmanager:${region}:${accountId}:secret:${p.standard}*`, `arn:aws:secretsmanager:${region}:${accountId}:secret:${p.msk}*`];
}

/** A logical resource name for a catalog secret, unique within the stack. */
export function secretResourceName(catalogName: string): string {
    return catalogName.replace(new RegExp(`^${MSK_SECRET_PREFIX}`), "msk-").replace(/[^A-Za-z0-9_-]+/g, "-");
}

/** A Kubernetes object name from a catalog secret name: `snowflake/dbt/core-dimensions` becomes `snowflake-dbt-core-dimensions`. */
export function kubernetesSecretName(catalogName: string): string {
    return catalogName
        .replace(new RegExp(`^${MSK_SECRET_PREFIX}`), "msk-")
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "")
        .slice(0, 253);
}

/** The two SCRAM user slots of an MSK client secret. */
export const KAFKA_SLOTS = ["a", "b"] as const;
export type KafkaSlot = (typeof KAFKA_SLOTS)[number];

/** The slot secret that holds one user of an MSK client secret's pair: `<client secret name>/user-a` or `/user-b`. */
export function kafkaSlotSecretName(clientSecretName: string, slot: KafkaSlot): string {
    return `${clientSecretName}/user-${slot}`;
}

/** The SCRAM user name of one slot: the client secret's last path segment with `_a` or `_b`. */
export function kafkaSlotUsername(clientSecretName: string, slot: KafkaSlot): string {
    return `${clientSecretName.split("/").pop()!.replace(/[^A-Za-z0-9]/g, "_")}_${slot}`;
}

/** The slot a SCRAM user name belongs to (`..._a` or `..._b`), or undefined when it follows no slot scheme. */
export function kafkaSlotOfUsername(username: string): KafkaSlot | undefined {
    const m = /_(a|b)$/.exec(username);
    return m ? (m[1] as KafkaSlot) : undefined;
}

/**
 * Names of the IAM roles the platform creates in an environment's account. Alarms ("a read by an unknown
 * principal"), policies and tests recognise the platform's own principals by these names, so every component
 * takes its role name from here.
 */
export const roleNames = {
    /** IRSA role of one workload (an Airflow domain, an Airflow component, a dbt job, a Spark app). */
    workload: (prefix: string, workloadId: string) => `${prefix}-wl-${workloadId}`.slice(0, 64),
    /** Execution role of one rotation function. */
    rotation: (prefix: string, strategy: string) => `${prefix}-rot-${strategy}`.slice(0, 64),
    /** GitHub Actions role for `pulumi preview` on pull requests (read-only, no secret values). */
    githubPreview: (prefix: string) => `${prefix}-github-preview`,
    /** GitHub Actions role for `pulumi up` on merge (manages resources, no secret values). */
    githubDeploy: (prefix: string) => `${prefix}-github-deploy`,
    /** GitHub Actions role of the `sign` job on `main`: uploads function packages and signs them (docs/cicd.md). */
    githubSigner: (prefix: string) => `${prefix}-github-signer`,
    /** The latency probe's role; it reads only its canary secret. */
    latencyProbe: (prefix: string) => `${prefix}-latency-probe`,
    /** The break-glass role, assumable only with MFA. */
    breakGlass: (prefix: string) => `${prefix}-break-glass`,
    /** CloudTrail's role that delivers the trail to its CloudWatch Logs group. */
    cloudTrailLogs: (prefix: string) => `${prefix}-cloudtrail-logs`,
    /** The daily `expires-at` check; it lists secret metadata and reads no value. */
    expiryCheck: (prefix: string) => `${prefix}-expiry-check`,
    /** EventBridge's role that forwards the replica region's audit events to the home region. */
    eventForwarder: (prefix: string) => `${prefix}-event-forwarder`,
    /** The External Secrets Operator controller's own role (it gets no secret read). */
    esoController: (prefix: string) => `${prefix}-eso-controller`,
    /** The event-driven refresh function's role: it may only ask ESO to resync ExternalSecrets, and reads no secret. */
    esoRefresh: (prefix: string) => `${prefix}-eso-refresh`,
    /** The role of the function that judges new trust documents of platform roles. */
    trustCheck: (prefix: string) => `${prefix}-trust-check`,
} as const;

/** Names of the platform's audit functions (rotation functions: {@link rotationFunctionName}). */
export const functionNames = {
    /** The daily `expires-at` check. */
    expiryCheck: (prefix: string) => `${prefix}-expiry-check`,
    /** The secret latency probe. */
    latencyProbe: (prefix: string) => `${prefix}-latency-probe`,
} as const;

/** The versioned bucket that holds the function packages, unsigned and signed, of one environment. */
export function functionArtifactsBucketName(prefix: string, accountId: string): string {
    return `${prefix}-function-artifacts-${accountId}`;
}

/** The AWS Signer profile of one environment's functions; Signer allows only letters, digits and `_` in profile names. */
export function signingProfileName(prefix: string): string {
    return `${prefix.replace(/[^A-Za-z0-9]/g, "_")}_functions`;
}

/** All platform role names share this prefix pattern, so an IAM condition can match them with one wildcard. */
export function platformRolePattern(prefix: string): string {
    return `${prefix}-*`;
}

/** The name of a rotation function. */
export function rotationFunctionName(prefix: string, strategy: string): string {
    return `${prefix}-rotate-${strategy}`.slice(0, 64);
}

/**
 * The tag that marks an IAM managed policy as a permissions boundary (a ceiling, not a grant); the policy pack's
 * least-privilege rule judges a policy carrying it as a boundary.
 */
export const PERMISSIONS_BOUNDARY_TAG = { key: "purpose", value: "permissions-boundary" } as const;

/** Tag keys that every managed secret carries. Rules, queries and functions read these, so they are part of the contract. */
export const TAG = {
    environment: "environment",
    owner: "owner",
    criticality: "criticality",
    kind: "secret-kind",
    rotationStrategy: "rotation-strategy",
    rotationDays: "rotation-days",
    catalogName: "catalog-name",
    managedBy: "managed-by",
    expiresAt: "expires-at",
    /** `true` on a rotated secret deployed in the foundation phase: no value yet, so no rotation yet. */
    firstValuePending: "first-value-pending",
    /** Assisted rotation: when the replaced credential must be revoked at the vendor by (ISO timestamp). */
    revokePreviousBy: "revoke-previous-by",
    /** Assisted rotation: who promoted the current value (the caller's ARN) and when. */
    rotatedBy: "rotated-by",
    rotatedAt: "rotated-at",
} as const;

/** A Snowflake identifier from a catalog name or workload id: `snowflake/dbt/core-dimensions` becomes `SNOWFLAKE_DBT_CORE_DIMENSIONS`. */
export function snowflakeIdentifier(name: string): string {
    return name.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/**
 * Names of the Snowflake objects the platform creates in an environment's account. Every name starts with the
 * environment's role prefix (`finledger:snowflake.rolePrefix`, such as `FL_PROD_`), so a grant that names another
 * environment's object is visible in the name alone.
 */
export const snowflakeNames = {
    /** The service user of one catalog key-pair secret (a workload may have several: a loader and a read-only checker). */
    serviceUser: (rolePrefix: string, catalogSecretName: string) => `${rolePrefix}${snowflakeIdentifier(catalogSecretName)}`,
    /** The account role of one workload; every service user of the workload has it as default role. */
    workloadRole: (rolePrefix: string, workloadId: string) => `${rolePrefix}WL_${snowflakeIdentifier(workloadId)}`,
    /** The rotation function's own service user; its role is `finledger:rotation.snowflake.rotationRole`. */
    rotatorUser: (rolePrefix: string) => `${rolePrefix}ROTATOR`,
    /** The one network policy every platform service user of the environment is attached to. */
    networkPolicy: (rolePrefix: string) => `${rolePrefix}PLATFORM_EGRESS`,
    /** The provisioning user the stack's Snowflake provider signs in as (created by the bootstrap, docs/snowflake.md). */
    provisionerUser: (rolePrefix: string) => `${rolePrefix}PROVISIONER`,
    /** The provisioning user's role: it owns every object the stack creates. */
    provisionerRole: (rolePrefix: string) => `${rolePrefix}PROVISIONER`,
    /** The login-only user PR previews sign in as (created by the bootstrap, docs/snowflake.md, "What previews use"). */
    previewerUser: (rolePrefix: string) => `${rolePrefix}PREVIEWER`,
    /** The previewer's only role: it holds no privilege, so the previewer can sign in and change nothing. */
    previewerRole: (rolePrefix: string) => `${rolePrefix}PREVIEWER`,
} as const;
