import {
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { ControlRefs } from "./pack-info";
import { exemptionFor, PackSettings, settingsOf, settingsSchema } from "./settings";

/** Fields every rule of this pack carries besides Pulumi's own. */
export interface RuleMetadata {
    readonly name: string;
    /** One sentence: what the rule requires. */
    readonly description: string;
    readonly severity: "low" | "medium" | "high" | "critical";
    readonly controls: ControlRefs;
    /** How to fix a violation; every message ends with it. */
    readonly remediation: string;
    /** Default: mandatory (security rules block the deployment). */
    readonly enforcementLevel?: EnforcementLevel;
}

/** A resource rule of this pack. */
export type FinledgerResourcePolicy = ResourceValidationPolicy & { readonly controls: ControlRefs; readonly remediation: string };
/** A stack rule of this pack. */
export type FinledgerStackPolicy = StackValidationPolicy & { readonly controls: ControlRefs; readonly remediation: string };

/** What a resource rule's check receives. */
export interface ResourceCheck {
    readonly args: ResourceValidationArgs;
    /** Inputs without the engine's unknown-checking proxy: walkers see unknown sentinels as plain strings and skip them. */
    readonly props: Record<string, unknown>;
    readonly settings: PackSettings;
    /** Reports a violation; the rule's remediation is appended. */
    readonly report: (message: string) => void;
}

/** What a stack rule's check receives. */
export interface StackCheck {
    readonly args: StackValidationArgs;
    readonly settings: PackSettings;
    /** Reports a violation on one resource (or the stack); the rule's remediation is appended. */
    readonly report: (message: string, urn?: string) => void;
}

const PROXY_TARGET = "__getSpecialProxyTarget";

/** The plain object behind the engine's unknown-checking proxy (or the value itself when it is not proxied). */
export function unproxied<T>(value: T): T {
    const target = value && typeof value === "object" ? (value as any)[PROXY_TARGET] : undefined;
    return (target ?? value) as T;
}

function withRemediation(message: string, remediation: string): string {
    const trimmed = message.trim();
    return `${trimmed}${/[.!?]$/.test(trimmed) ? "" : "."} Fix: ${remediation}`;
}

/** What every rule of the pack declares: its metadata, mandatory by default, and the shared settings schema. */
function ruleFields(meta: RuleMetadata) {
    return {
        name: meta.name,
        description: meta.description,
        enforcementLevel: meta.enforcementLevel ?? ("mandatory" as const),
        severity: meta.severity,
        controls: meta.controls,
        remediation: meta.remediation,
        configSchema: settingsSchema(meta.name),
    };
}

/**
 * Builds a resource rule: applies the pack settings, drops violations a named exemption covers, and appends the
 * remediation hint to every message.
 */
export function resourceRule(meta: RuleMetadata, check: (c: ResourceCheck) => void | Promise<void>): FinledgerResourcePolicy {
    return {
        ...ruleFields(meta),
        validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => {
            const settings = sharedSettingsOf(args.getConfig(), meta.name);
            // Whether an exemption covers this resource is looked up at the first violation: most calls report none.
            let exempt: boolean | undefined;
            const report = (message: string) => {
                exempt ??= exemptionFor(settings, meta.name, args.urn) !== undefined;
                if (!exempt) reportViolation(withRemediation(message, meta.remediation));
            };
            return check({ args, props: unproxied(args.props) ?? {}, settings, report });
        },
    };
}

const settingsByConfig = new WeakMap<object, Map<string, PackSettings>>();

/**
 * {@link settingsOf} once per config object and rule: the engine calls a resource rule once per resource with the
 * same config, and the settings are only read.
 */
function sharedSettingsOf(config: unknown, policy: string): PackSettings {
    if (config === null || typeof config !== "object") return settingsOf(config, policy);
    let byPolicy = settingsByConfig.get(config);
    if (!byPolicy) settingsByConfig.set(config, (byPolicy = new Map()));
    let settings = byPolicy.get(policy);
    if (!settings) byPolicy.set(policy, (settings = settingsOf(config, policy)));
    return settings;
}

/** Builds a stack rule with the same settings, exemption and remediation handling as {@link resourceRule}. */
export function stackRule(meta: RuleMetadata, check: (c: StackCheck) => void | Promise<void>): FinledgerStackPolicy {
    return {
        ...ruleFields(meta),
        validateStack: (args: StackValidationArgs, reportViolation: ReportViolation) => {
            const settings = settingsOf(args.getConfig(), meta.name);
            const report = (message: string, urn?: string) => {
                if (exemptionFor(settings, meta.name, urn) === undefined) reportViolation(withRemediation(message, meta.remediation), urn);
            };
            return check({ args, settings, report });
        },
    };
}

/** A stack resource's properties without the engine's unknown-checking proxy; unknowns are then plain sentinels. */
export function propsOf(resource: PolicyResource): Record<string, any> {
    return unproxied(resource.props) ?? {};
}

/** The type of the root resource every Pulumi stack has. */
export const STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * The URN of the stack itself: the `pulumi:pulumi:Stack` resource, found by type, so a stack-wide violation (and an
 * exemption written for it) lands on the same URN whatever order the engine hands the resources in. Without a stack
 * resource (the mocked plan registers none) the engine's stack URN is built from the stack and project, which
 * every URN of the stack shares.
 */
export function stackUrnOf(resources: readonly PolicyResource[]): string | undefined {
    let any: string | undefined;
    for (const r of resources) {
        if (typeof r?.urn !== "string") continue;
        if (r.type === STACK_TYPE) return r.urn;
        any ??= r.urn;
    }
    if (any === undefined) return undefined;
    const [head, project] = any.split("::");
    const stack = head.split(":")[2] ?? "";
    return `${head}::${project}::${STACK_TYPE}::${project}-${stack}`;
}
