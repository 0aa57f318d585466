// The pure core of the function part of the platform change check (docs/threat-model.md, path 2): is a platform
// function's configuration, after a CreateFunction or UpdateFunctionConfiguration, the one the plan gives it? No IAM
// condition key limits a function's environment, layers or handler, so signed code can be made to load other code
// (`NODE_OPTIONS`, `AWS_LAMBDA_EXEC_WRAPPER`, a layer); this judges the configuration the function reads back from
// Lambda, and what CloudTrail recorded of the request. Like judge.ts it must not load the AWS SDK.

/** The file, beside index.js, that holds the environment's {@link FunctionAllowance}. */
export const FUNCTION_ALLOWANCE_FILE = "function-allowance.json";
/**
 * Lambda calls that set a function's configuration. CloudTrail names Lambda events with an API version suffix
 * (`UpdateFunctionConfiguration20150331v2`, `CreateFunction20150331`), so events are matched by these prefixes.
 */
export const FUNCTION_CHANGE_EVENT_PREFIXES = ["CreateFunction", "UpdateFunctionConfiguration"] as const;
/** Detail type of the check's function findings (source: the audit finding source of judge.ts). */
export const FUNCTION_FINDING_DETAIL_TYPE = "Platform Function Configuration Outside Plan";

/** What the plan gives one function. A variable whose value is `null` is planned with a value known only at deploy time. */
export interface PlannedFunction {
    readonly handler: string;
    readonly runtime: string;
    /** The execution role's ARN. */
    readonly role: string;
    readonly variables: Readonly<Record<string, string | null>>;
    /** Layer version ARNs; the plan gives no function a layer today. */
    readonly layers: readonly string[];
}

/** What an environment's platform functions may be configured with: exactly the configuration its plan produces. */
export interface FunctionAllowance {
    readonly environment: string;
    readonly accountId: string;
    readonly region: string;
    /** Functions the check judges: names that start with `<prefix>-`. */
    readonly namePrefix: string;
    readonly functions: Readonly<Record<string, PlannedFunction>>;
}

/** The part of Lambda's GetFunctionConfiguration answer the check compares. */
export interface FunctionConfigurationRead {
    readonly FunctionName?: string;
    readonly Handler?: string;
    readonly Runtime?: string;
    readonly Role?: string;
    readonly Environment?: { readonly Variables?: Readonly<Record<string, string>> };
    readonly Layers?: ReadonlyArray<{ readonly Arn?: string }>;
}

/** The part of an EventBridge CloudTrail event the check reads. */
export interface FunctionChangeEvent {
    readonly eventName?: string;
    readonly errorCode?: string;
    readonly userIdentity?: { readonly arn?: string };
    readonly requestParameters?: {
        readonly functionName?: string;
        readonly handler?: string;
        readonly runtime?: string;
        readonly role?: string;
        readonly layers?: unknown;
        readonly environment?: { readonly variables?: unknown } | unknown;
        readonly [key: string]: unknown;
    } | null;
}

/** One finding: a platform function configured outside its plan. Variable values are not copied into it, only keys. */
export interface FunctionFinding {
    readonly environment: string;
    readonly functionName: string;
    readonly eventName: string;
    readonly caller: string;
    /** What differs from the plan, at most 20 items. */
    readonly outside: string[];
    readonly reason: string;
}

// Name, full ARN or partial ARN (`<account>:function:<name>`, `<account>:<name>`), with an optional qualifier.
const FUNCTION_REF = /^(?:arn:aws[a-z-]*:lambda:([a-z0-9-]+):)?(?:(\d{12}):)?(?:function:)?([A-Za-z0-9_-]+)(?::[A-Za-z0-9_$-]+)?$/;

/**
 * The platform function a successful CreateFunction or UpdateFunctionConfiguration call changed, or undefined when
 * the call failed, is another kind, or names a function outside the environment (another prefix, account or region).
 */
export function changedPlatformFunction(detail: FunctionChangeEvent, allowance: FunctionAllowance): string | undefined {
    const eventName = detail.eventName ?? "";
    if (!FUNCTION_CHANGE_EVENT_PREFIXES.some((p) => eventName.startsWith(p)) || detail.errorCode) return undefined;
    const ref = detail.requestParameters?.functionName;
    const m = typeof ref === "string" ? FUNCTION_REF.exec(ref) : null;
    if (!m) return undefined;
    const [, region, account, name] = m;
    if ((region && region !== allowance.region) || (account && account !== allowance.accountId)) return undefined;
    return name.startsWith(`${allowance.namePrefix}-`) ? name : undefined;
}

const layerArns = (layers: unknown): string[] =>
    Array.isArray(layers) ? layers.map((l) => (typeof l === "string" ? l : l && typeof l === "object" && "arn" in l ? String((l as { arn: unknown }).arn) : JSON.stringify(l))) : [];

function variablesOutside(keys: readonly string[], values: Readonly<Record<string, string>> | undefined, planned: PlannedFunction, where: string): string[] {
    const out: string[] = [];
    for (const key of keys) {
        if (!(key in planned.variables)) out.push(`${where}: variable ${key} is not planned`);
        else if (values && planned.variables[key] !== null && values[key] !== planned.variables[key]) out.push(`${where}: variable ${key} differs from its planned value`);
    }
    return out;
}

/**
 * Compares a function's configuration (as GetFunctionConfiguration returns it) and the request CloudTrail recorded
 * with the plan: handler, runtime, role, layers, and environment variables (every key planned, every planned key
 * present, every value the plan knows statically equal). Returns what differs; empty when both match the plan.
 */
export function functionOutsidePlan(planned: PlannedFunction, configuration: FunctionConfigurationRead, request?: FunctionChangeEvent["requestParameters"]): string[] {
    const out: string[] = [];
    const field = (where: string, label: string, value: unknown, expected: string) => {
        if (value !== undefined && value !== expected) out.push(`${where}: ${label} ${JSON.stringify(value)} (planned ${expected})`);
    };
    // What the request recorded cannot be undone before the function reads the configuration back.
    if (request) {
        field("request", "handler", request.handler, planned.handler);
        field("request", "runtime", request.runtime, planned.runtime);
        field("request", "role", request.role, planned.role);
        for (const layer of layerArns(request.layers)) if (!planned.layers.includes(layer)) out.push(`request: layer ${layer} is not planned`);
        const recorded = (request.environment as { variables?: unknown } | undefined)?.variables;
        if (recorded && typeof recorded === "object" && !Array.isArray(recorded)) out.push(...variablesOutside(Object.keys(recorded), recorded as Record<string, string>, planned, "request"));
    }
    const where = "configuration";
    if (configuration.Handler !== planned.handler) out.push(`${where}: handler ${JSON.stringify(configuration.Handler ?? null)} (planned ${planned.handler})`);
    if (configuration.Runtime !== planned.runtime) out.push(`${where}: runtime ${JSON.stringify(configuration.Runtime ?? null)} (planned ${planned.runtime})`);
    if (configuration.Role !== planned.role) out.push(`${where}: role ${JSON.stringify(configuration.Role ?? null)} (planned ${planned.role})`);
    for (const layer of (configuration.Layers ?? []).map((l) => l.Arn ?? "(no ARN)")) if (!planned.layers.includes(layer)) out.push(`${where}: layer ${layer} is not planned`);
    const variables = configuration.Environment?.Variables ?? {};
    out.push(...variablesOutside(Object.keys(variables), variables, planned, where));
    for (const key of Object.keys(planned.variables)) if (!(key in variables)) out.push(`${where}: planned variable ${key} is missing`);
    return [...new Set(out)];
}

/**
 * Judges one platform function's configuration after a change: undefined when it is the planned one; otherwise a
 * finding naming the function, the caller and what differs (variable keys, never their values).
 */
export function judgeFunctionConfiguration(detail: FunctionChangeEvent, functionName: string, configuration: FunctionConfigurationRead, allowance: FunctionAllowance): FunctionFinding | undefined {
    const base = { environment: allowance.environment, functionName, eventName: detail.eventName ?? "", caller: detail.userIdentity?.arn ?? "(unknown caller)" };
    const planned = allowance.functions[functionName];
    if (!planned) {
        return { ...base, outside: [functionName], reason: `The ${allowance.environment} plan has no function ${functionName}; delete it (aws lambda delete-function --function-name ${functionName}) and find out who created it.` };
    }
    const outside = functionOutsidePlan(planned, configuration, detail.requestParameters);
    if (outside.length === 0) return undefined;
    return {
        ...base,
        outside: outside.slice(0, 20),
        reason: `The configuration of ${functionName} is not the one the ${allowance.environment} plan gives it (${outside.slice(0, 3).join("; ")}${outside.length > 3 ? "; ..." : ""}): signed code can be made to run other code this way. Revert it (pulumi up from main) and find out who changed it.`,
    };
}
