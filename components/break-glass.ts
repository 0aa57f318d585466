import { environmentSecretArnPatterns } from "../model/names";
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument, policyDocument } from "./iam";
import { TYPE } from "./tokens";
import { TAG } from "../model/names";

/** How old an MFA sign-in may be when the break-glass role is assumed: one hour. */
export const BREAK_GLASS_MFA_MAX_AGE_SECONDS = 3600;

/**
 * Trust of the break-glass role: only the listed principals of this account, only with MFA, and only with an MFA
 * sign-in younger than the maximum age. A principal without MFA context (no `aws:MultiFactorAuthPresent`) is refused.
 */
export function buildBreakGlassTrustPolicy(principals: readonly string[], maxMfaAgeSeconds = BREAK_GLASS_MFA_MAX_AGE_SECONDS): PolicyDocument {
    return policyDocument([
        {
            Sid: "NamedAdminsWithRecentMfa",
            Effect: "Allow",
            Principal: { AWS: [...principals] },
            Action: "sts:AssumeRole",
            Condition: {
                Bool: { "aws:MultiFactorAuthPresent": "true" },
                NumericLessThan: { "aws:MultiFactorAuthAge": String(maxMfaAgeSeconds) },
            },
        },
    ]);
}

/** Secret actions break glass may take: recover, re-replicate, repair policies, rotate now, read a value. No delete. */
export const BREAK_GLASS_SECRET_ACTIONS = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecretVersionIds",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:PutResourcePolicy",
    "secretsmanager:ValidateResourcePolicy",
    "secretsmanager:RestoreSecret",
    "secretsmanager:RotateSecret",
    "secretsmanager:CancelRotateSecret",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
    "secretsmanager:ReplicateSecretToRegions",
    "secretsmanager:StopReplicationToReplica",
    "secretsmanager:TagResource",
];

/**
 * What break glass allows: recover the environment's secrets (restore, re-replicate, fix a policy, rotate now,
 * read a value) and its KMS keys (enable, cancel deletion), and nothing of another environment. Every call is in
 * the trail, and any use alarms.
 */
export function buildBreakGlassPolicy(inputs: { accountId: string; environment: string }): PolicyDocument {
    const secretArns = environmentSecretArnPatterns(inputs.accountId, inputs.environment);
    return policyDocument([
        { Sid: "RecoverTheEnvironmentsSecrets", Effect: "Allow", Action: BREAK_GLASS_SECRET_ACTIONS, Resource: secretArns },
        { Sid: "ListSecrets", Effect: "Allow", Action: "secretsmanager:ListSecrets", Resource: "*" },
        {
            Sid: "RecoverTheEnvironmentsKeys",
            Effect: "Allow",
            Action: ["kms:EnableKey", "kms:CancelKeyDeletion", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation", "kms:ListResourceTags"],
            Resource: `arn:aws:kms:*:${inputs.accountId}:key/*`,
            Condition: { StringEquals: { [`aws:ResourceTag/${TAG.environment}`]: inputs.environment } },
        },
        { Sid: "FindKeys", Effect: "Allow", Action: ["kms:ListKeys", "kms:ListAliases"], Resource: "*" },
    ]);
}

/** The name of the break-glass role's inline policy (the platform change check compares policies by name). */
export const BREAK_GLASS_POLICY_NAME = "break-glass";

/** Arguments of {@link BreakGlassRole}. */
export interface BreakGlassRoleArgs {
    readonly environment: string;
    readonly accountId: string;
    /** The role's name (`roleNames.breakGlass`). */
    readonly roleName: string;
    /** IAM users or roles of this account allowed to assume the role with MFA. */
    readonly trustedPrincipals: readonly string[];
    /** Maximum session length. Default: 1 hour. */
    readonly maxSessionDurationSeconds?: number;
}

/** The break-glass role: assumable only by named admins with MFA, scoped to this environment, alarmed on any use. */
export class BreakGlassRole extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;
    readonly roleName: string;

    constructor(name: string, args: BreakGlassRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.BreakGlassRole, name, {}, opts);
        const maxSessionDuration = args.maxSessionDurationSeconds ?? 3600;
        const problems: string[] = [];
        if (args.trustedPrincipals.length === 0) problems.push("trustedPrincipals is empty; list at least one admin in finledger:audit.breakGlassPrincipals");
        const foreign = args.trustedPrincipals.filter((p) => p.split(":")[4] !== args.accountId);
        if (foreign.length > 0) problems.push(`trustedPrincipals ${foreign.join(", ")} are not of account ${args.accountId}`);
        if (maxSessionDuration < 900 || maxSessionDuration > 3600) problems.push(`maxSessionDurationSeconds ${maxSessionDuration} is outside 900..3600`);
        if (problems.length > 0) throw new pulumi.ResourceError(`BreakGlassRole ${name}: ${problems.join("; ")}.`, this);

        this.roleName = args.roleName;
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                name: args.roleName,
                description: `Break-glass access to the ${args.environment} secrets and keys; MFA required, every use alarms`,
                assumeRolePolicy: JSON.stringify(buildBreakGlassTrustPolicy(args.trustedPrincipals)),
                maxSessionDuration,
                tags: { environment: args.environment, purpose: "break-glass" },
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-policy`,
            { role: role.name, name: BREAK_GLASS_POLICY_NAME, policy: JSON.stringify(buildBreakGlassPolicy({ accountId: args.accountId, environment: args.environment })) },
            { parent: this },
        );
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName });
    }
}
