import {
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

// The engine's own unknown-checking proxy, so a rule reading an unknown value behaves as under `pulumi preview`.
// The module is internal to @pulumi/policy and ships without types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy/proxy") as {
    unknownCheckingProxy<T>(value: T): T;
    UnknownValueError: new (...args: any[]) => Error;
};

/** A resource as the checker sees it, whichever source it came from (mocked plan, stack export, preview). */
export interface PolicyTarget {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    /** Provider reference, `<provider urn>::<provider id>`. */
    readonly provider?: string;
    readonly custom: boolean;
    readonly dependencies: readonly string[];
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly protect: boolean;
    /** Whether a delete leaves the real resource (the plan and stack exports know; hand-built targets may omit it). */
    readonly retainOnDelete?: boolean;
    readonly ignoreChanges: readonly string[];
    /** What resource rules receive. */
    readonly inputs: Record<string, unknown>;
    /** What stack rules receive. */
    readonly outputs: Record<string, unknown>;
    /** True when inputs or outputs hold values unknown during preview; rules then see them through the engine's unknown-checking proxy. */
    readonly hasUnknowns?: boolean;
}

/** One reported violation. */
export interface Violation {
    readonly policy: string;
    readonly level: EnforcementLevel;
    readonly urn?: string;
    readonly message: string;
}

/** Pack config in the `--policy-pack-config` format: `all` and per-policy `{ enforcementLevel, ...properties }`. */
export type PackConfig = Record<string, unknown>;

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

class NotApplicable extends Error {}

function levelOf(policy: AnyPolicy, config: PackConfig): EnforcementLevel {
    const own = config[policy.name];
    if (typeof own === "string") return own as EnforcementLevel;
    if (own && typeof own === "object" && typeof (own as any).enforcementLevel === "string") return (own as any).enforcementLevel;
    const all = config.all;
    if (typeof all === "string") return all as EnforcementLevel;
    if (all && typeof all === "object" && typeof (all as any).enforcementLevel === "string") return (all as any).enforcementLevel;
    return policy.enforcementLevel ?? "advisory";
}

function configOf(policy: AnyPolicy, config: PackConfig): Record<string, unknown> {
    const defaults: Record<string, unknown> = {};
    for (const [k, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if (schema && typeof schema === "object" && "default" in schema) defaults[k] = (schema as any).default;
    }
    const own = config[policy.name];
    const props = own && typeof own === "object" ? { ...(own as Record<string, unknown>) } : {};
    delete props.enforcementLevel;
    return { ...defaults, ...props };
}

function pulumiTypeOf(cls: any): string | undefined {
    return cls?.__pulumiType;
}

function isTypeOf(type: string, cls: any): boolean {
    const t = pulumiTypeOf(cls);
    if (t) return t === type;
    return typeof cls?.isInstance === "function" && cls.isInstance({ __pulumiType: type }) === true;
}

/**
 * Runs every policy on every resource, the way the Pulumi engine's analyzer does: resource rules see inputs, stack
 * rules see outputs with parents and dependencies resolved, `notApplicable` skips, and a rule that throws is
 * reported as a mandatory violation of that rule rather than crashing the run.
 */
export async function runPolicies(targets: readonly PolicyTarget[], policies: readonly AnyPolicy[], config: PackConfig = {}): Promise<Violation[]> {
    const violations: Violation[] = [];
    const byUrn = new Map(targets.map((t) => [t.urn, t]));
    const stackTags: ReadonlyMap<string, string> = new Map();
    const providerOf = (t: PolicyTarget) => {
        if (!t.provider) return undefined;
        const urn = t.provider.split("::").slice(0, -1).join("::");
        const p = byUrn.get(urn);
        return p ? { type: p.type, props: p.inputs as Record<string, any>, urn: p.urn, name: p.name } : undefined;
    };
    const notApplicable = (reason?: string): never => {
        throw new NotApplicable(reason);
    };
    // What a resource rule sees of a target is the same for every rule: built once per target, not per call (at 10x
    // the catalog that was 20 rules x 13,000 targets of closures and provider look-ups), in target order.
    const viewOf = (t: PolicyTarget) => {
        const props = (t.hasUnknowns ? unknownCheckingProxy(t.inputs) : t.inputs) as Record<string, any>;
        const opts = {
            protect: t.protect,
            ignoreChanges: [...t.ignoreChanges],
            aliases: [],
            additionalSecretOutputs: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            parent: t.parent,
            provider: t.provider,
        } as any;
        return { props, opts, provider: providerOf(t), isType: (cls: any) => isTypeOf(t.type, cls), asType: ((cls: any) => (isTypeOf(t.type, cls) ? props : undefined)) as any };
    };

    let allViews: ReturnType<typeof viewOf>[] | undefined;

    // What stack rules receive, built once for all of them: every target as a PolicyResource, linked to its parent,
    // dependencies and provider. Rules read it and never change it.
    let stackView: PolicyResource[] | undefined;
    const stackResources = (): PolicyResource[] => {
        if (stackView) return stackView;
        const resources = new Map<string, PolicyResource>();
        for (const t of targets) {
            const props = (t.hasUnknowns ? unknownCheckingProxy(t.outputs) : t.outputs) as Record<string, any>;
            resources.set(t.urn, {
                type: t.type,
                props,
                urn: t.urn,
                name: t.name,
                opts: { protect: t.protect, ignoreChanges: [...t.ignoreChanges], aliases: [], additionalSecretOutputs: [], customTimeouts: {} } as any,
                dependencies: [],
                propertyDependencies: {},
                isType: (cls: any) => isTypeOf(t.type, cls),
                asType: ((cls: any) => (isTypeOf(t.type, cls) ? props : undefined)) as any,
            } as PolicyResource);
        }
        for (const t of targets) {
            const r = resources.get(t.urn) as any;
            r.parent = t.parent ? resources.get(t.parent) : undefined;
            r.dependencies = t.dependencies.map((u) => resources.get(u)).filter(Boolean);
            r.propertyDependencies = Object.fromEntries(
                Object.entries(t.propertyDependencies).map(([k, us]) => [k, us.map((u) => resources.get(u)).filter(Boolean)]),
            );
            const p = t.provider ? resources.get(t.provider.split("::").slice(0, -1).join("::")) : undefined;
            if (p) r.provider = { type: p.type, props: p.props, urn: p.urn, name: p.name };
        }
        stackView = [...resources.values()];
        return stackView;
    };

    for (const policy of policies) {
        const level = levelOf(policy, config);
        if (level === "disabled") continue;
        const policyConfig = configOf(policy, config);
        const report = (urn?: string, into: Violation[] = violations) => (message: string, violationUrn?: string) => {
            into.push({ policy: policy.name, level, urn: violationUrn ?? urn, message });
        };
        const fail = (urn: string | undefined, err: unknown, into: Violation[] = violations) => {
            if (err instanceof NotApplicable) return;
            if (err instanceof UnknownValueError) {
                // What the engine does: a rule that reads an unknown value cannot decide during preview; it is an
                // advisory note, never a failure.
                into.push({ policy: policy.name, level: "advisory", urn, message: `can't run policy '${policy.name}' during preview: ${err.message}` });
                return;
            }
            into.push({ policy: policy.name, level: "mandatory", urn, message: `The rule failed to run: ${(err as Error)?.message ?? String(err)}` });
        };

        if ("validateResource" in policy) {
            const given = policy.validateResource;
            const validations = given === undefined ? [] : Array.isArray(given) ? given : [given];
            const getConfig = (() => policyConfig) as any;
            // Asynchronous rules run for all targets at once, as the engine may run them, so that work they batch
            // (the secretlint preset) is batched across resources. Each call reports into its own list, and the lists
            // are kept in target order, so the violations come out exactly as if the calls had run one by one.
            const inFlight: Promise<void>[] = [];
            const reported: Violation[][] = [];
            const targetViews = (allViews ??= targets.map(viewOf));
            for (let i = 0; i < targets.length; i++) {
                const t = targets[i];
                const view = targetViews[i];
                for (const validate of validations) {
                    const props = view.props;
                    const args: ResourceValidationArgs = {
                        type: t.type,
                        props,
                        urn: t.urn,
                        name: t.name,
                        opts: view.opts,
                        provider: view.provider,
                        stackTags,
                        isType: view.isType,
                        asType: view.asType,
                        getConfig,
                        notApplicable,
                    };
                    const into: Violation[] = [];
                    let pending = false;
                    try {
                        // Most rules are synchronous; only a returned promise is awaited, after the loop.
                        const done = validate(args, report(t.urn, into)) as unknown;
                        if (typeof (done as PromiseLike<void> | undefined)?.then === "function") {
                            pending = true;
                            inFlight.push(Promise.resolve(done as PromiseLike<void>).then(undefined, (err) => fail(t.urn, err, into)));
                        }
                    } catch (err) {
                        fail(t.urn, err, into);
                    }
                    if (pending || into.length > 0) reported.push(into);
                }
            }
            await Promise.all(inFlight);
            for (const into of reported) violations.push(...into);
        } else {
            const resources = stackResources();
            const args: StackValidationArgs = {
                resources,
                getConfig: (() => policyConfig) as any,
                notApplicable,
            } as StackValidationArgs;
            try {
                await (policy as StackValidationPolicy).validateStack?.(args, report(undefined));
            } catch (err) {
                fail(undefined, err);
            }
        }
    }
    return violations;
}

/** True when any violation is mandatory: the deployment must not go ahead. */
export function hasMandatory(violations: readonly Violation[]): boolean {
    return violations.some((v) => v.level === "mandatory");
}
