// A corpus of secret-shaped and benign values, generated at run time from a seed so no credential-looking literal
// is ever committed. Used by the detection-quality test and by tools/bench-policies.ts.

/** One corpus entry: a value under the key it would sit under in resource inputs. */
export interface CorpusEntry {
    readonly kind: string;
    readonly key: string;
    readonly value: string;
    readonly secret: boolean;
}

/** A small deterministic random generator (mulberry32). */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;
const HEX = "0123456789abcdef";
const LOWER = "abcdefghijklmnopqrstuvwxyz";

/** Builds the corpus: `perKind` values of each secret kind and each benign kind. */
export function buildCorpus(perKind: number, seed = 1): CorpusEntry[] {
    const rnd = seededRandom(seed);
    const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
    const word = () => ["ledger", "risk", "kyc", "payments", "finance", "treasury", "customer", "fraud", "events", "orders"][Math.floor(rnd() * 10)];
    const password = () => `${pick(ALNUM, 10)}${pick("!#%&*+-=?@^_", 1)}${pick(ALNUM, 8)}`;
    const join = (...parts: string[]) => parts.join("");
    const secrets: Array<[string, () => [string, string]]> = [
        ["github-token", () => ["GITHUB_TOKEN_VALUE", join("gh", "p_", pick(ALNUM, 36))]],
        ["slack-token", () => ["notify", join("xo", "xb-", pick("0123456789", 12), "-", pick("0123456789", 13), "-", pick(ALNUM, 24))]],
        ["pem-private-key", () => ["SNOWFLAKE_PRIVATE_KEY", [join("-----BEGIN ", "PRIVATE KEY-----"), pick(B64, 64), pick(B64, 64), join("-----END ", "PRIVATE KEY-----")].join("\n")]],
        ["rsa-private-key", () => ["key", [join("-----BEGIN RSA ", "PRIVATE KEY-----"), pick(B64, 64), join("-----END RSA ", "PRIVATE KEY-----")].join("\n")]],
        ["postgres-uri", () => ["AIRFLOW_CONN_PG_" + word().toUpperCase(), join("postgresql", "://", word(), "_rw:", password(), "@pg-", word(), ".internal:5432/", word())]],
        ["sqlalchemy-uri", () => ["sql_alchemy_conn", join("postgresql+psycopg2", "://airflow:", pick(ALNUM, 20), "@metadata.internal/airflow")]],
        ["snowflake-uri", () => ["conn", join("snowflake", "://SVC_", word().toUpperCase(), ":", password(), "@finledger-prod/FL_PROD")]],
        ["jdbc-password", () => ["spark.datasource.url", join("jdbc:postgresql://pg.internal:5432/", word(), "?user=spark&", "password=", password())]],
        ["kafka-jaas", () => ["sasl.jaas.config", join("org.apache.kafka.common.security.scram.ScramLoginModule required username=\"svc-", word(), "\" ", "password=\"", password(), "\";")]],
        ["sasl-password", () => ["sasl.password", password()]],
        ["basic-auth-url", () => ["registry", join("https://", "deploy:", password(), "@registry.", word(), ".example.com/v2")]],
        ["fernet-key", () => ["AIRFLOW__CORE__FERNET_KEY", `${pick(B64URL, 43)}=`]],
        ["password", () => ["password", password()]],
        ["api-key-hex", () => ["vendor_api_key", pick(HEX, 32)]],
        ["aws-secret-access-key", () => ["aws_secret_access_key", pick(B64, 40)]],
        ["client-secret", () => ["client_secret", pick(ALNUM, 32)]],
        ["password-arg", () => ["args", `--db-password=${password()}`]],
    ];
    const benign: Array<[string, () => [string, string]]> = [
        ["secret-arn", () => ["secretArn", `arn:aws:secretsmanager:us-east-1:${pick("0123456789", 12)}:secret:prod/airflow/connections/${word()}-${pick(ALNUM, 6)}`]],
        ["kms-key-arn", () => ["kmsKeyId", `arn:aws:kms:us-east-1:${pick("0123456789", 12)}:key/mrk-${pick(HEX, 32)}`]],
        ["secret-name", () => ["secretName", `dev/snowflake/dbt/${word()}-${word()}`]],
        ["k8s-secret-ref", () => ["fernetKeySecretName", `airflow-${word()}-fernet-key`]],
        ["image-digest", () => ["image", `123456789012.dkr.ecr.us-east-1.amazonaws.com/${word()}@sha256:${pick(HEX, 64)}`]],
        ["uuid", () => ["uid", `${pick(HEX, 8)}-${pick(HEX, 4)}-4${pick(HEX, 3)}-a${pick(HEX, 3)}-${pick(HEX, 12)}`]],
        ["git-sha", () => ["revision", pick(HEX, 40)]],
        ["checksum", () => ["sourceCodeHash", `${pick(B64, 43)}=`]],
        ["oidc-issuer", () => ["issuer", `https://oidc.eks.us-east-1.amazonaws.com/id/${pick("0123456789ABCDEF", 32)}`]],
        ["url-no-creds", () => ["endpoint", `https://${word()}.${word()}.example.com:8443/api/v1?region=us-east-1`]],
        ["template", () => ["password", "{{ .Values.password }}"]],
        ["env-reference", () => ["password", "${DB_PASSWORD}"]],
        ["backend-kwargs", () => ["AIRFLOW__SECRETS__BACKEND_KWARGS", JSON.stringify({ connections_prefix: `prod/airflow/connections`, variables_prefix: "prod/airflow/variables", sep: "/" })]],
        ["placeholder", () => ["password", "[secret]"]],
        ["token-url", () => ["tokenUrl", `https://login.${word()}.example.com/oauth2/token`]],
        ["description", () => ["description", `Credentials of the ${word()} ${word()} service; rotated by the ${word()} function every 30 days.`]],
        ["cron", () => ["schedule", `cron(0 ${Math.floor(rnd() * 24)} ? * MON *)`]],
        ["role-arn", () => ["eks.amazonaws.com/role-arn", `arn:aws:iam::${pick("0123456789", 12)}:role/fl-prod-wl-airflow-${word()}`]],
        ["reloader-annotation", () => ["secret.reloader.stakater.com/reload", `airflow-${word()}-key,airflow-${word()},${word()}-${word()}-secret-key`]],
        ["random-lowercase-name", () => ["name", `${word()}-${pick(LOWER, 5)}-${pick("0123456789", 4)}`]],
        ["public-key", () => ["rsaPublicKey", `MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA${pick(B64, 80)}`]],
    ];
    const out: CorpusEntry[] = [];
    for (const [kind, make] of secrets) for (let i = 0; i < perKind; i++) {
        const [key, value] = make();
        out.push({ kind, key, value, secret: true });
    }
    for (const [kind, make] of benign) for (let i = 0; i < perKind; i++) {
        const [key, value] = make();
        out.push({ kind, key, value, secret: false });
    }
    return out;
}
