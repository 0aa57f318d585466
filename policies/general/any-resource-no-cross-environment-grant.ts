import { resourceRule } from "../define";
import { FoundString, stringsOf } from "../inspect/values";
import { ControlRefs } from "../pack-info";
import { EnvironmentDeclaration, issuerId, otherEnvironments } from "../settings";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.3", "CC6.6"], pciDss: ["6.5.5", "7.2.1", "7.2.2"] };

const ARN = /arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}|\*)?:[^\s"',;)]+/g;
// Keys whose value is a resource name, secret name or path: where another environment's prefix is a grant or reference.
const NAME_KEY = /^(name|namePrefix|bucket|role|roleName|secretId|secretName|secret_name|key|remoteRef|remoteKey|path|regexp|prefix|[a-z_]*_prefix|[a-zA-Z]*Prefix|targetKeyId|keyId|aliasName|alias|sourceArn|topicName|queueName|functionName|logGroupName|serviceAccountName)$/;
const SNOWFLAKE_KEY = /(database|role|warehouse|schema|grantee|on_?schema|on_?database|parent|fully_?qualified)/i;
const FREE_TEXT_KEY = /^(description|comment|displayName|summary|message)$/i;
// Object storage URLs (Snowflake stages and storage integrations, Spark's s3a://): the bucket is the host.
const STORAGE_URL = /\bs3[an]?:\/\/([a-z0-9][a-z0-9.-]*)/gi;
// Lists of locations a resource may never reach (a storage integration's blocked locations) guard, not grant.
const BLOCK_LIST_KEY = /blocked/i;

interface EnvironmentMarks {
    readonly env: EnvironmentDeclaration;
    readonly issuer: string;
    readonly snowflake: RegExp;
    /** The environment's Snowflake account as a whole token, in both spellings (`ORG-ACCOUNT`, `ORG.ACCOUNT`). */
    readonly snowflakeAccount?: RegExp;
}

/** The two spellings of a Snowflake account identifier: `ORG-ACCOUNT` (connections) and `ORG.ACCOUNT` (shares). */
export function snowflakeAccountSpellings(account: string): string[] {
    const dash = account.indexOf("-");
    return dash > 0 ? [account, `${account.slice(0, dash)}.${account.slice(dash + 1)}`] : [account];
}

const marksByDeclaration = new WeakMap<EnvironmentDeclaration, EnvironmentMarks>();

// Built once per declaration (the settings are the same objects for every resource of a run).
function marksOf(env: EnvironmentDeclaration): EnvironmentMarks {
    const cached = marksByDeclaration.get(env);
    if (cached) return cached;
    const marks = buildMarks(env);
    marksByDeclaration.set(env, marks);
    return marks;
}

function buildMarks(env: EnvironmentDeclaration): EnvironmentMarks {
    const names = [env.snowflakeDatabase, env.snowflakeRolePrefix.replace(/_+$/, "")].filter(Boolean).map((n) => n.replace(/[^A-Za-z0-9_]/g, ""));
    const account = typeof env.snowflakeAccount === "string" && /^[A-Za-z0-9_-]+$/.test(env.snowflakeAccount) ? env.snowflakeAccount : undefined;
    return {
        env,
        issuer: issuerId(env.oidcIssuer),
        snowflake: new RegExp(`(^|[^A-Za-z0-9_])(${[...new Set(names)].join("|")})(_|[^A-Za-z0-9]|$)`, "i"),
        snowflakeAccount: account ? new RegExp(`(^|[^A-Za-z0-9_.-])(${snowflakeAccountSpellings(account).map((a) => a.replace(/\./g, "\\.")).join("|")})($|[^A-Za-z0-9_-])`, "i") : undefined,
    };
}

/** The buckets of object-storage URLs (`s3://<bucket>/...`) in a string. */
function storageBuckets(value: string): string[] {
    if (value.indexOf("://") < 0) return [];
    const out: string[] = [];
    STORAGE_URL.lastIndex = 0;
    for (let m = STORAGE_URL.exec(value); m; m = STORAGE_URL.exec(value)) out.push(m[1].toLowerCase());
    return out;
}

function namesOtherEnvironment(value: string, env: EnvironmentDeclaration): boolean {
    return (
        value === env.namePrefix ||
        value.startsWith(`${env.namePrefix}-`) ||
        value.startsWith(`${env.name}/`) ||
        value.startsWith(`^${env.name}/`) ||
        value.startsWith(`AmazonMSK_${env.name}/`) ||
        value.startsWith(`alias/${env.namePrefix}-`)
    );
}

/** Every reference in one string to another environment, as a readable description. */
export function crossEnvironmentReferences(found: FoundString, type: string, others: readonly EnvironmentMarks[]): string[] {
    const out: string[] = [];
    const { value, key } = found;
    if (FREE_TEXT_KEY.test(key)) return out;
    // A JSON document's own strings are reported one by one, so the document as text adds nothing but cost.
    if (found.isJson && (value[0] === "{" || value[0] === "[")) return out;
    // What depends on the string alone is computed once, not once per other environment.
    const arns: Array<{ arn: string; account: string | undefined; resource: string }> = [];
    const hasArn = value.includes("arn:aws");
    if (hasArn) {
        ARN.lastIndex = 0;
        for (let a = ARN.exec(value); a; a = ARN.exec(value)) arns.push({ arn: a[0], account: a[1], resource: a[0].split(":").slice(5).join(":") });
    }
    const nameKey = NAME_KEY.test(key);
    const snowflakeKey = type.startsWith("snowflake:") || SNOWFLAKE_KEY.test(key);
    const buckets = BLOCK_LIST_KEY.test(key) ? [] : storageBuckets(value);
    for (const m of others) {
        const env = m.env;
        for (const { arn, account, resource } of arns) {
            if (account === env.accountId) out.push(`an ARN in the ${env.name} account (${arn})`);
            else if (m.issuer && resource.includes(m.issuer)) out.push(`the ${env.name} cluster's OIDC issuer (${m.issuer}) in ${arn}`);
            else if (resource.includes(`${env.namePrefix}-`) || resource.includes(`secret:${env.name}/`) || resource.includes(`secret:AmazonMSK_${env.name}/`)) {
                out.push(`an ARN naming a ${env.name} resource (${arn})`);
            }
        }
        if (value === env.accountId) out.push(`the ${env.name} account id ${env.accountId}`);
        if (m.issuer && !hasArn && value.includes(m.issuer)) out.push(`the ${env.name} cluster's OIDC issuer (${m.issuer})`);
        if (nameKey && namesOtherEnvironment(value, env)) out.push(`the ${env.name} name or path '${value}'`);
        if (snowflakeKey && m.snowflake.test(value)) out.push(`the ${env.name} Snowflake object '${value}'`);
        // A share to another environment's account, a database made from its share, a connection to its account.
        if (m.snowflakeAccount?.test(value)) out.push(`the ${env.name} Snowflake account ${env.snowflakeAccount} in '${value}'`);
        for (const bucket of buckets) if (bucket === env.namePrefix || bucket.startsWith(`${env.namePrefix}-`)) out.push(`the ${env.name} bucket '${bucket}' in '${value}'`);
    }
    return out;
}

/**
 * No resource grants or references anything of another environment: account ids, ARNs, name prefixes
 * (`fl-<env>-`), secret paths (`<env>/`, `AmazonMSK_<env>/`), the other clusters' OIDC issuers, Snowflake
 * `FL_<ENV>` objects and accounts, or buckets in `s3://` URLs. It looks wherever a grant can hide: IAM identity,
 * role, trust, key, secret and bucket policies, ESO stores and ExternalSecret keys, Helm values and Snowflake
 * grants, roles, databases, shares (`accounts`), shared databases (`fromShare`), stages (`url`) and storage
 * integrations (`storageAllowedLocations`; blocked locations are guards and are not read).
 */
export const anyResourceNoCrossEnvironmentGrant = resourceRule(
    {
        name: "any-resource-no-cross-environment-grant",
        description: "No resource may grant or reference a principal, key, secret, cluster or Snowflake object of another environment.",
        severity: "critical",
        controls,
        remediation:
            "reference only this stack's environment: take account ids, ARNs and names from the stack's config (EnvironmentPlatform) and roleNames, and keep each environment's secrets, keys, roles and Snowflake objects in its own stack.",
    },
    ({ args, props, settings, report }) => {
        const others = otherEnvironments(settings, args.urn).map(marksOf);
        if (others.length === 0) return;
        const seen = new Set<string>();
        for (const found of stringsOf(props)) {
            for (const ref of crossEnvironmentReferences(found, args.type, others)) {
                // JSON inside a string is walked too, so the same reference can appear twice; report it once.
                if (seen.has(ref)) continue;
                seen.add(ref);
                report(`'${args.name}' (${args.type}) references ${ref} at '${found.path}'`);
            }
        }
    },
);

export default anyResourceNoCrossEnvironmentGrant;
