// The pure core of the policy part of the platform change check (docs/threat-model.md, path 7): is a new inline policy
// of a platform role, or a managed policy attached to it, one the plan gives that role? IAM has no condition key on a
// policy document, so a deploy run may put any document on a platform role within the permissions boundary; this
// judges the document CloudTrail recorded instead. Like judge.ts it must not load the AWS SDK.

import { hasRepeatedKeys, PlatformScope } from "./judge";

/** The file, beside index.js, that holds the environment's {@link PolicyAllowance}. */
export const POLICY_ALLOWANCE_FILE = "policy-allowance.json";
/** IAM calls the check judges: a new or rewritten inline policy, and an attached managed policy. Deleting or detaching narrows. */
export const POLICY_CHANGE_EVENTS = ["PutRolePolicy", "AttachRolePolicy"] as const;
/** Detail type of the check's policy findings (source: the audit finding source of judge.ts). */
export const POLICY_FINDING_DETAIL_TYPE = "Platform Role Policy Outside Plan";

/** One statement of a planned policy, as the builders produce it; resources may hold IAM wildcards for values known only at deploy time. */
export interface AllowedStatement {
    readonly Effect: "Allow" | "Deny";
    readonly Action?: string | readonly string[];
    readonly NotAction?: string | readonly string[];
    readonly Resource?: string | readonly string[];
    readonly NotResource?: string | readonly string[];
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;
}

/** What the plan gives one role: its inline policies by name (documents whose deploy-time values are patterns) and the managed policies it attaches. */
export interface RolePolicyAllowance {
    readonly inline: Readonly<Record<string, { readonly Version: string; readonly Statement: readonly AllowedStatement[] }>>;
    readonly attached: readonly string[];
}

/** What an environment's platform roles may be given: exactly the policies its plan produces. */
export interface PolicyAllowance extends PlatformScope {
    /** The planned policies of every other role the plan manages, by role name. */
    readonly roles: Readonly<Record<string, RolePolicyAllowance>>;
}

/** One finding: a platform role given a policy its plan does not give it. */
export interface PolicyFinding {
    readonly environment: string;
    readonly roleName: string;
    readonly eventName: string;
    /** Who made the call (CloudTrail's userIdentity.arn). */
    readonly caller: string;
    /** The inline policy's name, or the attached policy's ARN. */
    readonly policy: string;
    /** What the new policy allows beyond the plan (`action on resource`, or a whole statement), at most 20. */
    readonly outside: string[];
    readonly reason: string;
}

/** The part of an EventBridge CloudTrail event the check reads. */
export interface PolicyChangeEvent {
    readonly eventName?: string;
    readonly errorCode?: string;
    readonly userIdentity?: { readonly arn?: string };
    readonly requestParameters?: { readonly roleName?: string; readonly policyName?: string; readonly policyDocument?: unknown; readonly policyArn?: string } | null;
}

/**
 * Whether every string the IAM pattern `inner` matches is also matched by `outer` (`*` any run of characters, `?` one
 * character). A wildcard of `inner` is covered only by a wildcard of `outer` at least as wide: `*` by `*`, `?` by `?`
 * or `*`. Sound (never says yes wrongly); it may say no to an exotic pair that is covered, which is a finding, not a miss.
 */
export function patternCovers(outer: string, inner: string): boolean {
    const memo = new Map<number, boolean>();
    const at = (i: number, j: number): boolean => {
        const key = i * (inner.length + 1) + j;
        const known = memo.get(key);
        if (known !== undefined) return known;
        let result: boolean;
        if (i === outer.length) result = j === inner.length;
        else if (outer[i] === "*") result = at(i + 1, j) || (j < inner.length && at(i, j + 1));
        else if (j === inner.length || inner[j] === "*") result = false;
        else if (outer[i] === "?") result = at(i + 1, j + 1);
        else result = inner[j] !== "?" && inner[j] === outer[i] && at(i + 1, j + 1);
        memo.set(key, result);
        return result;
    };
    return at(0, 0);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Statement = { [key: string]: Json };

const list = (value: Json | readonly string[] | undefined): string[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);

// A condition as operator -> key -> sorted values, lower-cased keys (IAM reads condition keys case-insensitively).
function canonicalCondition(condition: Json | undefined): Map<string, string> {
    const out = new Map<string, string>();
    if (!condition || typeof condition !== "object" || Array.isArray(condition)) return out;
    for (const [op, keys] of Object.entries(condition)) {
        if (!keys || typeof keys !== "object" || Array.isArray(keys)) {
            out.set(`${op}|(malformed)`, JSON.stringify(keys));
            continue;
        }
        for (const [key, values] of Object.entries(keys)) out.set(`${op}|${key.toLowerCase()}`, JSON.stringify(list(values as Json).sort()));
    }
    return out;
}

// Conditions of an Allow statement are ANDed: the new statement is at most as wide when it keeps every planned
// condition with the same values (it may add more).
function keepsConditions(statement: Statement, planned: AllowedStatement): boolean {
    const have = canonicalCondition(statement.Condition);
    for (const [key, values] of canonicalCondition(planned.Condition as Json)) if (have.get(key) !== values) return false;
    return true;
}

function covers(planned: AllowedStatement, statement: Statement, action: string, resource: string): boolean {
    if (planned.Effect !== "Allow" || planned.NotAction !== undefined || planned.NotResource !== undefined) return false;
    return (
        list(planned.Action as Json).some((a) => patternCovers(a.toLowerCase(), action.toLowerCase())) &&
        list(planned.Resource as Json).some((r) => patternCovers(r, resource)) &&
        keepsConditions(statement, planned)
    );
}

// Deny statements compare as sets of their fields, without Sid and without list order.
function canonicalDeny(statement: Statement | AllowedStatement): string {
    const s = statement as Statement;
    const fields: Record<string, Json> = {};
    for (const key of ["Action", "NotAction", "Resource", "NotResource"]) if (s[key] !== undefined) fields[key] = list(s[key]).sort();
    fields.Condition = [...canonicalCondition(s.Condition)].sort().map(([k, v]) => `${k}=${v}`);
    return JSON.stringify(fields);
}

/**
 * What a policy document allows beyond a planned one: every Allow statement's action/resource pairs must each be
 * covered by one planned Allow statement whose conditions it keeps; `NotAction`, `NotResource` or a `Principal` in an
 * Allow is outside as a whole; every planned Deny must still be there; the Version must be the planned one. Returns
 * the pairs or statements outside the plan (empty when the document is at most as wide as the plan).
 */
export function policyOutsidePlan(document: string | object, planned: RolePolicyAllowance["inline"][string]): string[] {
    const parsed = (typeof document === "string" ? JSON.parse(document) : document) as { Version?: Json; Statement?: Json };
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("the policy document is not a JSON object");
    const raw = parsed.Statement;
    const statements = (Array.isArray(raw) ? raw : raw && typeof raw === "object" ? [raw] : []) as Json[];
    if (statements.length === 0) throw new Error("the policy document has no Statement");
    const outside: string[] = [];
    if (parsed.Version !== planned.Version) outside.push(`Version ${JSON.stringify(parsed.Version ?? null)} (planned ${planned.Version})`);
    const allows = planned.Statement.filter((p) => p.Effect === "Allow");
    for (const item of statements) {
        if (!item || typeof item !== "object" || Array.isArray(item)) throw new Error("a policy statement is not a JSON object");
        const s = item as Statement;
        if (s.Effect === "Deny") continue;
        if (s.Effect !== "Allow") throw new Error(`a statement has Effect ${JSON.stringify(s.Effect ?? null)}`);
        if (s.NotAction !== undefined || s.NotResource !== undefined || s.Principal !== undefined || s.NotPrincipal !== undefined || s.Action === undefined || s.Resource === undefined) {
            outside.push(`statement ${JSON.stringify(s)}`);
            continue;
        }
        for (const action of list(s.Action)) {
            for (const resource of list(s.Resource)) {
                if (!allows.some((p) => covers(p, s, action, resource))) outside.push(`${action} on ${resource}${s.Condition ? "" : " (no condition)"}`);
            }
        }
    }
    const denies = new Set(statements.filter((s) => (s as Statement).Effect === "Deny").map((s) => canonicalDeny(s as Statement)));
    for (const d of planned.Statement.filter((p) => p.Effect === "Deny")) if (!denies.has(canonicalDeny(d))) outside.push(`planned deny missing: ${JSON.stringify(d)}`);
    return outside;
}

/**
 * Judges one PutRolePolicy or AttachRolePolicy call: undefined when the role is not a platform role, the call failed,
 * or the role's plan gives it this policy (at most as wide); otherwise a finding naming the role, the caller, the
 * policy and what it allows beyond the plan.
 */
export function judgePolicyChange(detail: PolicyChangeEvent, allowance: PolicyAllowance): PolicyFinding | undefined {
    const eventName = detail.eventName ?? "";
    const params = detail.requestParameters ?? {};
    const roleName = params.roleName;
    if (!(POLICY_CHANGE_EVENTS as readonly string[]).includes(eventName) || typeof roleName !== "string" || !roleName.startsWith(`${allowance.namePrefix}-`) || detail.errorCode) return undefined;
    const policy = String((eventName === "AttachRolePolicy" ? params.policyArn : params.policyName) ?? "(none recorded)");
    const base = { environment: allowance.environment, roleName, eventName, caller: detail.userIdentity?.arn ?? "(unknown caller)", policy };
    const revert = `Revert it to the planned policies (pulumi up from main) and find out who changed it.`;
    if (allowance.bootstrapOwnedRoles.includes(roleName)) {
        return { ...base, outside: [policy], reason: `${roleName} is bootstrap-owned: its policies change only in the bootstrap, never in a deploy; confirm the change with the platform lead or revert it.` };
    }
    const planned = allowance.roles[roleName];
    if (eventName === "AttachRolePolicy") {
        if (planned?.attached.includes(policy)) return undefined;
        return { ...base, outside: [policy], reason: `The ${allowance.environment} plan attaches no policy ${policy} to ${roleName}. Detach it (aws iam detach-role-policy --role-name ${roleName} --policy-arn ${policy}) and find out who attached it.` };
    }
    const plannedPolicy = planned?.inline[policy];
    if (!plannedPolicy) {
        const names = Object.keys(planned?.inline ?? {});
        const has = names.length ? `only ${names.join(", ")}` : "no inline policy";
        return { ...base, outside: [policy], reason: `The ${allowance.environment} plan gives ${roleName} ${has}, not an inline policy named ${policy}. Delete it (aws iam delete-role-policy --role-name ${roleName} --policy-name ${policy}) and find out who put it.` };
    }
    let outside: string[];
    try {
        const recorded = params.policyDocument;
        if (typeof recorded !== "string") throw new Error("CloudTrail recorded no policy document");
        // IAM's query API takes the document URL-encoded; a record that kept that form is read the same way.
        const raw = /^\s*%7B/i.test(recorded) ? decodeURIComponent(recorded) : recorded;
        if (hasRepeatedKeys(raw)) throw new Error("a key appears twice in one object");
        outside = policyOutsidePlan(raw, plannedPolicy);
    } catch (e) {
        return { ...base, outside: ["(unreadable document)"], reason: `The new policy ${policy} of ${roleName} cannot be judged (${(e as Error).message}); read it with aws iam get-role-policy --role-name ${roleName} --policy-name ${policy}.` };
    }
    if (outside.length === 0) return undefined;
    return {
        ...base,
        outside: outside.slice(0, 20),
        reason: `The new policy ${policy} of ${roleName} allows ${outside.length} thing(s) the ${allowance.environment} plan does not give it (${outside.slice(0, 3).join("; ")}${outside.length > 3 ? "; ..." : ""}). ${revert}`,
    };
}
