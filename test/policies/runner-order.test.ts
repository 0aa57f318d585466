import { strict as assert } from "assert";
import { ResourceValidationPolicy } from "@pulumi/policy";
import { anyResourceNoPlaintextSecret } from "../../policies/general/any-resource-no-plaintext-secret";
import { runPolicies } from "../../tools/policy-runner";
import { fake, target } from "../support/policy-fixtures";

const TYPE = "aws:ssm/parameter:Parameter";

describe("policy runner: asynchronous rules run together and report in target order", () => {
    it("keeps target order when later targets finish first, with synchronous reports and failures among them", async () => {
        const finished: string[] = [];
        const policy: ResourceValidationPolicy = {
            name: "test-order",
            description: "reports every target",
            enforcementLevel: "mandatory",
            validateResource: (args, report) => {
                const n = Number(args.name.slice(1));
                if (n % 3 === 0) {
                    report(`sync ${args.name}`);
                    return;
                }
                // The first targets wait longest, so they finish last.
                return new Promise<void>((resolve, reject) =>
                    setTimeout(() => {
                        finished.push(args.name);
                        if (n === 4) return reject(new Error(`boom ${args.name}`));
                        report(`async ${args.name}`);
                        resolve();
                    }, (10 - n) * 3),
                );
            },
        };
        const names = Array.from({ length: 8 }, (_, i) => `t${i}`);
        const violations = await runPolicies(names.map((n) => target(TYPE, n, {})), [policy], {});
        assert.notDeepEqual(finished, finished.slice().sort(), "the test must make targets finish out of order");
        assert.deepEqual(
            violations.map((v) => v.message),
            ["sync t0", "async t1", "async t2", "sync t3", "The rule failed to run: boom t4", "async t5", "sync t6", "async t7"],
        );
    });

    it("finds every plaintext secret of a plan-sized batch, each on its own resource", async () => {
        const secretAt = new Set([3, 17, 18, 250, 499]);
        const targets = Array.from({ length: 500 }, (_, i) =>
            target(TYPE, `p${i}`, { name: `/svc/p${i}`, value: secretAt.has(i) ? fake.githubToken(400 + i) : `plain setting number ${i} of the batch` }),
        );
        const violations = await runPolicies(targets, [anyResourceNoPlaintextSecret], {});
        assert.deepEqual(
            violations.map((v) => v.urn!.split("::").pop()),
            [...secretAt].map((i) => `p${i}`),
        );
    });
});
