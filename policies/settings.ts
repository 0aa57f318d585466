import packConfigFile from "./pack-config.json";
import { display } from "./inspect/values";
import { environmentOfUrn } from "./pack-info";

/** One environment as the pack knows it: everything a rule needs to tell "ours" from "another environment's". */
export interface EnvironmentDeclaration {
    readonly name: string;
    readonly accountId: string;
    /** Resource name prefix, such as `fl-prod`. */
    readonly namePrefix: string;
    /** The EKS cluster's OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/<ID>`). */
    readonly oidcIssuer: string;
    readonly snowflakeDatabase: string;
    /** Prefix of the environment's Snowflake roles, such as `FL_PROD_`. */
    readonly snowflakeRolePrefix: string;
    /** The environment's Snowflake account identifier, `ORG-ACCOUNT` (`FINLEDGER-PROD`); shares name it `ORG.ACCOUNT`. */
    readonly snowflakeAccount?: string;
}

/** A named, reasoned exception to one rule for one resource. */
export interface Exemption {
    /** The rule's name. */
    readonly policy: string;
    /** The exempted resource's URN; `*` matches any run of characters (e.g. `urn:pulumi:dev::*::kubernetes:core/v1:Secret::webhook`). */
    readonly urn: string;
    /** Why the exception is acceptable; reviewed with the change that adds it. */
    readonly reason: string;
    /** Who approved it. */
    readonly approvedBy?: string;
    /** Last day (YYYY-MM-DD, UTC) the exemption applies; after it the rule reports again. */
    readonly expires?: string;
}

/** What every rule reads through {@link settingsOf}: the environments, declared once, and the exemptions. */
export interface PackSettings {
    readonly environments: readonly EnvironmentDeclaration[];
    readonly exemptions: readonly Exemption[];
    /** Lambda runtime identifiers AWS has deprecated (AWS Lambda developer guide, "Runtime deprecation policy"). */
    readonly deprecatedLambdaRuntimes: readonly string[];
}

/**
 * The pack config entry that holds the shared settings. Pulumi pack config is per policy, so the environments are
 * declared once under this rule's entry in `pack-config.json`, and the pack bakes the same file in as the
 * `configSchema` default of every rule: each rule's `getConfig()` then carries `environments` and `exemptions`.
 */
export const SETTINGS_POLICY = "pack-config-declares-environment";

const packFile = packConfigFile as Record<string, any>;
const raw = packFile[SETTINGS_POLICY] ?? {};

/**
 * The settings baked into the pack from `policies/pack-config.json`: the environments of the settings entry, and
 * the exemptions of every entry (an exemption counts only under the entry of the rule it exempts).
 */
export const PACK_SETTINGS: PackSettings = {
    environments: (raw.environments ?? []) as EnvironmentDeclaration[],
    exemptions: Object.values(packFile).flatMap((entry) => (entry && typeof entry === "object" && Array.isArray(entry.exemptions) ? (entry.exemptions as Exemption[]) : [])),
    deprecatedLambdaRuntimes: (raw.deprecatedLambdaRuntimes ?? []) as string[],
};

/** Each entry of `policies/pack-config.json` with the exemptions listed under it. */
export const PACK_EXEMPTIONS_BY_ENTRY: ReadonlyMap<string, readonly Exemption[]> = new Map(
    Object.entries(packFile)
        .filter(([, entry]) => entry && typeof entry === "object" && Array.isArray(entry.exemptions))
        .map(([name, entry]) => [name, entry.exemptions as Exemption[]]),
);

/**
 * The exemptions listed under this rule's own entry of `policies/pack-config.json` that name it: its default when the
 * engine passes none. An exemption under another entry never reaches it, as under the engine.
 */
export function defaultExemptionsFor(policy: string): Exemption[] {
    return (PACK_EXEMPTIONS_BY_ENTRY.get(policy) ?? []).filter((x) => x && x.policy === policy);
}

/** The `configSchema` every rule declares, with the baked settings (its own exemptions) as defaults. */
export function settingsSchema(policy: string): { properties: Record<string, any> } {
    return {
        properties: {
            environments: {
                type: "array",
                default: PACK_SETTINGS.environments,
                items: {
                    type: "object",
                    required: ["name", "accountId", "namePrefix", "oidcIssuer", "snowflakeDatabase", "snowflakeRolePrefix"],
                    properties: {
                        name: { type: "string" },
                        accountId: { type: "string", pattern: "^[0-9]{12}$" },
                        namePrefix: { type: "string" },
                        oidcIssuer: { type: "string" },
                        snowflakeDatabase: { type: "string" },
                        snowflakeRolePrefix: { type: "string" },
                        snowflakeAccount: { type: "string", pattern: "^[A-Za-z0-9_]+-[A-Za-z0-9_]+$" },
                    },
                },
            },
            deprecatedLambdaRuntimes: { type: "array", default: PACK_SETTINGS.deprecatedLambdaRuntimes, items: { type: "string" } },
            exemptions: {
                type: "array",
                default: defaultExemptionsFor(policy),
                items: {
                    type: "object",
                    required: ["policy", "urn", "reason"],
                    properties: {
                        policy: { type: "string" },
                        urn: { type: "string" },
                        reason: { type: "string", minLength: 10 },
                        approvedBy: { type: "string" },
                        expires: { type: "string", pattern: "^[0-9]{4}-[0-9]{2}-[0-9]{2}$" },
                    },
                },
            },
        },
    };
}

/**
 * The settings a rule runs with: the config the engine passes for this rule (`--policy-pack-config`, or config set
 * centrally for the pack, with the schema defaults filled in), else the baked defaults of `policies/pack-config.json`.
 */
export function settingsOf(config: unknown, policy: string): PackSettings {
    const c = (config && typeof config === "object" ? config : {}) as Record<string, unknown>;
    return {
        environments: Array.isArray(c.environments) ? (c.environments as EnvironmentDeclaration[]) : PACK_SETTINGS.environments,
        exemptions: Array.isArray(c.exemptions) ? (c.exemptions as Exemption[]) : defaultExemptionsFor(policy),
        deprecatedLambdaRuntimes: Array.isArray(c.deprecatedLambdaRuntimes) ? (c.deprecatedLambdaRuntimes as string[]) : PACK_SETTINGS.deprecatedLambdaRuntimes,
    };
}

/** Every problem with a settings object, as full sentences; empty when it is valid. */
export function settingsProblems(settings: PackSettings, today: Date = new Date(), entry: string = SETTINGS_POLICY): string[] {
    const problems: string[] = [];
    const where = `policies/pack-config.json (${entry})`;
    const seen = new Set<string>();
    for (const [i, e] of settings.environments.entries()) {
        const at = `${where} environments[${i}]`;
        if (!e || typeof e !== "object") {
            problems.push(`${at} is not an object; declare name, accountId, namePrefix, oidcIssuer, snowflakeDatabase and snowflakeRolePrefix.`);
            continue;
        }
        for (const key of ["name", "accountId", "namePrefix", "oidcIssuer", "snowflakeDatabase", "snowflakeRolePrefix"] as const) {
            if (typeof e[key] !== "string" || e[key] === "") problems.push(`${at}.${key} is missing; copy it from Pulumi.${typeof e.name === "string" ? e.name : "<env>"}.yaml.`);
        }
        if (typeof e.accountId === "string" && !/^\d{12}$/.test(e.accountId)) problems.push(`${at}.accountId '${display(e.accountId)}' is not a 12-digit AWS account id.`);
        if (typeof e.oidcIssuer === "string" && !/^https:\/\/oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/[A-F0-9]+$/.test(e.oidcIssuer)) {
            problems.push(`${at}.oidcIssuer '${e.oidcIssuer}' is not an EKS OIDC issuer URL (https://oidc.eks.<region>.amazonaws.com/id/<ID>).`);
        }
        if (e.snowflakeAccount !== undefined && !(typeof e.snowflakeAccount === "string" && /^[A-Za-z0-9_]+-[A-Za-z0-9_]+$/.test(e.snowflakeAccount))) {
            problems.push(`${at}.snowflakeAccount '${display(e.snowflakeAccount)}' is not a Snowflake account identifier ORG-ACCOUNT; copy finledger:snowflake.account from Pulumi.${typeof e.name === "string" ? e.name : "<env>"}.yaml.`);
        }
        if (seen.has(e.name)) problems.push(`${at}.name '${display(e.name)}' is declared twice; declare each environment once.`);
        seen.add(e.name);
    }
    for (const [i, x] of settings.exemptions.entries()) {
        const at = `${where} exemptions[${i}]`;
        if (!x || typeof x !== "object") {
            problems.push(`${at} is not an object; give policy, urn and reason.`);
            continue;
        }
        if (typeof x.policy !== "string" || x.policy === "") problems.push(`${at}.policy is missing; name the rule it exempts.`);
        else if (x.policy !== entry) {
            problems.push(`${at} exempts '${x.policy}' but sits under the entry of '${entry}'; the engine passes each rule only its own entry, so move it under "${x.policy}".`);
        }
        if (typeof x.urn !== "string" || x.urn === "") problems.push(`${at}.urn is missing; name the exempted resource's URN.`);
        if (typeof x.reason !== "string" || x.reason.trim().length < 10) problems.push(`${at}.reason is missing or too short; say why the exception is acceptable.`);
        if (x.expires !== undefined) {
            const end = typeof x.expires === "string" ? Date.parse(`${x.expires}T23:59:59Z`) : NaN;
            if (Number.isNaN(end)) problems.push(`${at}.expires '${display(x.expires)}' is not a YYYY-MM-DD date.`);
            else if (end < today.getTime()) problems.push(`${at} for ${display(x.policy)} expired on ${x.expires}; remove it or renew it with a new review.`);
        }
    }
    return problems;
}

/** The declaration of the environment a URN's stack belongs to, if declared. */
export function environmentOf(settings: PackSettings, urn: string): EnvironmentDeclaration | undefined {
    const name = environmentOfUrn(urn);
    return settings.environments.find((e) => e && e.name === name);
}

/** Every declared environment except the one the URN belongs to. */
export function otherEnvironments(settings: PackSettings, urn: string): EnvironmentDeclaration[] {
    const name = environmentOfUrn(urn);
    return settings.environments.filter((e) => e && typeof e === "object" && e.name !== name);
}

const globs = new WeakMap<Exemption, RegExp>();

// Compiled once per exemption (the settings are the same objects for every resource of a run): every rule asks
// about every resource.
function urnPattern(x: Exemption & { urn: string }): RegExp {
    let re = globs.get(x);
    if (!re) {
        re = new RegExp(`^${x.urn.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
        globs.set(x, re);
    }
    return re;
}

/** The exemption that covers this rule on this resource today, if any. Expired exemptions cover nothing. */
export function exemptionFor(settings: PackSettings, policy: string, urn: string | undefined, today: Date = new Date()): Exemption | undefined {
    if (!urn) return undefined;
    return settings.exemptions.find((x) => {
        if (!x || x.policy !== policy || typeof x.urn !== "string" || typeof x.reason !== "string" || x.reason.trim().length < 10) return false;
        if (x.expires !== undefined && !(typeof x.expires === "string" && Date.parse(`${x.expires}T23:59:59Z`) >= today.getTime())) return false;
        return urnPattern(x as Exemption & { urn: string }).test(urn);
    });
}

/** The OIDC issuer's id (the last path segment), which also appears in provider ARNs and condition keys. */
export function issuerId(oidcIssuer: string): string {
    return typeof oidcIssuer === "string" ? (oidcIssuer.split("/").pop() ?? "") : "";
}
