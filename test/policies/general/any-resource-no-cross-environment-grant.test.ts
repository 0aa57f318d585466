import { buildSecretResourcePolicy } from "../../../components/managed-secret";
import { anyResourceNoCrossEnvironmentGrant as crossEnv, anyResourceNoCrossEnvironmentGrant as rule, snowflakeAccountSpellings } from "../../../policies/general/any-resource-no-cross-environment-grant";
import { PACK_SETTINGS, settingsProblems } from "../../../policies/settings";
import { DEV, DEV_ISSUER, githubRole, irsaRole, key, policyOf, PROD, PROD_ISSUER, readPolicy, secret, SECRET_ARN } from "../../support/access-fixtures";
import { ACCOUNTS, assertCompliant, assertViolation, target, violationsOf, withChange } from "../../support/policy-fixtures";
import { strict as assert } from "assert";

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

// Snowflake shares, shared databases, stages and storage integrations of the dev stack; accounts and prefixes come
// from policies/pack-config.json (FINLEDGER-<ENV>, fl-<env>-), as Pulumi.<env>.yaml declares them.
const share = () => target("snowflake:index/share:Share", "ledger-share", { name: "FL_DEV_LEDGER_SHARE", accounts: ["FINLEDGER.PARTNER_BANK"], comment: "Shared with FINLEDGER.PROD reviewers later" });
const sharedDatabase = () => target("snowflake:index/sharedDatabase:SharedDatabase", "partner-ledger", { name: "FL_DEV_PARTNER_LEDGER", fromShare: "FINLEDGER.PARTNER_BANK.LEDGER_SHARE" });
const stage = () => target("snowflake:index/stage:Stage", "landing", { name: "LANDING", database: "FL_DEV", schema: "RAW", url: "s3://fl-dev-landing/raw/", storageIntegration: "FL_DEV_S3" });
const integration = () =>
    target("snowflake:index/storageIntegration:StorageIntegration", "s3", {
        name: "FL_DEV_S3",
        storageProvider: "S3",
        storageAllowedLocations: ["s3://fl-dev-landing/raw/"],
        storageBlockedLocations: ["s3://fl-prod-landing/", "s3://fl-staging-landing/"],
        storageAwsRoleArn: "arn:aws:iam::402817365190:role/fl-dev-snowflake-s3",
    });

describe("any-resource-no-cross-environment-grant: Snowflake shares and stages that point at another environment", () => {
    it("stays quiet on a share to a partner, a database from a partner's share, a stage on the environment's own bucket and an integration that blocks the other environments' buckets", async () => {
        await assertCompliant(rule, [share(), sharedDatabase(), stage(), integration()]);
    });
    it("reports a share that adds another environment's Snowflake account, in the ORG.ACCOUNT form shares use", async () => {
        await assertViolation(rule, withChange(share(), (t) => (t.inputs.accounts = ["FINLEDGER.PARTNER_BANK", "FINLEDGER.PROD"])), /'ledger-share' \(snowflake:index\/share:Share\) references the prod Snowflake account FINLEDGER-PROD in 'FINLEDGER.PROD' at 'accounts\[1\]'/);
        await assertViolation(rule, withChange(share(), (t) => (t.inputs.accounts = ["finledger.staging"])), /the staging Snowflake account FINLEDGER-STAGING/);
    });
    it("reports a database created from another environment's share", async () => {
        await assertViolation(rule, withChange(sharedDatabase(), (t) => (t.inputs.fromShare = "FINLEDGER.PROD.LEDGER_SHARE")), /the prod Snowflake account FINLEDGER-PROD in 'FINLEDGER.PROD.LEDGER_SHARE' at 'fromShare'/);
    });
    it("reports a connection to another environment's account in its ORG-ACCOUNT form", async () => {
        const conn = target("kubernetes:core/v1:ConfigMap", "dbt-profile", { data: { SNOWFLAKE_ACCOUNT: "FINLEDGER-PROD", SNOWFLAKE_HOST: "finledger-prod.snowflakecomputing.com" } });
        const violations = await assertViolation(rule, conn, /the prod Snowflake account FINLEDGER-PROD in 'FINLEDGER-PROD' at 'data.SNOWFLAKE_ACCOUNT'/);
        assert.ok(violations.some((v) => /'finledger-prod.snowflakecomputing.com' at 'data.SNOWFLAKE_HOST'/.test(v.message)));
    });
    it("does not take a longer account name that starts like another environment's for that account", async () => {
        await assertCompliant(rule, withChange(share(), (t) => (t.inputs.accounts = ["FINLEDGER.PRODUCTS", "FINLEDGER.PROD_ARCHIVE", "XFINLEDGER.PROD"])));
    });
    it("reports a stage whose URL is another environment's bucket", async () => {
        await assertViolation(rule, withChange(stage(), (t) => (t.inputs.url = "s3://fl-prod-landing/raw/")), /'landing' \(snowflake:index\/stage:Stage\) references the prod bucket 'fl-prod-landing' in 's3:\/\/fl-prod-landing\/raw\/' at 'url'/);
        await assertViolation(rule, withChange(stage(), (t) => (t.inputs.url = "S3://FL-STAGING-LANDING/raw/")), /the staging bucket 'fl-staging-landing'/);
    });
    it("reports a stage through another environment's storage integration", async () => {
        await assertViolation(rule, withChange(stage(), (t) => (t.inputs.storageIntegration = "FL_PROD_S3")), /the prod Snowflake object 'FL_PROD_S3' at 'storageIntegration'/);
    });
    it("reports a storage integration allowed into another environment's bucket, but never its blocked locations", async () => {
        await assertViolation(rule, withChange(integration(), (t) => (t.inputs.storageAllowedLocations = ["s3://fl-dev-landing/raw/", "s3://fl-prod-landing/"])), /the prod bucket 'fl-prod-landing' in 's3:\/\/fl-prod-landing\/' at 'storageAllowedLocations\[1\]'/);
    });
    it("reads s3a:// URLs of Spark conf too, and only buckets named with the other environment's prefix", async () => {
        const spark = (path: string) => target("kubernetes:sparkoperator.k8s.io/v1beta2:SparkApplication", "ledger", { spec: { sparkConf: { "spark.sql.warehouse.dir": path } } });
        await assertViolation(rule, spark("s3a://fl-prod-warehouse/ledger"), /the prod bucket 'fl-prod-warehouse'/);
        await assertCompliant(rule, spark("s3a://fl-dev-warehouse/ledger"));
        await assertCompliant(rule, spark("s3a://fl-production-archive/ledger"));
    });
    it("spells an account both ways, and the pack config declares each environment's account in a valid form", () => {
        assert.deepEqual(snowflakeAccountSpellings("FINLEDGER-PROD"), ["FINLEDGER-PROD", "FINLEDGER.PROD"]);
        assert.deepEqual(snowflakeAccountSpellings("LOCATOR1"), ["LOCATOR1"]);
        assert.deepEqual(PACK_SETTINGS.environments.map((e) => e.snowflakeAccount), ["FINLEDGER-DEV", "FINLEDGER-STAGING", "FINLEDGER-PROD"]);
        const bad = { ...PACK_SETTINGS.environments[0], snowflakeAccount: "finledger.dev" };
        assert.deepEqual(settingsProblems({ environments: [bad], exemptions: [], deprecatedLambdaRuntimes: [] }), [
            "policies/pack-config.json (pack-config-declares-environment) environments[0].snowflakeAccount 'finledger.dev' is not a Snowflake account identifier ORG-ACCOUNT; copy finledger:snowflake.account from Pulumi.dev.yaml.",
        ]);
    });
});

describe("any-resource-no-cross-environment-grant: each way a string can name another environment", () => {
    const PROD_ISSUER = "2B4D6F8A1C3E5B7D9F0A2C4E6B8D1F3A";
    const cm = (data: Record<string, unknown>) => target("kubernetes:core/v1:ConfigMap", "refs", { data });
    const messages = async (data: Record<string, unknown>) => (await violationsOf(rule, cm(data))).map((v) => v.message.split(". Fix")[0]);
    it("names the account, the issuer, the name prefix, the secret path and the alias of another environment", async () => {
        assert.deepEqual(await messages({ account: "736491028554" }), ["'refs' (kubernetes:core/v1:ConfigMap) references the prod account id 736491028554 at 'data.account'"]);
        assert.deepEqual(await messages({ issuer: `https://oidc.eks.us-east-1.amazonaws.com/id/${PROD_ISSUER}` }), [`'refs' (kubernetes:core/v1:ConfigMap) references the prod cluster's OIDC issuer (${PROD_ISSUER}) at 'data.issuer'`]);
        assert.deepEqual(await messages({ role: `arn:aws:iam::402817365190:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/${PROD_ISSUER}` }), [`'refs' (kubernetes:core/v1:ConfigMap) references the prod cluster's OIDC issuer (${PROD_ISSUER}) in arn:aws:iam::402817365190:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/${PROD_ISSUER} at 'data.role'`]);
        assert.deepEqual(await messages({ name: "fl-prod" }), ["'refs' (kubernetes:core/v1:ConfigMap) references the prod name or path 'fl-prod' at 'data.name'"]);
        assert.deepEqual(await messages({ key: "alias/fl-staging-secrets" }), ["'refs' (kubernetes:core/v1:ConfigMap) references the staging name or path 'alias/fl-staging-secrets' at 'data.key'"]);
        assert.deepEqual(await messages({ path: "^prod/airflow/" }), ["'refs' (kubernetes:core/v1:ConfigMap) references the prod name or path '^prod/airflow/' at 'data.path'"]);
        assert.deepEqual(await messages({ secretId: "AmazonMSK_prod/kafka" }), ["'refs' (kubernetes:core/v1:ConfigMap) references the prod name or path 'AmazonMSK_prod/kafka' at 'data.secretId'"]);
        assert.deepEqual(await messages({ arn: "arn:aws:secretsmanager:us-east-1:402817365190:secret:prod/x-AbCdEf" }), ["'refs' (kubernetes:core/v1:ConfigMap) references an ARN naming a prod resource (arn:aws:secretsmanager:us-east-1:402817365190:secret:prod/x-AbCdEf) at 'data.arn'"]);
        assert.deepEqual(await messages({ database: "FL_PROD" }), ["'refs' (kubernetes:core/v1:ConfigMap) references the prod Snowflake object 'FL_PROD' at 'data.database'"]);
    });
    it("ignores free text, names under keys that are not names, the stack's own environment and look-alikes", async () => {
        assert.deepEqual(await messages({ description: "copied from fl-prod and 736491028554", note: "fl-prod-x", name: "fl-dev-x", other: "fl-production", database: "FL_PRODUCTION", url: "s3://fl-dev-x/y" }), []);
        assert.deepEqual(await messages({ name: "xfl-prod-a", key: "alias/fl-prod", path: "prodx/a" }), []);
    });
    it("reports one reference once even when a JSON document repeats it, and reads the document's own strings", async () => {
        const arn = "arn:aws:iam::736491028554:role/x";
        const found = await messages({ policy: JSON.stringify({ Statement: [{ Resource: [arn, arn] }] }) });
        assert.deepEqual(found, [`'refs' (kubernetes:core/v1:ConfigMap) references an ARN in the prod account (${arn}) at 'data.policy<json>.Statement[0].Resource[0]'`]);
    });
    it("recognises another environment by the Snowflake database, role prefix and account its declaration gives, not by a fixed spelling", async () => {
        // A declaration the rule has never seen: its marks are built from these fields in this run.
        const declared = (prod: Record<string, unknown>) => ({ [rule.name]: { environments: PACK_SETTINGS.environments.map((e) => (e.name === "prod" ? { ...e, ...prod } : { ...e })) } });
        const found = async (data: Record<string, unknown>, config: Record<string, unknown>) => (await violationsOf(rule, cm(data), config)).map((v) => v.message.split(". Fix")[0]);
        const renamed = declared({ snowflakeDatabase: '"FL_PRD"', snowflakeRolePrefix: "FL_PRR__", snowflakeAccount: "FINLEDGER-PRD" });
        assert.deepEqual(await found({ database: "FL_PRD" }, renamed), ["'refs' (kubernetes:core/v1:ConfigMap) references the prod Snowflake object 'FL_PRD' at 'data.database'"], "the quotes of a quoted identifier are dropped");
        assert.deepEqual(await found({ role: "FL_PRR_LOADER" }, renamed), ["'refs' (kubernetes:core/v1:ConfigMap) references the prod Snowflake object 'FL_PRR_LOADER' at 'data.role'"], "trailing underscores of a role prefix are dropped");
        assert.deepEqual(await found({ share: "FINLEDGER.PRD.LEDGER" }, renamed), ["'refs' (kubernetes:core/v1:ConfigMap) references the prod Snowflake account FINLEDGER-PRD in 'FINLEDGER.PRD.LEDGER' at 'data.share'"]);
        assert.deepEqual(await found({ database: "FL_DEV", role: "FL_PROD_LOADER", share: "FINLEDGER.PROD" }, renamed), [], "the old spellings no longer name prod");
        assert.deepEqual(await found({ share: "FINLEDGER.PRD" }, declared({ snowflakeAccount: "finledger.prd" })), [], "an account that is not ORG-ACCOUNT is not matched");
        assert.deepEqual(await found({ share: "FINLEDGER.PRD" }, declared({ snowflakeAccount: 42 })), [], "an account that is not a string is not matched");
    });
    it("has nothing to compare with when no other environment is declared", async () => {
        const only = { environments: PACK_SETTINGS.environments.filter((e) => e.name === "dev") };
        assert.deepEqual(await violationsOf(rule, cm({ account: "736491028554" }), { [rule.name]: only }), []);
    });
});
