import { resourceRule } from "../define";
import { isUnknown, knownString } from "../inspect/values";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves: supported, patched software (a deprecated runtime gets no security updates). */
export const controls: ControlRefs = { soc2: ["CC7.1", "CC8.1"], pciDss: ["6.3.3"] };

/**
 * Every Lambda function runs on a runtime AWS still supports. The deprecated identifiers live in
 * `policies/pack-config.json` (`deprecatedLambdaRuntimes`), so a new deprecation is one reviewed line; after a
 * runtime's block date AWS refuses to create or update functions on it, so this also fails the plan before `up` does.
 */
export const lambdaFunctionRuntimeSupported = resourceRule(
    {
        name: "lambda-function-runtime-supported",
        description: "Lambda functions must run on a runtime that AWS has not deprecated.",
        severity: "high",
        controls,
        remediation: "set runtime to the platform's runtime constant (LAMBDA_RUNTIME in functions/bundle.ts), a maintained Node.js LTS such as nodejs22.x or nodejs24.x.",
    },
    ({ args, props, settings, report }) => {
        if (args.type !== "aws:lambda/function:Function") return;
        if (isUnknown(props.runtime)) return;
        const runtime = knownString(props.runtime);
        if (runtime === undefined) return; // container-image functions have no runtime
        if (settings.deprecatedLambdaRuntimes.includes(runtime)) report(`Lambda function '${args.name}' runs on ${runtime}, which AWS has deprecated`);
    },
);

export default lambdaFunctionRuntimeSupported;
