// The stack-capture setting of every program run under the plan's mocks: `plan` (tools/plan/engine.ts) and its floor
// (tools/bench/floor-program.ts) both call this, so they always capture alike.
import * as pulumi from "@pulumi/pulumi";

/** The environment variable that keeps full stack traces and source positions, for debugging the program. */
export const FULL_STACKS_ENV = "FINLEDGER_PLAN_STACKS";

/**
 * Stops per-resource and per-output stack capture for a program run under mocks, and returns a function that restores
 * it. The SDK records a stack trace for every output it creates (debuggablePromise) and, for every resource, formats
 * the whole stack into source positions (`Resource.callsites`, which raises `Error.stackTraceLimit` to infinity
 * whatever the caller set) that only a real engine shows; a plan report never carries them. Errors keep their
 * messages. With FINLEDGER_PLAN_STACKS=1 nothing changes.
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
    return () => {
        process.setSourceMapsEnabled(sourceMaps);
        Error.stackTraceLimit = stackTraceLimit;
        resource.callsites = callsites;
    };
}
