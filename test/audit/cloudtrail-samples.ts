// Sample events in the shapes EventBridge delivers: CloudTrail records under `detail` ("AWS API Call via
// CloudTrail" for API calls, "AWS Service Event via CloudTrail" for Secrets Manager's rotation events), following
// the CloudTrail record contents and userIdentity element documented by AWS. Built at run time; no real identifiers.
import { randomUUID } from "crypto";

/** Who made a call, as CloudTrail's userIdentity element records it. */
export type Caller =
    | { kind: "role"; accountId: string; roleName: string; sessionName?: string }
    | { kind: "user"; accountId: string; userName: string }
    | { kind: "root"; accountId: string }
    | { kind: "service"; service: string };

/** The userIdentity element for a caller. */
export function userIdentity(caller: Caller): Record<string, unknown> {
    switch (caller.kind) {
        case "role": {
            const roleId = `AROA${"Q".repeat(17)}`;
            const session = caller.sessionName ?? "session-1";
            return {
                type: "AssumedRole",
                principalId: `${roleId}:${session}`,
                arn: `arn:aws:sts::${caller.accountId}:assumed-role/${caller.roleName}/${session}`,
                accountId: caller.accountId,
                accessKeyId: `ASIA${"Z".repeat(16)}`,
                sessionContext: {
                    sessionIssuer: { type: "Role", principalId: roleId, arn: `arn:aws:iam::${caller.accountId}:role/${caller.roleName}`, accountId: caller.accountId, userName: caller.roleName },
                    webIdFederationData: {},
                    attributes: { creationDate: new Date().toISOString(), mfaAuthenticated: "false" },
                },
            };
        }
        case "user":
            return {
                type: "IAMUser",
                principalId: `AIDA${"Q".repeat(17)}`,
                arn: `arn:aws:iam::${caller.accountId}:user/${caller.userName}`,
                accountId: caller.accountId,
                accessKeyId: `AKIA${"Z".repeat(16)}`,
                userName: caller.userName,
            };
        case "root":
            return { type: "Root", principalId: caller.accountId, arn: `arn:aws:iam::${caller.accountId}:root`, accountId: caller.accountId };
        case "service":
            return { type: "AWSService", invokedBy: caller.service };
    }
}

/** An EventBridge "AWS API Call via CloudTrail" event. */
export function apiCall(opts: {
    accountId: string;
    region?: string;
    service: "secretsmanager" | "kms" | "sts" | "cloudtrail" | "iam" | "lambda" | "s3";
    eventName: string;
    caller: Caller;
    requestParameters?: Record<string, unknown> | null;
    errorCode?: string;
    readOnly?: boolean;
    /** S3 object reads and writes are data events, not management events. */
    dataEvent?: boolean;
}): { source: string; detailType: string; detail: Record<string, unknown> } {
    const region = opts.region ?? "us-east-1";
    return {
        source: `aws.${opts.service}`,
        detailType: "AWS API Call via CloudTrail",
        detail: {
            eventVersion: "1.09",
            userIdentity: userIdentity(opts.caller),
            eventTime: new Date().toISOString(),
            eventSource: `${opts.service}.amazonaws.com`,
            eventName: opts.eventName,
            awsRegion: region,
            sourceIPAddress: opts.caller.kind === "service" ? opts.caller.service : "10.20.30.40",
            userAgent: "aws-sdk-js/3.0.0",
            requestParameters: opts.requestParameters ?? null,
            responseElements: null,
            ...(opts.errorCode ? { errorCode: opts.errorCode, errorMessage: "User is not authorized to perform this action" } : {}),
            requestID: randomUUID(),
            eventID: randomUUID(),
            readOnly: opts.readOnly ?? /^(Get|Describe|List|BatchGet)/.test(opts.eventName),
            eventType: "AwsApiCall",
            managementEvent: !opts.dataEvent,
            recipientAccountId: opts.accountId,
            eventCategory: opts.dataEvent ? "Data" : "Management",
        },
    };
}

/** A Secrets Manager "AWS Service Event via CloudTrail" event, such as RotationFailed. */
export function secretsManagerServiceEvent(opts: { accountId: string; eventName: string; secretArn: string }): {
    source: string;
    detailType: string;
    detail: Record<string, unknown>;
} {
    return {
        source: "aws.secretsmanager",
        detailType: "AWS Service Event via CloudTrail",
        detail: {
            eventVersion: "1.09",
            userIdentity: { accountId: opts.accountId, invokedBy: "secretsmanager.amazonaws.com" },
            eventTime: new Date().toISOString(),
            eventSource: "secretsmanager.amazonaws.com",
            eventName: opts.eventName,
            awsRegion: "us-east-1",
            sourceIPAddress: "secretsmanager.amazonaws.com",
            userAgent: "secretsmanager.amazonaws.com",
            requestParameters: null,
            responseElements: null,
            additionalEventData: { SecretId: opts.secretArn },
            requestID: randomUUID(),
            eventID: randomUUID(),
            readOnly: false,
            eventType: "AwsServiceEvent",
            managementEvent: true,
            recipientAccountId: opts.accountId,
            eventCategory: "Management",
        },
    };
}
