/**
 * Type tokens of this product's components, `<org>:<module>:<Type>`. Policies and tests use the same constants,
 * so a renamed component cannot silently escape a rule.
 */
export const TYPE = {
    EnvironmentKey: "finledger:kms:EnvironmentKey",
    FunctionLogKey: "finledger:kms:FunctionLogKey",
    ManagedSecret: "finledger:secrets:ManagedSecret",
    SecretsPlatform: "finledger:platform:SecretsPlatform",
    SecretRotation: "finledger:rotation:SecretRotation",
    AuditTrail: "finledger:audit:AuditTrail",
    AuditAlerts: "finledger:audit:AuditAlerts",
    SecretsComplianceRules: "finledger:audit:SecretsComplianceRules",
    SecretExpiryCheck: "finledger:audit:SecretExpiryCheck",
    RoleTrustCheck: "finledger:audit:RoleTrustCheck",
    AssistedRotationNotices: "finledger:audit:AssistedRotationNotices",
    LatencyProbe: "finledger:audit:LatencyProbe",
    BreakGlassRole: "finledger:audit:BreakGlassRole",
    EsoAlertRules: "finledger:audit:EsoAlertRules",
    GithubDeployAccess: "finledger:cicd:GithubDeployAccess",
    WorkloadIdentity: "finledger:identity:WorkloadIdentity",
    ExternalSecretsOperator: "finledger:runtime:ExternalSecretsOperator",
    AdmissionPolicies: "finledger:runtime:AdmissionPolicies",
    EsoEventRefresh: "finledger:runtime:EsoEventRefresh",
    SnowflakeServiceUser: "finledger:snowflake:SnowflakeServiceUser",
    SnowflakeWorkloadRole: "finledger:snowflake:SnowflakeWorkloadRole",
    SnowflakeRotator: "finledger:snowflake:SnowflakeRotator",
} as const;

