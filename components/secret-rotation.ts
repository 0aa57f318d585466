import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { secretsManagerViaService } from "./environment-key";
import { policyDocument, PolicyDocument, PolicyStatement } from "./iam";
import { functionPackage } from "../functions/packages";
import { createPlatformFunction, PlatformFunctionEnvironment } from "./platform-function";
import { TYPE } from "./tokens";
import { TAG } from "../model/names";

/** Actions a rotation function needs on the secrets it rotates: read stages and values, write and promote versions. */
export const ROTATION_SECRET_ACTIONS = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
];

/** Actions Lambda needs to attach a function to the VPC. AWS does not scope them to resources. */
export const LAMBDA_VPC_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
];

/** Inputs of the pure policy builder of a rotation function. */
export interface RotationPolicyInputs {
    readonly accountId: string;
    readonly region: string;
    readonly environment: string;
    /** The catalog strategy this function rotates; only secrets tagged with it are in reach. */
    readonly strategy: string;
    /** Name prefixes of the environment's secrets, such as `prod/` and `AmazonMSK_prod/`. */
    readonly secretNamePrefixes: readonly string[];
    /** The environment key's ARN. */
    readonly keyArn: string;
    /** The function's log group ARN. */
    readonly logGroupArn: string;
    /** Secrets the function only reads (its own credentials, or the database master), by ARN pattern. */
    readonly readOnlySecretArns?: readonly string[];
}

/** The ARN pattern of every secret whose name starts with a prefix, in one account and region. */
export function secretArnPattern(accountId: string, region: string, namePrefix: string): string {
    return `arn:aws:secretsmanager:${region}:${accountId}:secret:${namePrefix}*`;
}

/**
 * The rotation function's identity policy. It reaches only this environment's secrets that carry its own
 * strategy tag (one compact statement instead of one ARN per secret, so a new catalog entry needs no policy
 * change), with only the four protocol actions, and the environment key only through Secrets Manager.
 */
export function buildRotationPolicy(inputs: RotationPolicyInputs): PolicyDocument {
    const statements: PolicyStatement[] = [
        {
            Sid: "RotateOwnStrategySecrets",
            Effect: "Allow",
            Action: [...ROTATION_SECRET_ACTIONS],
            Resource: inputs.secretNamePrefixes.map((p) => secretArnPattern(inputs.accountId, inputs.region, p)),
            Condition: {
                StringEquals: {
                    [`aws:ResourceTag/${TAG.rotationStrategy}`]: inputs.strategy,
                    [`aws:ResourceTag/${TAG.environment}`]: inputs.environment,
                },
            },
        },
    ];
    if (inputs.readOnlySecretArns && inputs.readOnlySecretArns.length > 0) {
        statements.push({ Sid: "ReadOwnCredentials", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [...inputs.readOnlySecretArns] });
    }
    statements.push(
        {
            Sid: "UseEnvironmentKeyThroughSecretsManager",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: inputs.keyArn,
            Condition: { StringEquals: { "kms:ViaService": secretsManagerViaService(inputs.region) } },
        },
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${inputs.logGroupArn}:*` },
        { Sid: "AttachToVpc", Effect: "Allow", Action: [...LAMBDA_VPC_ACTIONS], Resource: "*" },
    );
    return policyDocument(statements);
}

/** The name of a rotation role's inline policy (the platform change check compares policies by name). */
export const ROTATION_POLICY_NAME = "rotation";

/** A rotation function's environment variables: the Secrets Manager endpoint and the strategy's own. */
export function rotationVariables<T>(secretsManagerEndpoint: T, extra: Readonly<Record<string, T>> = {}): Record<string, T> {
    return { SECRETS_MANAGER_ENDPOINT: secretsManagerEndpoint, ...extra };
}

/** One secret the function rotates, with its schedule. */
export interface RotatedSecret {
    /** Logical name, unique within the component. */
    readonly name: string;
    readonly secretArn: pulumi.Input<string>;
    /** Days between rotations (the catalog's rotation.days). */
    readonly days: number;
}

/** Arguments of {@link SecretRotation}. */
export interface SecretRotationArgs extends PlatformFunctionEnvironment {
    readonly environment: string;
    readonly region: string;
    /** The catalog strategy: the function's name, role name and IAM tag condition follow it. */
    readonly strategy: string;
    /** IAM role name, from `roleNames.rotation`. */
    readonly roleName: string;
    /** Function name. */
    readonly functionName: string;
    /** The bundle name of the handler (the strategy's entry in `FUNCTION_ENTRIES`); deployed as its signed package. */
    readonly code: string;
    /** The environment key's ARN. */
    readonly keyArn: pulumi.Input<string>;
    /** Secret name prefixes in reach (see {@link buildRotationPolicy}). */
    readonly secretNamePrefixes: readonly string[];
    /** Secrets the function only reads, by ARN pattern. Default: none. */
    readonly readOnlySecretArns?: readonly string[];
    /** The secrets it rotates and their schedules. */
    readonly secrets: readonly RotatedSecret[];
    /** Private subnets the function runs in. */
    readonly subnetIds: readonly string[];
    /** Security groups of the function (egress to the Secrets Manager endpoint and the target system). */
    readonly securityGroupIds: readonly string[];
    /** Secrets Manager endpoint URL the SDK uses (the regional name, resolved by private DNS to the VPC endpoint). */
    readonly secretsManagerEndpoint: string;
    /** Length of each rotation window in hours. Default: 4. */
    readonly windowHours?: number;
    /** Extra environment variables of the function. Default: none. */
    readonly environmentVariables?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Function timeout in seconds. Default: 300. */
    readonly timeoutSeconds?: number;
    /** Log retention in days. Default: 365 (the audit keeps a year). */
    readonly logRetentionDays?: number;
    /** Resources to create before the rotations (such as the VPC endpoint). Default: none. */
    readonly dependsOn?: pulumi.Resource[];
}

/**
 * One rotation function and the secrets it rotates: the Lambda (in the VPC), its least-privilege role, its log
 * group, the permission for Secrets Manager to invoke it from this account, and one `SecretRotation` per secret
 * on the catalog's schedule. Rotation does not start at deploy (`rotateImmediately: false`): the first run is the
 * first scheduled window, after the secret has its bootstrap value.
 */
export class SecretRotation extends pulumi.ComponentResource {
    /** The function's ARN. */
    readonly functionArn: pulumi.Output<string>;
    /** The function's role ARN. */
    readonly roleArn: pulumi.Output<string>;
    /** The identity policy, as JSON, for simulation. */
    readonly policy: pulumi.Output<string>;
    /** Number of secrets wired to the function. */
    readonly rotatedSecretCount: number;

    constructor(name: string, args: SecretRotationArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.SecretRotation, name, {}, opts);
        const windowHours = args.windowHours ?? 4;
        const timeoutSeconds = args.timeoutSeconds ?? 300;
        const logRetentionDays = args.logRetentionDays ?? 365;

        const problems: string[] = [];
        if (windowHours < 1 || windowHours > 24) problems.push(`windowHours ${windowHours} is outside 1..24`);
        if (timeoutSeconds < 30 || timeoutSeconds > 900) problems.push(`timeoutSeconds ${timeoutSeconds} is outside 30..900`);
        if (args.subnetIds.length === 0) problems.push("subnetIds is empty; the function must run in the VPC");
        if (args.securityGroupIds.length === 0) problems.push("securityGroupIds is empty");
        for (const s of args.secrets) {
            if (!Number.isInteger(s.days) || s.days < 1 || s.days > 1000) problems.push(`secret ${s.name}: days ${s.days} is outside 1..1000`);
            if (s.days * 24 <= windowHours) problems.push(`secret ${s.name}: a ${windowHours} h window does not fit in a ${s.days}-day schedule`);
        }
        if (new Set(args.secrets.map((s) => s.name)).size !== args.secrets.length) problems.push("two secrets share a logical name");
        if (problems.length > 0) throw new pulumi.ResourceError(`SecretRotation ${name} (${args.strategy}): ${problems.join("; ")}.`, this);

        const tags = { [TAG.environment]: args.environment, [TAG.rotationStrategy]: args.strategy, purpose: "secret-rotation" };
        const { role, function: fn, policyJson } = createPlatformFunction(
            name,
            {
                accountId: args.accountId,
                functionName: args.functionName,
                roleName: args.roleName,
                roleDescription: `Runs the ${args.strategy} rotation function of ${args.environment}.`,
                description: `Rotates ${args.environment} secrets with the ${args.strategy} strategy (Secrets Manager rotation protocol).`,
                package: functionPackage(args.code),
                codeSigning: args.codeSigning,
                logKeyArn: args.logKeyArn,
                logRetentionDays,
                policyName: ROTATION_POLICY_NAME,
                policy: (groupArn) =>
                    pulumi.all([args.keyArn, groupArn]).apply(([keyArn, logGroupArn]) =>
                        buildRotationPolicy({
                            accountId: args.accountId,
                            region: args.region,
                            environment: args.environment,
                            strategy: args.strategy,
                            secretNamePrefixes: args.secretNamePrefixes,
                            keyArn,
                            logGroupArn,
                            readOnlySecretArns: args.readOnlySecretArns,
                        }),
                    ),
                timeoutSeconds,
                memorySize: 512,
                variables: rotationVariables<pulumi.Input<string>>(args.secretsManagerEndpoint, args.environmentVariables),
                vpc: { subnetIds: args.subnetIds, securityGroupIds: args.securityGroupIds },
                tags,
            },
            this,
        );
        this.policy = policyJson;
        const permission = new aws.lambda.Permission(
            `${name}-invoke`,
            { action: "lambda:InvokeFunction", function: fn.name, principal: "secretsmanager.amazonaws.com", sourceAccount: args.accountId },
            { parent: this },
        );
        for (const s of args.secrets) {
            new aws.secretsmanager.SecretRotation(
                `${name}-${s.name}`,
                {
                    secretId: s.secretArn,
                    rotationLambdaArn: fn.arn,
                    rotateImmediately: false,
                    rotationRules: { automaticallyAfterDays: s.days, duration: `${windowHours}h` },
                },
                { parent: this, dependsOn: [permission, ...(args.dependsOn ?? [])] },
            );
        }
        this.functionArn = fn.arn;
        this.roleArn = role.arn;
        this.rotatedSecretCount = args.secrets.length;
        this.registerOutputs({ functionArn: this.functionArn, roleArn: this.roleArn, strategy: args.strategy, rotatedSecretCount: this.rotatedSecretCount });
    }
}
