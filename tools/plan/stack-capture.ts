// The stack-capture setting of every program run under the plan's mocks: `plan` (tools/plan/engine.ts) and its floor
// (tools/bench/floor-program.ts) both call this, so they always capture alike.
import * as pulumi from "@pulumi/pulumi";

/** The environment variable that keeps full stack traces and source positions, for debugging the program. */
export const FULL_STACKS_ENV = "FINLEDGER_PLAN_STACKS";

/** The SDK module whose `debuggablePromise` every promise of a registration or output goes through. */
interface DebuggableModule {
    debuggablePromise<T>(p: Promise<T>, ctx: unknown): Promise<T>;
}

/**
 * Stops per-resource and per-output stack capture for a program run under mocks, and returns a function that restores
 * it. The SDK wraps every promise it makes for a registration or an output property in `debuggablePromise`, which
 * records a stack trace, an id and a context on it and tracks it for a leak report printed at exit (four promises
 * per output property: 100,398 for the prod plan, 43,523 for its floor); this passes each promise through as it is.
 * For every resource it formats the whole stack into source positions (`Resource.callsites`, which raises
 * `Error.stackTraceLimit` to infinity whatever the caller set) that only a real engine shows. A plan report carries
 * neither; errors keep their messages. A real `pulumi preview` or `up` still reports leaked promises. With
 * FINLEDGER_PLAN_STACKS=1 nothing changes.
 */
export function stopStackCapture(): () => void {
    // Source maps stay off either way: mapping frames through them was half of the plan's time.
    const sourceMaps = process.sourceMapsEnabled;
    process.setSourceMapsEnabled(false);
    if (process.env[FULL_STACKS_ENV] === "1") return () => process.setSourceMapsEnabled(sourceMaps);
    const resource = pulumi.Resource as unknown as { callsites(): unknown[] };
    const callsites = resource.callsites;
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    resource.callsites = () => [];
    // The SDK calls it through its module object (`debuggable_1.debuggablePromise(...)`), so replacing the export works.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as DebuggableModule;
    const debuggablePromise = debuggable.debuggablePromise;
    debuggable.debuggablePromise = (p) => p;
    return () => {
        debuggable.debuggablePromise = debuggablePromise;
        process.setSourceMapsEnabled(sourceMaps);
        Error.stackTraceLimit = stackTraceLimit;
        resource.callsites = callsites;
    };
}
