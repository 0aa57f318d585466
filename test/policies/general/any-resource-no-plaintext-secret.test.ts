import { strict as assert } from "assert";
import { anyResourceNoPlaintextSecret as rule } from "../../../policies/general/any-resource-no-plaintext-secret";
import { decodeBase64Text } from "../../../policies/inspect/encodings";
import { keyValuePairs } from "../../../policies/inspect/text-formats";
import { ACCOUNTS, assertCompliant, assertViolation, fake, randomAlnum, target, urnOf, violationsOf, withChange } from "../../support/policy-fixtures";

// Every credential is built at run time from pieces; the words below are what people type, not real passwords.
const human = (seed: number) => ["Summer", String(2000 + (seed % 30)), "!", randomAlnum(2, seed)].join("");
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const PASS = ["pass", "word"].join("");

/** A pod template as the platform writes it: references, digests and names only. */
function deployment() {
    return target("kubernetes:apps/v1:Deployment", "api", {
        spec: {
            template: {
                metadata: { annotations: { "checksum/secret": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "checksum/config": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" } },
                spec: {
                    containers: [
                        {
                            name: "api",
                            image: "registry.example.com/api@sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                            args: ["--config", "/etc/api/config.yaml", "--log-level", "info"],
                            env: [
                                { name: "DB_PASSWORD_FILE", value: "/var/run/secrets/db/password" },
                                { name: "REQUEST_ID", value: "3f2b8c1e-4d5a-4b6c-9e7f-0a1b2c3d4e5f" },
                            ],
                        },
                    ],
                },
            },
        },
    });
}

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

describe("any-resource-no-plaintext-secret: text formats, encodings and keys", () => {
    it("stays quiet on a compliant pod template with Helm checksum annotations, a UUID, an image digest and references", async () => {
        await assertCompliant(rule, deployment());
    });

    it("reports a libpq key=value DSN with a password", async () => {
        const dsn = `host=db.internal port=5432 user=ledger ${PASS}=${human(1)} dbname=ledger sslmode=require`;
        await assertViolation(rule, target("kubernetes:core/v1:ConfigMap", "pg", { data: { DATABASE_DSN: dsn } }), /'data\.DATABASE_DSN<password>' \(detector (credential-under-key|high-entropy-secret-key)\)/);
    });

    it("reports Java properties, INI and .env blobs by the key each value sits under", async () => {
        const props = ["# app", "spring.datasource.url=jdbc:postgresql://db:5432/ledger", `spring.datasource.${PASS}=${human(2)}`].join("\n");
        await assertViolation(rule, target("kubernetes:core/v1:ConfigMap", "props", { data: { "application.properties": props } }), /application\.properties<spring\.datasource\.password>/);
        const ini = ["[client]", "user = reporting", `${PASS} = ${human(3)}`].join("\n");
        await assertViolation(rule, target("kubernetes:core/v1:ConfigMap", "ini", { data: { "my.cnf": ini } }), /my\.cnf<password>/);
    });

    it("reports a shell export line in a launch template's base64 userData", async () => {
        const script = ["#!/bin/bash", "set -e", `export PGPASSWORD='${human(4)}'`, "psql -h db -U app -c 'select 1'"].join("\n");
        const lt = target("aws:ec2/launchTemplate:LaunchTemplate", "workers", { userData: b64(script) });
        await assertViolation(rule, lt, /'userData<PGPASSWORD>' \(detector (credential-under-key|high-entropy-secret-key)\)/);
        await assertCompliant(rule, withChange(lt, (t) => (t.inputs.userData = b64(["#!/bin/bash", "export PGPASSWORD=$(aws secretsmanager get-secret-value --secret-id dev/pg --query SecretString --output text)"].join("\n")))));
    });

    it("reports an HTTP Authorization header inside a command, and not one that reads a variable", async () => {
        const cmd = (token: string) => ["sh", "-c", `curl -fsS -H "Authorization: Bearer ${token}" https://api.example.com/v1/jobs`];
        const job = (token: string) => target("kubernetes:batch/v1:Job", "notify", { spec: { template: { spec: { containers: [{ name: "c", command: cmd(token) }] } } } });
        await assertViolation(rule, job(randomAlnum(32, 5)), /<authorization-bearer>' \(detector http-authorization-header\)/);
        await assertCompliant(rule, job("$API_TOKEN"));
    });

    it("reports a flag and its value given as separate list items", async () => {
        const pod = (value: string) => target("kubernetes:core/v1:Pod", "loader", { spec: { containers: [{ name: "c", args: ["--db-host", "db", `--${PASS}`, value] }] } });
        await assertViolation(rule, pod(human(6)), /args\[3\]' \(detector (credential-under-key|high-entropy-secret-key)\)/);
        await assertCompliant(rule, pod("$(DB_PASSWORD)"));
    });

    it("reports a URI with a password and no user name, and JAAS with single quotes", async () => {
        await assertViolation(rule, target("kubernetes:core/v1:ConfigMap", "redis", { data: { CACHE_URL: `redis://:${human(7)}@cache.internal:6379/0` } }), /connection-uri-password/);
        const jaas = ["org.apache.kafka.common.security.scram.ScramLoginModule required username='svc' ", `${PASS}='`, human(8), "';"].join("");
        await assertViolation(rule, target("kubernetes:core/v1:ConfigMap", "kafka", { data: { "sasl.jaas.config": jaas } }), /kafka-jaas-password/);
    });

    it("reports a short human password under a credential key, but not a Secret's name or a key name", async () => {
        await assertViolation(rule, target("kubernetes:core/v1:ConfigMap", "app", { data: { DB_PASSWORD: human(9) } }), /DB_PASSWORD' \(detector (credential-under-key|high-entropy-secret-key)\)/);
        await assertViolation(rule, target("kubernetes:core/v1:ConfigMap", "app2", { data: { clientSecret: ["hunter", "22"].join("") } }), /clientSecret/);
        await assertCompliant(rule, target("kubernetes:core/v1:ConfigMap", "names", { data: { existingSecret: "airflow-fernet-key", DB_PASSWORD: "<set by the runbook>", passwordKey: PASS } }));
        await assertCompliant(rule, target("kubernetes:external-secrets.io/v1:ExternalSecret", "es", { spec: { data: [{ secretKey: PASS, remoteRef: { key: "dev/pg", property: PASS } }] } }));
    });

    it("decodes Kubernetes Secret data as the provider sends it (stringData moved to base64 data), so a low-entropy literal is judged decoded", async () => {
        const secret = target("kubernetes:core/v1:Secret", "db", { apiVersion: "v1", kind: "Secret", data: { password: b64(human(10)) } });
        await assertViolation(rule, secret, /'data\.password' \(detector (credential-under-key|high-entropy-secret-key)\)/);
        const cm = target("kubernetes:core/v1:ConfigMap", "bin", { binaryData: { "app.env": b64(`API_TOKEN=${randomAlnum(28, 11)}\nLOG_LEVEL=info\n`) } });
        await assertViolation(rule, cm, /binaryData\.app\.env<API_TOKEN>/);
    });

    it("decodes base64 of JSON that holds a credential wherever it sits", async () => {
        const blob = b64(JSON.stringify({ username: "svc_loader", [PASS]: human(12), host: "db" }));
        await assertViolation(rule, target("aws:ecs/taskDefinition:TaskDefinition", "td", { tags: { bootstrap: blob } }), /tags\.bootstrap<base64><json>\.password/);
    });

    it("keeps its guards on the decoded forms: binary base64, public keys and placeholders stay quiet", async () => {
        assert.equal(decodeBase64Text(Buffer.from([0, 159, 146, 150, 1, 2, 3, 250]).toString("base64")), undefined);
        await assertCompliant(rule, target("kubernetes:core/v1:ConfigMap", "keys", { data: { rsaPublicKey: `MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${randomAlnum(60, 13)}`, token_url: "https://login.example.com/oauth2/token", DB_PASSWORD: "${DB_PASSWORD}" } }));
        await assertViolation(rule, target("kubernetes:core/v1:Secret", "pem", { data: { key: b64(fake.pemPrivateKey(14)) } }), /pem-private-key/);
    });

    it("reads text formats into pairs", () => {
        assert.deepEqual(keyValuePairs("host=db user=a password='x y' dbname=l"), [
            { key: "host", value: "db" },
            { key: "user", value: "a" },
            { key: "password", value: "x y" },
            { key: "dbname", value: "l" },
        ]);
        assert.deepEqual(keyValuePairs("export A=1\n# c\n[s]\nb = two\nc: three"), [
            { key: "A", value: "1" },
            { key: "b", value: "two" },
            { key: "c", value: "three" },
        ]);
        assert.deepEqual(keyValuePairs('curl -H "Authorization: Basic abcdEFGH1234"'), [{ key: "authorization-basic", value: "abcdEFGH1234" }]);
    });
});

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
