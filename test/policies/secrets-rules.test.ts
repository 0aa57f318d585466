import { strict as assert } from "assert";
import { anyResourceNoPlaintextSecret as rule } from "../../policies/general/any-resource-no-plaintext-secret";
import { kubernetesSecretNoLiteralData } from "../../policies/kubernetes/secret-no-literal-data";
import { secretsmanagerSecretversionNotManagedByProgram } from "../../policies/secretsmanager/secretversion-not-managed-by-program";
import { ACCOUNTS, assertCompliant, assertViolation, fake, target, urnOf, violationsOf, withChange } from "../support/policy-fixtures";

const UNWRAPPED = /policies see Pulumi secrets unwrapped/i;
const EXEMPTION_PATH = /exemption .*policies\/pack-config\.json/;

/** An Airflow Helm release as the platform deploys it: everything is a reference, nothing is a value. */
function airflowRelease() {
    return target("kubernetes:helm.sh/v3:Release", "airflow-risk", {
        chart: "airflow",
        namespace: "airflow-risk",
        values: {
            fernetKeySecretName: "airflow-fernet-key",
            webserverSecretKeySecretName: "airflow-webserver-secret-key",
            env: [
                { name: "AIRFLOW__SECRETS__BACKEND", value: "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend" },
                { name: "AIRFLOW__SECRETS__BACKEND_KWARGS", value: JSON.stringify({ connections_prefix: "dev/airflow/connections", variables_prefix: "dev/airflow/variables", sep: "/" }) },
                { name: "AIRFLOW_CONN_METADATA_REF", valueFrom: { secretKeyRef: { name: "airflow-metadata", key: "connection" } } },
            ],
            serviceAccount: { annotations: { "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNTS.dev}:role/fl-dev-wl-airflow-risk` } },
            config: { core: { dags_folder: "/opt/airflow/dags" } },
        },
    });
}

describe("any-resource-no-plaintext-secret", () => {
    it("stays quiet on an Airflow release that only references secrets", async () => {
        await assertCompliant(rule, airflowRelease());
    });

    it("stays quiet on a managed secret and its resource policy", async () => {
        await assertCompliant(rule, [
            target("aws:secretsmanager/secret:Secret", "s", { name: "dev/snowflake/dbt/finance", kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNTS.dev}:key/mrk-0123456789abcdef0123456789abcdef`, tags: { "rotation-strategy": "snowflake-key-pair", "rotation-days": "30" } }),
            target("aws:secretsmanager/secretPolicy:SecretPolicy", "p", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", Principal: "*", Action: "secretsmanager:*", Resource: "*" }] }) }),
        ]);
    });

    it("reports a token pasted into a Helm value, with the unwrapped-secrets note and the exemption path", async () => {
        const bad = withChange(airflowRelease(), (t) => ((t.inputs.values as any).config.api = { auth_token: fake.githubToken() }));
        const [v] = await assertViolation(rule, bad, /values\.config\.api\.auth_token/);
        assert.match(v.message, UNWRAPPED);
        assert.match(v.message, EXEMPTION_PATH);
        assert.ok(!v.message.includes(fake.githubToken()), "the value itself is never printed");
    });

    it("reports an Airflow connection URI with a password in the Airflow env", async () => {
        const uri = ["postgresql", "://", "etl_user", ":", fake.password(), "@", "pg.internal:5432/ledger"].join("");
        const bad = withChange(airflowRelease(), (t) => (t.inputs.values as any).env.push({ name: "AIRFLOW_CONN_LEDGER", value: uri }));
        await assertViolation(rule, bad, /env\[3\]\.value' \(detector connection-uri-password\)/);
    });

    it("reports a JDBC URL with a password parameter in Spark conf", async () => {
        const jdbc = ["jdbc:postgresql://pg.internal:5432/ledger?user=spark&", "password=", fake.password(9)].join("");
        const app = target("kubernetes:sparkoperator.k8s.io/v1beta2:SparkApplication", "ledger", { spec: { sparkConf: { "spark.datasource.url": jdbc } } });
        await assertViolation(rule, app, /sparkConf.*connection-uri-password/);
    });

    it("reports Kafka JAAS and sasl.password in a ConfigMap", async () => {
        const jaas = ['org.apache.kafka.common.security.scram.ScramLoginModule required username="svc" ', "password=", '"', fake.password(11), '";'].join("");
        const cm = target("kubernetes:core/v1:ConfigMap", "kafka", { data: { "sasl.jaas.config": jaas } });
        await assertViolation(rule, cm, /kafka-jaas-password/);
        const cm2 = target("kubernetes:core/v1:ConfigMap", "kafka2", { data: { "sasl.password": fake.password(12) } });
        await assertViolation(rule, cm2, /kafka-sasl-password/);
    });

    it("reports a PEM private key in a Lambda environment", async () => {
        const fn = target("aws:lambda/function:Function", "rot", { environment: { variables: { SNOWFLAKE_KEY: fake.pemPrivateKey() } } });
        await assertViolation(rule, fn, /environment\.variables\.SNOWFLAKE_KEY' \(detector pem-private-key\)/);
    });

    it("reports a basic-auth URL in container args", async () => {
        const url = ["https://", "deploy", ":", fake.password(13), "@", "registry.example.com/v2"].join("");
        const job = target("kubernetes:batch/v1:Job", "sync", { spec: { template: { spec: { containers: [{ name: "c", args: ["--source", url] }] } } } });
        await assertViolation(rule, job, /args\[1\]' \(detector basic-auth-url\)/);
    });

    it("reports a high-entropy value under a secret-like key in an ECS container definition JSON string", async () => {
        const defs = JSON.stringify([{ name: "app", environment: [{ name: "VENDOR_API_KEY", value: fake.password(21) }] }]);
        const task = target("aws:ecs/taskDefinition:TaskDefinition", "app", { containerDefinitions: defs });
        await assertViolation(rule, task, /containerDefinitions<json>\[0\]\.environment\[0\]\.value' \(detector high-entropy-secret-key\)/);
    });

    it("reports what the secretlint preset knows (a GitHub token) under an innocent key", async () => {
        const t = target("aws:ssm/parameter:Parameter", "p", { value: fake.githubToken() });
        await assertViolation(rule, t, /secretlint:@secretlint\/secretlint-rule-github/);
    });

    it("reports a --password=<value> container argument", async () => {
        const job = target("kubernetes:batch/v1:Job", "j", { spec: { args: [`--db-password=${fake.password(31)}`] } });
        await assertViolation(rule, job, /secret-argument/);
    });

    it("reads Helm values passed as YAML text and reports a password under a secret-like key", async () => {
        const yaml = ["workers:", "  replicas: 2", "data:", "  metadataConnection:", "    user: airflow", `    pass: "${fake.password(41)}"`].join("\n");
        const release = target("kubernetes:helm.sh/v3:Release", "airflow-yaml", { chart: "airflow", valueYamlFiles: [], values: { extraValues: yaml } });
        await assertViolation(rule, release, /values\.extraValues<yaml>\.data\.metadataConnection\.pass' \(detector high-entropy-secret-key\)/);
        await assertCompliant(rule, withChange(release, (t) => ((t.inputs.values as any).extraValues = yaml.replace(/pass: .*/, "pass: \"{{ .Values.pass }}\""))));
    });

    it("does not read bundled function code (assets and archives), where connection-string examples are normal", async () => {
        const bundle = ["// e.g. ", "postgres", "://", "user:", fake.password(51), "@", "localhost/db"].join("");
        const fn = target("aws:lambda/function:Function", "rotator", { code: { assets: { "index.js": { text: bundle } } }, handler: "index.handler", environment: { variables: { SECRET_ID_PREFIX: "dev/" } } });
        await assertCompliant(rule, fn);
    });

    it("ignores the secret placeholder and unknown values", async () => {
        const t = target("aws:ssm/parameter:Parameter", "p", { value: "[secret]", other: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" });
        await assertCompliant(rule, t);
    });

    it("honours a named exemption with a reason, for that URN only", async () => {
        const bad = target("aws:ssm/parameter:Parameter", "vendor-sample", { value: fake.githubToken() });
        const config = { [rule.name]: { exemptions: [{ policy: rule.name, urn: urnOf("dev", "aws:ssm/parameter:Parameter", "vendor-*"), reason: "Vendor's published sample key used by the contract test." }] } };
        assert.deepEqual(await violationsOf(rule, bad, config), []);
        const other = target("aws:ssm/parameter:Parameter", "other", { value: fake.githubToken() });
        assert.equal((await violationsOf(rule, other, config)).length, 1);
    });

    it("ignores an exemption that has expired", async () => {
        const bad = target("aws:ssm/parameter:Parameter", "vendor-sample", { value: fake.githubToken() });
        const config = { [rule.name]: { exemptions: [{ policy: rule.name, urn: bad.urn, reason: "Vendor's published sample key used by the contract test.", expires: "2020-01-01" }] } };
        assert.equal((await violationsOf(rule, bad, config)).length, 1);
    });
});

describe("kubernetes-secret-no-literal-data", () => {
    const base = () => target("kubernetes:core/v1:Secret", "webhook", { metadata: { name: "webhook", namespace: "airflow" }, type: "Opaque" });

    it("stays quiet on a Secret without literal data (an ESO-owned shell) and on ExternalSecrets", async () => {
        await assertCompliant(kubernetesSecretNoLiteralData, [base(), target("kubernetes:external-secrets.io/v1:ExternalSecret", "x", { spec: { data: [{ secretKey: "k", remoteRef: { key: "dev/x" } }] } })]);
    });

    it("reports literal stringData", async () => {
        await assertViolation(kubernetesSecretNoLiteralData, withChange(base(), (t) => (t.inputs.stringData = { token: "abc" })), /sets stringData with 1 literal key\(s\) \(token\).*Fix: .*ExternalSecret/);
    });

    it("reports literal data", async () => {
        await assertViolation(kubernetesSecretNoLiteralData, withChange(base(), (t) => (t.inputs.data = { token: "YWJj" })), /sets data/);
    });

    it("allows a literal Secret only through a named exemption", async () => {
        const bad = withChange(base(), (t) => (t.inputs.data = { token: "YWJj" }));
        const config = { [kubernetesSecretNoLiteralData.name]: { exemptions: [{ policy: kubernetesSecretNoLiteralData.name, urn: bad.urn, reason: "Bootstrap token the ESO controller needs before it can run." }] } };
        assert.deepEqual(await violationsOf(kubernetesSecretNoLiteralData, bad, config), []);
    });
});

describe("secretsmanager-secretversion-not-managed-by-program", () => {
    it("stays quiet on the secret container itself", async () => {
        await assertCompliant(secretsmanagerSecretversionNotManagedByProgram, target("aws:secretsmanager/secret:Secret", "s", { name: "dev/x" }));
    });

    it("reports a SecretVersion with secretString", async () => {
        await assertViolation(secretsmanagerSecretversionNotManagedByProgram, target("aws:secretsmanager/secretVersion:SecretVersion", "v", { secretId: "x", secretString: "[secret]" }), /writes secretString .*Fix: remove the SecretVersion/);
    });
});
