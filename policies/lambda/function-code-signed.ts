import { resourceRule } from "../define";
import { isUnknown, knownString } from "../inspect/values";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves: only reviewed, authorised code reaches production (change management, integrity). */
export const controls: ControlRefs = { soc2: ["CC8.1", "CC7.1"], pciDss: ["6.5.1", "6.3.2"] };

/**
 * Every Lambda function carries a code-signing config and takes its code from S3: with the environment's config
 * (`Enforce`, docs/cicd.md "Signed function code") Lambda runs only code the sign job had signed, and refuses inline
 * archives. Which config is the environment's is the deploy role's IAM condition; this rule catches a function without one.
 */
export const lambdaFunctionCodeSigned = resourceRule(
    {
        name: "lambda-function-code-signed",
        description: "Lambda functions must carry a code-signing config and deploy signed code from S3, never an inline archive.",
        severity: "critical",
        controls,
        remediation: "build the function with createPlatformFunction (components/platform-function.ts), whose code comes from signedLambdaCode (components/function-code.ts): it sets codeSigningConfigArn and the signed S3 object.",
    },
    ({ args, props, report }) => {
        if (args.type !== "aws:lambda/function:Function") return;
        const config = props.codeSigningConfigArn;
        if (!isUnknown(config) && !/^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:code-signing-config:csc-[0-9a-f]{17}$/.test(knownString(config) ?? "")) {
            report(`Lambda function '${args.name}' has no code-signing config (codeSigningConfigArn is ${JSON.stringify(knownString(config) ?? null)}), so Lambda would run unsigned code`);
        }
        if (props.code !== undefined && props.code !== null) report(`Lambda function '${args.name}' deploys an inline code archive, which a code-signing config with Enforce refuses; deploy the signed package from S3`);
    },
);

export default lambdaFunctionCodeSigned;
