// The key that encrypts the platform functions' log groups (rotation, expiry check, latency probe). CloudWatch Logs
// uses it for those groups only; the deploy role may manage it but never decrypt with it, so a deploy run that
// could reach the log data at rest (an export, a re-association) still cannot read it.
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { roleNames } from "../model/names";
import { cloudWatchLogsKeyUse, enableIamPoliciesOf, logGroupArn, PolicyDocument, policyDocument, roleArn } from "./iam";
import { RETAIN_ON_DELETE } from "./retention";
import { TYPE } from "./tokens";

/** Cryptographic actions the deploy role is refused on this key by the key policy itself. */
export const LOG_KEY_USE_ACTIONS = ["kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:Encrypt"];

/** The log group a function logs to: `/aws/lambda/<function name>`. */
export function functionLogGroupName(functionName: string): string {
    return `/aws/lambda/${functionName}`;
}

/** The log group name prefix of every platform function of an environment: `/aws/lambda/<prefix>-`. */
export function functionLogGroupPrefix(namePrefix: string): string {
    return functionLogGroupName(`${namePrefix}-`);
}

/** The alias of an environment's function log key. */
export function functionLogKeyAlias(namePrefix: string): string {
    return `alias/${namePrefix}-function-logs`;
}

/** Inputs of {@link buildFunctionLogKeyPolicy}. */
export interface FunctionLogKeyPolicyInputs {
    readonly accountId: string;
    readonly region: string;
    /** Prefix of the environment's resource names, such as `fl-prod`. */
    readonly namePrefix: string;
}

/**
 * The function log key's policy: the account's IAM decides management (so grants can be simulated), CloudWatch Logs
 * may use the key only for the environment's function log groups (the `aws:logs:arn` encryption context), and the
 * deploy role is refused every cryptographic use whatever its own policy says.
 */
export function buildFunctionLogKeyPolicy(inputs: FunctionLogKeyPolicyInputs): PolicyDocument {
    return policyDocument([
        enableIamPoliciesOf(inputs.accountId),
        cloudWatchLogsKeyUse("CloudWatchLogsEncryptsTheFunctionLogGroups", inputs.region, logGroupArn(inputs.region, inputs.accountId, `${functionLogGroupPrefix(inputs.namePrefix)}*`)),
        {
            Sid: "TheDeployRoleNeverUsesThisKey",
            Effect: "Deny",
            Principal: { AWS: "*" },
            Action: LOG_KEY_USE_ACTIONS,
            Resource: "*",
            Condition: { ArnEquals: { "aws:PrincipalArn": roleArn(inputs.accountId, roleNames.githubDeploy(inputs.namePrefix)) } },
        },
    ]);
}

/** Arguments of {@link FunctionLogKey}. */
export interface FunctionLogKeyArgs {
    readonly environment: string;
    readonly accountId: string;
    /** Region of the log groups (CloudWatch Logs' regional service principal is named after it). */
    readonly region: string;
    /** Prefix of the environment's resource names, such as `fl-prod`. */
    readonly namePrefix: string;
}

/** A customer-managed key, with rotation, for the log groups of the environment's functions. */
export class FunctionLogKey extends pulumi.ComponentResource {
    /** The key's ARN, for `kmsKeyId` of each function's log group. */
    readonly keyArn: pulumi.Output<string>;

    constructor(name: string, args: FunctionLogKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.FunctionLogKey, name, {}, opts);
        if (!/^\d{12}$/.test(args.accountId)) throw new pulumi.ResourceError(`FunctionLogKey ${name}: accountId '${args.accountId}' is not a 12-digit account id; set finledger:accountId.`, this);
        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Encrypts the ${args.environment} platform functions' log groups; the deploy role cannot decrypt with it`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: JSON.stringify(buildFunctionLogKeyPolicy(args)),
                tags: { environment: args.environment, purpose: "function-logs" },
            },
            { parent: this, ...RETAIN_ON_DELETE },
        );
        new aws.kms.Alias(`${name}-alias`, { name: functionLogKeyAlias(args.namePrefix), targetKeyId: key.keyId }, { parent: this });
        this.keyArn = key.arn;
        this.registerOutputs({ keyArn: this.keyArn });
    }
}
