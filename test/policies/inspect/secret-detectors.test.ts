import { strict as assert } from "assert";
import { estateDetectors, findPlaintextSecrets, isCredentialKey, isDigest, isSecretlintCandidate, looksLikeTypedCredential, looksRandom, secretlintBatch, shannonEntropy } from "../../../policies/inspect/secret-detectors";
import { fake, randomAlnum } from "../../support/policy-fixtures";

const PASS = ["pass", "word"].join("");
const HUMAN = `Winter${randomAlnum(3, 71)}!`;
const RANDOM = randomAlnum(28, 72);
const detect = (key: string, value: string) => estateDetectors({ path: key, key, value });

describe("inspect/secret-detectors: each detector, each guard", () => {
    it("measures Shannon entropy in bits per character", () => {
        assert.equal(shannonEntropy("aaaa"), 0);
        assert.equal(shannonEntropy("abab"), 1);
        assert.equal(shannonEntropy("abcd"), 2);
    });
    it("tells random credentials from names, paths, references and placeholders", () => {
        assert.equal(looksRandom(RANDOM), true);
        assert.equal(looksRandom(`${randomAlnum(40, 73)}+/`), true);
        assert.equal(looksRandom("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"), true, "hex of 32 with digits and letters");
        assert.equal(looksRandom("a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d"), false, "hex under 32");
        assert.equal(looksRandom("abcdefabcdefabcdefabcdefabcdefab"), false, "hex without digits");
        assert.equal(looksRandom("12345678901234567890123456789012"), false, "digits only");
        assert.equal(looksRandom("short1A"), false);
        assert.equal(looksRandom(`${RANDOM} x`), false, "whitespace");
        assert.equal(looksRandom("x".repeat(4097)), false, "too long");
        assert.equal(looksRandom("${DATABASE_PASSWORD_VALUE}"), false);
        assert.equal(looksRandom("arn:aws:secretsmanager:us-east-1:402817365190:secret:x"), false);
        assert.equal(looksRandom("https://Abc123XyZ.example.com"), false);
        assert.equal(looksRandom("AmazonMSK_dev/kafka/ledger"), false);
        assert.equal(looksRandom("airflow-connections,dbt-profile-secret"), false, "a list of Secret names");
        assert.equal(looksRandom("airflow/connections/pg_kyc_ro"), false);
        assert.equal(looksRandom("airflow/abcdefghijklmnopqrstuv"), true, "a name with a long random segment is not a name");
        assert.equal(looksRandom("ABCDEFGHIJKLMNOP"), false, "one character class");
        assert.equal(looksRandom("AAAAAAAAAAAAbbbb"), false, "low entropy");
        assert.equal(looksRandom("Aa1Aa1Aa1Aa1Aa1Aa1Aa1Aa1Aa1Aa1Aa1Aa1"), false, "32 or more need 3.7 bits");
    });
    it("tells typed passwords from words, names, flags, numbers and references", () => {
        assert.equal(looksLikeTypedCredential(HUMAN), true);
        assert.equal(looksLikeTypedCredential("hunter2"), true);
        for (const v of ["abc12", "x".repeat(513), "two words", "${X}", "/etc/secret", "3fa85f64-5717-4562-b3fc-2c963f66afa6", "ssh-rsa AAAAB3Nza", "https://x.example.com", "enabled", "12345678", "airflow-db-credentials", "DB_PASSWORD", "password", "<password>"]) {
            assert.equal(looksLikeTypedCredential(v), false, v);
        }
        assert.equal(looksLikeTypedCredential("airflow-abcdefghijklmnopqrstuvw"), true, "a long random segment");
    });
    it("knows digests by key or by prefix, and credential keys by name", () => {
        const sha256 = "a".repeat(63) + "1";
        assert.equal(isDigest("checksum/secret", sha256), true);
        assert.equal(isDigest("value", sha256), false);
        assert.equal(isDigest("value", `sha256:${sha256}`), true);
        assert.equal(isDigest("hash", "a".repeat(33)), false, "not a digest length");
        for (const n of [32, 40, 64, 96, 128]) assert.equal(isDigest("digest", "b".repeat(n)), true, String(n));
        for (const k of [PASS, "DB_PASSWORD", "client_secret", "api-key", "apikey", "auth_token", "access.token", "clientSecret", "slackToken", "apiKey", "dbPassword", "passphrase", "pwd"]) assert.equal(isCredentialKey(k), true, k);
        for (const k of ["secretKey", "name", "passwordFile", "tokenUrl", "secrets"]) assert.equal(isCredentialKey(k), false, k);
    });
    it("names the detector that fires for each shape", () => {
        assert.equal(detect("k", fake.pemPrivateKey(74)), "pem-private-key");
        assert.equal(detect("url", `postgresql://app:${RANDOM}@db:5432/x`), "connection-uri-password");
        assert.equal(detect("url", `redis://:${RANDOM}@cache:6379/0`), "connection-uri-password");
        assert.equal(detect("url", `https://app:${RANDOM}@api.example.com/x`), "basic-auth-url");
        assert.equal(detect("url", "postgresql://app:${DB_PASSWORD}@db/x"), undefined);
        assert.equal(detect("url", ["postgresql://app:", "%7B%7Bpw%7D%7D", "@db/x"].join("")), undefined, "a percent-encoded template");
        assert.equal(detect("url", `jdbc:sqlserver://db;user=app;${PASS}=${RANDOM}`), "connection-uri-password");
        assert.equal(detect("url", `https://x.example.com/?a=1&pwd=${RANDOM}`), "connection-uri-password");
        assert.equal(detect("url", "https://x.example.com/?a=1&pwd=${PW}"), undefined);
        assert.equal(detect("jaas", `org.apache.kafka.common.security.scram.ScramLoginModule required username="u" ${PASS}="${HUMAN}";`), "kafka-jaas-password");
        assert.equal(detect("jaas", `org.apache.kafka.common.security.scram.ScramLoginModule required username='u' ${PASS}='${HUMAN}';`), "kafka-jaas-password");
        assert.equal(detect("jaas", `org.apache.kafka.common.security.scram.ScramLoginModule required username="u" ${PASS}="\${file:/x:p}";`), undefined);
        assert.equal(detect("sasl.password", HUMAN), "kafka-sasl-password");
        assert.equal(detect("sasl.password", "${SASL}"), undefined);
        assert.equal(detect("authorization-bearer", RANDOM), "http-authorization-header");
        assert.equal(detect("authorization-bearer", "$TOKEN"), undefined);
        assert.equal(detect("authorization-bearer", "/run/tok"), undefined);
        assert.equal(detect("authorization-bearer", "abc1234"), undefined, "under 8 characters");
        assert.equal(detect("args", `--${PASS}=${RANDOM}`), "secret-argument");
        assert.equal(detect("conf", `spark.hadoop.fs.s3a.secret.key=${RANDOM}`), "secret-argument");
        assert.equal(detect("args", `--${PASS}=${HUMAN}`), "secret-argument");
        assert.equal(detect("args", `--${PASS}-file=/etc/x`), undefined);
        assert.equal(detect("API_SECRET", RANDOM), "high-entropy-secret-key");
        assert.equal(detect("secretName", RANDOM), undefined, "a reference key");
        assert.equal(detect("DB_PASSWORD", HUMAN), "credential-under-key");
        assert.equal(detect("passwordSecretArn", HUMAN), undefined);
        assert.equal(detect("checksum/secret", "c".repeat(63) + "2"), undefined);
        assert.equal(detect("encryptedSecret", RANDOM), undefined, "ciphertext");
        assert.equal(detect("k", "abc"), undefined, "too short");
        assert.equal(detect("description", RANDOM), undefined, "a random value under a neutral key");
    });
    it("holds each length and entropy boundary of the credential judges exactly where it is drawn", () => {
        const mid = "Gg1Hh2Jj3Kk4".repeat(3);
        assert.equal(looksLikeTypedCredential(`Wi${randomAlnum(3, 80)}!`), true, "six characters are enough for a typed password");
        assert.equal(looksLikeTypedCredential(randomAlnum(512, 81)), true, "512 characters are still a password");
        assert.equal(looksRandom(mid.slice(0, 12)), true, "twelve mixed characters at 3.58 bits are a token");
        assert.equal(looksRandom(randomAlnum(4096, 83)), true, "4096 random characters are still a token");
        assert.equal(looksRandom("0123abcd".repeat(4)), true, "hex at exactly 3 bits per character");
        assert.equal(looksRandom("abcdefABCDEF".repeat(3)), false, "hex letters without a digit are not a hex key");
        assert.equal(looksRandom(mid.slice(0, 31)), true, "under 32 characters, 3.2 bits suffice");
        assert.equal(looksRandom(mid.slice(0, 32)), false, "from 32 characters, 3.7 bits are needed");
        assert.equal(looksRandom("qwertyuiopasdfghjkl"), false, "one lower-case word is a word, however long");
        assert.equal(looksRandom(`airflow-connections,${RANDOM}`), true, "a list is names only when every item is a name");
    });
    it("treats a value as a name, a reference or a placeholder only when the whole value has that shape", () => {
        for (const v of ["AIRFLOW_CONN_ID", "DBX_PASSWORD"]) assert.equal(looksLikeTypedCredential(v), false, v);
        for (const v of [`#Zz9://q${randomAlnum(3, 84)}`, "9airflow-db", "airflow-db!", "9DB_PASSWORD", "DB_PASSWORD!", "Wint3r**", "**Wint3r", "Wint3rxx"]) {
            assert.equal(looksLikeTypedCredential(v), true, v);
        }
        assert.equal(looksLikeTypedCredential("airflow-abcdefghijklmnop"), true, "a segment of 16 characters is a random run, not a name part");
        assert.equal(looksRandom(`${RANDOM}arn:aws`), true, "only a value that starts as an ARN is an ARN");
        const sha = "0123456789abcdef".repeat(4);
        assert.equal(isDigest("value", `sha256:${sha}zz`), false, "a digest prefix followed by more text");
        assert.equal(isDigest("value", `xsha256:${sha}`), false);
        for (const n of [31, 39, 41, 63, 65, 95, 97, 127, 129]) assert.equal(isDigest("digest", "b".repeat(n)), false, String(n));
    });
    it("fires each detector only on its whole shape: the scheme, the header key, the PEM armour, the key's ending", () => {
        assert.equal(detect("DB_PASSWORD", `Wi${randomAlnum(3, 80)}!`), "credential-under-key", "six characters under a credential key");
        assert.equal(detect("k", "my PRIVATE KEY is kept elsewhere"), undefined, "the words without the PEM armour");
        assert.equal(detect("url", `git+https://app:${RANDOM}@h.example.com/x`), "connection-uri-password", "only http and https are basic-auth URLs");
        assert.equal(detect("url", `httpsx://app:${RANDOM}@h.example.com/x`), "connection-uri-password");
        assert.equal(detect("url", `http://app:${RANDOM}@h.example.com/x`), "basic-auth-url");
        assert.equal(detect("sasl.passwords", HUMAN), undefined, "a key that only contains sasl.password");
        assert.equal(detect("x-authorization-bearer", RANDOM), undefined, "a key that only contains authorization-");
        assert.equal(detect("authorization-bearer", "abcd1234"), "http-authorization-header", "eight characters are a header credential");
        assert.equal(isSecretlintCandidate("Ab1$Cd2%"), true, "eight characters");
        assert.equal(isSecretlintCandidate("Ab1$Cd2"), false, "seven characters");
    });
    it("sends the secretlint preset only strings it could match", () => {
        assert.equal(isSecretlintCandidate(fake.githubToken(75)), true);
        assert.equal(isSecretlintCandidate("Credentials of ledger/svc-1"), true);
        for (const v of ["short", "arn:aws:iam::402817365190:role/x", "airflow/connections/x", "Plain words, here.", "12345678901", "true", "false", "secretsmanager:GetSecretValue", "kms:ReEncrypt*", "AIRFLOW__SECRETS__BACKEND_KWARGS", "SYMMETRIC_DEFAULT"]) {
            assert.equal(isSecretlintCandidate(v), false, v);
        }
        assert.equal(isSecretlintCandidate(fake.awsAccessKeyId(76)), true, "an access key id has no underscore");
    });
    it("finds the preset's secrets and the estate's, once per path, and nothing in containers", async () => {
        // A token this process has not linted yet: the preset's verdicts are cached per process, so a repeated run
        // (mutation testing reruns tests in one process) would otherwise never reach the lint.
        const token = fake.githubToken(Number(process.hrtime.bigint() % 1_000_000_007n));
        const findings = await findPlaintextSecrets([
            { path: "a", key: "a", value: token },
            { path: "b", key: "DB_PASSWORD", value: HUMAN },
            { path: "c", key: "c", value: token, isJson: true },
            { path: "d", key: "d", value: "nothing here at all" },
            { path: "e", key: "e", value: token },
        ]);
        assert.deepEqual(findings.map((f) => f.path).sort(), ["a", "b", "e"]);
        assert.match(findings.find((f) => f.path === "a")!.detector, /^secretlint:.*github/);
        assert.equal(findings.find((f) => f.path === "b")!.detector, "credential-under-key");
        assert.deepEqual(await findPlaintextSecrets([{ path: "a", key: "a", value: token }], false), [], "without the preset");
        assert.deepEqual(await findPlaintextSecrets([]), []);
    });
    it("maps each secretlint finding of a batch back to the string it came from, multi-line strings included", async () => {
        const token = fake.githubToken(78);
        const slack = fake.slackToken(79);
        const hits = await secretlintBatch(["nothing here", `line one\n${token}`, "still nothing", slack, token]);
        assert.deepEqual([...hits.keys()].sort(), [1, 3, 4]);
        for (const i of [1, 4]) assert.deepEqual(hits.get(i)!.length, 1, "one rule id per string, listed once");
        assert.match(hits.get(1)![0], /github/);
        assert.match(hits.get(3)![0], /slack/);
        assert.equal((await secretlintBatch([])).size, 0);
        assert.equal((await secretlintBatch(["nothing here"])).size, 0);
    });
});

describe("plaintext detection called for many resources at once", () => {
    it("lints calls made in one turn together and gives each caller exactly its own verdicts", async () => {
        const tokens = Array.from({ length: 6 }, (_, i) => fake.githubToken(200 + i));
        const slack = fake.slackToken(300);
        // Six callers at once: secrets in some, shared and benign strings in others, as resources of one plan.
        const calls = [
            [{ path: "x", key: "x", value: tokens[0] }],
            [{ path: "y", key: "y", value: "a benign value of some length" }],
            [{ path: "z", key: "z", value: slack }, { path: "w", key: "w", value: tokens[1] }],
            [],
            [{ path: "v", key: "v", value: tokens[0] }],
            [{ path: "u", key: "u", value: `first line\n${tokens[2]}` }],
        ];
        const results = await Promise.all(calls.map((c) => findPlaintextSecrets(c)));
        const one = await Promise.all(calls.map(async (c) => (await Promise.all(c.map((s) => findPlaintextSecrets([s])))).flat()));
        assert.deepEqual(results.map((r) => r.map((f) => f.path).sort()), [["x"], [], ["w", "z"], [], ["v"], ["u"]]);
        assert.deepEqual(results, one, "the same findings as one string per call");
        assert.match(results[2].find((f) => f.path === "z")!.detector, /slack/);
    });
});

describe("plaintext detection while another call clears the verdict cache", () => {
    it("still finds a secret whose verdict was cached before a concurrent call overflowed the cache", async function () {
        this.timeout(60_000);
        const token = fake.githubToken(500);
        assert.equal((await findPlaintextSecrets([{ path: "t", key: "t", value: token }])).length, 1, "the token is found and its verdict cached");
        // A call with more new strings than the cache holds, queued before the one that relies on the cached verdict:
        // it resumes first and clears the cache while the second still waits for its own new string.
        const flood = Array.from({ length: 50_001 }, (_, i) => ({ path: `f${i}`, key: `f${i}`, value: `Mixed Case Value ${i} of the flood` }));
        const [, found] = await Promise.all([findPlaintextSecrets(flood), findPlaintextSecrets([{ path: "t", key: "t", value: token }, { path: "n", key: "n", value: "Another New Value 12" }])]);
        assert.deepEqual(found.map((f) => f.path), ["t"]);
    });
});
