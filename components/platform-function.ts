// The set-up every platform function shares, built once: its log group (encrypted with the function log key, kept
// when the resource leaves the program), an execution role only this account's Lambda service may assume, the role's
// one inline policy (which needs the log group's ARN: a function writes only its own log streams), and the function
// itself, deployed only as its signed package and logging to that group. A function, not a component: the children
// are created under the caller's component with the names they always had, so no URN changes.
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { FunctionPackage } from "../functions/packages";
import { buildLambdaTrustPolicy, FunctionCodeSigning, signedLambdaCode } from "./function-code";
import { functionLogGroupName } from "./function-log-key";
import { PolicyDocument } from "./iam";
import { RETAIN_ON_DELETE } from "./retention";

/** What every platform function of an environment is built with: its account, its log key and its signed code. */
export interface PlatformFunctionEnvironment {
    /** The environment's account; only its Lambda service may assume the function's role. */
    readonly accountId: string;
    /** ARN of the key that encrypts the function's log group (`FunctionLogKey`). */
    readonly logKeyArn: pulumi.Input<string>;
    /** Where the environment's signed function code is, and its code-signing config (`GithubDeployAccess.functionSigning`). */
    readonly codeSigning: FunctionCodeSigning;
}

/** Arguments of {@link createPlatformFunction}. */
export interface PlatformFunctionArgs extends PlatformFunctionEnvironment {
    /** The function's name; its log group is `/aws/lambda/<functionName>`. */
    readonly functionName: string;
    /** The execution role's name (from `roleNames`). */
    readonly roleName: string;
    /** What the role may and may not do, in a sentence. */
    readonly roleDescription: string;
    /** What the function does, in a sentence. */
    readonly description: string;
    /** The function's package (its bundle and the files that ship with it); deployed only as the copy the sign job signed. */
    readonly package: FunctionPackage;
    /** Days the log group keeps the function's logs. */
    readonly logRetentionDays: number;
    /** The name of the role's inline policy (the platform change check compares policies by name). */
    readonly policyName: string;
    /** The role's inline policy, built from the log group's ARN. */
    readonly policy: (logGroupArn: pulumi.Output<string>) => pulumi.Output<PolicyDocument>;
    /** Function timeout in seconds. */
    readonly timeoutSeconds: number;
    /** Memory in MB. Default: 256. */
    readonly memorySize?: number;
    /** The function's environment variables. Default: none. */
    readonly variables?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Subnets and security groups the function runs in. Default: no VPC (AWS network). */
    readonly vpc?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
    /** Tags of the log group, the role and the function. Default: none. */
    readonly tags?: Readonly<Record<string, string>>;
}

/** What {@link createPlatformFunction} created, for the caller's triggers, alarms, grants and outputs. */
export interface PlatformFunction {
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly role: aws.iam.Role;
    readonly rolePolicy: aws.iam.RolePolicy;
    readonly function: aws.lambda.Function;
    /** The role's inline policy. */
    readonly policy: pulumi.Output<PolicyDocument>;
    /** The same policy as the JSON text the RolePolicy carries. */
    readonly policyJson: pulumi.Output<string>;
}

/** Creates a platform function's log group, role, inline policy and signed function as `<name>-logs`, `-role`, `-policy` and `-function` under `parent`. */
export function createPlatformFunction(name: string, args: PlatformFunctionArgs, parent: pulumi.Resource): PlatformFunction {
    const logGroup = new aws.cloudwatch.LogGroup(
        `${name}-logs`,
        { name: functionLogGroupName(args.functionName), retentionInDays: args.logRetentionDays, kmsKeyId: args.logKeyArn, tags: args.tags },
        { parent, ...RETAIN_ON_DELETE },
    );
    const role = new aws.iam.Role(
        `${name}-role`,
        { name: args.roleName, description: args.roleDescription, assumeRolePolicy: JSON.stringify(buildLambdaTrustPolicy(args.accountId)), tags: args.tags },
        { parent },
    );
    const policy = args.policy(logGroup.arn);
    const policyJson = policy.apply((p) => JSON.stringify(p));
    const rolePolicy = new aws.iam.RolePolicy(`${name}-policy`, { role: role.name, name: args.policyName, policy: policyJson }, { parent });
    const fn = new aws.lambda.Function(
        `${name}-function`,
        {
            name: args.functionName,
            description: args.description,
            ...signedLambdaCode(args.package, args.codeSigning, args.functionName, { parent }),
            role: role.arn,
            timeout: args.timeoutSeconds,
            memorySize: args.memorySize ?? 256,
            loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            environment: args.variables ? { variables: { ...args.variables } } : undefined,
            vpcConfig: args.vpc ? { subnetIds: [...args.vpc.subnetIds], securityGroupIds: [...args.vpc.securityGroupIds] } : undefined,
            tags: args.tags,
        },
        // The role's policy first, so the function never runs without its permissions; the log group is already a
        // dependency through loggingConfig.
        { parent, dependsOn: [rolePolicy] },
    );
    return { logGroup, role, rolePolicy, function: fn, policy, policyJson };
}

/** Arguments of {@link createFunctionErrorsAlarm}. */
export interface FunctionErrorsAlarmArgs {
    /** The alarm's name. */
    readonly alarmName: string;
    /** What a failure means and what to read, in full sentences. */
    readonly description: string;
    /** The function whose `Errors` metric is watched. */
    readonly functionName: string;
    /** The period one error in raises the alarm, in seconds. */
    readonly periodSeconds: number;
    /** The alert topic. */
    readonly alarmTopicArn: pulumi.Input<string>;
}

/** Creates `<name>-errors-alarm` under `parent`: one error of the function within a period alarms the topic; no invocation is no alarm. */
export function createFunctionErrorsAlarm(name: string, args: FunctionErrorsAlarmArgs, parent: pulumi.Resource): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
        `${name}-errors-alarm`,
        {
            name: args.alarmName,
            alarmDescription: args.description,
            namespace: "AWS/Lambda",
            metricName: "Errors",
            dimensions: { FunctionName: args.functionName },
            statistic: "Sum",
            period: args.periodSeconds,
            evaluationPeriods: 1,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            alarmActions: [args.alarmTopicArn],
        },
        { parent },
    );
}
