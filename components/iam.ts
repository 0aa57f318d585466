import * as pulumi from "@pulumi/pulumi";

/** A condition block: operator to key to value(s). */
export type PolicyCondition = Record<string, Record<string, string | string[] | boolean>>;

/** One IAM policy statement, in the JSON shape that AWS reads. */
export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | { AWS?: string | string[]; Service?: string | string[]; Federated?: string | string[] };
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Condition?: PolicyCondition;
}

/** An IAM policy document. */
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** Something that can be granted access: it collects statements into its own identity policy. */
export interface IGrantable {
    /** A readable name for the grantee, used in the plan summary. */
    readonly grantName: string;
    /** Adds one statement to the grantee's identity-based policy. */
    addToPrincipalPolicy(statement: pulumi.Input<PolicyStatement>): void;
}

/** Makes a policy document from statements. */
export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
    return { Version: "2012-10-17", Statement: statements };
}

function asList(value: string | string[] | undefined): string[] {
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * Merges statements that differ only in their resources, so that a role reading many secrets carries one read
 * statement with a list of ARNs instead of one statement per secret. Order of first appearance is kept.
 */
export function compactStatements(statements: readonly PolicyStatement[]): PolicyStatement[] {
    const merged = new Map<string, PolicyStatement>();
    const passthrough: PolicyStatement[] = [];
    for (const s of statements) {
        if (s.Principal !== undefined || s.NotResource !== undefined || s.Resource === undefined) {
            passthrough.push(s);
            continue;
        }
        const key = JSON.stringify([s.Effect, asList(s.Action).sort(), asList(s.NotAction).sort(), s.Condition ?? null]);
        const existing = merged.get(key);
        if (!existing) {
            const { Sid: _sid, ...rest } = s;
            merged.set(key, { ...rest, Resource: [...asList(s.Resource)] });
            continue;
        }
        const resources = existing.Resource as string[];
        for (const r of asList(s.Resource)) if (!resources.includes(r)) resources.push(r);
    }
    return [
        ...[...merged.values()].map((s) => ({ ...s, Resource: (s.Resource as string[]).length === 1 ? (s.Resource as string[])[0] : [...(s.Resource as string[])].sort() })),
        ...passthrough,
    ];
}

/** The resource-policy statement that refuses every request made without TLS. */
export function denyWithoutTls(action: string | string[], resource: string | string[]): PolicyStatement {
    return { Sid: "DenyWithoutTls", Effect: "Deny", Principal: "*", Action: action, Resource: resource, Condition: { Bool: { "aws:SecureTransport": "false" } } };
}

/**
 * The statement that lets a platform function send its findings to the account's default bus, with its own event
 * source only. `events:source` holds one value per entry (a multivalued key), so every entry must carry `source`
 * (`ForAllValues`) and the call must carry one (`Null`); a plain `StringEquals` on it matches no real request.
 */
export function sendFindingsStatement(accountId: string, region: string, source: string): PolicyStatement {
    return {
        Sid: "SendFindingsOnly",
        Effect: "Allow",
        Action: "events:PutEvents",
        Resource: `arn:aws:events:${region}:${accountId}:event-bus/default`,
        Condition: { "ForAllValues:StringEquals": { "events:source": [source] }, Null: { "events:source": "false" } },
    };
}

/**
 * A resource-policy statement: no principal outside the environment's account may call `action` on `resource`,
 * whatever their own policies say. AWS services acting for the account are not principals of another account, so they
 * are left to their own checks.
 */
export function denyPrincipalsOutsideAccount(accountId: string, action: string, resource: string | string[]): PolicyStatement {
    return {
        Sid: "DenyPrincipalsOutsideTheEnvironmentAccount",
        Effect: "Deny",
        Principal: "*",
        Action: action,
        Resource: resource,
        Condition: { StringNotEquals: { "aws:PrincipalAccount": accountId }, BoolIfExists: { "aws:PrincipalIsAWSService": "false" } },
    };
}

/**
 * The key-policy statement that lets the account's IAM policies decide who uses a KMS key. Without it the key can
 * become unmanageable; it grants no access by itself, and it names only the key's own account.
 */
export function enableIamPoliciesOf(accountId: string): PolicyStatement {
    return { Sid: "EnableIamPoliciesOfThisAccount", Effect: "Allow", Principal: { AWS: accountRootArn(accountId) }, Action: "kms:*", Resource: "*" };
}

/**
 * The key-policy statement that lets CloudWatch Logs in one region use a key for the log groups an ARN (or an ARN
 * pattern with `*`) names, and for nothing else: the `aws:logs:arn` encryption context AWS documents for log group keys.
 */
export function cloudWatchLogsKeyUse(sid: string, region: string, logGroupArn: string): PolicyStatement {
    const operator = logGroupArn.includes("*") ? "ArnLike" : "ArnEquals";
    return {
        Sid: sid,
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { [operator]: { "kms:EncryptionContext:aws:logs:arn": logGroupArn } },
    };
}

/** The ARN of an IAM role in an account. */
export function roleArn(accountId: string, roleName: string): string {
    return `arn:aws:iam::${accountId}:role/${roleName}`;
}

/** The ARN of a CloudWatch Logs group, as the LogGroup resource's `arn` output gives it. */
export function logGroupArn(region: string, accountId: string, name: string): string {
    return `arn:aws:logs:${region}:${accountId}:log-group:${name}`;
}

/** The ARN of an account's root principal, which in a resource policy means "this account's IAM decides". */
export function accountRootArn(accountId: string): string {
    return `arn:aws:iam::${accountId}:root`;
}
