import { buildSecretResourcePolicy } from "../../../components/managed-secret";
import { anyResourceNoCrossEnvironmentGrant as crossEnv } from "../../../policies/general/any-resource-no-cross-environment-grant";
import { DEV, DEV_ISSUER, githubRole, irsaRole, key, policyOf, PROD, PROD_ISSUER, readPolicy, secret, SECRET_ARN } from "../../support/access-fixtures";
import { ACCOUNTS, assertCompliant, assertViolation, target, withChange } from "../../support/policy-fixtures";

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
