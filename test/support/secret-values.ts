// Valid stored values of every secret kind, made at run time (random passwords, fresh keys) so that no secret value
// is ever in the repository. Tests of schemas, views and the first-value tool use them.
import { generateKeyPairSync, randomBytes } from "crypto";
import type { SecretKind } from "../../model/catalog";

const random = (n = 18) => randomBytes(n).toString("base64url");

/** A fresh PKCS#8 PEM RSA private key. */
export function pkcs8Key(): string {
    return generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
}

/** A valid value of a kind with every optional field set (a vendor picks that vendor's api-token shape). */
export function exampleValue(kind: SecretKind, vendor?: string): unknown {
    switch (kind) {
        case "snowflake-keypair":
            return { account: "ORG-ACCOUNT", user: "SVC_EXAMPLE", privateKey: pkcs8Key(), role: "FL_DEV_EXAMPLE", warehouse: "FL_DEV_WH", database: "FL_DEV", schema: "MARTS" };
        case "kafka-scram":
            return { username: "svc_example_a", password: random() };
        case "postgres-password":
            return { engine: "postgres", host: "db.example.internal", port: 5432, dbname: "ledger", username: "svc_example_a", password: random(), masterarn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-example" };
        case "rds-master-password":
            return { username: "postgres", password: random() };
        case "api-token":
            if (vendor === "datadog") return { vendor: "datadog", apiUrl: "https://api.datadoghq.com", apiKey: random(16), apiKeyId: "key-id-1", appKey: random(20) };
            if (vendor === "sendgrid") return { vendor: "sendgrid", apiUrl: "https://api.sendgrid.com", apiKey: random(), apiKeyId: "key-id-1", managementKey: random() };
            if (vendor === "twilio") {
                return { vendor: "twilio", apiUrl: "https://api.twilio.com", accountSid: "AC-example", apiKeySid: "SK-example-1", apiKeySecret: random(), managementKeySid: "SK-example-0", managementKeySecret: random() };
            }
            return { token: random(), host: "https://api.example.com", login: "finledger" };
        case "ssh-private-key": {
            const { privateKey } = generateKeyPairSync("ed25519", { privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
            return { host: "sftp.example.com", port: 22, username: "finledger", privateKey, passphrase: random(), hostKey: `ssh-ed25519 ${random(32)}` };
        }
        case "pgp-private-key":
            return { privateKey: [`${"-".repeat(5)}BEGIN PGP PRIVATE KEY BLOCK${"-".repeat(5)}`, "", random(48), `${"-".repeat(5)}END PGP PRIVATE KEY BLOCK${"-".repeat(5)}`].join("\n"), passphrase: random() };
        case "basic-auth":
            return { username: "finledger", password: random(), host: "https://vendor.example.com", port: 443 };
        case "airflow-fernet-key":
            return randomBytes(32).toString("base64url") + "=";
        case "airflow-webserver-secret-key":
            return random(32);
    }
}
