import { cloudtrailTrailAuditBaseline } from "./cloudtrail/trail-audit-baseline";
import { FinledgerResourcePolicy, FinledgerStackPolicy } from "./define";
import { externalsecretsAnyObjectOwnNamespacedStore } from "./externalsecrets/any-object-own-namespaced-store";
import { anyResourceNoCrossEnvironmentGrant } from "./general/any-resource-no-cross-environment-grant";
import { anyResourceNoPlaintextOutput } from "./general/any-resource-no-plaintext-output";
import { anyResourceNoPlaintextSecret } from "./general/any-resource-no-plaintext-secret";
import { iamPolicyLeastPrivilege } from "./iam/policy-least-privilege";
import { iamRoleGithubOidcTrustPinned } from "./iam/role-github-oidc-trust-pinned";
import { iamRoleIrsaTrustPinned } from "./iam/role-irsa-trust-pinned";
import { kmsKeyPolicyNoForeignOrBroadPrincipal } from "./kms/key-policy-no-foreign-or-broad-principal";
import { kmsKeyRotationEnabled } from "./kms/key-rotation-enabled";
import { lambdaFunctionRuntimeSupported } from "./lambda/function-runtime-supported";
import { lambdaFunctionCodeSigned } from "./lambda/function-code-signed";
import { kubernetesSecretNoLiteralData } from "./kubernetes/secret-no-literal-data";
import { packConfigDeclaresEnvironment } from "./pack/config-declares-environment";
import { secretsmanagerSecretRotationWithinPeriod } from "./secretsmanager/secret-rotation-within-period";
import { secretsmanagerSecretUsesEnvironmentCmk } from "./secretsmanager/secret-uses-environment-cmk";
import { secretsmanagerSecretversionNotManagedByProgram } from "./secretsmanager/secretversion-not-managed-by-program";
import { snowflakeNetworkpolicyNoOpenEgress } from "./snowflake/networkpolicy-no-open-egress";
import { snowflakeServiceuserKeypairOnly } from "./snowflake/serviceuser-keypair-only";

/** Every rule of the pack. The pack entry, `plan` and `policy:check` all read this one list. */
export const policies: Array<FinledgerResourcePolicy | FinledgerStackPolicy> = [
    packConfigDeclaresEnvironment,
    anyResourceNoPlaintextSecret,
    anyResourceNoPlaintextOutput,
    anyResourceNoCrossEnvironmentGrant,
    kubernetesSecretNoLiteralData,
    externalsecretsAnyObjectOwnNamespacedStore,
    secretsmanagerSecretversionNotManagedByProgram,
    secretsmanagerSecretUsesEnvironmentCmk,
    secretsmanagerSecretRotationWithinPeriod,
    kmsKeyRotationEnabled,
    kmsKeyPolicyNoForeignOrBroadPrincipal,
    iamPolicyLeastPrivilege,
    iamRoleIrsaTrustPinned,
    iamRoleGithubOidcTrustPinned,
    snowflakeServiceuserKeypairOnly,
    snowflakeNetworkpolicyNoOpenEgress,
    cloudtrailTrailAuditBaseline,
    lambdaFunctionRuntimeSupported,
    lambdaFunctionCodeSigned,
];
