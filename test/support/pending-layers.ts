/**
 * Stack rules whose layers are being built on other branches (rotation wiring, audit trail). On the policy branch
 * the real plans violate them, so the zero-violation checks allow exactly these. The lead empties this list when
 * the rotation and audit branches are merged; from then on the real plans must satisfy every rule.
 */
export const LAYERS_PENDING_MERGE: readonly string[] = [
    "secretsmanager-secret-rotation-within-period", // rotation branch: SecretRotation per critical secret, expires-at for manual ones
    "cloudtrail-trail-audit-baseline", // audit branch: CloudTrail + Object Lock bucket
];
