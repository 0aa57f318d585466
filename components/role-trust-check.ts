// The role-trust check (docs/threat-model.md, path 9): IAM has no condition key on a trust document, so any caller
// allowed `iam:UpdateAssumeRolePolicy` on a platform role, a deploy run included, can make it trust anyone. A rule
// sends every CreateRole and UpdateAssumeRolePolicy on `<prefix>-*` roles to a small function that compares the new
// document with the trust documents the plan produces (built here by the same builders the components use) and sends
// a finding that the `role-trust-outside-plan` detection turns into an alert.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FunctionPackage, functionPackage } from "../functions/packages";
import { ALLOWANCE_FILE, canonicalTrust, TRUST_CHANGE_EVENTS, TRUST_FINDING_SOURCE, TrustAllowance } from "../functions/trust-check/judge";
import { CatalogWorkload } from "../model/catalog";
import { EnvironmentConfig } from "../model/config";
import { roleNames } from "../model/names";
import { buildEventForwarderTrustPolicy, EventPattern } from "./audit-alerts";
import { auditTrailName, buildCloudTrailLogsTrustPolicy, trailArn } from "./audit-trail";
import { buildBreakGlassTrustPolicy } from "./break-glass";
import { ESO_NAMESPACE, ESO_SERVICE_ACCOUNT } from "./external-secrets";
import { buildLambdaTrustPolicy, FunctionCodeSigning, signedLambdaCode } from "./function-code";
import { PolicyDocument, policyDocument, sendFindingsStatement } from "./iam";
import { TYPE } from "./tokens";
import { RETAIN_ON_DELETE } from "./retention";
import { buildIrsaTrustPolicy } from "./workload-identity";

/** The CI roles: the bootstrap owns their trust, so any change to it is a finding. */
export function bootstrapOwnedRoles(namePrefix: string): string[] {
    return [roleNames.githubDeploy(namePrefix), roleNames.githubPreview(namePrefix), roleNames.githubSigner(namePrefix)];
}

/**
 * Every trust document an environment's plan gives a role it manages, from the builders the components use: IRSA
 * for the ESO controller and each catalog workload (bound to that role), the Lambda service of this account,
 * EventBridge of this account (the forwarder), this trail's CloudTrail, and the break-glass principals with MFA. The
 * CI roles are left out.
 */
export function buildTrustAllowance(config: EnvironmentConfig, workloads: readonly Pick<CatalogWorkload, "id" | "namespace" | "serviceAccount">[]): TrustAllowance {
    const { accountId, namePrefix } = config;
    const irsa = (namespace: string, serviceAccount: string) => canonicalTrust(buildIrsaTrustPolicy(accountId, config.cluster.oidcIssuer, namespace, serviceAccount));
    const roleDocuments: Record<string, string> = { [roleNames.esoController(namePrefix)]: irsa(ESO_NAMESPACE, ESO_SERVICE_ACCOUNT) };
    for (const w of [...workloads].sort((a, b) => a.id.localeCompare(b.id))) roleDocuments[roleNames.workload(namePrefix, w.id)] = irsa(w.namespace, w.serviceAccount);
    const documents: PolicyDocument[] = [
        buildLambdaTrustPolicy(accountId),
        buildEventForwarderTrustPolicy(accountId),
        buildCloudTrailLogsTrustPolicy(trailArn(config.region, accountId, auditTrailName(namePrefix))),
        buildBreakGlassTrustPolicy(config.audit.breakGlassPrincipals),
    ];
    return {
        environment: config.environment,
        accountId,
        namePrefix,
        bootstrapOwnedRoles: bootstrapOwnedRoles(namePrefix),
        roleDocuments,
        documents: [...new Set(documents.map((d) => canonicalTrust(d)))].sort(),
    };
}

/** The check's package: its bundle and the environment's allowance, so a changed allowance is a new signed package. */
export function roleTrustCheckPackage(allowance: TrustAllowance): FunctionPackage {
    return functionPackage("trust-check", { [ALLOWANCE_FILE]: JSON.stringify(allowance) });
}

/** The EventBridge pattern: successful CreateRole and UpdateAssumeRolePolicy calls on `<prefix>-*` roles, by anyone. */
export function buildTrustChangePattern(namePrefix: string): EventPattern {
    return {
        source: ["aws.iam"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: {
            eventSource: ["iam.amazonaws.com"],
            eventName: [...TRUST_CHANGE_EVENTS],
            requestParameters: { roleName: [{ prefix: `${namePrefix}-` }] },
            // A refused call changed nothing; the access-denied alarm covers refusals.
            errorCode: [{ exists: false }],
        },
    };
}

/** The check's permissions: send its findings to the default bus (its own source only) and write its logs; nothing else. */
export function buildTrustCheckPolicy(inputs: { accountId: string; region: string; logGroupArn: string }): PolicyDocument {
    return policyDocument([
        sendFindingsStatement(inputs.accountId, inputs.region, TRUST_FINDING_SOURCE),
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${inputs.logGroupArn}:log-stream:*` },
    ]);
}

/** Arguments of {@link RoleTrustCheck}. */
export interface RoleTrustCheckArgs {
    readonly accountId: string;
    /** The home region, where IAM's CloudTrail events reach EventBridge. */
    readonly region: string;
    /** Prefix of resource names, such as `fl-prod`; the role is `roleNames.trustCheck(prefix)`. */
    readonly namePrefix: string;
    /** What the environment's roles may trust (`buildTrustAllowance`); bundled with the function. */
    readonly allowance: TrustAllowance;
    /** ARN of the key that encrypts the function's log group (`FunctionLogKey`). */
    readonly logKeyArn: pulumi.Input<string>;
    /** Where the environment's signed function code is, and its code-signing config. */
    readonly codeSigning: FunctionCodeSigning;
    /** The alert topic; the function's own failures alarm there. */
    readonly alarmTopicArn: pulumi.Input<string>;
}

/** A rule and a function that alert when a platform role's new trust is not one the plan produces, whoever set it. */
export class RoleTrustCheck extends pulumi.ComponentResource {
    readonly functionName: string;
    readonly ruleName: string;

    constructor(name: string, args: RoleTrustCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.RoleTrustCheck, name, {}, opts);
        if (args.allowance.namePrefix !== args.namePrefix || args.allowance.documents.length === 0 || Object.keys(args.allowance.roleDocuments).length === 0) {
            throw new pulumi.ResourceError(`RoleTrustCheck ${name}: the allowance is for prefix '${args.allowance.namePrefix}' with ${args.allowance.documents.length} documents; build it with buildTrustAllowance for '${args.namePrefix}'.`, this);
        }
        this.functionName = roleNames.trustCheck(args.namePrefix);
        this.ruleName = this.functionName;
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `/aws/lambda/${this.functionName}`, retentionInDays: 90, kmsKeyId: args.logKeyArn }, { parent: this, ...RETAIN_ON_DELETE });
        const role = new aws.iam.Role(
            `${name}-role`,
            { name: this.functionName, description: "Judges new trust documents of platform roles; reads nothing", assumeRolePolicy: JSON.stringify(buildLambdaTrustPolicy(args.accountId)) },
            { parent: this },
        );
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-policy`,
            { role: role.name, name: "trust-check", policy: logGroup.arn.apply((logGroupArn) => JSON.stringify(buildTrustCheckPolicy({ accountId: args.accountId, region: args.region, logGroupArn }))) },
            { parent: this },
        );
        const fn = new aws.lambda.Function(
            `${name}-function`,
            {
                name: this.functionName,
                description: "Alerts when a platform role's new trust is not one the plan produces",
                ...signedLambdaCode(roleTrustCheckPackage(args.allowance), args.codeSigning, this.functionName, { parent: this }),
                role: role.arn,
                timeout: 30,
                memorySize: 256,
                loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
            },
            { parent: this, dependsOn: [rolePolicy] },
        );
        const rule = new aws.cloudwatch.EventRule(
            `${name}-rule`,
            { name: this.ruleName, description: "Every trust change of a platform role, deploy runs included, goes to the trust check", eventPattern: JSON.stringify(buildTrustChangePattern(args.namePrefix)), state: "ENABLED" },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(`${name}-target`, { rule: rule.name, arn: fn.arn }, { parent: this });
        new aws.lambda.Permission(`${name}-permission`, { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn }, { parent: this });
        new aws.cloudwatch.MetricAlarm(
            `${name}-errors-alarm`,
            {
                name: `${args.namePrefix}-trust-check-failed`,
                alarmDescription: "The role-trust check failed; a trust change may have gone unjudged. Read its log and the trail's UpdateAssumeRolePolicy events.",
                namespace: "AWS/Lambda",
                metricName: "Errors",
                dimensions: { FunctionName: this.functionName },
                statistic: "Sum",
                period: 300,
                evaluationPeriods: 1,
                threshold: 1,
                comparisonOperator: "GreaterThanOrEqualToThreshold",
                treatMissingData: "notBreaching",
                alarmActions: [args.alarmTopicArn],
            },
            { parent: this },
        );
        this.registerOutputs({ functionName: this.functionName, ruleName: this.ruleName, allowedDocuments: args.allowance.documents.length });
    }
}
