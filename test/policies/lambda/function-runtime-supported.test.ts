import { strict as assert } from "assert";
import { LAMBDA_RUNTIME } from "../../../functions/bundle";
import { lambdaFunctionRuntimeSupported as rule } from "../../../policies/lambda/function-runtime-supported";
import { PACK_SETTINGS } from "../../../policies/settings";
import { assertCompliant, assertViolation, target, withChange } from "../../support/policy-fixtures";

/** A rotation function as the platform deploys it. */
const baseline = target("aws:lambda/function:Function", "fl-dev-rotate-vendor-api", {
    name: "fl-dev-rotate-vendor-api",
    runtime: LAMBDA_RUNTIME,
    handler: "index.handler",
    role: "arn:aws:iam::402817365190:role/fl-dev-rot-vendor-api",
});

describe("lambda-function-runtime-supported", () => {
    it("stays quiet on a function on the platform's runtime constant", async () => {
        await assertCompliant(rule, baseline);
    });

    it("reports a function on nodejs20.x, deprecated when Node 20 reached end of life", async () => {
        await assertViolation(rule, withChange(baseline, (t) => ((t.inputs as any).runtime = (t.outputs as any).runtime = "nodejs20.x")), /'fl-dev-rotate-vendor-api' runs on nodejs20.x, which AWS has deprecated.*LAMBDA_RUNTIME/);
    });

    it("takes the deprecated list from policies/pack-config.json, which still allows the platform's runtime", () => {
        assert.ok(PACK_SETTINGS.deprecatedLambdaRuntimes.includes("nodejs20.x"));
        assert.ok(PACK_SETTINGS.deprecatedLambdaRuntimes.includes("python3.9"));
        assert.ok(!PACK_SETTINGS.deprecatedLambdaRuntimes.includes(LAMBDA_RUNTIME), `${LAMBDA_RUNTIME} is listed as deprecated`);
    });
});
