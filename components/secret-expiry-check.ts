import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { EXPIRES_AT_TAG, FINDING_SOURCE } from "../functions/expiry-check/findings";
import { functionPackage } from "../functions/packages";
import { createFunctionErrorsAlarm, createPlatformFunction, PlatformFunctionEnvironment } from "./platform-function";
import { PolicyDocument, policyDocument, sendFindingsStatement } from "./iam";
import { TYPE } from "./tokens";
import { functionNames } from "../model/names";

/** The name of the expiry check role's inline policy (the platform change check compares policies by name). */
export const EXPIRY_CHECK_POLICY_NAME = "expiry-check";

/** The expiry check's environment variables. */
export function expiryCheckVariables(environment: string, warningDays: number): Record<string, string> {
    return { FINLEDGER_ENVIRONMENT: environment, WARNING_DAYS: String(warningDays) };
}

/** The expiry check's permissions: list secret metadata (never a value), send its findings, write its logs. */
export function buildExpiryCheckPolicy(inputs: { accountId: string; region: string; logGroupArn: string }): PolicyDocument {
    return policyDocument([
        // ListSecrets has no resource-level permissions; it returns metadata and tags, not values.
        { Sid: "ListSecretMetadata", Effect: "Allow", Action: "secretsmanager:ListSecrets", Resource: "*" },
        // Version ids, stages and dates (no values), to tell how long a rotation has been stuck.
        { Sid: "ListSecretVersions", Effect: "Allow", Action: "secretsmanager:ListSecretVersionIds", Resource: `arn:aws:secretsmanager:${inputs.region}:${inputs.accountId}:secret:*` },
        sendFindingsStatement(inputs.accountId, inputs.region, FINDING_SOURCE),
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${inputs.logGroupArn}:log-stream:*` },
    ]);
}

/** Arguments of {@link SecretExpiryCheck}. */
export interface SecretExpiryCheckArgs extends PlatformFunctionEnvironment {
    readonly environment: string;
    readonly region: string;
    /** Prefix of resource names, such as `fl-prod`. */
    readonly namePrefix: string;
    /** The function's role name (`roleNames.expiryCheck`). */
    readonly roleName: string;
    /** Days before expiry that alerts start. */
    readonly warningDays: number;
    /** The alert topic; the function's own failures alarm there. */
    readonly alarmTopicArn: pulumi.Input<string>;
    /** When the check runs. Default: every day at 07:00 UTC. */
    readonly schedule?: string;
}

/**
 * A daily Lambda that reads the `expires-at` tag of manually rotated secrets and sends a `finledger.audit` event for
 * each one that expires within the warning window (the `secret-expiry` detection rule turns it into an alert).
 */
export class SecretExpiryCheck extends pulumi.ComponentResource {
    readonly functionName: string;

    constructor(name: string, args: SecretExpiryCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.SecretExpiryCheck, name, {}, opts);
        const schedule = args.schedule ?? "cron(0 7 * * ? *)";
        if (!Number.isInteger(args.warningDays) || args.warningDays < 1) {
            throw new pulumi.ResourceError(`SecretExpiryCheck ${name}: warningDays ${args.warningDays} must be a positive whole number of days; set finledger:audit.expiryWarningDays.`, this);
        }
        this.functionName = functionNames.expiryCheck(args.namePrefix);
        const { function: fn } = createPlatformFunction(
            name,
            {
                accountId: args.accountId,
                functionName: this.functionName,
                roleName: args.roleName,
                roleDescription: `Daily ${EXPIRES_AT_TAG} check: lists secret metadata, reads no value`,
                description: `Alerts ${args.warningDays} days before a secret's ${EXPIRES_AT_TAG} date`,
                package: functionPackage("expiry-check"),
                codeSigning: args.codeSigning,
                logKeyArn: args.logKeyArn,
                logRetentionDays: 90,
                policyName: EXPIRY_CHECK_POLICY_NAME,
                policy: (logGroupArn) => logGroupArn.apply((arn) => buildExpiryCheckPolicy({ accountId: args.accountId, region: args.region, logGroupArn: arn })),
                timeoutSeconds: 120,
                variables: expiryCheckVariables(args.environment, args.warningDays),
            },
            this,
        );
        const rule = new aws.cloudwatch.EventRule(
            `${name}-schedule`,
            { name: `${args.namePrefix}-expiry-check-schedule`, description: `Runs the daily ${EXPIRES_AT_TAG} check`, scheduleExpression: schedule },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(`${name}-schedule-target`, { rule: rule.name, arn: fn.arn }, { parent: this });
        new aws.lambda.Permission(`${name}-schedule-permission`, { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn }, { parent: this });
        createFunctionErrorsAlarm(
            name,
            {
                alarmName: `${args.namePrefix}-expiry-check-failed`,
                description: "The daily expires-at check failed; expiring secrets may go unnoticed until it runs again.",
                functionName: this.functionName,
                periodSeconds: 86400,
                alarmTopicArn: args.alarmTopicArn,
            },
            this,
        );
        this.registerOutputs({ functionName: this.functionName, warningDays: args.warningDays });
    }
}
