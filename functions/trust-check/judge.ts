// The pure core of the role-trust check: is a new trust document of a platform role one the plan produces? IAM has no
// condition key on a trust document, so a deploy run may rewrite any platform role's trust (docs/threat-model.md,
// path 9); this judges the document CloudTrail recorded instead. The stack and the sign job import these constants,
// so this file must not load the AWS SDK.

import { FINDING_SOURCE } from "../expiry-check/findings";

/** The file, beside index.js, that holds the environment's {@link TrustAllowance} (built by components/role-trust-check.ts). */
export const ALLOWANCE_FILE = "trust-allowance.json";
/** IAM calls that set a role's trust document, and where CloudTrail's requestParameters carry it. */
export const TRUST_DOCUMENT_PARAMETER = { CreateRole: "assumeRolePolicyDocument", UpdateAssumeRolePolicy: "policyDocument" } as const;
/** The IAM calls the check judges. */
export const TRUST_CHANGE_EVENTS = Object.keys(TRUST_DOCUMENT_PARAMETER) as Array<keyof typeof TRUST_DOCUMENT_PARAMETER>;
/** Source and detail type of the check's finding events; the `platform-change-outside-plan` detection turns them into alerts. */
export const TRUST_FINDING_SOURCE = FINDING_SOURCE;
export const TRUST_FINDING_DETAIL_TYPE = "Platform Role Trust Outside Plan";

/** Which environment an allowance is for, and which of its roles the check judges. */
export interface PlatformScope {
    readonly environment: string;
    readonly accountId: string;
    /** Roles the check judges: names that start with `<prefix>-`. */
    readonly namePrefix: string;
    /** Bootstrap-owned roles (the CI roles): any change to their trust or policies is a finding, whoever makes it. */
    readonly bootstrapOwnedRoles: readonly string[];
}

/** What an environment's platform roles may trust: exactly the trust documents its plan produces, canonical. */
export interface TrustAllowance extends PlatformScope {
    /**
     * Roles whose one trust the model names (the IRSA roles: ESO controller and each workload), by role name, canonical:
     * such a role may have only its own document, and no other role may have one of these.
     */
    readonly roleDocuments: Readonly<Record<string, string>>;
    /** The other trust documents the plan gives roles it manages (service principals, break glass), canonical, sorted. */
    readonly documents: readonly string[];
}

/** One finding: a platform role whose new trust is not one the plan produces. */
export interface TrustFinding {
    readonly environment: string;
    readonly roleName: string;
    readonly eventName: string;
    /** Who made the call (CloudTrail's userIdentity.arn). */
    readonly caller: string;
    /** The principals of the statements outside the plan ("*", ARNs, services; `NotPrincipal:` when inverted). */
    readonly principals: string[];
    readonly reason: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function sortedKeys(value: Json): Json {
    if (Array.isArray(value)) return value.map(sortedKeys);
    if (value && typeof value === "object") return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedKeys(value[k])]));
    return value;
}

// IAM reads a one-element list and a plain string alike, and list order carries no meaning.
function asSortedList(value: Json): Json {
    if (typeof value === "string") return [value];
    if (Array.isArray(value) && value.every((v) => typeof v === "string")) return [...value].sort();
    return value;
}

function canonicalStatement(statement: { [key: string]: Json }): Json {
    const out: { [key: string]: Json } = {};
    for (const [key, value] of Object.entries(statement)) {
        if (key === "Sid") continue; // a label: it changes nothing IAM decides
        if ((key === "Principal" || key === "NotPrincipal") && value && typeof value === "object" && !Array.isArray(value)) {
            out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asSortedList(v)]));
        } else if (key === "Condition" && value && typeof value === "object" && !Array.isArray(value)) {
            out[key] = Object.fromEntries(
                Object.entries(value).map(([op, keys]) => [op, keys && typeof keys === "object" && !Array.isArray(keys) ? Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, asSortedList(v)])) : keys]),
            );
        } else if (key === "Action" || key === "NotAction") {
            out[key] = asSortedList(value);
        } else {
            out[key] = value;
        }
    }
    return sortedKeys(out);
}

/** The statements of a trust document as JSON strings that compare equal when IAM would decide alike; throws on a document that is not one. */
export function canonicalStatements(document: string | object): string[] {
    const parsed = (typeof document === "string" ? JSON.parse(document) : document) as { [key: string]: Json };
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("the trust document is not a JSON object");
    const raw = parsed.Statement;
    const list = Array.isArray(raw) ? raw : raw && typeof raw === "object" ? [raw] : [];
    if (list.length === 0) throw new Error("the trust document has no Statement");
    return list.map((s) => {
        if (!s || typeof s !== "object" || Array.isArray(s)) throw new Error("a trust statement is not a JSON object");
        return JSON.stringify(canonicalStatement(s as { [key: string]: Json }));
    });
}

const KEY_TOKEN = /"(?:[^"\\]|\\.)*"\s*:/g;

/**
 * Whether a JSON text repeats a key inside one object. JSON.parse keeps the last of two equal keys, and how IAM reads
 * such a document is not something this check can know; a repeated key could show the check one principal and IAM
 * another, so a document with one is judged unreadable. Counted as key tokens in the text against the parsed value.
 */
export function hasRepeatedKeys(text: string): boolean {
    const count = (t: string) => (t.match(KEY_TOKEN) ?? []).length;
    return count(text) !== count(JSON.stringify(JSON.parse(text)));
}

/** A trust document in canonical form: its version and its canonical statements, sorted. */
export function canonicalTrust(document: string | object): string {
    const parsed = (typeof document === "string" ? JSON.parse(document) : document) as { Version?: unknown };
    return JSON.stringify({ Version: parsed?.Version ?? null, Statement: canonicalStatements(document).sort().map((s) => JSON.parse(s)) });
}

function principalsOf(statement: string): string[] {
    const s = JSON.parse(statement) as { Principal?: Json; NotPrincipal?: Json };
    const names = (p: Json | undefined, label: string): string[] => {
        if (p === undefined) return [];
        if (typeof p === "string") return [`${label}${p}`];
        if (p && typeof p === "object" && !Array.isArray(p)) return Object.values(p).flatMap((v) => (Array.isArray(v) ? v : [v])).map((v) => `${label}${String(v)}`);
        return [`${label}${JSON.stringify(p)}`];
    };
    const found = [...names(s.Principal, ""), ...names(s.NotPrincipal, "NotPrincipal: ")];
    return found.length ? found : ["(no principal)"];
}

/** The part of an EventBridge CloudTrail event the check reads. */
export interface TrustChangeEvent {
    readonly eventName?: string;
    readonly errorCode?: string;
    readonly userIdentity?: { readonly arn?: string };
    readonly requestParameters?: { readonly roleName?: string; readonly [key: string]: unknown } | null;
}

/**
 * Judges one CreateRole or UpdateAssumeRolePolicy call: undefined when the role is not a platform role, the call
 * failed, or the new document is one the plan produces; otherwise a finding naming the role, the caller and the
 * principals of the statements outside the plan.
 */
export function judgeTrustChange(detail: TrustChangeEvent, allowance: TrustAllowance): TrustFinding | undefined {
    const eventName = detail.eventName ?? "";
    const roleName = detail.requestParameters?.roleName;
    if (!(eventName in TRUST_DOCUMENT_PARAMETER) || typeof roleName !== "string" || !roleName.startsWith(`${allowance.namePrefix}-`) || detail.errorCode) return undefined;
    const base = { environment: allowance.environment, roleName, eventName, caller: detail.userIdentity?.arn ?? "(unknown caller)" };
    const raw = detail.requestParameters?.[TRUST_DOCUMENT_PARAMETER[eventName as keyof typeof TRUST_DOCUMENT_PARAMETER]];
    let statements: string[];
    let canonical: string;
    try {
        if (typeof raw !== "string") throw new Error("CloudTrail recorded no trust document");
        if (hasRepeatedKeys(raw)) throw new Error("a key appears twice in one object");
        statements = canonicalStatements(raw);
        canonical = canonicalTrust(raw);
    } catch (e) {
        return { ...base, principals: ["(unreadable document)"], reason: `The new trust of ${roleName} cannot be judged (${(e as Error).message}); read it with aws iam get-role --role-name ${roleName}.` };
    }
    if (allowance.bootstrapOwnedRoles.includes(roleName)) {
        return { ...base, principals: statements.flatMap(principalsOf), reason: `${roleName} is bootstrap-owned: its trust changes only in the bootstrap, never in a deploy; confirm the change with the platform lead or revert it.` };
    }
    const own = allowance.roleDocuments[roleName];
    if (own !== undefined ? canonical === own : allowance.documents.includes(canonical)) return undefined;
    const every = [...Object.values(allowance.roleDocuments), ...allowance.documents];
    const planned = new Set(every.flatMap((d) => (JSON.parse(d) as { Statement: Json[] }).Statement.map((s) => JSON.stringify(s))));
    const outside = statements.filter((s) => !planned.has(s));
    const principals = (outside.length ? outside : statements).flatMap(principalsOf);
    const why = outside.length
        ? `${outside.length} of its ${statements.length} statement(s) trust principals or conditions the plan never gives a role`
        : every.includes(canonical)
          ? `the plan gives this trust to another role, not to ${roleName}`
          : `its statements are planned, but not in this combination (or with another Version)`;
    return { ...base, principals, reason: `The new trust of ${roleName} is not one the ${allowance.environment} plan produces: ${why}. Revert it to the planned trust (pulumi up from main) and find out who changed it.` };
}
