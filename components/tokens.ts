/**
 * Type tokens of this product's components, `<org>:<module>:<Type>`. Policies and tests use the same constants,
 * so a renamed component cannot silently escape a rule.
 */
export const TYPE = {
    EnvironmentKey: "finledger:kms:EnvironmentKey",
    ManagedSecret: "finledger:secrets:ManagedSecret",
    SecretsPlatform: "finledger:platform:SecretsPlatform",
    SecretRotation: "finledger:rotation:SecretRotation",
    AuditTrail: "finledger:audit:AuditTrail",
    AuditAlerts: "finledger:audit:AuditAlerts",
    SecretsComplianceRules: "finledger:audit:SecretsComplianceRules",
    SecretExpiryCheck: "finledger:audit:SecretExpiryCheck",
    LatencyProbe: "finledger:audit:LatencyProbe",
    BreakGlassRole: "finledger:audit:BreakGlassRole",
    EsoAlertRules: "finledger:audit:EsoAlertRules",
    GithubDeployAccess: "finledger:cicd:GithubDeployAccess",
    WorkloadIdentity: "finledger:identity:WorkloadIdentity",
    ExternalSecretsOperator: "finledger:runtime:ExternalSecretsOperator",
    SnowflakeServiceUser: "finledger:snowflake:SnowflakeServiceUser",
} as const;

/** Tag keys that every managed secret carries. Rules and queries read these, so they are part of the contract. */
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
} as const;
