import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { LATENCY_METRIC } from "../functions/latency-probe/metric";
import { AUDIT_METRIC_NAMESPACE } from "./audit-alerts";
import { functionPackage } from "../functions/packages";
import { createPlatformFunction, PlatformFunctionEnvironment } from "./platform-function";
import { compactStatements, IGrantable, PolicyDocument, policyDocument, PolicyStatement } from "./iam";
import { ManagedSecret } from "./managed-secret";
import { TYPE } from "./tokens";
import { functionNames } from "../model/names";

/** The latency target (docs/latency-budget.md): secret retrieval adds less than 200 ms per task start, on average. */
export const LATENCY_TARGET_MS = 200;

/** What the probe may do besides reading its canary: publish its metric only in the audit namespace, and write its logs. */
export function buildProbeBaseStatements(logGroupArn: string, namespace: string): PolicyStatement[] {
    return [
        { Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": namespace } } },
        { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:log-stream:*` },
    ];
}

/** Network interfaces a function in a VPC needs (what AWSLambdaVPCAccessExecutionRole grants). */
const VPC_ACCESS_ACTIONS = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"];

/** The name of the probe role's inline policy (the platform change check compares policies by name). */
export const PROBE_POLICY_NAME = "latency-probe";

/** The probe's inline policy: the canary's read statements, its base statements and, in a VPC, the network interfaces. */
export function buildProbePolicy(canaryReads: readonly PolicyStatement[], logGroupArn: string, inVpc: boolean): PolicyDocument {
    return policyDocument(
        compactStatements([
            ...canaryReads,
            ...buildProbeBaseStatements(logGroupArn, AUDIT_METRIC_NAMESPACE),
            ...(inVpc ? [{ Effect: "Allow" as const, Action: VPC_ACCESS_ACTIONS, Resource: "*" }] : []),
        ]),
    );
}

/** The probe's environment variables. */
export function probeVariables<T>(canarySecretName: T, environment: string): Record<string, T | string> {
    return { CANARY_SECRET_ID: canarySecretName, FINLEDGER_ENVIRONMENT: environment, METRIC_NAMESPACE: AUDIT_METRIC_NAMESPACE };
}

/** Collects statements for a role's single inline policy, so grants read like `secret.grantRead(probe)`. */
class StatementCollector implements IGrantable {
    readonly statements: pulumi.Input<PolicyStatement>[] = [];
    constructor(readonly grantName: string) {}
    addToPrincipalPolicy(statement: pulumi.Input<PolicyStatement>): void {
        this.statements.push(statement);
    }
}

/** Arguments of {@link LatencyProbe}. */
export interface LatencyProbeArgs extends PlatformFunctionEnvironment {
    readonly environment: string;
    readonly region: string;
    /** Prefix of resource names, such as `fl-prod`. */
    readonly namePrefix: string;
    /** The probe's role name (`roleNames.latencyProbe`). */
    readonly roleName: string;
    /** The canary secret; the only secret the probe can read. */
    readonly canary: ManagedSecret;
    /** The alert topic the latency alarm notifies. */
    readonly alarmTopicArn: pulumi.Input<string>;
    /** Subnets and security groups that put the probe next to the workloads. Default: no VPC (AWS network). */
    readonly vpc?: { readonly subnetIds: readonly string[]; readonly securityGroupIds: readonly string[] };
    /** How often the probe runs. Default: `rate(5 minutes)`. */
    readonly schedule?: string;
    /** Average cold latency that raises the alarm, in ms. Default: 200. */
    readonly thresholdMs?: number;
}

/**
 * A scheduled Lambda that reads the canary secret the way a task start does (new client, cold first call, then warm
 * calls), publishes `GetSecretValueLatency` per environment and phase, and alarms when the cold average goes over
 * the target, or when the probe stops reporting.
 */
export class LatencyProbe extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;
    readonly functionName: string;
    readonly alarmName: string;
    /** The probe's inline policy statements (for the plan and the IAM simulation). */
    readonly policy: pulumi.Output<PolicyDocument>;

    constructor(name: string, args: LatencyProbeArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.LatencyProbe, name, {}, opts);
        const schedule = args.schedule ?? "rate(5 minutes)";
        const thresholdMs = args.thresholdMs ?? LATENCY_TARGET_MS;
        const problems: string[] = [];
        if (!(thresholdMs > 0)) problems.push(`thresholdMs ${thresholdMs} must be positive`);
        if (args.vpc && (args.vpc.subnetIds.length === 0 || args.vpc.securityGroupIds.length === 0)) problems.push("vpc needs at least one subnet and one security group");
        if (problems.length > 0) throw new pulumi.ResourceError(`LatencyProbe ${name}: ${problems.join("; ")}.`, this);

        this.functionName = functionNames.latencyProbe(args.namePrefix);
        const { role, function: fn, policy } = createPlatformFunction(
            name,
            {
                accountId: args.accountId,
                functionName: this.functionName,
                roleName: args.roleName,
                roleDescription: "Latency probe: reads only its canary secret",
                description: "Measures GetSecretValue latency (cold and warm) on the canary secret",
                package: functionPackage("latency-probe"),
                codeSigning: args.codeSigning,
                logKeyArn: args.logKeyArn,
                logRetentionDays: 30,
                policyName: PROBE_POLICY_NAME,
                policy: (logGroupArn) => {
                    const grantee = new StatementCollector(args.roleName);
                    args.canary.grantRead(grantee);
                    return pulumi.all([pulumi.all(grantee.statements), logGroupArn]).apply(([granted, groupArn]) => buildProbePolicy(granted, groupArn, args.vpc !== undefined));
                },
                timeoutSeconds: 30,
                variables: probeVariables<pulumi.Input<string>>(args.canary.secretName, args.environment),
                vpc: args.vpc,
            },
            this,
        );
        this.roleArn = role.arn;
        this.policy = policy;
        const scheduleRule = new aws.cloudwatch.EventRule(
            `${name}-schedule`,
            { name: `${args.namePrefix}-latency-probe-schedule`, description: "Runs the secret latency probe", scheduleExpression: schedule },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(`${name}-schedule-target`, { rule: scheduleRule.name, arn: fn.arn }, { parent: this });
        new aws.lambda.Permission(
            `${name}-schedule-permission`,
            { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: scheduleRule.arn },
            { parent: this },
        );

        this.alarmName = `${args.namePrefix}-secret-latency`;
        new aws.cloudwatch.MetricAlarm(
            `${name}-alarm`,
            {
                name: this.alarmName,
                alarmDescription: `Average cold GetSecretValue latency in ${args.environment} is over ${thresholdMs} ms (or the probe stopped reporting). See docs/runbooks/secrets-manager-or-kms-outage.md.`,
                namespace: AUDIT_METRIC_NAMESPACE,
                metricName: LATENCY_METRIC,
                dimensions: { Environment: args.environment, Phase: "cold" },
                statistic: "Average",
                period: 900,
                evaluationPeriods: 2,
                datapointsToAlarm: 2,
                threshold: thresholdMs,
                comparisonOperator: "GreaterThanThreshold",
                // A silent probe means nobody is measuring; treat it as a breach.
                treatMissingData: "breaching",
                alarmActions: [args.alarmTopicArn],
                okActions: [args.alarmTopicArn],
            },
            { parent: this },
        );
        this.registerOutputs({ roleArn: this.roleArn, functionName: this.functionName, alarmName: this.alarmName, thresholdMs, canary: args.canary.secretName });
    }
}
