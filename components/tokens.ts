/**
 * Type tokens of this product's components, `<org>:<module>:<Type>`. Policies and tests use the same constants,
 * so a renamed component cannot silently escape a rule.
 */
export const TYPE = {
    EnvironmentKey: "finledger:kms:EnvironmentKey",
    ManagedSecret: "finledger:secrets:ManagedSecret",
    SecretsPlatform: "finledger:platform:SecretsPlatform",
    SecretRotation: "finledger:rotation:SecretRotation",
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
