// One value contract per secret kind: the stored JSON (what Secrets Manager holds), who writes it, and what each
// consumer type reads from it. Rotation functions parse and serialize through these schemas, `npm run secret:set`
// validates a first value against them, and the ExternalSecrets, Airflow connections and mounted files are derived
// from the views below, so a field name is written once. docs/secret-kinds.md describes each kind for people.
//
// This module runs inside the rotation Lambdas too: it imports catalog types only, never the catalog loader.
import { createPrivateKey } from "node:crypto";
import { z } from "zod";
import type { Catalog, CatalogSecret, SecretKind, WorkloadType } from "./catalog";

// PEM markers are built from pieces so no source line looks like key material to a scanner.
const pemBegin = (label: string) => `${"-".repeat(5)}BEGIN ${label}${"-".repeat(5)}`;

const nonEmpty = z.string().min(1, "must be a non-empty string");
const port = z.union([z.number().int().min(1).max(65535), z.string().regex(/^[1-9][0-9]{0,4}$/, "must be a port number")]);
// A JAAS value sits between double quotes; refusing quotes, backslashes and control characters keeps the line exact.
const jaasSafe = z
    .string()
    .min(1, "must be a non-empty string")
    .regex(/^[^"\\\u0000-\u001f\u007f]+$/, "must not contain double quotes, backslashes or control characters (it is quoted in a JAAS line)");

/** An unencrypted PKCS#8 PEM RSA private key, as Snowflake key-pair authentication and its drivers read it. */
const pkcs8RsaPem = z.string().superRefine((pem, ctx) => {
    if (!pem.includes(pemBegin("PRIVATE KEY"))) {
        ctx.addIssue({ code: "custom", message: "must be an unencrypted PKCS#8 PEM private key (the 'PRIVATE KEY' block; convert PKCS#1 with `openssl pkcs8 -topk8 -nocrypt`)" });
        return;
    }
    try {
        const key = createPrivateKey({ key: pem, format: "pem" });
        if (key.asymmetricKeyType !== "rsa") ctx.addIssue({ code: "custom", message: `must be an RSA key (got ${key.asymmetricKeyType})` });
    } catch {
        ctx.addIssue({ code: "custom", message: "is not a readable PEM private key" });
    }
});

const ACCOUNT = /^[A-Za-z0-9_.-]+$/;
const SNOWFLAKE_USER = /^[A-Za-z_][A-Za-z0-9_$]{0,254}$/;

/** snowflake-keypair: a Snowflake service user's key pair. Extra connection fields are kept as they are. */
export const snowflakeKeyPairSchema = z.looseObject({
    account: z.string().regex(ACCOUNT, "must be a Snowflake account identifier such as ORG-ACCOUNT"),
    user: z.string().regex(SNOWFLAKE_USER, "must be an unquoted Snowflake user name"),
    /** Absent only in a bootstrap value, before the first rotation. */
    privateKey: pkcs8RsaPem.optional(),
    publicKeyFingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=$/, "must be SHA256:<base64>, as DESC USER shows RSA_PUBLIC_KEY_FP").optional(),
    /** The key slot that holds this private key's public key; the rotation writes the next key into the other one. */
    publicKeySlot: z.enum(["RSA_PUBLIC_KEY", "RSA_PUBLIC_KEY_2"], "must be RSA_PUBLIC_KEY or RSA_PUBLIC_KEY_2, the slot that holds this key").optional(),
    role: nonEmpty.optional(),
    warehouse: nonEmpty.optional(),
    database: nonEmpty.optional(),
    schema: nonEmpty.optional(),
});

/** kafka-scram: what MSK reads from an associated secret (exactly these two fields). */
export const kafkaScramSchema = z.strictObject({ username: jaasSafe, password: jaasSafe });

/** postgres-password: an application user, in the shape of AWS's rotation templates. */
export const postgresPasswordSchema = z.looseObject({
    engine: z.literal("postgres").optional(),
    host: nonEmpty,
    port,
    dbname: nonEmpty,
    username: nonEmpty,
    password: nonEmpty,
    /** The RDS-managed master secret the alternating-users rotation logs in with. */
    masterarn: nonEmpty.optional(),
});

/** rds-master-password: what RDS writes into the master secret it manages. */
export const rdsMasterPasswordSchema = z.looseObject({ username: nonEmpty, password: nonEmpty });

/** The Datadog value of an api-token secret (functions/rotation/strategies/datadog.ts rotates it). */
export const datadogTokenSchema = z.looseObject({
    vendor: z.literal("datadog"),
    apiUrl: z.string().regex(/^https?:\/\/[^/]+$/, "must be the API host URL, such as https://api.datadoghq.com"),
    apiKey: nonEmpty,
    apiKeyId: nonEmpty,
    appKey: nonEmpty,
    supersedesTokenId: nonEmpty.optional(),
});

/** The SendGrid value of an api-token secret (functions/rotation/strategies/sendgrid.ts rotates it). */
export const sendgridTokenSchema = z.looseObject({
    vendor: z.literal("sendgrid"),
    apiUrl: z.string().regex(/^https?:\/\/[^/]+$/, "must be the API host URL, such as https://api.sendgrid.com"),
    apiKey: nonEmpty,
    apiKeyId: nonEmpty,
    managementKey: nonEmpty,
    supersedesTokenId: nonEmpty.optional(),
});

/** The Twilio value of an api-token secret (functions/rotation/strategies/twilio.ts rotates it). */
export const twilioTokenSchema = z.looseObject({
    vendor: z.literal("twilio"),
    apiUrl: z.string().regex(/^https?:\/\/[^/]+$/, "must be the API host URL, such as https://api.twilio.com"),
    accountSid: nonEmpty,
    apiKeySid: nonEmpty,
    apiKeySecret: nonEmpty,
    managementKeySid: nonEmpty,
    managementKeySecret: nonEmpty,
    supersedesTokenId: nonEmpty.optional(),
});

/** Vendor token shapes by `vendor`; an adapter under functions/rotation/strategies adds its vendor here. */
export const VENDOR_TOKEN_SCHEMAS: Readonly<Record<string, z.ZodType<Record<string, unknown>>>> = { datadog: datadogTokenSchema, sendgrid: sendgridTokenSchema, twilio: twilioTokenSchema };

/** A token set by hand (rotation `manual`): the token and, for an Airflow HTTP connection, where it is used. */
export const plainTokenSchema = z.strictObject({ token: nonEmpty, host: nonEmpty.optional(), login: nonEmpty.optional() });

/** api-token: a vendor-rotated token (has `vendor`) or a hand-set one (has `token`). */
export const apiTokenSchema = z.unknown().transform((v, ctx) => {
    const vendor = v !== null && typeof v === "object" ? (v as { vendor?: unknown }).vendor : undefined;
    if (vendor === undefined) return parseInto(plainTokenSchema, v, ctx);
    const schema = typeof vendor === "string" && Object.hasOwn(VENDOR_TOKEN_SCHEMAS, vendor) ? VENDOR_TOKEN_SCHEMAS[vendor] : undefined;
    if (!schema) {
        ctx.addIssue({ code: "custom", path: ["vendor"], message: `names no known vendor (known: ${Object.keys(VENDOR_TOKEN_SCHEMAS).join(", ")}); add the vendor's schema to model/secret-kinds.ts` });
        return z.NEVER;
    }
    return parseInto(schema, v, ctx);
});

function parseInto<T>(schema: z.ZodType<T>, v: unknown, ctx: z.RefinementCtx): T {
    const r = schema.safeParse(v);
    if (r.success) return r.data;
    for (const issue of r.error.issues) ctx.addIssue(issue as never);
    return z.NEVER;
}

/** ssh-private-key: an SSH identity and where it logs in (an Airflow SSH/SFTP connection). */
export const sshPrivateKeySchema = z.looseObject({
    host: nonEmpty,
    port: port.optional(),
    username: nonEmpty,
    privateKey: z.string().refine((k) => /-----BEGIN (OPENSSH|RSA|EC|)\s?PRIVATE KEY-----/.test(k), "must be a PEM or OpenSSH private key"),
    passphrase: nonEmpty.optional(),
    /** The server's public host key (`ssh-ed25519 AAAA...`), so the client never trusts on first use. */
    hostKey: nonEmpty.optional(),
});

/** pgp-private-key: an ASCII-armored PGP private key (file encryption DAGs). */
export const pgpPrivateKeySchema = z.strictObject({
    privateKey: z.string().refine((k) => k.includes(pemBegin("PGP PRIVATE KEY BLOCK")), "must be an ASCII-armored PGP private key block"),
    passphrase: nonEmpty.optional(),
});

/** basic-auth: a user name and password for a vendor endpoint. */
export const basicAuthSchema = z.strictObject({ username: nonEmpty, password: nonEmpty, host: nonEmpty.optional(), port: port.optional() });

/** airflow-fernet-key: a plain string, the urlsafe base64 of 32 bytes (Fernet.generate_key()). */
export const airflowFernetKeySchema = z.string().refine((s) => /^[A-Za-z0-9_-]{43}=$/.test(s) && Buffer.from(s, "base64url").length === 32, "must be a Fernet key: urlsafe base64 of 32 bytes (44 characters)");

/** airflow-webserver-secret-key: a plain random string of at least 32 characters (Flask's session signing key). */
export const airflowWebserverSecretKeySchema = z.string().regex(/^\S{32,}$/, "must be at least 32 characters without whitespace");

/** How Secrets Manager stores a kind's value: a JSON object, or a plain string the consumer reads whole. */
export type StoredFormat = "json" | "string";

/** The value contract of one kind. */
export interface KindContract {
    readonly schema: z.ZodType;
    readonly format: StoredFormat;
    /** Every top-level field the stored JSON may carry (empty for plain strings). */
    readonly fields: readonly string[];
    /** Fields every value has. */
    readonly required: readonly string[];
    /** Who writes the value, for docs and the first-value tool. */
    readonly writtenBy: string;
}

function objectFields(...schemas: Array<z.ZodObject>): { fields: string[]; required: string[] } {
    const fields = new Set<string>();
    const counts = new Map<string, number>();
    for (const s of schemas) {
        for (const [k, v] of Object.entries(s.shape)) {
            fields.add(k);
            if (!(v as z.ZodType).safeParse(undefined).success) counts.set(k, (counts.get(k) ?? 0) + 1);
        }
    }
    return { fields: [...fields], required: [...counts].filter(([, n]) => n === schemas.length).map(([k]) => k) };
}

/** The contract of every catalog kind. */
export const SECRET_KIND_CONTRACTS: Readonly<Record<SecretKind, KindContract>> = {
    "snowflake-keypair": { schema: snowflakeKeyPairSchema, format: "json", ...objectFields(snowflakeKeyPairSchema), writtenBy: "the snowflake-key-pair rotation (privateKey, publicKeyFingerprint); secret:set for the first value" },
    "kafka-scram": { schema: kafkaScramSchema, format: "json", ...objectFields(kafkaScramSchema), writtenBy: "the kafka-scram-alternating-users rotation (username, password); secret:set for the first value" },
    "postgres-password": { schema: postgresPasswordSchema, format: "json", ...objectFields(postgresPasswordSchema), writtenBy: "the postgres-alternating-users rotation (username, password); secret:set for the first value and for manual rotation" },
    "rds-master-password": { schema: rdsMasterPasswordSchema, format: "json", ...objectFields(rdsMasterPasswordSchema), writtenBy: "RDS (manageMasterUserPassword); never a person" },
    "api-token": { schema: apiTokenSchema, format: "json", ...objectFields(plainTokenSchema, datadogTokenSchema, sendgridTokenSchema, twilioTokenSchema), writtenBy: "the vendor-api rotation (vendor values); secret:set for the first value and for manual tokens" },
    "ssh-private-key": { schema: sshPrivateKeySchema, format: "json", ...objectFields(sshPrivateKeySchema), writtenBy: "secret:set (manual rotation)" },
    "pgp-private-key": { schema: pgpPrivateKeySchema, format: "json", ...objectFields(pgpPrivateKeySchema), writtenBy: "secret:set (manual rotation)" },
    "basic-auth": { schema: basicAuthSchema, format: "json", ...objectFields(basicAuthSchema), writtenBy: "secret:set (manual rotation)" },
    "airflow-fernet-key": { schema: airflowFernetKeySchema, format: "string", fields: [], required: [], writtenBy: "secret:set (manual rotation, with Airflow's `airflow rotate-fernet-key`)" },
    "airflow-webserver-secret-key": { schema: airflowWebserverSecretKeySchema, format: "string", fields: [], required: [], writtenBy: "secret:set (manual rotation)" },
};

/** Extra per-strategy rules on top of the kind's schema (alternating users need `_a`/`_b` and, for Postgres, the master). */
export const STRATEGY_VALUE_RULES: Readonly<Record<string, (v: Record<string, unknown>) => string[]>> = {
    "postgres-alternating-users": (v) => [
        ...(typeof v.username === "string" && /_(a|b)$/.test(v.username) ? [] : ["'username' must end in _a or _b (alternating users)"]),
        ...(typeof v.masterarn === "string" && v.masterarn !== "" ? [] : ["'masterarn' must name the RDS-managed master secret the rotation logs in with"]),
    ],
    "kafka-scram-alternating-users": (v) => (typeof v.username === "string" && /_(a|b)$/.test(v.username) ? [] : ["'username' must end in _a or _b (alternating users)"]),
    "vendor-api": (v) => (typeof v.vendor === "string" ? [] : ["'vendor' must name the vendor whose adapter rotates the token"]),
};

/** A stored value that does not fit its kind. The message names fields and rules, never a value. */
export class SecretValueError extends Error {
    constructor(
        message: string,
        readonly problems: readonly string[],
    ) {
        super(message);
        this.name = "SecretValueError";
    }
}

/** The problems of a raw stored value against a kind (and optionally its rotation strategy); empty when it fits. */
export function secretValueProblems(kind: SecretKind, raw: string, strategy?: string): string[] {
    const contract = SECRET_KIND_CONTRACTS[kind];
    let input: unknown = raw;
    if (contract.format === "json") {
        try {
            input = JSON.parse(raw);
        } catch {
            return [`the value is not JSON; a ${kind} secret holds an object with ${contract.required.map((f) => `'${f}'`).join(", ")}`];
        }
        if (input === null || typeof input !== "object" || Array.isArray(input)) return [`the value is not a JSON object; a ${kind} secret holds {${contract.required.join(", ")}, ...}`];
    }
    const r = contract.schema.safeParse(input);
    const problems = r.success
        ? []
        : r.error.issues.map((i) => {
              if (i.code === "unrecognized_keys") return `unknown field${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `'${k}'`).join(", ")} (a ${kind} secret holds ${contract.fields.map((f) => `'${f}'`).join(", ")})`;
              const field = i.path.join(".");
              const missing = field !== "" && i.path.length === 1 && (input as Record<string, unknown>)[String(i.path[0])] === undefined;
              return field ? `'${field}' ${missing ? "is missing" : i.message}` : `the value ${i.message}`;
          });
    if (r.success && strategy && STRATEGY_VALUE_RULES[strategy] && contract.format === "json") problems.push(...STRATEGY_VALUE_RULES[strategy]!(r.data as Record<string, unknown>));
    return problems;
}

/** Parses a raw stored value of a kind; throws SecretValueError naming every problem (never a value). */
export function parseSecretValue<T = Record<string, unknown>>(kind: SecretKind, raw: string, label: string, strategy?: string): T {
    const problems = secretValueProblems(kind, raw, strategy);
    if (problems.length) throw new SecretValueError(`The ${label} value of the ${kind} secret is invalid: ${problems.join("; ")}.`, problems);
    const contract = SECRET_KIND_CONTRACTS[kind];
    return (contract.format === "json" ? contract.schema.parse(JSON.parse(raw)) : raw) as T;
}

/** Serialises a value of a kind after checking it, so a strategy can never store a value its consumers cannot read. */
export function serializeSecretValue(kind: SecretKind, value: unknown, strategy?: string): string {
    const raw = SECRET_KIND_CONTRACTS[kind].format === "json" ? JSON.stringify(value) : String(value);
    parseSecretValue(kind, raw, "new", strategy);
    return raw;
}

// ---------------------------------------------------------------------------------------------------------------
// Consumer views: what a workload type gets from a kind through External Secrets, as Kubernetes Secret keys (the
// file names of a secret volume) and ESO template v2 expressions over the stored JSON's fields.

/** Mode of every secret file: read-only for the owner (pods set fsGroup so the task user owns it). */
export const SECRET_FILE_MODE = 0o400;

/** The template name of a plain string kind's whole value. */
export const PLAIN_VALUE_KEY = "value";

/** One consumer view: Kubernetes Secret key (and so file name) to an ESO v2 template over the stored fields. */
export interface ConsumerView {
    readonly name: string;
    /** What the consumer does with it, for docs. */
    readonly description: string;
    /** Key to template. A plain string kind's template refers to its whole value as `.value`. */
    readonly keys: Readonly<Record<string, string>>;
    readonly fileMode: number;
}

const JAAS = 'org.apache.kafka.common.security.scram.ScramLoginModule required username="{{ .username }}" password="{{ .password }}";';

/** Every view, by name. Templates use only ESO v2 functions (Go text/template builtins and sprig). */
export const CONSUMER_VIEWS = {
    "snowflake-key-file": {
        name: "snowflake-key-file",
        description: "dbt (dbt-snowflake, snowflake-connector-python) reads the PKCS#8 PEM key file through private_key_path",
        keys: { private_key: "{{ .privateKey }}" },
        fileMode: SECRET_FILE_MODE,
    },
    "snowflake-spark": {
        name: "snowflake-spark",
        description: "Spark: the PEM file for the JDBC driver's private_key_file, and the key body (base64 DER, no PEM lines) for the Spark connector's pem_private_key",
        keys: { private_key: "{{ .privateKey }}", pem_private_key: '{{ regexReplaceAll "-----[A-Z ]+-----" .privateKey "" | nospace }}' },
        fileMode: SECRET_FILE_MODE,
    },
    "kafka-client": {
        name: "kafka-client",
        description: "Kafka clients (Spark, Airflow tasks): SASL/SCRAM-SHA-512 over TLS, as a JAAS line and as a client properties file",
        keys: {
            username: "{{ .username }}",
            password: "{{ .password }}",
            "sasl.jaas.config": JAAS,
            "client.properties": `security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=${JAAS}\n`,
        },
        fileMode: SECRET_FILE_MODE,
    },
    "postgres-jdbc": {
        name: "postgres-jdbc",
        description: "Spark JDBC: user and password files and the JDBC URL (TLS with certificate and host name checks)",
        keys: { username: "{{ .username }}", password: "{{ .password }}", "jdbc-url": "jdbc:postgresql://{{ .host }}:{{ .port }}/{{ .dbname }}?sslmode=verify-full" },
        fileMode: SECRET_FILE_MODE,
    },
    "airflow-metadata-db": {
        name: "airflow-metadata-db",
        description: "the Airflow chart's metadata connection (data.metadataSecretName), also mounted by each domain's task pods: a SQLAlchemy URL",
        keys: { connection: "postgresql://{{ .username | urlquery }}:{{ .password | urlquery }}@{{ .host }}:{{ .port }}/{{ .dbname }}" },
        fileMode: SECRET_FILE_MODE,
    },
    "airflow-fernet-key": {
        name: "airflow-fernet-key",
        description: "the Airflow chart's fernetKeySecretName",
        keys: { "fernet-key": "{{ .value }}" },
        fileMode: SECRET_FILE_MODE,
    },
    "airflow-webserver-secret-key": {
        name: "airflow-webserver-secret-key",
        description: "the Airflow chart's webserverSecretKeySecretName",
        keys: { "webserver-secret-key": "{{ .value }}" },
        fileMode: SECRET_FILE_MODE,
    },
} as const satisfies Record<string, ConsumerView>;
export type ConsumerViewName = keyof typeof CONSUMER_VIEWS;

/** Which view each workload type gets of each kind through External Secrets. Absent: that consumer is not supported. */
export const ESO_VIEWS: Readonly<Record<SecretKind, Partial<Record<WorkloadType, ConsumerViewName>>>> = {
    "snowflake-keypair": { dbt: "snowflake-key-file", spark: "snowflake-spark" },
    "kafka-scram": { spark: "kafka-client", airflow: "kafka-client" },
    // Airflow task pods run in each domain's namespace and need the metadata DB connection there too.
    "postgres-password": { spark: "postgres-jdbc", "airflow-core": "airflow-metadata-db", airflow: "airflow-metadata-db" },
    "rds-master-password": {},
    "api-token": {},
    "ssh-private-key": {},
    "pgp-private-key": {},
    "basic-auth": {},
    "airflow-fernet-key": { "airflow-core": "airflow-fernet-key" },
    "airflow-webserver-secret-key": { "airflow-core": "airflow-webserver-secret-key" },
};

/** Fields a Go template reads: `.field` references and `index . "field"`. */
export function templateFields(template: string): string[] {
    const out = new Set<string>();
    for (const action of template.match(/\{\{[\s\S]*?\}\}/g) ?? []) {
        for (const m of action.matchAll(/(?<![\w)\]])\.([A-Za-z_][A-Za-z0-9_]*)/g)) out.add(m[1]!);
        for (const m of action.matchAll(/index\s+\.\s+"([^"]+)"/g)) out.add(m[1]!);
        for (const m of action.matchAll(/hasKey\s+\.\s+"([^"]+)"/g)) out.add(m[1]!);
    }
    return [...out];
}

// ---------------------------------------------------------------------------------------------------------------
// Airflow connections: the fields of an Airflow Connection that each kind maps to (connection secrets live under
// airflow/connections/<conn_id>). The same table yields the pure mapping and the ESO template of the JSON form.

/** One Airflow Connection field filled from one stored field. */
interface ConnectionFieldSource {
    /** `host`, `port`, `schema`, `login`, `password`, or `extra.<key>`. */
    readonly to: string;
    readonly from: string;
    /** `base64`: the provider expects the value base64-encoded (Snowflake's private_key_content since provider 6.3). */
    readonly encode?: "base64";
}

/** How a kind (or one vendor's api-token) becomes an Airflow Connection. */
export interface AirflowConnectionMapping {
    readonly connType: string;
    readonly fields: readonly ConnectionFieldSource[];
}

/** The Airflow Connection mapping of each kind that Airflow reads as a connection. */
export const AIRFLOW_CONNECTION_MAPPINGS: Readonly<Partial<Record<SecretKind, AirflowConnectionMapping>>> = {
    "postgres-password": {
        connType: "postgres",
        fields: [
            { to: "host", from: "host" },
            { to: "port", from: "port" },
            { to: "schema", from: "dbname" },
            { to: "login", from: "username" },
            { to: "password", from: "password" },
        ],
    },
    "snowflake-keypair": {
        connType: "snowflake",
        fields: [
            { to: "login", from: "user" },
            { to: "schema", from: "schema" },
            { to: "extra.account", from: "account" },
            { to: "extra.private_key_content", from: "privateKey", encode: "base64" },
            { to: "extra.role", from: "role" },
            { to: "extra.warehouse", from: "warehouse" },
            { to: "extra.database", from: "database" },
        ],
    },
    "basic-auth": {
        connType: "http",
        fields: [
            { to: "host", from: "host" },
            { to: "port", from: "port" },
            { to: "login", from: "username" },
            { to: "password", from: "password" },
        ],
    },
    "ssh-private-key": {
        connType: "ssh",
        fields: [
            { to: "host", from: "host" },
            { to: "port", from: "port" },
            { to: "login", from: "username" },
            { to: "extra.private_key", from: "privateKey" },
            { to: "extra.private_key_passphrase", from: "passphrase" },
            { to: "extra.host_key", from: "hostKey" },
        ],
    },
    "api-token": {
        connType: "http",
        fields: [
            { to: "host", from: "host" },
            { to: "login", from: "login" },
            { to: "password", from: "token" },
        ],
    },
};

/** Vendor-rotated api-token values map by vendor (the Airflow provider's own connection type and extras). */
export const AIRFLOW_VENDOR_CONNECTION_MAPPINGS: Readonly<Record<string, AirflowConnectionMapping>> = {
    datadog: {
        connType: "datadog",
        fields: [
            { to: "host", from: "apiUrl" },
            { to: "extra.api_host", from: "apiUrl" },
            { to: "extra.api_key", from: "apiKey" },
            { to: "extra.app_key", from: "appKey" },
        ],
    },
    // The rotated key only: the management credentials that issue keys never reach a task.
    sendgrid: {
        connType: "http",
        fields: [
            { to: "host", from: "apiUrl" },
            { to: "password", from: "apiKey" },
        ],
    },
    twilio: {
        connType: "http",
        fields: [
            { to: "host", from: "apiUrl" },
            { to: "login", from: "apiKeySid" },
            { to: "password", from: "apiKeySecret" },
            { to: "extra.account_sid", from: "accountSid" },
        ],
    },
};

/** An Airflow Connection as LocalFilesystemBackend's JSON and `Connection(**fields)` take it. */
export interface AirflowConnectionFields {
    conn_type: string;
    host?: string;
    port?: number;
    schema?: string;
    login?: string;
    password?: string;
    extra?: Record<string, string>;
}

/** The Airflow mapping of a kind, choosing the vendor's mapping for a vendor-rotated api-token value. */
export function airflowConnectionMapping(kind: SecretKind, vendor?: string): AirflowConnectionMapping | undefined {
    if (kind === "api-token" && vendor !== undefined) return AIRFLOW_VENDOR_CONNECTION_MAPPINGS[vendor];
    return AIRFLOW_CONNECTION_MAPPINGS[kind];
}

/** Maps a stored value (already parsed) of a kind to the Airflow Connection fields; absent optional fields are omitted. */
export function airflowConnection(kind: SecretKind, value: Record<string, unknown>): AirflowConnectionFields {
    const vendor = typeof value.vendor === "string" ? value.vendor : undefined;
    const mapping = airflowConnectionMapping(kind, vendor);
    if (!mapping) throw new SecretValueError(`A ${kind} secret${vendor ? ` of vendor '${vendor}'` : ""} has no Airflow connection mapping; see docs/secret-kinds.md.`, []);
    const out: AirflowConnectionFields = { conn_type: mapping.connType };
    for (const f of mapping.fields) {
        const v = value[f.from];
        if (v === undefined || v === null) continue;
        const text = f.encode === "base64" ? Buffer.from(String(v), "utf8").toString("base64") : String(v);
        if (f.to.startsWith("extra.")) out.extra = { ...out.extra, [f.to.slice("extra.".length)]: text };
        else if (f.to === "port") out.port = Number(v);
        else (out as unknown as Record<string, string>)[f.to] = text;
    }
    return out;
}

/**
 * The ESO v2 template of an Airflow connection in JSON (LocalFilesystemBackend's `{"<conn_id>": {...}}` file), built
 * from the same mapping as {@link airflowConnection}. Optional stored fields are guarded with `index` (ESO's data is a
 * map[string]string, which sprig's `hasKey` refuses; `index` gives "" for an absent field), because ESO
 * renders with missingkey=error.
 */
export function airflowConnectionTemplate(kind: SecretKind, connId: string, vendor?: string): string {
    const mapping = airflowConnectionMapping(kind, vendor);
    if (!mapping) throw new SecretValueError(`A ${kind} secret has no Airflow connection mapping.`, []);
    const shape = kind === "api-token" ? (vendor ? (VENDOR_TOKEN_SCHEMAS[vendor] as z.ZodObject) : plainTokenSchema) : undefined;
    const required = new Set(shape ? objectFields(shape).required : SECRET_KIND_CONTRACTS[kind].required);
    const value = (f: ConnectionFieldSource) => (f.to === "port" ? `{{ .${f.from} }}` : f.encode === "base64" ? `{{ .${f.from} | b64enc | toJson }}` : `{{ .${f.from} | toJson }}`);
    // Each member carries its own leading comma after the first, fixed member, so optional members need no lookahead.
    const member = (key: string, f: ConnectionFieldSource) => {
        const text = `,${JSON.stringify(key)}:${value(f)}`;
        return required.has(f.from) ? text : `{{ if index . ${JSON.stringify(f.from)} }}${text}{{ end }}`;
    };
    const top = mapping.fields.filter((f) => !f.to.startsWith("extra.")).map((f) => member(f.to, f));
    // `extra` opens with a member every value has, so the optional ones after it can each bring their comma.
    const extra = mapping.fields.filter((f) => f.to.startsWith("extra.")).sort((a, b) => Number(required.has(b.from)) - Number(required.has(a.from)));
    if (extra.length && !required.has(extra[0]!.from)) throw new SecretValueError(`The Airflow mapping of ${kind} needs at least one required field in extra.`, []);
    const extraText = extra.length ? `,"extra":{${extra.map((f) => member(f.to.slice("extra.".length), f)).join("").slice(1)}}` : "";
    return `{${JSON.stringify(connId)}:{"conn_type":${JSON.stringify(mapping.connType)}${top.join("")}${extraText}}}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Bindings: the plan refuses a consumer that its kind has no view for, and a view that reads a field the kind lacks.

/** How a catalog secret reaches an Airflow domain: as a connection or variable (by its name), or through ESO. */
export type AirflowPathOf = (catalogName: string) => "connection" | "variable" | undefined;

/** The view a consumer of a given type gets of a secret, or a sentence saying why there is none. */
export function consumerBinding(
    secret: Pick<CatalogSecret, "name" | "kind">,
    workloadType: WorkloadType,
    airflowPathOf: AirflowPathOf,
): { eso: ConsumerView } | { airflow: "connection" | "variable" } | { none: string } {
    const path = workloadType === "airflow" || workloadType === "airflow-core" ? airflowPathOf(secret.name) : undefined;
    if (path === "variable") {
        return SECRET_KIND_CONTRACTS[secret.kind].format === "json" ? { airflow: "variable" } : { none: `a ${secret.kind} value is a plain string, not an Airflow variable's JSON` };
    }
    if (path === "connection") {
        return AIRFLOW_CONNECTION_MAPPINGS[secret.kind] ? { airflow: "connection" } : { none: `kind ${secret.kind} has no Airflow connection mapping (model/secret-kinds.ts AIRFLOW_CONNECTION_MAPPINGS)` };
    }
    const view = ESO_VIEWS[secret.kind][workloadType];
    if (!view) {
        const supported = Object.keys(ESO_VIEWS[secret.kind]);
        return { none: `a ${workloadType} workload cannot consume kind ${secret.kind} (consumers with a view of it: ${supported.length ? supported.join(", ") : "none"})` };
    }
    return { eso: CONSUMER_VIEWS[view] };
}

/** Problems of one view against one kind: every field its templates read must exist in the kind's stored JSON. */
export function viewProblems(kind: SecretKind, view: ConsumerView): string[] {
    const contract = SECRET_KIND_CONTRACTS[kind];
    const known = new Set(contract.format === "string" ? [PLAIN_VALUE_KEY] : contract.fields);
    const problems: string[] = [];
    for (const [key, template] of Object.entries(view.keys)) {
        if (!/^[-._a-zA-Z0-9]+$/.test(key)) problems.push(`view '${view.name}' key '${key}' is not a valid Kubernetes Secret key`);
        for (const field of templateFields(template)) {
            if (!known.has(field)) problems.push(`view '${view.name}' key '${key}' reads field '${field}', which kind ${kind} lacks (fields: ${[...known].join(", ")})`);
        }
    }
    return problems;
}

/** Problems of an Airflow mapping against its kind. */
export function airflowMappingProblems(kind: SecretKind, mapping: AirflowConnectionMapping, fields: readonly string[] = SECRET_KIND_CONTRACTS[kind].fields): string[] {
    return mapping.fields.filter((f) => !fields.includes(f.from)).map((f) => `Airflow ${mapping.connType} connection field '${f.to}' reads '${f.from}', which kind ${kind} lacks`);
}

/** Tables a plan checks the catalog against; tests pass altered ones to prove the check fails. */
export interface BindingTables {
    readonly esoViews: typeof ESO_VIEWS;
    readonly views: Readonly<Record<string, ConsumerView>>;
    readonly airflowMappings: typeof AIRFLOW_CONNECTION_MAPPINGS;
}

/**
 * Every consumer binding of the catalog, checked against the kinds: each (secret, consumer) pair must have a view or
 * an Airflow mapping, and that view may read only fields the kind has. Returns one sentence per problem with the
 * catalog file and key; the plan throws them as a CatalogError (exit 2).
 */
export function consumerBindingProblems(
    catalog: Catalog,
    airflowPathOf: AirflowPathOf,
    tables: BindingTables = { esoViews: ESO_VIEWS, views: CONSUMER_VIEWS, airflowMappings: AIRFLOW_CONNECTION_MAPPINGS },
): string[] {
    const byId = new Map(catalog.workloads.map((w) => [w.id, w]));
    const problems: string[] = [];
    catalog.secrets.forEach((s) => {
        for (const id of s.consumers) {
            const w = byId.get(id);
            if (!w) continue;
            const at = `${s.file}: secret '${s.name}' (kind ${s.kind}) key 'consumers' entry '${id}' (${w.type})`;
            const path = w.type === "airflow" || w.type === "airflow-core" ? airflowPathOf(s.name) : undefined;
            if (path === "connection") {
                const m = tables.airflowMappings[s.kind];
                if (!m) problems.push(`${at}: kind ${s.kind} has no Airflow connection mapping; store it as another kind or add the mapping in model/secret-kinds.ts.`);
                else for (const p of airflowMappingProblems(s.kind, m)) problems.push(`${at}: ${p}; fix the mapping in model/secret-kinds.ts.`);
                continue;
            }
            if (path === "variable") {
                if (SECRET_KIND_CONTRACTS[s.kind].format !== "json") problems.push(`${at}: a ${s.kind} value is a plain string and cannot be an Airflow variable; use a JSON kind.`);
                continue;
            }
            const viewName = tables.esoViews[s.kind][w.type];
            const view = viewName ? tables.views[viewName] : undefined;
            if (!view) {
                problems.push(`${at}: a ${w.type} workload has no view of kind ${s.kind}; remove the consumer, change the kind, or add a view in model/secret-kinds.ts (ESO_VIEWS).`);
                continue;
            }
            for (const p of viewProblems(s.kind, view)) problems.push(`${at}: ${p}; fix the view in model/secret-kinds.ts.`);
        }
    });
    return problems;
}
