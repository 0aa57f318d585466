import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { denyWithoutTls, PolicyDocument, policyDocument } from "./iam";
import { TYPE } from "./tokens";

import { DETAIL_TYPES as EXPIRY_DETAIL_TYPES, FINDING_SOURCE as FINDINGS_SOURCE } from "../functions/expiry-check/findings";

export { EXPIRY_DETAIL_TYPES, FINDINGS_SOURCE };

/** An EventBridge pattern: nested objects of field names, each leaf a list of values or filters. */
export type EventPattern = { [field: string]: string[] | Array<Record<string, unknown>> | EventPattern | EventPattern[] };

/** One detection: an EventBridge rule the stack creates on the default bus. */
export interface DetectionRule {
    /** Short id; the rule is named `<prefix>-<id>`. */
    readonly id: string;
    /** What the rule catches and why it matters, for the rule's description and the alert text. */
    readonly title: string;
    readonly pattern: EventPattern;
    /**
     * `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` for rules that must see read-only management events
     * (GetSecretValue, AssumeRole): EventBridge drops those for a plainly ENABLED rule.
     */
    readonly state: "ENABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS";
}

/** Inputs of {@link buildDetectionRules}. */
export interface DetectionInputs {
    /** The environment's name prefix (`fl-prod`); every platform role name starts with `<prefix>-`. */
    readonly namePrefix: string;
    readonly accountId: string;
    /** The GitHub deploy role, whose secret-policy updates are the normal effect of a deploy. */
    readonly deployRoleName: string;
    /** The break-glass role. */
    readonly breakGlassRoleName: string;
}

/** Secret changes that alert whoever makes them. */
export const SECRET_DESTRUCTIVE_EVENTS = ["DeleteSecret", "ReplicateSecretToRegions", "RemoveRegionsFromReplication", "StopReplicationToReplica"];
/** Secret policy changes; they alert unless the deploy role makes them. */
export const SECRET_POLICY_EVENTS = ["PutResourcePolicy", "DeleteResourcePolicy"];
/** KMS changes that can make every secret of the environment unreadable. */
export const KEY_DESTRUCTIVE_EVENTS = ["ScheduleKeyDeletion", "DisableKey", "DisableKeyRotation"];
/** CloudTrail changes that would blind the audit trail. */
export const TRAIL_TAMPERING_EVENTS = ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "PutInsightSelectors"];
/** Secrets Manager service events of a failed rotation. */
export const ROTATION_FAILURE_EVENTS = ["RotationFailed", "RotationAbandoned", "TestRotationFailed"];

const API_CALL = "AWS API Call via CloudTrail";
const SERVICE_EVENT = "AWS Service Event via CloudTrail";

/**
 * The detections of one environment as EventBridge patterns. The stack creates exactly these, and the tests put
 * exactly these into a real EventBridge implementation (moto) to see which sample events they catch.
 */
export function buildDetectionRules(inputs: DetectionInputs): DetectionRule[] {
    const platformPrefix = `${inputs.namePrefix}-`;
    const breakGlassArn = `arn:aws:iam::${inputs.accountId}:role/${inputs.breakGlassRoleName}`;
    return [
        {
            id: "unknown-principal-secret-read",
            title: "A secret value was read by a principal outside the environment's known identities",
            state: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
            pattern: {
                source: ["aws.secretsmanager"],
                "detail-type": [API_CALL],
                detail: {
                    eventSource: ["secretsmanager.amazonaws.com"],
                    eventName: ["GetSecretValue", "BatchGetSecretValue"],
                    // Known: a role of this account whose name carries the environment's prefix, or an AWS service
                    // acting for the account. Everything else (IAM users, root, other roles, other accounts) alerts.
                    $or: [
                        { userIdentity: { type: [{ "anything-but": ["AssumedRole", "AWSService"] }] } },
                        { userIdentity: { type: ["AssumedRole"], sessionContext: { sessionIssuer: { userName: [{ "anything-but": { prefix: platformPrefix } }] } } } },
                        { userIdentity: { type: ["AssumedRole"], sessionContext: { sessionIssuer: { accountId: [{ "anything-but": [inputs.accountId] }] } } } },
                    ],
                },
            },
        },
        {
            id: "rotation-failed",
            title: "A secret rotation failed or was abandoned",
            state: "ENABLED",
            pattern: {
                source: ["aws.secretsmanager"],
                "detail-type": [SERVICE_EVENT],
                detail: { eventSource: ["secretsmanager.amazonaws.com"], eventName: [...ROTATION_FAILURE_EVENTS] },
            },
        },
        {
            id: "secret-deletion-or-policy-change",
            title: "A secret was deleted, its replication changed, or its resource policy changed outside a deploy",
            state: "ENABLED",
            pattern: {
                source: ["aws.secretsmanager"],
                "detail-type": [API_CALL],
                detail: {
                    eventSource: ["secretsmanager.amazonaws.com"],
                    $or: [
                        { eventName: [...SECRET_DESTRUCTIVE_EVENTS] },
                        { eventName: [...SECRET_POLICY_EVENTS], userIdentity: { type: [{ "anything-but": ["AssumedRole"] }] } },
                        {
                            eventName: [...SECRET_POLICY_EVENTS],
                            userIdentity: { sessionContext: { sessionIssuer: { userName: [{ "anything-but": [inputs.deployRoleName] }] } } },
                        },
                    ],
                },
            },
        },
        {
            id: "key-disabled-or-deletion-scheduled",
            title: "A KMS key was disabled, scheduled for deletion, or had rotation turned off",
            state: "ENABLED",
            pattern: {
                source: ["aws.kms"],
                "detail-type": [API_CALL],
                detail: { eventSource: ["kms.amazonaws.com"], eventName: [...KEY_DESTRUCTIVE_EVENTS] },
            },
        },
        {
            id: "audit-trail-tampering",
            title: "The audit trail was stopped, deleted or reconfigured",
            state: "ENABLED",
            pattern: {
                source: ["aws.cloudtrail"],
                "detail-type": [API_CALL],
                detail: { eventSource: ["cloudtrail.amazonaws.com"], eventName: [...TRAIL_TAMPERING_EVENTS] },
            },
        },
        {
            id: "break-glass-assumed",
            title: "Someone assumed the break-glass role",
            state: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
            pattern: {
                source: ["aws.sts"],
                "detail-type": [API_CALL],
                detail: { eventSource: ["sts.amazonaws.com"], eventName: ["AssumeRole"], requestParameters: { roleArn: [breakGlassArn] } },
            },
        },
        {
            id: "secret-expiry",
            title: "A manually or assisted rotated secret is about to expire or has expired, a replaced credential is not revoked in time, or a rotation is stuck",
            state: "ENABLED",
            pattern: { source: [FINDINGS_SOURCE], "detail-type": Object.values(EXPIRY_DETAIL_TYPES) },
        },
    ];
}

/** One CloudWatch Logs metric filter on the trail's log group, with the alarm that watches it. */
export interface LogAlarm {
    readonly id: string;
    readonly title: string;
    /** CloudWatch Logs filter pattern over CloudTrail JSON records. */
    readonly filterPattern: string;
    readonly metricName: string;
    /** Matching records within one 5-minute period that raise the alarm. */
    readonly threshold: number;
}

/** The namespace of the audit metrics (metric filters and the latency probe). */
export const AUDIT_METRIC_NAMESPACE = "FinLedger/Secrets";

/**
 * Metric filters with alarms. They read the trail's log group, which receives every region's events, so they also
 * catch what an EventBridge rule in the home region cannot see (an AccessDenied in the replica region).
 */
export function buildLogAlarms(inputs: { accountId: string; breakGlassRoleName: string; accessDeniedThreshold: number }): LogAlarm[] {
    const breakGlassArn = `arn:aws:iam::${inputs.accountId}:role/${inputs.breakGlassRoleName}`;
    return [
        {
            id: "access-denied-spike",
            title: "AccessDenied spike on Secrets Manager or KMS: a misconfigured permission or someone probing",
            filterPattern: `{ (($.eventSource = "secretsmanager.amazonaws.com") || ($.eventSource = "kms.amazonaws.com")) && (($.errorCode = "AccessDenied*") || ($.errorCode = "*UnauthorizedOperation")) }`,
            metricName: "AccessDeniedCount",
            threshold: inputs.accessDeniedThreshold,
        },
        {
            id: "break-glass-activity",
            title: "The break-glass role was assumed or used",
            filterPattern: `{ ($.userIdentity.sessionContext.sessionIssuer.userName = "${inputs.breakGlassRoleName}") || (($.eventName = "AssumeRole") && ($.requestParameters.roleArn = "${breakGlassArn}")) }`,
            metricName: "BreakGlassActivityCount",
            threshold: 1,
        },
    ];
}

/** The alert topic's policy: EventBridge and CloudWatch alarms of this account may publish, over TLS only. */
export function buildAlertTopicPolicy(topicArn: string, accountId: string): PolicyDocument {
    return policyDocument([
        {
            Sid: "RulesAndAlarmsOfThisAccountPublish",
            Effect: "Allow",
            Principal: { Service: ["events.amazonaws.com", "cloudwatch.amazonaws.com"] },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
        denyWithoutTls("sns:Publish", topicArn),
    ]);
}

/** An alert subscriber: an email address or an https endpoint that carries no credential. */
export interface AlertSubscription {
    readonly protocol: "email" | "https";
    readonly endpoint: string;
}

/** Arguments of {@link AuditAlerts}. */
export interface AuditAlertsArgs {
    readonly environment: string;
    readonly accountId: string;
    /** Prefix of resource names, such as `fl-prod`. */
    readonly namePrefix: string;
    /** The audit key that encrypts the topic. */
    readonly keyArn: pulumi.Input<string>;
    /** The trail's CloudWatch Logs group, which the metric filters read. */
    readonly logGroupName: pulumi.Input<string>;
    /** Who hears the alerts. */
    readonly subscriptions: readonly AlertSubscription[];
    /** The EventBridge detections. */
    readonly rules: readonly DetectionRule[];
    /** Metric filters and their alarms. */
    readonly logAlarms: readonly LogAlarm[];
    /**
     * Another region (the replica region) whose matching AWS events are forwarded to this region's default bus, so
     * that a `DeleteSecret` on a replica alerts like one in the home region. Default: no forwarding.
     */
    readonly forwardFrom?: { readonly region: string; readonly provider: pulumi.ProviderResource; readonly roleName: string; readonly homeRegion: string };
}

/** The forwarding role's trust: EventBridge of this account only. */
export function buildEventForwarderTrustPolicy(accountId: string): PolicyDocument {
    return policyDocument([
        { Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": accountId } } },
    ]);
}

/** The name of the forwarding role's inline policy (the platform change check compares policies by name). */
export const EVENT_FORWARDER_POLICY_NAME = "forward-audit-events";

/** The forwarding role may put events on the home region's default bus, and nowhere else. */
export function buildEventForwarderPolicy(accountId: string, homeRegion: string): PolicyDocument {
    return policyDocument([{ Effect: "Allow", Action: "events:PutEvents", Resource: `arn:aws:events:${homeRegion}:${accountId}:event-bus/default` }]);
}

/**
 * The environment's alerting: a KMS-encrypted SNS topic with the configured subscribers, EventBridge rules that
 * send a readable line per matching event to it, and metric filters on the trail's log group with alarms.
 */
export class AuditAlerts extends pulumi.ComponentResource {
    /** The alert topic; other alarms (latency, expiry) publish here too. */
    readonly topic: aws.sns.Topic;
    readonly topicArn: pulumi.Output<string>;
    /** Rule names by detection id. */
    readonly ruleNames: Record<string, string>;
    /** Alarm names by id. */
    readonly alarmNames: Record<string, string>;

    constructor(name: string, args: AuditAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.AuditAlerts, name, {}, opts);
        const problems: string[] = [];
        if (args.subscriptions.length === 0) problems.push("subscriptions is empty; name at least one email or https subscriber in finledger:audit.alertSubscriptions");
        const ids = new Set<string>();
        for (const r of [...args.rules, ...args.logAlarms]) {
            if (ids.has(r.id)) problems.push(`detection id '${r.id}' is used twice`);
            ids.add(r.id);
        }
        if (problems.length > 0) throw new pulumi.ResourceError(`AuditAlerts ${name}: ${problems.join("; ")}.`, this);

        this.topic = new aws.sns.Topic(
            `${name}-topic`,
            { name: `${args.namePrefix}-audit-alerts`, displayName: `FinLedger ${args.environment} secrets alerts`, kmsMasterKeyId: args.keyArn },
            { parent: this },
        );
        this.topicArn = this.topic.arn;
        new aws.sns.TopicPolicy(
            `${name}-topic-policy`,
            { arn: this.topic.arn, policy: this.topic.arn.apply((arn) => JSON.stringify(buildAlertTopicPolicy(arn, args.accountId))) },
            { parent: this },
        );
        args.subscriptions.forEach((s, i) => {
            new aws.sns.TopicSubscription(`${name}-subscriber-${i}`, { topic: this.topic.arn, protocol: s.protocol, endpoint: s.endpoint }, { parent: this });
        });

        this.ruleNames = {};
        for (const rule of args.rules) {
            const ruleName = `${args.namePrefix}-${rule.id}`;
            const eventRule = new aws.cloudwatch.EventRule(
                `${name}-${rule.id}`,
                { name: ruleName, description: rule.title, eventPattern: JSON.stringify(rule.pattern), state: rule.state },
                { parent: this },
            );
            const fromFindings = (rule.pattern.source as string[]).includes(FINDINGS_SOURCE);
            new aws.cloudwatch.EventTarget(
                `${name}-${rule.id}-target`,
                {
                    rule: eventRule.name,
                    arn: this.topic.arn,
                    inputTransformer: fromFindings
                        ? {
                              inputPaths: { type: "$.detail-type", secretName: "$.detail.secretName", expiresAt: "$.detail.expiresAt", days: "$.detail.daysLeft" },
                              inputTemplate: `"[FinLedger ${args.environment}] <type>: <secretName> expires at <expiresAt> (<days> days left). Rotate it with the manual-rotation runbook and update its expires-at tag."`,
                          }
                        : {
                              inputPaths: {
                                  event: "$.detail.eventName",
                                  principal: "$.detail.userIdentity.arn",
                                  region: "$.detail.awsRegion",
                                  time: "$.time",
                                  error: "$.detail.errorCode",
                              },
                              inputTemplate: `"[FinLedger ${args.environment}] ${rule.title}: <event> by <principal> in <region> at <time> (error: <error>). See docs/runbooks/ and the saved Athena queries."`,
                          },
                },
                { parent: this },
            );
            this.ruleNames[rule.id] = ruleName;
        }

        if (args.forwardFrom) this.forwardRegionalEvents(name, args, args.forwardFrom);

        this.alarmNames = {};
        for (const a of args.logAlarms) {
            new aws.cloudwatch.LogMetricFilter(
                `${name}-${a.id}-filter`,
                {
                    name: `${args.namePrefix}-${a.id}`,
                    logGroupName: args.logGroupName,
                    pattern: a.filterPattern,
                    metricTransformation: { name: a.metricName, namespace: AUDIT_METRIC_NAMESPACE, value: "1", defaultValue: "0" },
                },
                { parent: this },
            );
            const alarmName = `${args.namePrefix}-${a.id}`;
            new aws.cloudwatch.MetricAlarm(
                `${name}-${a.id}-alarm`,
                {
                    name: alarmName,
                    alarmDescription: a.title,
                    namespace: AUDIT_METRIC_NAMESPACE,
                    metricName: a.metricName,
                    statistic: "Sum",
                    period: 300,
                    evaluationPeriods: 1,
                    threshold: a.threshold,
                    comparisonOperator: "GreaterThanOrEqualToThreshold",
                    treatMissingData: "notBreaching",
                    alarmActions: [this.topic.arn],
                },
                { parent: this },
            );
            this.alarmNames[a.id] = alarmName;
        }
        this.registerOutputs({ topicArn: this.topicArn, ruleNames: this.ruleNames, alarmNames: this.alarmNames });
    }

    /** Rules in the other region with the same AWS-event patterns, whose target is the home region's default bus. */
    private forwardRegionalEvents(name: string, args: AuditAlertsArgs, from: NonNullable<AuditAlertsArgs["forwardFrom"]>): void {
        // IAM is global: the role is created once, from the home region.
        const role = new aws.iam.Role(
            `${name}-forwarder-role`,
            { name: from.roleName, description: `Forwards audit events from ${from.region} to the ${from.homeRegion} default bus`, assumeRolePolicy: JSON.stringify(buildEventForwarderTrustPolicy(args.accountId)) },
            { parent: this },
        );
        new aws.iam.RolePolicy(`${name}-forwarder-policy`, { role: role.name, name: EVENT_FORWARDER_POLICY_NAME, policy: JSON.stringify(buildEventForwarderPolicy(args.accountId, from.homeRegion)) }, { parent: this });
        const homeBus = `arn:aws:events:${from.homeRegion}:${args.accountId}:event-bus/default`;
        for (const rule of args.rules) {
            const sources = rule.pattern.source as string[];
            if (!sources.every((src) => src.startsWith("aws."))) continue;
            const forward = new aws.cloudwatch.EventRule(
                `${name}-${rule.id}-forward`,
                {
                    name: `${args.namePrefix}-${rule.id}-forward`,
                    description: `Forwards to ${from.homeRegion}: ${rule.title}`,
                    eventPattern: JSON.stringify(rule.pattern),
                    state: rule.state,
                },
                { parent: this, provider: from.provider },
            );
            new aws.cloudwatch.EventTarget(`${name}-${rule.id}-forward-target`, { rule: forward.name, arn: homeBus, roleArn: role.arn }, { parent: this, provider: from.provider });
        }
    }
}
