// Detections of the separation of duties between the pipeline and the secrets (docs/threat-model.md): changes that
// would let someone reach a secret value through the platform's own code, roles or tags, made outside a deploy run,
// and reads of the Pulumi state by anyone but the CI roles and break glass.
import type { DetectionRule, EventPattern } from "./audit-alerts";
import { FUNCTION_FINDING_DETAIL_TYPE } from "../functions/trust-check/function-judge";
import { TRUST_FINDING_DETAIL_TYPE, TRUST_FINDING_SOURCE } from "../functions/trust-check/judge";
import { POLICY_FINDING_DETAIL_TYPE } from "../functions/trust-check/policy-judge";

/** The prefix of every deploy-role session name; the workflow appends the GitHub run id (`gha-deploy-prod-<run id>`). */
export function deploySessionPrefix(environment: string): string {
    return `gha-deploy-${environment}-`;
}

/** The assumed-role ARN prefix of a deploy run's session, as CloudTrail records it in `userIdentity.arn`. */
export function deployRunArnPrefix(accountId: string, deployRoleName: string, environment: string): string {
    return `arn:aws:sts::${accountId}:assumed-role/${deployRoleName}/${deploySessionPrefix(environment)}`;
}

/** IAM calls that rewrite what a role may do or who may assume it. */
export const ROLE_ESCALATION_EVENTS = [
    "UpdateAssumeRolePolicy",
    "PutRolePolicy",
    "AttachRolePolicy",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
];

/** IAM calls that add or widen a federated identity provider, from which a new trust could be built. */
export const IDENTITY_PROVIDER_EVENTS = ["CreateOpenIDConnectProvider", "UpdateOpenIDConnectProviderThumbprint", "AddClientIDToOpenIDConnectProvider", "CreateSAMLProvider"];

/**
 * Lambda calls that change what a function runs. CloudTrail names Lambda events with an API version suffix
 * (`UpdateFunctionCode20150331v2`), so the rule matches them by prefix.
 */
export const FUNCTION_CODE_EVENT_PREFIXES = ["UpdateFunctionCode", "UpdateFunctionConfiguration", "PutFunctionCodeSigningConfig", "DeleteFunctionCodeSigningConfig", "UpdateCodeSigningConfig"];

/** S3 data events that return a state object's content. */
export const STATE_READ_EVENTS = ["GetObject", "GetObjectVersion", "CopyObject", "SelectObjectContent", "RestoreObject"];

/** Inputs of {@link buildSeparationDetectionRules}. */
export interface SeparationDetectionInputs {
    readonly environment: string;
    readonly accountId: string;
    /** The environment's name prefix (`fl-prod`); platform role names start with `<prefix>-`. */
    readonly namePrefix: string;
    readonly deployRoleName: string;
    readonly previewRoleName: string;
    readonly breakGlassRoleName: string;
    /** The Pulumi state bucket, whose object reads the trail records as data events. */
    readonly stateBucket: string;
}

const API_CALL = "AWS API Call via CloudTrail";

/** Matches every caller except a deploy run's session of the deploy role (wrong role, wrong session name, other account). */
function outsideDeployRun(inputs: SeparationDetectionInputs): EventPattern {
    return { arn: [{ "anything-but": { prefix: deployRunArnPrefix(inputs.accountId, inputs.deployRoleName, inputs.environment) } }] };
}

/**
 * The separation-of-duties detections of one environment. Each alerts on a change made outside a deploy run (any
 * principal but the deploy role's `gha-deploy-<env>-<run id>` session): a deploy run may make these changes, and its
 * changes are bounded by the deploy role's policy and permissions boundary instead.
 */
export function buildSeparationDetectionRules(inputs: SeparationDetectionInputs): DetectionRule[] {
    const trusted = [inputs.deployRoleName, inputs.previewRoleName, inputs.breakGlassRoleName];
    return [
        {
            id: "platform-role-or-provider-change-outside-deploy",
            title: "A platform role's trust, inline or managed policy or boundary, or an identity provider, changed outside a deploy run",
            state: "ENABLED",
            pattern: {
                source: ["aws.iam"],
                "detail-type": [API_CALL],
                detail: {
                    eventSource: ["iam.amazonaws.com"],
                    userIdentity: outsideDeployRun(inputs),
                    $or: [
                        { eventName: [...ROLE_ESCALATION_EVENTS], requestParameters: { roleName: [{ prefix: `${inputs.namePrefix}-` }] } },
                        { eventName: [...IDENTITY_PROVIDER_EVENTS] },
                    ],
                },
            },
        },
        {
            // The platform change check (components/role-trust-check.ts) judges every trust and policy change of a
            // platform role and every configuration change of a platform function, deploy runs included.
            id: "platform-change-outside-plan",
            title: "A platform role was given a trust or policy, or a platform function a configuration, its environment's plan never produces (any caller, deploy runs included)",
            state: "ENABLED",
            pattern: { source: [TRUST_FINDING_SOURCE], "detail-type": [TRUST_FINDING_DETAIL_TYPE, POLICY_FINDING_DETAIL_TYPE, FUNCTION_FINDING_DETAIL_TYPE] },
        },
        {
            id: "function-code-change-outside-deploy",
            title: "A Lambda function's code, configuration or code-signing setting changed outside a deploy run",
            state: "ENABLED",
            pattern: {
                source: ["aws.lambda"],
                "detail-type": [API_CALL],
                detail: {
                    eventSource: ["lambda.amazonaws.com"],
                    eventName: FUNCTION_CODE_EVENT_PREFIXES.map((prefix) => ({ prefix })),
                    userIdentity: outsideDeployRun(inputs),
                },
            },
        },
        {
            id: "secret-tag-change-outside-deploy",
            title: "A secret's tags changed outside a deploy run (the manual-rotation runbook's expires-at change alerts too)",
            state: "ENABLED",
            pattern: {
                source: ["aws.secretsmanager"],
                "detail-type": [API_CALL],
                detail: {
                    eventSource: ["secretsmanager.amazonaws.com"],
                    userIdentity: outsideDeployRun(inputs),
                    // Every key alerts, expires-at included: the manual-rotation runbook's own tag change is an expected
                    // alert, and removing expires-at would silence the expiry check.
                    eventName: ["TagResource", "UntagResource"],
                },
            },
        },
        {
            id: "state-read-by-unknown-principal",
            title: "The Pulumi state was read by a principal other than the CI roles and break glass",
            // Object reads are read-only data events; this state lets the rule see every CloudTrail event it is given.
            state: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
            pattern: {
                source: ["aws.s3"],
                "detail-type": [API_CALL],
                detail: {
                    eventSource: ["s3.amazonaws.com"],
                    eventName: [...STATE_READ_EVENTS],
                    requestParameters: { bucketName: [inputs.stateBucket] },
                    $or: [
                        { userIdentity: { type: [{ "anything-but": ["AssumedRole"] }] } },
                        { userIdentity: { sessionContext: { sessionIssuer: { userName: [{ "anything-but": trusted }] } } } },
                        { userIdentity: { sessionContext: { sessionIssuer: { accountId: [{ "anything-but": [inputs.accountId] }] } } } },
                    ],
                },
            },
        },
    ];
}
