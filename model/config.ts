import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { DEPLOY_PHASES } from "./phase";
import { parseYamlDocument } from "./yaml";

/** The environments this platform knows. Each is one AWS account, one KMS key and one Pulumi stack. */
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** The config namespace of this project in `Pulumi.<stack>.yaml`. */
export const CONFIG_NAMESPACE = "finledger";

/** Value that stands in for a `secure:` config value. The plan never decrypts one. */
export const SECURE_PLACEHOLDER = "[secure]";

/** Key names that hold credentials. Such a key must be stored with `pulumi config set --secret`. */
const SECRET_LOOKING_KEY = /(pass(word|wd|phrase)?|secret|token|private[-_]?key|api[-_]?key|credential|fernet|jaas|sasl)/i;

/** GitHub's two OIDC subject claim formats (see `finledger:github.subjectFormat`). */
export const GITHUB_SUBJECT_FORMATS = ["legacy", "immutable"] as const;

const awsAccountId = z.string().regex(/^\d{12}$/, "a 12-digit AWS account id, quoted as a string");
const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region such as us-east-1");
const iamName = z.string().regex(/^[\w+=,.@-]{1,64}$/, "an IAM role name (letters, digits and +=,.@_-, at most 64)");

const seconds = (min: number, max: number) => z.coerce.number().int().min(min, `at least ${min} seconds`).max(max, `at most ${max} seconds`);

/** `finledger:rotation`: where rotation functions run, MSK and Snowflake wiring, and rollout timings. */
const rotationConfigSchema = z.strictObject({
    vpc: z.strictObject({
        vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, "a VPC id such as vpc-0a1b2c3d4e5f67890"),
        subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "a subnet id such as subnet-0a1b2c3d")).min(2, "at least two private subnets in different zones"),
        securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, "a security group id such as sg-0a1b2c3d")).min(1, "at least one security group"),
        /** An existing Secrets Manager interface endpoint with private DNS; when absent the stack creates one. */
        secretsManagerEndpointId: z.string().regex(/^vpce-[0-9a-f]{8,17}$/, "a VPC endpoint id such as vpce-0a1b2c3d").optional(),
    }),
    windowHours: z.coerce.number().int().min(1, "at least 1 hour").max(24, "at most 24 hours").default(4),
    kafka: z.strictObject({
        clusterArn: z.string().regex(/^arn:aws:kafka:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9-]+\/[A-Za-z0-9-]+$/, "an MSK cluster ARN, arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>"),
    }),
    snowflake: z.strictObject({
        rotationRole: z.string().regex(/^[A-Z][A-Z0-9_]*$/, "an upper-case Snowflake role name").refine((r) => r !== "ACCOUNTADMIN" && r !== "SECURITYADMIN" && r !== "SYSADMIN", "a role that owns only the users it rotates, never ACCOUNTADMIN, SECURITYADMIN or SYSADMIN"),
        rotatorKeyPairName: z.string().regex(/^[a-z]+\/[a-z0-9][a-z0-9/_.-]*$/, "a secret name such as prod/platform/rotation/snowflake-rotator"),
    }),
    rollout: z
        .strictObject({
            kubeletSyncSeconds: seconds(0, 600).default(120),
            airflowSecretsCacheTtlSeconds: seconds(0, 3600).default(300),
            longestTaskSeconds: seconds(60, 7 * 86400).default(6 * 3600),
        })
        .prefault({}),
});

/** Hosts whose webhook URLs carry a credential in the path; such endpoints belong in Secrets Manager, never in config. */
const CREDENTIAL_BEARING_HOSTS = ["hooks.slack.com", "events.pagerduty.com", "outlook.office.com", "discord.com"];

/** Whether an https alert endpoint carries no credential: no user info, no query string, no token-like path segment. */
export function isCredentialFreeWebhook(endpoint: string): boolean {
    let url: URL;
    try {
        url = new URL(endpoint);
    } catch {
        return false;
    }
    if (url.protocol !== "https:" || url.username || url.password || url.search || url.hash) return false;
    if (CREDENTIAL_BEARING_HOSTS.some((h) => url.hostname === h || url.hostname.endsWith(`.${h}`))) return false;
    return !url.pathname.split("/").some((segment) => /^[A-Za-z0-9_-]{20,}$/.test(segment));
}

const alertSubscription = z
    .strictObject({
        protocol: z.enum(["email", "https"]),
        endpoint: z.string(),
    })
    .refine((s) => (s.protocol === "email" ? /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(s.endpoint) : isCredentialFreeWebhook(s.endpoint)), {
        message:
            "an email address for protocol email, or an https URL without user info, query string or token-like path segment for protocol https (webhook URLs that embed a key, such as Slack or PagerDuty integration URLs, are secrets: keep them in Secrets Manager)",
        path: ["endpoint"],
    });

/** Settings of the audit layer (`finledger:audit`): who hears alarms, who may break glass, where logs are archived. */
const auditConfigSchema = z.strictObject({
    /** SNS subscribers of the audit alert topic. Endpoints only, never a credential. */
    alertSubscriptions: z.array(alertSubscription).min(1, "at least one alert subscriber"),
    /** IAM users or roles of this account allowed to assume the break-glass role, with MFA. */
    breakGlassPrincipals: z
        .array(z.string().regex(/^arn:aws:iam::\d{12}:(user|role)\/[\w+=,.@\/-]{1,128}$/, "an IAM user or role ARN"))
        .min(1, "at least one break-glass principal ARN"),
    /** When set, CloudTrail writes to this bucket in a separate log-archive account, which creates and owns it. */
    logArchive: z
        .strictObject({
            accountId: awsAccountId,
            bucketName: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name"),
        })
        .optional(),
    /** Days before an `expires-at` tag's date that the daily check starts alerting. */
    expiryWarningDays: z.coerce.number().int().min(1, "at least 1 day").max(90, "at most 90 days").default(14),
    /** AccessDenied errors on Secrets Manager or KMS within 5 minutes that raise the alarm. */
    accessDeniedThreshold: z.coerce.number().int().min(1, "at least 1").max(1000, "at most 1000").default(10),
    /** Private subnets and security groups that put the latency probe in the cluster's VPC. Default: no VPC. */
    probeVpc: z
        .strictObject({
            subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, "a subnet id")).min(1, "at least one subnet"),
            securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, "a security group id")).min(1, "at least one security group"),
        })
        .optional(),
});

/** The audit layer's validated settings. */
export type AuditConfig = z.infer<typeof auditConfigSchema>;

const environmentConfigSchema = z.strictObject({
    environment: z.enum(ENVIRONMENTS),
    accountId: awsAccountId,
    region: awsRegion,
    replicaRegion: awsRegion,
    namePrefix: z.string().regex(/^[a-z][a-z0-9-]{1,20}$/, "lower-case letters, digits and dashes, such as fl-prod"),
    cluster: z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, "an EKS cluster name"),
        oidcIssuer: z
            .string()
            .regex(/^https:\/\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/[A-F0-9]{32}$/, "the cluster's OIDC issuer URL, https://oidc.eks.<region>.amazonaws.com/id/<32 hex>"),
    }),
    keyAdministrators: z.array(iamName).min(1, "at least one key administrator role name"),
    // The first deploy runs foundation, then the first values are set, then full (docs/cicd.md). Default: full.
    phase: z.enum(DEPLOY_PHASES, "foundation or full (docs/cicd.md, the phased first deploy)").default("full"),
    recoveryWindowDays: z.coerce.number().int().min(7, "at least 7 days").max(30, "at most 30 days").default(30),
    snowflake: z.strictObject({
        // ORG-ACCOUNT: the provider signs in to exactly this account; no other environment may name it.
        account: z.string().regex(/^[A-Z0-9_]+-[A-Z0-9_]+$/, "a Snowflake account identifier ORG-ACCOUNT, such as FINLEDGER-PROD"),
        database: z.string().regex(/^[A-Z][A-Z0-9_]*$/, "an upper-case Snowflake database name"),
        /** Default warehouse of the platform's service users; `warehouses` overrides it per workload type. */
        warehouse: z.string().regex(/^[A-Z][A-Z0-9_]*$/, "an upper-case Snowflake warehouse name").optional(),
        /** Warehouse per workload type (airflow, dbt, spark, ...), such as `dbt: FL_PROD_TRANSFORM_WH`. */
        warehouses: z.record(z.string(), z.string().regex(/^[A-Z][A-Z0-9_]*$/, "an upper-case Snowflake warehouse name")).optional(),
        rolePrefix: z.string().regex(/^[A-Z][A-Z0-9_]*_$/, "an upper-case prefix ending in an underscore, such as FL_PROD_"),
        /** The cluster's NAT egress CIDRs: the only addresses the platform's service users may connect from. */
        allowedIpCidrs: z.array(z.string()).min(1, "at least one egress CIDR of the environment's cluster (its NAT gateways' addresses)"),
    }),
    github: z
        .strictObject({
            org: z.string().regex(/^[A-Za-z0-9-]+$/, "a GitHub organisation"),
            repo: z.string().regex(/^[A-Za-z0-9._-]+$/, "a GitHub repository name"),
            // GitHub's OIDC `sub` claim: `legacy` is repo:<org>/<repo>:<context>; `immutable` (the default for
            // repositories created or renamed after 2026-06-18) appends the owner's and repository's numeric ids,
            // repo:<org>-<ownerId>/<repo>-<repositoryId>:<context>, so a recycled name cannot mint a trusted token.
            subjectFormat: z.enum(GITHUB_SUBJECT_FORMATS).default("legacy"),
            ownerId: z.string().regex(/^[1-9]\d{0,19}$/, "the numeric id of the GitHub organisation, quoted as a string").optional(),
            repositoryId: z.string().regex(/^[1-9]\d{0,19}$/, "the numeric id of the GitHub repository, quoted as a string").optional(),
            // IAM allows one OIDC provider per URL: when the account already has GitHub's (npm run preflight says
            // found), the stack trusts that one instead of creating a second. Default: false (the bootstrap creates it).
            reuseOidcProvider: z.boolean("true or false").default(false),
        })
        .superRefine((github, ctx) => {
            if (github.subjectFormat !== "immutable") return;
            for (const key of ["ownerId", "repositoryId"] as const) {
                if (github[key] === undefined) {
                    ctx.addIssue({
                        code: "custom",
                        path: [key],
                        message: `the numeric ${key === "ownerId" ? "organisation" : "repository"} id, required when subjectFormat is immutable (read it from the GitHub API: gh api repos/<org>/<repo> --jq .${key === "ownerId" ? "owner.id" : "id"})`,
                    });
                }
            }
        }),
    audit: auditConfigSchema,
    rotation: rotationConfigSchema,
    // Runtime access (docs/access-patterns.md): where External Secrets reads from, and how often it re-syncs.
    runtime: z
        .strictObject({
            storeRegion: z.enum(["primary", "replica"], "primary or replica (the failover switch of docs/access-patterns.md)").default("primary"),
            refreshInterval: z
                .string()
                .regex(/^([1-9]\d*(s|m|h))+$/, "a Go duration such as 1h or 15m (at least one unit, no zero)")
                .default("1h"),
        })
        .default({ storeRegion: "primary", refreshInterval: "1h" }),
});

/** One environment's validated, non-secret settings. */
export type EnvironmentConfig = z.infer<typeof environmentConfigSchema>;

/** One problem found in a config file: where it is, what was found and what is expected. */
export interface ConfigProblem {
    readonly file: string;
    readonly key: string;
    readonly found: string;
    readonly expected: string;
}

/** A config file that cannot be used. The message names every problem, so one run shows them all. */
export class ConfigError extends Error {
    constructor(readonly problems: readonly ConfigProblem[]) {
        super(
            `Invalid stack config:\n` +
                problems.map((p) => `  - ${p.file}: key '${p.key}': found ${p.found}; expected ${p.expected}.`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** Raw config as the Pulumi engine or a stack file holds it: full keys (`finledger:region`) to values. */
export interface RawStackConfig {
    /** Where the values came from, for error messages. */
    readonly file: string;
    /** The stack name, which must equal the environment. */
    readonly stack: string;
    readonly values: Readonly<Record<string, unknown>>;
    /** Full keys whose values are `secure:` (encrypted) in the file. */
    readonly secureKeys: ReadonlySet<string>;
    /** The stack's secrets provider URL, when known. */
    readonly secretsProvider?: string;
}

function describe(value: unknown): string {
    if (value === undefined) return "nothing";
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function walk(value: unknown, at: string, visit: (keyPath: string, leaf: unknown) => void): void {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) walk(v, `${at}.${k}`, visit);
    } else if (Array.isArray(value)) {
        value.forEach((v, i) => walk(v, `${at}[${i}]`, visit));
    } else {
        visit(at, value);
    }
}

/** Validates raw stack config and returns the typed environment settings, or throws one ConfigError naming every problem. */
export function parseEnvironmentConfig(raw: RawStackConfig): EnvironmentConfig {
    const problems: ConfigProblem[] = [];
    const ours: Record<string, unknown> = {};
    const prefix = `${CONFIG_NAMESPACE}:`;

    for (const [fullKey, value] of Object.entries(raw.values)) {
        if (raw.secureKeys.has(fullKey)) continue;
        walk(value, fullKey, (keyPath, leaf) => {
            const lastSegment = keyPath.split(/[.:[]/).filter(Boolean).pop() ?? keyPath;
            if (SECRET_LOOKING_KEY.test(lastSegment) && typeof leaf === "string" && leaf.length > 0) {
                problems.push({
                    file: raw.file,
                    key: keyPath,
                    found: "a plain-text value under a secret-looking key",
                    expected: `no secret in plain text: store it with 'pulumi config set --secret ${fullKey}' so that it is a secure: value, or better, keep it in Secrets Manager`,
                });
            }
        });
        if (fullKey.startsWith(prefix)) ours[fullKey.slice(prefix.length)] = value;
    }

    const parsed = environmentConfigSchema.safeParse(ours);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            const keyPath = issue.path.length ? `${prefix}${issue.path.join(".")}` : `${prefix}*`;
            let found: unknown = ours;
            for (const segment of issue.path) found = (found as Record<PropertyKey, unknown> | undefined)?.[segment as PropertyKey];
            if (issue.code === "unrecognized_keys") {
                for (const key of issue.keys) {
                    problems.push({
                        file: raw.file,
                        key: issue.path.length ? `${keyPath}.${key}` : `${prefix}${key}`,
                        found: "an unknown key",
                        expected: `one of the documented keys (${Object.keys(environmentConfigSchema.shape).join(", ")} at the top level); check the spelling`,
                    });
                }
                continue;
            }
            problems.push({ file: raw.file, key: keyPath, found: describe(found), expected: issue.message });
        }
    }
    if (parsed.success && parsed.data.environment !== raw.stack) {
        problems.push({
            file: raw.file,
            key: `${prefix}environment`,
            found: describe(parsed.data.environment),
            expected: `the stack's own name '${raw.stack}', since each stack is exactly one environment`,
        });
    }
    if (parsed.success && parsed.data.replicaRegion === parsed.data.region) {
        problems.push({
            file: raw.file,
            key: `${prefix}replicaRegion`,
            found: describe(parsed.data.replicaRegion),
            expected: `a region other than the primary region ${parsed.data.region}`,
        });
    }
    if (parsed.success && raw.secretsProvider !== undefined && !/^awskms:\/\//.test(raw.secretsProvider)) {
        problems.push({
            file: raw.file,
            key: "secretsprovider",
            found: describe(raw.secretsProvider),
            expected: "an awskms:// URL for the environment's own Pulumi secrets key",
        });
    }
    if (parsed.success) {
        const r = parsed.data.rotation;
        const [, , , mskRegion, mskAccount] = r.kafka.clusterArn.split(":");
        if (mskAccount !== parsed.data.accountId || mskRegion !== parsed.data.region) {
            problems.push({
                file: raw.file,
                key: `${prefix}rotation.kafka.clusterArn`,
                found: describe(r.kafka.clusterArn),
                expected: `an MSK cluster in the environment's own account ${parsed.data.accountId} and region ${parsed.data.region}`,
            });
        }
        if (!r.snowflake.rotatorKeyPairName.startsWith(`${parsed.data.environment}/`)) {
            problems.push({
                file: raw.file,
                key: `${prefix}rotation.snowflake.rotatorKeyPairName`,
                found: describe(r.snowflake.rotatorKeyPairName),
                expected: `a secret of this environment, named '${parsed.data.environment}/...'`,
            });
        }
        const audit = parsed.data.audit;
        audit.breakGlassPrincipals.forEach((arn, i) => {
            if (arn.split(":")[4] !== parsed.data.accountId) {
                problems.push({
                    file: raw.file,
                    key: `${prefix}audit.breakGlassPrincipals[${i}]`,
                    found: describe(arn),
                    expected: `a principal of the environment's own account ${parsed.data.accountId}; no other account may break glass here`,
                });
            }
        });
        if (audit.logArchive && audit.logArchive.accountId === parsed.data.accountId) {
            problems.push({
                file: raw.file,
                key: `${prefix}audit.logArchive.accountId`,
                found: describe(audit.logArchive.accountId),
                expected: "a separate log-archive account, not the environment's own account; remove logArchive to keep the bucket in this account",
            });
        }
    }
    const allowed = raw.values["aws:allowedAccountIds"];
    if (parsed.success && allowed !== undefined) {
        const list = Array.isArray(allowed) ? allowed : typeof allowed === "string" ? safeJson(allowed) : undefined;
        if (!Array.isArray(list) || list.length !== 1 || String(list[0]) !== parsed.data.accountId) {
            problems.push({
                file: raw.file,
                key: "aws:allowedAccountIds",
                found: describe(allowed),
                expected: `exactly the environment's own account ["${parsed.data.accountId}"]`,
            });
        }
    }
    if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
    return parsed.data;
}

function safeJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/** Reads `Pulumi.<stack>.yaml` from a project directory into raw config, marking `secure:` values. */
export function readStackFile(projectDir: string, stack: string): RawStackConfig {
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    const shortName = path.basename(file);
    if (!fs.existsSync(file)) {
        throw new ConfigError([
            { file: shortName, key: "(file)", found: "no such file", expected: `a stack file for one of ${ENVIRONMENTS.join(", ")}` },
        ]);
    }
    let doc: unknown;
    try {
        doc = parseYamlDocument(fs.readFileSync(file, "utf8"));
    } catch (err) {
        throw new ConfigError([{ file: shortName, key: "(file)", found: `invalid YAML (${(err as Error).message.split("\n")[0]})`, expected: "a YAML mapping" }]);
    }
    const top = (doc ?? {}) as Record<string, unknown>;
    const config = (top.config ?? {}) as Record<string, unknown>;
    if (typeof config !== "object" || Array.isArray(config)) {
        throw new ConfigError([{ file: shortName, key: "config", found: describe(config), expected: "a mapping of config keys" }]);
    }
    const values: Record<string, unknown> = {};
    const secureKeys = new Set<string>();
    for (const [key, value] of Object.entries(config)) {
        if (value !== null && typeof value === "object" && !Array.isArray(value) && "secure" in value) {
            secureKeys.add(key);
            values[key] = SECURE_PLACEHOLDER;
        } else {
            values[key] = value;
        }
    }
    return {
        file: shortName,
        stack,
        values,
        secureKeys,
        secretsProvider: typeof top.secretsprovider === "string" ? top.secretsprovider : undefined,
    };
}

/** Flattens raw config into the string map the Pulumi runtime holds (objects as JSON), for running under mocks. */
export function toRuntimeConfig(raw: RawStackConfig): { config: Record<string, string>; secretKeys: string[] } {
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(raw.values)) {
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { config, secretKeys: [...raw.secureKeys] };
}

/** Reads raw config from the running Pulumi engine (a real deploy, or mocks that were given the stack file). */
export function rawConfigFromRuntime(all: Record<string, string>, isSecret: (key: string) => boolean, stack: string): RawStackConfig {
    const values: Record<string, unknown> = {};
    const secureKeys = new Set<string>();
    for (const [key, text] of Object.entries(all)) {
        if (isSecret(key)) {
            secureKeys.add(key);
            values[key] = SECURE_PLACEHOLDER;
            continue;
        }
        const trimmed = text.trim();
        // Account ids look numeric but must stay strings, so only structured values are decoded.
        values[key] = /^[[{]/.test(trimmed) ? safeJson(trimmed) ?? text : text;
    }
    return { file: `Pulumi.${stack}.yaml`, stack, values, secureKeys };
}
