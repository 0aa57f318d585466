// How every platform Lambda is packaged and deployed: one runtime, one deterministic zip per function
// (functions/packages.ts), deployed only as the copy AWS Signer signed, under the environment's code-signing config
// (Enforce), and one trust policy for the execution role.
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { LAMBDA_RUNTIME } from "../functions/bundle";
import { FunctionPackage } from "../functions/packages";
import { missingSignatureMessage, parseSignedManifest, signedArtifactPrefix, signedManifestKey } from "../model/code-signing";
import { PolicyDocument, policyDocument } from "./iam";

export { LAMBDA_RUNTIME };

/** The handler of every platform function: the bundle's `index.js` exports `handler`. */
export const LAMBDA_HANDLER = "index.handler";

/** Where one environment's signed function code is, and the code-signing config every function must carry. */
export interface FunctionCodeSigning {
    /** The environment's versioned artifacts bucket (`functionArtifactsBucketName`). */
    readonly artifactsBucket: string;
    /** ARN of the environment's code-signing config (`Enforce`, its Signer profile the only publisher). */
    readonly codeSigningConfigArn: pulumi.Input<string>;
}

/** The code-related arguments of an `aws.lambda.Function`: the signed zip in S3 and the code-signing config. */
export interface LambdaCode {
    readonly runtime: string;
    readonly handler: string;
    readonly s3Bucket: string;
    readonly s3Key: pulumi.Output<string>;
    readonly s3ObjectVersion: pulumi.Output<string | undefined>;
    readonly codeSigningConfigArn: pulumi.Input<string>;
}

/** The placeholder key a preview shows for a package the sign job has not signed yet; `up` never gets this far. */
export const PENDING_SIGNATURE = "pending-signature";

/**
 * Finds the signed copy of a package through its manifest in the artifacts bucket (model/code-signing.ts). A missing
 * manifest fails the deployment with the function, the object and the fix; there is no fallback to unsigned code.
 * Only a preview (a pull request's code is signed after it merges) shows a placeholder key, with a warning.
 */
export function signedLambdaCode(pkg: FunctionPackage, signing: FunctionCodeSigning, functionName: string, opts: pulumi.InvokeOutputOptions): LambdaCode {
    const bucket = signing.artifactsBucket;
    const key = signedManifestKey(pkg.sha256Hex);
    const artifact = aws.s3.getObjectsOutput({ bucket, prefix: key }, opts).keys.apply(async (keys) => {
        if (!keys.includes(key)) {
            const message = missingSignatureMessage(functionName, bucket, pkg.sha256Hex);
            if (!pulumi.runtime.isDryRun()) throw new Error(message);
            await pulumi.log.warn(`${message} This preview shows a placeholder key.`);
            return { key: `${signedArtifactPrefix(pkg.sha256Hex)}${PENDING_SIGNATURE}`, versionId: undefined as string | undefined };
        }
        const manifest = await aws.s3.getObject({ bucket, key }, { parent: opts.parent, provider: opts.provider });
        return parseSignedManifest(manifest.body, { bucket, key, packageSha256: pkg.sha256Hex });
    });
    return {
        runtime: LAMBDA_RUNTIME,
        handler: LAMBDA_HANDLER,
        s3Bucket: bucket,
        s3Key: artifact.apply((a) => a.key),
        s3ObjectVersion: artifact.apply((a) => a.versionId),
        codeSigningConfigArn: signing.codeSigningConfigArn,
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
