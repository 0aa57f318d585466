// A corpus of resources the pack was never tuned on: bad cases and clean look-alikes by class, for every
// environment (and every ordered pair of environments for cross-environment classes), generated at run time from
// a seed, so no credential-shaped literal is ever committed. Used by test/policies/corpus.test.ts and
// tools/bench-policies.ts, in both `pulumi stack export` and `pulumi preview --json` forms.
import { PolicyTarget } from "../policy-runner";
import { seededRandom } from "../secret-corpus";

/** The environments and accounts of Pulumi.<env>.yaml (the pack config declares the same). */
export const CORPUS_ENVIRONMENTS: Readonly<Record<string, string>> = { dev: "402817365190", staging: "518204967331", prod: "736491028554" };

/** One case: the resources of a small stack, whether the pack must block it, and the rule that owns its class. */
export interface CorpusCase {
    readonly cls: string;
    readonly bad: boolean;
    readonly rule: string;
    readonly env: string;
    readonly targets: PolicyTarget[];
    /** The strings a text scanner would see (what a `stack export` file holds for these resources). */
    readonly text: string;
}

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const PLAIN = "plaintext-secret";
const IAM = "iam-policy-least-privilege";
const ESO = "externalsecrets-any-object-own-namespaced-store";
const CROSS = "any-resource-no-cross-environment-grant";
const ROTATION = "secretsmanager-secret-rotation-within-period";
const RULE_PLAIN = "any-resource-no-plaintext-secret";

type Maker = (ctx: Ctx) => Array<Omit<PolicyTarget, "urn" | "custom" | "dependencies" | "propertyDependencies" | "protect" | "ignoreChanges"> & { urn?: string }>;

interface Ctx {
    readonly env: string;
    readonly other: string;
    readonly account: string;
    readonly otherAccount: string;
    readonly pick: (alphabet: string, n: number) => string;
    readonly word: () => string;
    /** A password a person would type: a word, a year and a symbol. */
    readonly human: () => string;
    /** A random credential. */
    readonly random: () => string;
    readonly b64: (text: string) => string;
}

const r = (type: string, name: string, inputs: Record<string, unknown>) => ({ type, name, inputs, outputs: inputs });
const cm = (name: string, data: Record<string, string>) => r("kubernetes:core/v1:ConfigMap", name, { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "apps" }, data });
const policy = (name: string, statement: Record<string, unknown>) => r("aws:iam/rolePolicy:RolePolicy", name, { role: `wl-${name}`, policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) });
const secretArn = (c: Ctx, env: string, account: string, name: string) => `arn:aws:secretsmanager:us-east-1:${account}:secret:${env}/${name}-${c.pick(ALNUM, 6)}`;
const PASS = ["pass", "word"].join("");
const envKey = (c: Ctx) => `arn:aws:kms:us-east-1:${c.account}:key/mrk-0123456789abcdef0123456789abcdef`;
const job = (name: string, command: string[]) => r("kubernetes:batch/v1:Job", name, { spec: { template: { spec: { containers: [{ name: "c", image: "curlimages/curl:8.10.1", command }] } } } });

/** Each class: [name, owning rule, bad maker, clean look-alike maker]. */
const CLASSES: Array<[string, string, Maker, Maker]> = [
    ["libpq-dsn", PLAIN, (c) => [cm("pg", { DATABASE_DSN: `host=db.${c.env}.internal port=5432 user=${c.word()} ${PASS}=${c.human()} dbname=ledger` })], (c) => [cm("pg", { DATABASE_DSN: `host=db.${c.env}.internal port=5432 user=${c.word()} passfile=/var/run/secrets/pg/pgpass dbname=ledger` })]],
    ["java-properties", PLAIN, (c) => [cm("props", { "application.properties": `spring.datasource.url=jdbc:postgresql://db:5432/${c.word()}\nspring.datasource.username=${c.word()}\nspring.datasource.${PASS}=${c.human()}\n` })], (c) => [cm("props", { "application.properties": `spring.datasource.url=jdbc:postgresql://db:5432/${c.word()}\nspring.datasource.username=${c.word()}\nspring.datasource.${PASS}=\${DB_PASSWORD}\n` })]],
    ["ini", PLAIN, (c) => [cm("ini", { "my.cnf": `[client]\nuser = ${c.word()}\n${PASS} = ${c.human()}\nhost = db\n` })], (c) => [cm("ini", { "my.cnf": `[client]\nuser = ${c.word()}\n${PASS}-file = /etc/mysql/secret\nhost = db\n` })]],
    ["userdata-export", PLAIN, (c) => [r("aws:ec2/launchTemplate:LaunchTemplate", "workers", { userData: c.b64(`#!/bin/bash\nset -euo pipefail\nexport PGPASSWORD='${c.human()}'\npsql -h db -c 'select 1'\n`) })], (c) => [r("aws:ec2/launchTemplate:LaunchTemplate", "workers", { userData: c.b64(`#!/bin/bash\nset -euo pipefail\nexport PGPASSWORD="$(aws secretsmanager get-secret-value --secret-id ${c.env}/pg --query SecretString --output text)"\n`) })]],
    ["http-authorization", PLAIN, (c) => [job("notify", ["sh", "-c", `curl -fsS -H "Authorization: Bearer ${c.random()}" https://hooks.example.com/${c.word()}`])], (c) => [job("notify", ["sh", "-c", `curl -fsS -H "Authorization: Bearer $HOOK_TOKEN" https://hooks.example.com/${c.word()}`])]],
    ["flag-value-items", PLAIN, (c) => [r("kubernetes:core/v1:Pod", "loader", { spec: { containers: [{ name: "c", args: ["--host", "db", `--${PASS}`, c.human()] }] } })], (c) => [r("kubernetes:core/v1:Pod", "loader", { spec: { containers: [{ name: "c", args: ["--host", "db", `--${PASS}-file`, `/var/run/secrets/${c.word()}/password`] }] } })]],
    ["uri-password-no-user", PLAIN, (c) => [cm("cache", { CACHE_URL: `redis://:${c.human()}@cache.${c.env}.internal:6379/0` })], (c) => [cm("cache", { CACHE_URL: `redis://cache.${c.env}.internal:6379/0` })]],
    ["jaas-single-quotes", PLAIN, (c) => [cm("kafka", { "sasl.jaas.config": `org.apache.kafka.common.security.scram.ScramLoginModule required username='${c.word()}' ${PASS}='${c.human()}';` })], (c) => [cm("kafka", { "sasl.jaas.config": `org.apache.kafka.common.security.scram.ScramLoginModule required username='${c.word()}' ${PASS}='\${file:/etc/kafka/secret.properties:password}';` })]],
    ["short-human-password", PLAIN, (c) => [cm("app", { [`${c.word().toUpperCase()}_PASSWORD`]: c.human() })], (c) => [cm("app", { [`${c.word().toUpperCase()}_PASSWORD_SECRET`]: `${c.word()}-db-credentials` })]],
    ["k8s-secret-base64-data", PLAIN, (c) => [r("kubernetes:core/v1:Secret", "db", { apiVersion: "v1", kind: "Secret", data: { [PASS]: c.b64(c.human()) } })], (c) => [r("kubernetes:core/v1:ConfigMap", "db", { apiVersion: "v1", kind: "ConfigMap", binaryData: { "policy.conf": c.b64(`${PASS}_min_length=14\n${PASS}_reuse=24\nowner=${c.word()}\n`) } })]],
    ["configmap-binarydata", PLAIN, (c) => [r("kubernetes:core/v1:ConfigMap", "env", { binaryData: { "app.env": c.b64(`API_TOKEN=${c.random()}\nLOG_LEVEL=info\n`) } })], (c) => [r("kubernetes:core/v1:ConfigMap", "env", { binaryData: { "app.env": c.b64(`API_URL=https://api.example.com/${c.word()}\nLOG_LEVEL=info\n`) } })]],
    ["base64-json", PLAIN, (c) => [r("aws:ecs/taskDefinition:TaskDefinition", "td", { tags: { bootstrap: c.b64(JSON.stringify({ username: c.word(), [PASS]: c.human(), host: "db" })) } })], (c) => [r("aws:ecs/taskDefinition:TaskDefinition", "td", { tags: { bootstrap: c.b64(JSON.stringify({ username: c.word(), passwordSecretArn: `arn:aws:secretsmanager:us-east-1:${c.account}:secret:${c.env}/${c.word()}`, host: "db" })) } })]],
    ["helm-checksum-annotation", PLAIN, (c) => [r("kubernetes:apps/v1:Deployment", "api", { spec: { template: { metadata: { annotations: { "checksum/secret": c.pick("0123456789abcdef", 64) } }, spec: { containers: [{ name: "api", env: [{ name: "API_SECRET", value: c.random() }] }] } } } })], (c) => [r("kubernetes:apps/v1:Deployment", "api", { spec: { template: { metadata: { annotations: { "checksum/secret": c.pick("0123456789abcdef", 64), "checksum/config": c.pick("0123456789abcdef", 64) } }, spec: { containers: [{ name: "api", env: [{ name: "REQUEST_ID", value: `${c.pick("0123456789abcdef", 8)}-${c.pick("0123456789abcdef", 4)}-4${c.pick("0123456789abcdef", 3)}-a${c.pick("0123456789abcdef", 3)}-${c.pick("0123456789abcdef", 12)}` }] }] } } } })]],
    ["iam-action-prefix", IAM, (c) => [policy("reader", { Effect: "Allow", Action: [`secretsmanager:GetSecret${c.pick("*", 1)}`], Resource: "*" })], (c) => [policy("reader", { Effect: "Allow", Action: ["secretsmanager:Describe*", "secretsmanager:List*"], Resource: "*" })]],
    ["iam-not-principal", IAM, (c) => [r("aws:secretsmanager/secretPolicy:SecretPolicy", "p", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${c.account}:role/${c.word()}` }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] }) })], (c) => [r("aws:secretsmanager/secretPolicy:SecretPolicy", "p", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Deny", NotPrincipal: { AWS: `arn:aws:iam::${c.account}:role/${c.word()}` }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] }) })]],
    ["iam-env-wide-wildcard", IAM, (c) => [policy("reader", { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: `arn:aws:secretsmanager:us-east-1:${c.account}:secret:${c.env}/*` })], (c) => [policy("reader", { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: `arn:aws:secretsmanager:us-east-1:${c.account}:secret:${c.env}/airflow/${c.word()}/*` })]],
    ["managed-policy-arn", IAM, (c) => [r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: `wl-${c.word()}`, policyArn: `arn:aws:iam::aws:policy/${["SecretsManagerReadWrite", "AdministratorAccess", "PowerUserAccess"][Math.floor(c.pick("012", 1).charCodeAt(0) - 48)]}` })], (c) => [r("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: `wl-${c.word()}`, policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" })]],
    ["eso-push-or-cluster-store", ESO, (c) => [r(`kubernetes:external-secrets.io/${["v1alpha1:PushSecret", "v1:ClusterSecretStore", "v1:ClusterExternalSecret"][Math.floor(c.pick("012", 1).charCodeAt(0) - 48)]}`, "x", { spec: {} })], (c) => [r("kubernetes:external-secrets.io/v1:SecretStore", "x", { spec: { provider: { aws: { service: "SecretsManager", region: "us-east-1" } } } })]],
    ["eso-find", ESO, (c) => [r("kubernetes:external-secrets.io/v1:ExternalSecret", "x", { spec: { secretStoreRef: { name: "aws", kind: "SecretStore" }, dataFrom: [{ find: { tags: { team: c.word() } } }] } })], (c) => [r("kubernetes:external-secrets.io/v1:ExternalSecret", "x", { spec: { secretStoreRef: { name: "aws", kind: "SecretStore" }, dataFrom: [{ find: { name: { regexp: `^${c.env}/airflow/${c.word()}/` } } }] } })]],
    ["cross-env-grant", CROSS, (c) => [policy("reader", { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn(c, c.other, c.otherAccount, `airflow/${c.word()}`) })], (c) => [policy("reader", { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArn(c, c.env, c.account, `airflow/${c.word()}`) })]],
    ["rotation-untagged-slash", ROTATION, (c) => [r("aws:secretsmanager/secret:Secret", "s", { name: `${c.env}/${c.word()}/${c.word()}`, kmsKeyId: envKey(c), tags: { criticality: "critical", "rotation-days": "30" } })], (c) => {
        const arn = secretArn(c, c.env, c.account, `${c.word()}/x`);
        return [
            { ...r("aws:secretsmanager/secret:Secret", "s", { name: `${c.env}/${c.word()}/x`, kmsKeyId: envKey(c), tags: { criticality: "critical", "rotation-days": "30" } }), outputs: { arn, id: arn, name: `${c.env}/x`, kmsKeyId: envKey(c), tags: { criticality: "critical", "rotation-days": "30" } } },
            r("aws:secretsmanager/secretRotation:SecretRotation", "rot", { secretId: arn, rotationRules: { automaticallyAfterDays: 30 } }),
        ];
    }],
    ["snowflake-share-other-env", CROSS, (c) => [r("snowflake:index/share:Share", "share", { name: `FL_${c.env.toUpperCase()}_${c.word().toUpperCase()}_SHARE`, accounts: [`FINLEDGER.PARTNER_${c.word().toUpperCase()}`, `FINLEDGER.${c.other.toUpperCase()}`] })], (c) => [r("snowflake:index/share:Share", "share", { name: `FL_${c.env.toUpperCase()}_${c.word().toUpperCase()}_SHARE`, accounts: [`FINLEDGER.PARTNER_${c.word().toUpperCase()}`, `FINLEDGER.${c.other.toUpperCase()}_ARCHIVE`] })]],
    ["snowflake-stage-other-env", CROSS, (c) => [r("snowflake:index/stage:Stage", "landing", { name: "LANDING", database: `FL_${c.env.toUpperCase()}`, schema: "RAW", url: `s3://fl-${c.other}-${c.word()}/raw/`, storageIntegration: `FL_${c.env.toUpperCase()}_S3` })], (c) => [r("snowflake:index/storageIntegration:StorageIntegration", "s3", { name: `FL_${c.env.toUpperCase()}_S3`, storageProvider: "S3", storageAllowedLocations: [`s3://fl-${c.env}-${c.word()}/raw/`], storageBlockedLocations: [`s3://fl-${c.other}-${c.word()}/`] })]],
    ["provider-output-only", "any-resource-no-plaintext-output", (c) => [{ ...r("aws:iam/accessKey:AccessKey", "key", { user: `fl-${c.env}-${c.word()}` }), outputs: { user: `fl-${c.env}-${c.word()}`, status: "Active", secret: `${c.random()}/${c.pick(ALNUM, 8)}` } }], (c) => [{ ...r("aws:iam/accessKey:AccessKey", "key", { user: `fl-${c.env}-${c.word()}`, pgpKey: "keybase:finledger_ops" }), outputs: { user: `fl-${c.env}-${c.word()}`, status: "Active", encryptedSecret: c.b64(c.pick(ALNUM, 60)), keyFingerprint: c.pick("0123456789abcdef", 40) } }]],
    ["stack-output", "any-resource-no-plaintext-output", (c) => [{ type: "pulumi:pulumi:Stack", name: `finledger-secrets-platform-${c.env}`, inputs: {}, outputs: { dbPassword: c.human(), dbHost: "db" } }], (c) => [{ type: "pulumi:pulumi:Stack", name: `finledger-secrets-platform-${c.env}`, inputs: {}, outputs: { dbPasswordSecretArn: `arn:aws:secretsmanager:us-east-1:${c.account}:secret:${c.env}/db`, dbHost: "db" } }]],
];

/** The classes of the corpus with the rule that owns each. */
export const CORPUS_CLASSES: ReadonlyArray<{ readonly cls: string; readonly rule: string }> = CLASSES.map(([cls, rule]) => ({ cls, rule: rule === PLAIN ? RULE_PLAIN : rule }));

/**
 * Builds the corpus: for each class, each ordered pair of environments (stack env, other env) and `perPair`
 * repetitions, one bad case and one clean look-alike.
 */
export function buildCorpusCases(perPair = 3, seed = 17): CorpusCase[] {
    const rnd = seededRandom(seed);
    const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
    const words = ["ledger", "risk", "kyc", "payments", "treasury", "fraud", "orders", "billing", "reporting", "settlement"];
    const word = () => words[Math.floor(rnd() * words.length)];
    const seasons = ["Summer", "Winter", "Autumn", "Spring", "Welcome", "Ledger"];
    const human = () => `${seasons[Math.floor(rnd() * seasons.length)]}${2015 + Math.floor(rnd() * 12)}${pick("!#$%&*", 1)}`;
    const random = () => pick(ALNUM, 24 + Math.floor(rnd() * 16));
    const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
    const out: CorpusCase[] = [];
    const envs = Object.keys(CORPUS_ENVIRONMENTS);
    for (const [cls, rule, bad, clean] of CLASSES) {
        for (const env of envs) for (const other of envs) {
            if (other === env) continue;
            for (let i = 0; i < perPair; i++) {
                const ctx: Ctx = { env, other, account: CORPUS_ENVIRONMENTS[env], otherAccount: CORPUS_ENVIRONMENTS[other], pick, word, human, random, b64 };
                for (const [isBad, make] of [[true, bad], [false, clean]] as const) {
                    const targets = make(ctx).map((t, j) => ({
                        urn: `urn:pulumi:${env}::finledger-secrets-platform::${t.type}::${t.name}-${j}`,
                        custom: !t.type.startsWith("pulumi:pulumi:"),
                        dependencies: [],
                        propertyDependencies: {},
                        protect: false,
                        ignoreChanges: [],
                        ...t,
                        name: `${t.name}-${j}`,
                    })) as PolicyTarget[];
                    out.push({ cls, bad: isBad, rule: rule === PLAIN ? RULE_PLAIN : rule, env, targets, text: JSON.stringify(targets.map((t) => ({ inputs: t.inputs, outputs: t.outputs })), null, 1) });
                }
            }
        }
    }
    return out;
}

/** A case as `pulumi stack export` (deployment version 3) would hold it. */
export function asStackExport(c: CorpusCase): Record<string, unknown> {
    return {
        version: 3,
        deployment: {
            manifest: { time: "2026-12-01T00:00:00Z", magic: "0", version: "v3.270.0" },
            resources: c.targets.map((t) => ({ urn: t.urn, custom: t.custom, type: t.type, inputs: t.inputs, outputs: t.outputs, dependencies: [], propertyDependencies: {} })),
        },
    };
}

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A case as `pulumi preview --json` shows a first deployment: create steps whose computed outputs are unknown. */
export function asPreview(c: CorpusCase): Record<string, unknown> {
    return {
        steps: c.targets.map((t) => ({
            op: "create",
            urn: t.urn,
            newState: { urn: t.urn, custom: t.custom, type: t.type, inputs: t.inputs, outputs: t.custom ? { ...t.inputs, ...t.outputs, id: UNKNOWN } : t.outputs },
        })),
    };
}
