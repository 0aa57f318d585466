// Registration pacing. A program that constructs thousands of resources in one synchronous run keeps every
// registration in flight (its serialised inputs, its outputs' promise chains) until the run returns to the event
// loop, because nothing can answer before that. Under the plan's mocks, which answer within the same turn, that is
// the program's whole cost in memory and most of its garbage collection: at x10 the bare floor of the prod plan
// peaks at 1.6 GB all at once and at 0.4-0.5 GB when it yields every few resources (docs/benchmarks.md).
// Yielding to the event loop never waits for a registration to finish: under a real engine each one is an RPC the
// program does not await, so a `pulumi up` starts its steps a little earlier and is otherwise unchanged.

/** How many catalog items (secrets, workloads, users) a layer builds between two yields. */
export const PACE_EVERY = 4;

/** Lets registrations already made progress: resolves on the event loop's next turn, after pending I/O and microtasks. */
export function yieldToEventLoop(): Promise<void> {
    return new Promise((resolve) => setImmediate(resolve));
}

/** Calls `build` for each item in order, yielding to the event loop after every `every` items. */
export async function buildPaced<T>(items: Iterable<T>, build: (item: T) => void, every = PACE_EVERY): Promise<void> {
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`buildPaced: every must be a positive integer, got ${every}.`);
    let built = 0;
    for (const item of items) {
        build(item);
        if (++built % every === 0) await yieldToEventLoop();
    }
}
