import { lambdaFunctionCodeSigned as rule } from "../../../policies/lambda/function-code-signed";
import { assertCompliant, assertViolation, target, withChange } from "../../support/policy-fixtures";

/** A rotation function as the platform deploys it: signed code from S3 under the environment's config. */
const baseline = target("aws:lambda/function:Function", "fl-dev-rotate-vendor-api", {
    name: "fl-dev-rotate-vendor-api",
    runtime: "nodejs22.x",
    handler: "index.handler",
    role: "arn:aws:iam::402817365190:role/fl-dev-rot-vendor-api",
    s3Bucket: "fl-dev-function-artifacts-402817365190",
    s3Key: `signed/${"ab".repeat(32)}/job.zip`,
    codeSigningConfigArn: "arn:aws:lambda:us-east-1:402817365190:code-signing-config:csc-0123456789abcdef0",
});

describe("lambda-function-code-signed", () => {
    it("stays quiet on a function with a code-signing config and signed code from S3", async () => {
        await assertCompliant(rule, baseline);
    });

    it("reports a function without a code-signing config", async () => {
        await assertViolation(rule, withChange(baseline, (t) => delete (t.inputs as any).codeSigningConfigArn), /'fl-dev-rotate-vendor-api' has no code-signing config .*signedLambdaCode/);
    });

    it("reports a config that is not a code-signing config ARN", async () => {
        await assertViolation(rule, withChange(baseline, (t) => ((t.inputs as any).codeSigningConfigArn = "none")), /has no code-signing config \(codeSigningConfigArn is "none"\)/);
        await assertViolation(rule, withChange(baseline, (t) => ((t.inputs as any).codeSigningConfigArn = "arn:aws:lambda:us-east-1:402817365190:function:x")), /has no code-signing config/);
    });

    it("reports an inline code archive", async () => {
        await assertViolation(rule, withChange(baseline, (t) => ((t.inputs as any).code = { assets: { "index.js": {} } })), /deploys an inline code archive, which a code-signing config with Enforce refuses/);
    });
});
