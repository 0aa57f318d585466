import { strict as assert } from "assert";
import { anyResourceNoPlaintextSecret as rule } from "../../../policies/general/any-resource-no-plaintext-secret";
import { decodeBase64Text } from "../../../policies/inspect/encodings";
import { keyValuePairs } from "../../../policies/inspect/text-formats";
import { assertCompliant, assertViolation, fake, randomAlnum, target, withChange } from "../../support/policy-fixtures";

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
