import { buildEnvironmentKeyPolicy } from "../../components/environment-key";
import { buildSecretResourcePolicy, secretReadStatements } from "../../components/managed-secret";
import { roleNames } from "../../model/names";
import { anyResourceNoCrossEnvironmentGrant as crossEnv } from "../../policies/general/any-resource-no-cross-environment-grant";
import { iamPolicyLeastPrivilege as leastPrivilege } from "../../policies/iam/policy-least-privilege";
import { iamRoleGithubOidcTrustPinned as githubTrust } from "../../policies/iam/role-github-oidc-trust-pinned";
import { iamRoleIrsaTrustPinned as irsaTrust } from "../../policies/iam/role-irsa-trust-pinned";
import { kmsKeyPolicyNoForeignOrBroadPrincipal as keyPolicy } from "../../policies/kms/key-policy-no-foreign-or-broad-principal";
import { kmsKeyRotationEnabled as keyRotation } from "../../policies/kms/key-rotation-enabled";
import { secretsmanagerSecretUsesEnvironmentCmk as cmk } from "../../policies/secretsmanager/secret-uses-environment-cmk";
import { snowflakeServiceuserKeypairOnly as snowflakeUser } from "../../policies/snowflake/serviceuser-keypair-only";
import { ACCOUNTS, assertCompliant, assertViolation, target, withChange } from "../support/policy-fixtures";

const DEV = ACCOUNTS.dev;
const PROD = ACCOUNTS.prod;
const DEV_KEY = `arn:aws:kms:us-east-1:${DEV}:key/mrk-0123456789abcdef0123456789abcdef`;
const DEV_ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/5C8A3F1B2E9D4A7C6B0F1E2D3C4B5A69";
const PROD_ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/2B4D6F8A1C3E5B7D9F0A2C4E6B8D1F3A";
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${DEV}:secret:dev/airflow/connections/pg_kyc_ro-AbCdEf`;

function secret() {
    return target("aws:secretsmanager/secret:Secret", "pg-kyc", { name: "dev/airflow/connections/pg_kyc_ro", kmsKeyId: DEV_KEY, replicas: [{ region: "us-west-2", kmsKeyId: DEV_KEY.replace("us-east-1", "us-west-2") }] });
}

function key() {
    const policy = buildEnvironmentKeyPolicy({ accountId: DEV, region: "us-east-1", administratorRoleNames: ["fl-dev-platform-key-admin"] });
    return target("aws:kms/key:Key", "fl-dev-secrets-key", { enableKeyRotation: true, rotationPeriodInDays: 365, customerMasterKeySpec: "SYMMETRIC_DEFAULT", policy: JSON.stringify(policy) });
}

function irsaRole() {
    const trust = {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: `arn:aws:iam::${DEV}:oidc-provider/${DEV_ISSUER}` },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${DEV_ISSUER}:sub`]: "system:serviceaccount:airflow-risk:airflow-worker", [`${DEV_ISSUER}:aud`]: "sts.amazonaws.com" } },
            },
        ],
    };
    return target("aws:iam/role:Role", roleNames.workload("fl-dev", "airflow-risk"), { name: roleNames.workload("fl-dev", "airflow-risk"), assumeRolePolicy: JSON.stringify(trust) });
}

function githubRole(sub = "repo:finledger/secrets-platform:environment:dev") {
    const trust = {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: `arn:aws:iam::${DEV}:oidc-provider/token.actions.githubusercontent.com` },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { "token.actions.githubusercontent.com:sub": sub, "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
            },
        ],
    };
    return target("aws:iam/role:Role", "fl-dev-github-deploy", { name: "fl-dev-github-deploy", assumeRolePolicy: JSON.stringify(trust) });
}

function readPolicy() {
    return target("aws:iam/rolePolicy:RolePolicy", "airflow-risk-read", {
        role: "fl-dev-wl-airflow-risk",
        policy: JSON.stringify({ Version: "2012-10-17", Statement: secretReadStatements(SECRET_ARN, DEV_KEY, "us-east-1") }),
    });
}

const trustOf = (t: ReturnType<typeof irsaRole>) => JSON.parse(t.inputs.assumeRolePolicy as string);
const policyOf = (t: ReturnType<typeof readPolicy>) => JSON.parse(t.inputs.policy as string);

describe("secretsmanager-secret-uses-environment-cmk", () => {
    it("stays quiet on a secret and replica encrypted with the environment's key", async () => {
        await assertCompliant(cmk, secret());
    });
    it("reports a secret without kmsKeyId (aws/secretsmanager)", async () => {
        await assertViolation(cmk, withChange(secret(), (t) => delete t.inputs.kmsKeyId), /has no kmsKeyId, so AWS would use the shared aws\/secretsmanager key.*Fix: set kmsKeyId/);
    });
    it("reports the AWS-managed alias", async () => {
        await assertViolation(cmk, withChange(secret(), (t) => (t.inputs.kmsKeyId = "alias/aws/secretsmanager")), /AWS-managed aws\/secretsmanager key/);
    });
    it("reports a key of another environment, read from the pack config's account ids", async () => {
        await assertViolation(cmk, withChange(secret(), (t) => (t.inputs.kmsKeyId = DEV_KEY.replace(DEV, PROD))), /key of the prod environment \(account 736491028554\)/);
    });
    it("reports a replica encrypted with another environment's key", async () => {
        await assertViolation(cmk, withChange(secret(), (t) => ((t.inputs.replicas as any)[0].kmsKeyId = DEV_KEY.replace(DEV, ACCOUNTS.staging))), /replicas\[0\]\.kmsKeyId.*staging/);
    });
    it("reports an undeclared account's key", async () => {
        await assertViolation(cmk, withChange(secret(), (t) => (t.inputs.kmsKeyId = DEV_KEY.replace(DEV, "111122223333"))), /key of account 111122223333, but the dev environment's account is 402817365190/);
    });
});

describe("kms-key-rotation-enabled", () => {
    it("stays quiet on the environment key", async () => {
        await assertCompliant(keyRotation, key());
    });
    it("reports a key without rotation", async () => {
        await assertViolation(keyRotation, withChange(key(), (t) => (t.inputs.enableKeyRotation = false)), /does not have automatic rotation enabled.*Fix: set enableKeyRotation: true/);
    });
    it("reports a rotation period over a year", async () => {
        await assertViolation(keyRotation, withChange(key(), (t) => (t.inputs.rotationPeriodInDays = 730)), /rotates every 730 days/);
    });
});

describe("kms-key-policy-no-foreign-or-broad-principal", () => {
    it("stays quiet on buildEnvironmentKeyPolicy (root kms:* is the delegation to IAM)", async () => {
        await assertCompliant(keyPolicy, key());
    });
    it("reports kms:* for a non-root principal", async () => {
        const bad = withChange(key(), (t) => {
            const p = JSON.parse(t.inputs.policy as string);
            p.Statement[1].Action = "kms:*";
            t.inputs.policy = JSON.stringify(p);
        });
        await assertViolation(keyPolicy, bad, /KeyAdministratorsManageTheKey\) allows kms:\* to arn:aws:iam::402817365190:role\/fl-dev-platform-key-admin, not only the account root/);
    });
    it("reports a principal of another account", async () => {
        const bad = withChange(key(), (t) => {
            const p = JSON.parse(t.inputs.policy as string);
            p.Statement[1].Principal.AWS = [`arn:aws:iam::${PROD}:role/fl-prod-platform-key-admin`];
            t.inputs.policy = JSON.stringify(p);
        });
        await assertViolation(keyPolicy, bad, /names principal 'arn:aws:iam::736491028554:role\/fl-prod-platform-key-admin' of account 736491028554, outside the dev account/);
    });
});

describe("iam-policy-least-privilege", () => {
    it("stays quiet on grantRead's statements, the secret resource policy (Deny with *) and the key policy", async () => {
        await assertCompliant(leastPrivilege, [
            readPolicy(),
            key(),
            irsaRole(),
            target("aws:secretsmanager/secretPolicy:SecretPolicy", "p", { secretArn: SECRET_ARN, policy: JSON.stringify(buildSecretResourcePolicy(DEV)) }),
        ]);
    });
    it("reports secretsmanager:*", async () => {
        await assertViolation(leastPrivilege, withChange(readPolicy(), (t) => (t.inputs.policy = JSON.stringify(withChange(policyOf(t), (p: any) => (p.Statement[0].Action = "secretsmanager:*"))))), /allows secretsmanager:\*/);
    });
    it("reports the * action", async () => {
        await assertViolation(leastPrivilege, withChange(readPolicy(), (t) => (t.inputs.policy = JSON.stringify(withChange(policyOf(t), (p: any) => (p.Statement[0].Action = "*"))))), /allows \*/);
    });
    it("reports kms:* in an identity policy", async () => {
        await assertViolation(leastPrivilege, withChange(readPolicy(), (t) => (t.inputs.policy = JSON.stringify(withChange(policyOf(t), (p: any) => (p.Statement[1].Action = "kms:*"))))), /allows kms:\*/);
    });
    it("reports GetSecretValue on Resource *", async () => {
        await assertViolation(leastPrivilege, withChange(readPolicy(), (t) => (t.inputs.policy = JSON.stringify(withChange(policyOf(t), (p: any) => (p.Statement[0].Resource = "*"))))), /secretsmanager:GetSecretValue on \* instead of named secret and key ARNs/);
    });
    it("reports kms:Decrypt on every key of the account", async () => {
        await assertViolation(leastPrivilege, withChange(readPolicy(), (t) => (t.inputs.policy = JSON.stringify(withChange(policyOf(t), (p: any) => (p.Statement[1].Resource = `arn:aws:kms:us-east-1:${DEV}:key/*`))))), /kms:Decrypt on arn:aws:kms:us-east-1:402817365190:key\/\*/);
    });
    it("reports a wildcard principal in an Allow", async () => {
        const bad = target("aws:s3/bucketPolicy:BucketPolicy", "audit", { bucket: "fl-dev-audit", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::fl-dev-audit/*" }] }) });
        await assertViolation(leastPrivilege, bad, /allows a wildcard principal/);
    });
});

describe("iam-policy-least-privilege on VPC endpoint policies (boundaries, not grants)", () => {
    const endpoint = () =>
        target("aws:ec2/vpcEndpoint:VpcEndpoint", "fl-dev-secretsmanager-endpoint", {
            serviceName: "com.amazonaws.us-east-1.secretsmanager",
            policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "OnlyThisAccount", Effect: "Allow", Principal: "*", Action: "secretsmanager:*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalAccount": DEV } } }] }),
        });
    it("stays quiet on an endpoint policy pinned to the account", async () => {
        await assertCompliant(leastPrivilege, endpoint());
    });
    it("reports an endpoint policy open to every account", async () => {
        const bad = withChange(endpoint(), (t) => (t.inputs.policy = JSON.stringify(withChange(JSON.parse(t.inputs.policy as string), (p: any) => delete p.Statement[0].Condition))));
        await assertViolation(leastPrivilege, bad, /wildcard principal without pinning aws:PrincipalAccount/);
    });
});

describe("iam-role-irsa-trust-pinned", () => {
    it("stays quiet on a trust pinned to one service account and sts audience", async () => {
        await assertCompliant(irsaTrust, irsaRole());
    });
    const change = (f: (trust: any) => void) => withChange(irsaRole(), (t) => (t.inputs.assumeRolePolicy = JSON.stringify(withChange(trustOf(t), f))));
    it("reports StringLike on :sub", async () => {
        await assertViolation(irsaTrust, change((p) => (p.Statement[0].Condition = { StringLike: p.Statement[0].Condition.StringEquals })), /matches :sub with StringLike; use StringEquals/);
    });
    it("reports two service accounts", async () => {
        await assertViolation(irsaTrust, change((p) => (p.Statement[0].Condition.StringEquals[`${DEV_ISSUER}:sub`] = ["system:serviceaccount:a:b", "system:serviceaccount:c:d"])), /allows 2 service accounts/);
    });
    it("reports a wildcard service account", async () => {
        await assertViolation(irsaTrust, change((p) => (p.Statement[0].Condition.StringEquals[`${DEV_ISSUER}:sub`] = "system:serviceaccount:airflow-risk:*")), /not exactly one system:serviceaccount/);
    });
    it("reports a missing :aud", async () => {
        await assertViolation(irsaTrust, change((p) => delete p.Statement[0].Condition.StringEquals[`${DEV_ISSUER}:aud`]), /does not pin .*:aud to sts\.amazonaws\.com/);
    });
    it("reports a missing :sub", async () => {
        await assertViolation(irsaTrust, change((p) => delete p.Statement[0].Condition.StringEquals[`${DEV_ISSUER}:sub`]), /does not pin .*:sub with StringEquals/);
    });
});

describe("iam-role-github-oidc-trust-pinned", () => {
    it("stays quiet on a deploy role (environment) and a preview role (pull_request)", async () => {
        await assertCompliant(githubTrust, [githubRole(), githubRole("repo:finledger/secrets-platform:pull_request")]);
    });
    it("reports a wildcard in sub", async () => {
        await assertViolation(githubTrust, githubRole("repo:finledger/secrets-platform:*"), /wildcard in token\.actions\.githubusercontent\.com:sub/);
    });
    it("reports a branch subject that pins no environment", async () => {
        await assertViolation(githubTrust, githubRole("repo:finledger/secrets-platform:ref:refs/heads/main"), /names neither repo:<org>\/<repo>:environment:<env> nor/);
    });
    it("reports a role of one environment that trusts another environment's deployments", async () => {
        await assertViolation(githubTrust, githubRole("repo:finledger/secrets-platform:environment:prod"), /trusts the GitHub environment 'prod' in the 'dev' stack/);
    });
    it("reports a trust without sub", async () => {
        const bad = withChange(githubRole(), (t) => {
            const p = trustOf(t);
            delete p.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"];
            t.inputs.assumeRolePolicy = JSON.stringify(p);
        });
        await assertViolation(githubTrust, bad, /any repository on GitHub could assume the role/);
    });
});

describe("any-resource-no-cross-environment-grant", () => {
    const eso = () =>
        target("kubernetes:external-secrets.io/v1:ExternalSecret", "pg-kyc", {
            metadata: { namespace: "airflow-risk" },
            spec: { secretStoreRef: { name: "aws-secrets", kind: "SecretStore" }, data: [{ secretKey: "conn", remoteRef: { key: "dev/airflow/connections/pg_kyc_ro" } }] },
        });
    const store = () =>
        target("kubernetes:external-secrets.io/v1:SecretStore", "aws-secrets", {
            spec: { provider: { aws: { service: "SecretsManager", region: "us-east-1", role: `arn:aws:iam::${DEV}:role/fl-dev-wl-airflow-risk`, auth: { jwt: { serviceAccountRef: { name: "airflow-worker" } } } } } },
        });
    const grant = () => target("snowflake:index/grantAccountRole:GrantAccountRole", "g", { roleName: "FL_DEV_DBT_FINANCE", parentRoleName: "FL_DEV_TRANSFORMER" });

    it("stays quiet on this environment's platform resources", async () => {
        await assertCompliant(crossEnv, [secret(), key(), irsaRole(), githubRole(), readPolicy(), eso(), store(), grant(), target("aws:secretsmanager/secretPolicy:SecretPolicy", "p", { secretArn: SECRET_ARN, policy: JSON.stringify(buildSecretResourcePolicy(DEV)) })]);
    });
    it("stays quiet when a description merely mentions another environment", async () => {
        await assertCompliant(crossEnv, withChange(secret(), (t) => (t.inputs.description = "Same as prod/airflow/connections/pg_kyc_ro, for dev data only")));
    });
    it("reports a prod secret ARN granted to a dev role", async () => {
        await assertViolation(crossEnv, withChange(readPolicy(), (t) => (t.inputs.policy = JSON.stringify(withChange(policyOf(t), (p: any) => (p.Statement[0].Resource = SECRET_ARN.replace(DEV, PROD).replace("dev/", "prod/")))))), /an ARN in the prod account/);
    });
    it("reports another environment's account id as a principal", async () => {
        const bad = target("aws:secretsmanager/secretPolicy:SecretPolicy", "p", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ACCOUNTS.staging }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] }) });
        await assertViolation(crossEnv, bad, /the staging account id 518204967331/);
    });
    it("reports a trust on another environment's cluster issuer", async () => {
        await assertViolation(crossEnv, withChange(irsaRole(), (t) => (t.inputs.assumeRolePolicy = (t.inputs.assumeRolePolicy as string).split(DEV_ISSUER).join(PROD_ISSUER))), /prod cluster's OIDC issuer/);
    });
    it("reports an ExternalSecret key of another environment", async () => {
        await assertViolation(crossEnv, withChange(eso(), (t) => ((t.inputs.spec as any).data[0].remoteRef.key = "prod/airflow/connections/pg_kyc_ro")), /the prod name or path 'prod\/airflow\/connections\/pg_kyc_ro' at 'spec\.data\[0\]\.remoteRef\.key'/);
    });
    it("reports an MSK secret path of another environment", async () => {
        await assertViolation(crossEnv, withChange(eso(), (t) => ((t.inputs.spec as any).data[0].remoteRef.key = "AmazonMSK_staging/kafka/x")), /staging name or path/);
    });
    it("reports a SecretStore assuming another environment's role name", async () => {
        await assertViolation(crossEnv, withChange(store(), (t) => ((t.inputs.spec as any).provider.aws.role = `arn:aws:iam::${DEV}:role/fl-prod-wl-airflow-risk`)), /an ARN naming a prod resource/);
    });
    it("reports a Snowflake grant of another environment's role", async () => {
        await assertViolation(crossEnv, withChange(grant(), (t) => (t.inputs.parentRoleName = "FL_PROD_TRANSFORMER")), /the prod Snowflake object 'FL_PROD_TRANSFORMER'/);
    });
    it("reports a ClusterSecretStore and an ExternalSecret dataFrom reaching into another environment", async () => {
        const clusterStore = target("kubernetes:external-secrets.io/v1:ClusterSecretStore", "all", { spec: { provider: { aws: { service: "SecretsManager", region: "us-east-1", role: `arn:aws:iam::${ACCOUNTS.staging}:role/fl-staging-eso` } } } });
        await assertViolation(crossEnv, clusterStore, /an ARN in the staging account/);
        const dataFrom = withChange(eso(), (t) => ((t.inputs.spec as any).dataFrom = [{ find: { name: { regexp: "^prod/airflow/.*" } } }]));
        await assertViolation(crossEnv, dataFrom, /the prod name or path '\^prod\/airflow\/\.\*' at 'spec\.dataFrom\[0\]\.find\.name\.regexp'/);
    });

    it("reports an IAM role named with another environment's prefix", async () => {
        await assertViolation(crossEnv, withChange(irsaRole(), (t) => (t.inputs.name = "fl-staging-wl-airflow-risk")), /the staging name or path 'fl-staging-wl-airflow-risk'/);
    });
});

describe("snowflake-serviceuser-keypair-only", () => {
    const user = () => target("snowflake:index/serviceUser:ServiceUser", "dbt-finance", { name: "FL_DEV_DBT_FINANCE", rsaPublicKey: "MIIBIjANBgkq", defaultRole: "FL_DEV_DBT_FINANCE" });
    it("stays quiet on a service user with a public key", async () => {
        await assertCompliant(snowflakeUser, user());
    });
    it("reports a password", async () => {
        await assertViolation(snowflakeUser, withChange(user(), (t) => (t.inputs.password = "[secret]")), /sets a password.*Fix: create the user as snowflake\.ServiceUser/);
    });
    it("reports a missing public key", async () => {
        await assertViolation(snowflakeUser, withChange(user(), (t) => delete t.inputs.rsaPublicKey), /has no RSA public key/);
    });
    it("accepts the key in slot 2 during a rotation", async () => {
        await assertCompliant(snowflakeUser, withChange(user(), (t) => { delete t.inputs.rsaPublicKey; t.inputs.rsaPublicKey2 = "MIIBIjANBgkq"; }));
    });
    it("reports a legacy service user with a password", async () => {
        await assertViolation(snowflakeUser, target("snowflake:index/legacyServiceUser:LegacyServiceUser", "legacy", { name: "FL_DEV_LEGACY", password: "[secret]" }), /sets a password/);
    });
});
