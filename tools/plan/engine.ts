import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CatalogError, loadCatalog, scaleCatalog } from "../../model/catalog";
import { assertValidModel, EnvironmentModel, planEnvironment } from "../../model/environment";
import { assertConsumerBindings } from "../../stacks/consumer-bindings";
import { ConfigError, EnvironmentConfig, parseEnvironmentConfig, readStackFile, RawStackConfig, toRuntimeConfig } from "../../model/config";
import { assertOwnSnowflakeAccount } from "../../model/snowflake-accounts";
import { PlatformMocks } from "./mocks";
import { stopStackCapture } from "./stack-capture";

/** Stands in for every Pulumi secret value in a plan report. A plan never shows or decrypts one. */
export const SECRET_PLACEHOLDER = "[secret]";

/** One resource as the engine would register it: what `plan --json` writes and what policies receive. */
export interface PlannedResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    readonly custom: boolean;
    readonly provider?: string;
    readonly dependencies: string[];
    readonly propertyDependencies: Record<string, string[]>;
    readonly protect: boolean;
    /** Whether a delete of this resource only drops it from the state and leaves the real one (components/retention.ts). */
    readonly retainOnDelete: boolean;
    readonly ignoreChanges: string[];
    readonly inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
}

/** The result of running the stack program under mocks. */
export interface StackRun {
    readonly stack: string;
    readonly project: string;
    readonly config: EnvironmentConfig;
    readonly resources: PlannedResource[];
    /** Stack outputs, with secrets replaced by the placeholder. */
    readonly outputs: Record<string, unknown>;
}

const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/**
 * Replaces Pulumi secret wrappers with the placeholder, and resource references with their URN, with keys in sorted
 * order (as a protobuf Struct holds them, so a report does not depend on how a value reached it). A value that needs
 * none of that is returned as it is, not copied: the plan keeps every resource's inputs and outputs until the pack has
 * run, and copies would double that memory.
 */
export function unwrapValue(value: unknown): unknown {
    if (Array.isArray(value)) {
        let out: unknown[] | undefined;
        for (let i = 0; i < value.length; i++) {
            const v = unwrapValue(value[i]);
            if (v !== value[i]) (out ??= value.slice())[i] = v;
        }
        return out ?? value;
    }
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) return SECRET_PLACEHOLDER;
        if (pulumi.Resource.isInstance(value)) return "[resource]";
        const keys = Object.keys(obj);
        let changed = false;
        for (let i = 1; i < keys.length && !changed; i++) changed = keys[i - 1] > keys[i];
        if (changed) keys.sort();
        const values = keys.map((k) => {
            const v = unwrapValue(obj[k]);
            if (v !== obj[k]) changed = true;
            return v;
        });
        if (!changed) return value;
        const out: Record<string, unknown> = {};
        keys.forEach((k, i) => (out[k] = values[i]));
        return out;
    }
    return value;
}

/**
 * Reads and validates a stack's config file and the catalog and computes the environment model, without registering
 * anything: every validation of the program runs here first. Throws ConfigError or CatalogError.
 */
export function validateInputs(projectDir: string, stack: string, catalogScale = 1): { raw: RawStackConfig; config: EnvironmentConfig; model: EnvironmentModel } {
    const raw = readStackFile(projectDir, stack);
    const config = parseEnvironmentConfig(raw);
    assertOwnSnowflakeAccount(projectDir, config, raw.file);
    const catalog = loadCatalog(path.join(projectDir, "catalog"));
    assertConsumerBindings(catalog);
    const model = assertValidModel(planEnvironment(config, scaleCatalog(catalog, catalogScale)));
    return { raw, config, model };
}

/**
 * Gives a registration response a constant text. The SDK formats every response into a debug message
 * (`RegisterResource RPC finished: ...; resp: ${innerResponse}`) before anything decides whether to log it, and
 * google-protobuf's toString serialises the whole response, outputs included, to nested arrays and then to text;
 * under the plan's mocks that message goes nowhere (350 ms of main-thread samples in a CPU profile of the prod plan at
 * `--scale 10`).
 */
export function withConstantText<T extends object>(resp: T): T {
    Object.defineProperty(resp, "toString", { value: registrationResponseText, enumerable: false, configurable: true, writable: true });
    return resp;
}

function registrationResponseText(): string {
    return "[RegisterResourceResponse]";
}

/** One call of the mocks' newResource: the deserialised inputs it received and the state it returned. */
interface MockCall {
    readonly inputs: Record<string, unknown>;
    readonly state: Record<string, unknown>;
}

interface Registration {
    type: string;
    name: string;
    parent: string;
    custom: boolean;
    provider: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    retainOnDelete: boolean;
    ignoreChanges: string[];
}

/**
 * Runs the real stack program (`stacks/index.ts`) under Pulumi mocks with the stack's own config and returns
 * every registered resource with its inputs and mocked outputs. The process can run one stack only, because the
 * Pulumi runtime and the program's module are process-wide.
 */
export async function runStackUnderMocks(projectDir: string, stack: string, catalogScale = 1): Promise<StackRun> {
    const { raw, config } = validateInputs(projectDir, stack, catalogScale);
    const project = "finledger-secrets-platform";
    const { config: runtimeConfig, secretKeys } = toRuntimeConfig(raw);
    pulumi.runtime.setAllConfig(runtimeConfig, secretKeys);
    process.env.FINLEDGER_CATALOG_SCALE = String(catalogScale);

    const mocks = new PlatformMocks({ accountId: config.accountId, region: config.region, clusterOidcIssuer: config.cluster.oidcIssuer });
    // What the mocks last received and answered; the monitor calls them synchronously inside registerResource.
    let lastMockCall: MockCall | undefined;
    const newResource = mocks.newResource.bind(mocks);
    mocks.newResource = (args) => {
        const result = newResource(args);
        lastMockCall = { inputs: args.inputs, state: result.state };
        return result;
    };
    const byUrn = new Map<string, PlannedResource>();
    const order: string[] = [];
    await pulumi.runtime.setMocks(mocks, project, stack, false);

    // Wrap the mock monitor so the report also knows each resource's parent, provider and options, which the
    // Mocks interface does not pass on.
    const monitor = pulumi.runtime.getMonitor() as unknown as {
        registerResource(req: any, cb: (err: any, resp: any) => void): void;
        registerResourceOutputs(req: any, cb: (err: any, resp: any) => void): void;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, cb: (err: any, resp: any) => void) => {
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((v: any, k: string) => (propertyDependencies[k] = v.getUrnsList()));
        const reg: Registration = {
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent(),
            custom: req.getCustom(),
            provider: req.getProvider(),
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            protect: Boolean(req.getProtect?.()),
            retainOnDelete: Boolean(req.getRetainondelete?.()),
            ignoreChanges: req.getIgnorechangesList?.() ?? [],
        };
        // The mock monitor deserialises the request's inputs for the mocks and serialises the state they return into
        // the response, synchronously at the start of its call: take both from there instead of deserialising them again.
        let seen: MockCall | undefined;
        lastMockCall = undefined;
        register(req, (err: any, resp: any) => {
            if (!err && resp) {
                const urn: string = resp.getUrn();
                const inputs = unwrapValue(seen ? seen.inputs : pulumi.runtime.deserializeProperties(req.getObject())) as Record<string, unknown>;
                const outputs = unwrapValue(seen ? seen.state : pulumi.runtime.deserializeProperties(resp.getObject())) as Record<string, unknown>;
                if (!byUrn.has(urn)) order.push(urn);
                byUrn.set(urn, {
                    urn,
                    type: reg.type,
                    name: reg.name,
                    parent: reg.parent || undefined,
                    custom: reg.custom,
                    provider: reg.provider || undefined,
                    dependencies: reg.dependencies,
                    propertyDependencies: reg.propertyDependencies,
                    protect: reg.protect,
                    retainOnDelete: reg.retainOnDelete,
                    ignoreChanges: reg.ignoreChanges,
                    inputs,
                    outputs: { id: resp.getId() || undefined, ...outputs },
                });
            }
            cb(err, resp && withConstantText(resp));
        });
        seen = lastMockCall;
    };
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (req: any, cb: (err: any, resp: any) => void) => {
        const known = byUrn.get(req.getUrn());
        if (known && !known.custom) known.outputs = unwrapValue(pulumi.runtime.deserializeProperties(req.getOutputs())) as Record<string, unknown>;
        registerOutputs(req, cb);
    };

    // No stack capture per output or resource while the program runs; FINLEDGER_PLAN_STACKS=1 keeps it (stack-capture.ts).
    const restoreStackCapture = stopStackCapture();
    const outputs: Record<string, unknown> = {};
    try {
        // The program exports one function, as Pulumi's Node.js runtime expects of an asynchronous program: its
        // result is the stack's outputs.
        const program = (await import("../../stacks")).default as unknown;
        if (typeof program !== "function") throw new Error("stacks/index.ts must export the stack program as one function (export = ...).");
        for (const [key, value] of Object.entries((await program()) as Record<string, unknown>)) outputs[key] = await resolve(value);
        await pulumi.runtime.disconnect();
    } finally {
        restoreStackCapture();
    }
    return { stack, project, config, resources: order.map((u) => byUrn.get(u)!), outputs: unwrapValue(outputs) as Record<string, unknown> };
}

async function resolve(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const isSecret = await (value as any).isSecret;
        const v = await new Promise<unknown>((ok) => (value as pulumi.Output<unknown>).apply((x) => ok(x)));
        return isSecret ? SECRET_PLACEHOLDER : resolve(v);
    }
    if (Array.isArray(value)) return Promise.all(value.map(resolve));
    if (value !== null && typeof value === "object" && !pulumi.Resource.isInstance(value)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = await resolve(v);
        return out;
    }
    return value;
}

export { CatalogError, ConfigError };
