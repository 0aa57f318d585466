// How every platform Lambda is packaged: one runtime, one deterministic bundle per function, its hash as the
// function's sourceCodeHash, and one trust policy for the execution role.
import * as pulumi from "@pulumi/pulumi";
import { FunctionBundle, functionBundle, LAMBDA_RUNTIME } from "../functions/bundle";
import { PolicyDocument, policyDocument } from "./iam";

export { LAMBDA_RUNTIME };

/** The code-related arguments of an `aws.lambda.Function` for one bundled function. */
export interface LambdaCode {
    readonly runtime: string;
    readonly handler: string;
    readonly code: pulumi.asset.AssetArchive;
    readonly sourceCodeHash: string;
}

/** The runtime, handler, one-file archive and content hash of a bundle; pass a name to take it from the cache. */
export function lambdaCode(bundle: FunctionBundle | string): LambdaCode {
    const b = typeof bundle === "string" ? functionBundle(bundle) : bundle;
    return {
        runtime: LAMBDA_RUNTIME,
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(b.file) }),
        sourceCodeHash: b.sha256,
    };
}

/** The trust policy of a Lambda execution role, limited to functions of this account. */
export function buildLambdaTrustPolicy(accountId: string): PolicyDocument {
    return policyDocument([
        {
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
    ]);
}
