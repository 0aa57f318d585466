import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { buildPaced, PACE_EVERY, yieldToEventLoop } from "../../stacks/pacing";

describe("registration pacing (stacks/pacing.ts)", () => {
    it("builds every item once, in order, and lets the event loop run after each batch", async () => {
        const events: string[] = [];
        const items = Array.from({ length: 7 }, (_, i) => i);
        // An immediate queued before each build can only run when buildPaced yields.
        const done = buildPaced(
            items,
            (i) => {
                events.push(`build ${i}`);
                setImmediate(() => events.push(`tick after ${i}`));
            },
            3,
        );
        await done;
        await yieldToEventLoop();
        const builds = events.filter((e) => e.startsWith("build"));
        assert.deepEqual(builds, items.map((i) => `build ${i}`));
        // The first tick runs only after the third build (the first yield), never between builds 0, 1 and 2.
        assert.deepEqual(events.slice(0, 4), ["build 0", "build 1", "build 2", "tick after 0"]);
        assert.ok(events.indexOf("tick after 3") > events.indexOf("build 5"), events.join(", "));
    });

    it("never yields for fewer items than one batch, so a small layer is built in one run", async () => {
        let ticked = false;
        setImmediate(() => (ticked = true));
        await buildPaced(Array.from({ length: PACE_EVERY - 1 }, (_, i) => i), () => assert.equal(ticked, false));
    });

    it("refuses a batch size that is not a positive integer", async () => {
        for (const every of [0, -1, 1.5, Number.NaN]) await assert.rejects(buildPaced([1], () => undefined, every), /every must be a positive integer/);
    });
});

/** A custom resource of a test type. */
class Thing extends pulumi.CustomResource {
    constructor(name: string, index: number) {
        super("test:index:Thing", name, { index });
    }
}

describe("registration pacing under the Pulumi mocks", () => {
    it("lets the mock monitor answer the registrations of one batch before the next batch is built", async () => {
        const answered: string[] = [];
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    answered.push(args.name);
                    return { id: `${args.name}-id`, state: args.inputs };
                },
                call: () => ({}),
            },
            "pacing-test",
            "dev",
            false,
        );
        const seenAtBuild: number[] = [];
        await buildPaced(
            Array.from({ length: 8 }, (_, i) => i),
            (i) => {
                seenAtBuild.push(answered.length);
                new Thing(`thing-${i}`, i);
            },
            4,
        );
        // Nothing is answered while the first batch is built; all four are answered before the fifth is built.
        assert.deepEqual(seenAtBuild.slice(0, 4), [0, 0, 0, 0]);
        assert.equal(seenAtBuild[4], 4, `answered before item 4: ${seenAtBuild[4]}`);
        await yieldToEventLoop();
        assert.deepEqual(answered, Array.from({ length: 8 }, (_, i) => `thing-${i}`));
    });
});
