// The plan and its floor run their programs with the same stack-capture setting (tools/plan/stack-capture.ts).
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { FULL_STACKS_ENV, stopStackCapture } from "../../tools/plan/stack-capture";

const callsites = () => (pulumi.Resource as unknown as { callsites(): unknown[] }).callsites();

describe("stack capture under the plan's mocks", () => {
    afterEach(() => delete process.env[FULL_STACKS_ENV]);

    it("records no source positions or error frames while stopped, and restores both afterwards", () => {
        const limit = Error.stackTraceLimit;
        assert.ok(callsites().length > 0);
        const restore = stopStackCapture();
        try {
            assert.deepEqual(callsites(), []);
            assert.equal(new Error("x").stack, "Error: x");
        } finally {
            restore();
        }
        assert.ok(callsites().length > 0);
        assert.equal(Error.stackTraceLimit, limit);
    });

    it("keeps full stacks and source positions with FINLEDGER_PLAN_STACKS=1", () => {
        process.env[FULL_STACKS_ENV] = "1";
        const restore = stopStackCapture();
        try {
            assert.ok(callsites().length > 0);
            assert.match(new Error("x").stack!, /\n\s+at /);
        } finally {
            restore();
        }
    });
});
