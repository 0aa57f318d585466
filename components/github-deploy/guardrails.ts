// What keeps a hostile deploy run away from secret values (docs/threat-model.md): the permissions boundary every
// platform role carries, and the deploy role's denies that make the boundary, the passed roles, the functions,
// their logs and the secrets' access tags out of its reach. Denies win over the role's allows, so they hold whatever
// actions the role needs for the plan.
import { PolicyDocument, policyDocument, PolicyStatement, roleArn } from "../iam";
import { roleNames } from "../../model/names";
import { TAG } from "../../model/names";
import { githubOidcProviderArn } from "./trust";

/** The boundary policy's name; the bootstrap creates it, and the deploy role can neither change nor remove it. */
export function platformBoundaryName(namePrefix: string): string {
    return `${namePrefix}-platform-boundary`;
}

/** The boundary policy's ARN, known before it exists so every role can name it. */
export function platformBoundaryArn(accountId: string, namePrefix: string): string {
    return `arn:aws:iam::${accountId}:policy/${platformBoundaryName(namePrefix)}`;
}

/** IAM calls that carry the `iam:PermissionsBoundary` key: the deploy role may make them only for roles under the boundary. */
export const BOUNDARY_ENFORCED_ACTIONS = ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"];

/** Calls that remove or rewrite a boundary. */
export const BOUNDARY_CHANGE_ACTIONS = ["iam:DeleteRolePermissionsBoundary", "iam:PutUserPermissionsBoundary", "iam:DeleteUserPermissionsBoundary"];

/** Calls that change a managed policy's content. */
export const POLICY_CONTENT_ACTIONS = ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"];

/** Calls that add or widen an identity provider, from which a new trust could be built. */
export const IDENTITY_PROVIDER_ACTIONS = [
    "iam:CreateOpenIDConnectProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint",
    "iam:AddClientIDToOpenIDConnectProvider",
    "iam:CreateSAMLProvider",
    "iam:UpdateSAMLProvider",
];

/** Calls that run a function's code with its role. */
export const FUNCTION_INVOKE_ACTIONS = ["lambda:InvokeFunction", "lambda:InvokeFunctionUrl", "lambda:InvokeAsync"];

/** Calls that return or export log content, or move a group off its key. */
export const LOG_CONTENT_ACTIONS = [
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "logs:StartLiveTail",
    "logs:GetLogRecord",
    "logs:Unmask",
    "logs:CreateExportTask",
    "logs:PutSubscriptionFilter",
    "logs:DisassociateKmsKey",
];

/** Calls that return or change a secret's value. */
export const SECRET_VALUE_ACCESS_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"];

/** Tag keys the program sets on secrets; the deploy role may set no other. */
export const PROGRAM_SECRET_TAG_KEYS: readonly string[] = Object.values(TAG);

/** Tag keys that decide who may read a secret (rotation roles read by them); set only when a secret is created. */
export const SECRET_ACCESS_TAG_KEYS: readonly string[] = [TAG.environment, TAG.rotationStrategy];

/** A role the plan hands to a service, and the service that takes it. */
export interface PassedRole {
    /** Role name or `*`-pattern. */
    readonly roleName: string;
    /** The service principal, the value of `iam:PassedToService`. */
    readonly service: string;
}

/** The roles the program passes, to whom: rotation, audit, ESO refresh and trust-check functions to Lambda, the trail's log role to CloudTrail, the forwarder to EventBridge. */
export function passedRoles(namePrefix: string): PassedRole[] {
    return [
        { roleName: roleNames.rotation(namePrefix, "*"), service: "lambda.amazonaws.com" },
        { roleName: roleNames.expiryCheck(namePrefix), service: "lambda.amazonaws.com" },
        { roleName: roleNames.latencyProbe(namePrefix), service: "lambda.amazonaws.com" },
        { roleName: roleNames.esoRefresh(namePrefix), service: "lambda.amazonaws.com" },
        { roleName: roleNames.trustCheck(namePrefix), service: "lambda.amazonaws.com" },
        { roleName: roleNames.cloudTrailLogs(namePrefix), service: "cloudtrail.amazonaws.com" },
        { roleName: roleNames.eventForwarder(namePrefix), service: "events.amazonaws.com" },
    ];
}

/** Platform roles whose purpose involves no secret value: the boundary denies them every value. */
export function rolesWithoutSecretValues(namePrefix: string): string[] {
    return [roleNames.esoController(namePrefix), roleNames.esoRefresh(namePrefix), roleNames.expiryCheck(namePrefix), roleNames.trustCheck(namePrefix), roleNames.eventForwarder(namePrefix), roleNames.cloudTrailLogs(namePrefix)];
}

/** What the guardrails need to know about one environment. */
export interface GuardrailScope {
    readonly accountId: string;
    /** Prefix of every platform resource name, such as `fl-prod`. */
    readonly namePrefix: string;
}

/** The CI roles (preview, deploy, signing) and the GitHub provider: only the bootstrap administrator changes them. */
function ciIdentities(scope: GuardrailScope): string[] {
    return [
        roleArn(scope.accountId, roleNames.githubPreview(scope.namePrefix)),
        roleArn(scope.accountId, roleNames.githubDeploy(scope.namePrefix)),
        roleArn(scope.accountId, roleNames.githubSigner(scope.namePrefix)),
        githubOidcProviderArn(scope.accountId),
    ];
}

/**
 * The permissions boundary of every role the deploy role creates or changes. It allows whatever the role's own
 * policies allow, except: changing any boundary or this policy, touching the CI roles, reading or writing a secret
 * value of another environment, and any secret value for roles whose purpose needs none. A deploy run that
 * rewrites a platform role's policies therefore still cannot widen it past these lines.
 */
export function buildPlatformBoundary(scope: GuardrailScope & { readonly environment: string }): PolicyDocument {
    return policyDocument([
        { Sid: "AllowWhatTheRolePoliciesAllow", Effect: "Allow", Action: "*", Resource: "*" },
        { Sid: "NoBoundaryChanges", Effect: "Deny", Action: [...BOUNDARY_CHANGE_ACTIONS, "iam:PutRolePermissionsBoundary"], Resource: "*" },
        { Sid: "NoChangeToThisBoundary", Effect: "Deny", Action: POLICY_CONTENT_ACTIONS, Resource: platformBoundaryArn(scope.accountId, scope.namePrefix) },
        { Sid: "NoChangeToTheCiRoles", Effect: "Deny", NotAction: ["iam:Get*", "iam:List*"], Resource: ciIdentities(scope) },
        {
            // IfExists: the RDS-managed master secrets that the Postgres rotation logs in with carry no tag of ours.
            Sid: "NoSecretValuesOfAnotherEnvironment",
            Effect: "Deny",
            Action: SECRET_VALUE_ACCESS_ACTIONS,
            Resource: "*",
            Condition: { StringNotEqualsIfExists: { [`aws:ResourceTag/${TAG.environment}`]: scope.environment } },
        },
        {
            Sid: "NoSecretValuesForRolesWithoutThatPurpose",
            Effect: "Deny",
            Action: SECRET_VALUE_ACCESS_ACTIONS,
            Resource: "*",
            Condition: { ArnLike: { "aws:PrincipalArn": rolesWithoutSecretValues(scope.namePrefix).map((n) => roleArn(scope.accountId, n)) } },
        },
    ]);
}

/**
 * The deploy role's denies beyond its own access: every role it creates or changes carries the boundary, no
 * boundary change, only the environment's own managed policies attached, no new identity provider, roles passed only as the plan passes them, no function invoked, no log
 * content read, and secret tags limited to the program's keys with the access tags set only at creation.
 */
export function buildDeployGuardrails(scope: GuardrailScope): PolicyStatement[] {
    const boundary = platformBoundaryArn(scope.accountId, scope.namePrefix);
    const passed = passedRoles(scope.namePrefix);
    const services = [...new Set(passed.map((p) => p.service))];
    return [
        {
            Sid: "EveryRoleItTouchesCarriesTheBoundary",
            Effect: "Deny",
            Action: BOUNDARY_ENFORCED_ACTIONS,
            Resource: "*",
            Condition: { StringNotEquals: { "iam:PermissionsBoundary": boundary } },
        },
        { Sid: "NoBoundaryRemoval", Effect: "Deny", Action: BOUNDARY_CHANGE_ACTIONS, Resource: "*" },
        { Sid: "NoChangeToTheBoundaryPolicy", Effect: "Deny", Action: ["iam:CreatePolicy", ...POLICY_CONTENT_ACTIONS, "iam:TagPolicy", "iam:UntagPolicy"], Resource: boundary },
        // The boundary allows everything its denies leave, so attaching it as a role's own policy would grant that.
        {
            Sid: "AttachOnlyThePlatformsOwnPolicies",
            Effect: "Deny",
            Action: "iam:AttachRolePolicy",
            Resource: "*",
            Condition: { ArnNotLike: { "iam:PolicyARN": `arn:aws:iam::${scope.accountId}:policy/${scope.namePrefix}-*` } },
        },
        { Sid: "NeverAttachTheBoundaryAsAGrant", Effect: "Deny", Action: "iam:AttachRolePolicy", Resource: "*", Condition: { ArnEquals: { "iam:PolicyARN": boundary } } },
        { Sid: "NoNewIdentityProviders", Effect: "Deny", Action: IDENTITY_PROVIDER_ACTIONS, Resource: "*" },
        { Sid: "PassOnlyThePlansRoles", Effect: "Deny", Action: "iam:PassRole", NotResource: passed.map((p) => roleArn(scope.accountId, p.roleName)) },
        ...services.map(
            (service): PolicyStatement => ({
                Sid: `PassOnlyTo${service.split(".")[0].replace(/^./, (c) => c.toUpperCase())}`,
                Effect: "Deny",
                Action: "iam:PassRole",
                Resource: passed.filter((p) => p.service === service).map((p) => roleArn(scope.accountId, p.roleName)),
                Condition: { StringNotEquals: { "iam:PassedToService": service } },
            }),
        ),
        { Sid: "NeverInvokeFunctions", Effect: "Deny", Action: FUNCTION_INVOKE_ACTIONS, Resource: "*" },
        { Sid: "NeverReadLogContent", Effect: "Deny", Action: LOG_CONTENT_ACTIONS, Resource: "*" },
        {
            Sid: "SecretTagsOnlyTheProgramsKeys",
            Effect: "Deny",
            Action: ["secretsmanager:TagResource", "secretsmanager:UntagResource"],
            Resource: "*",
            Condition: { "ForAnyValue:StringNotEquals": { "aws:TagKeys": [...PROGRAM_SECRET_TAG_KEYS] } },
        },
        // A secret's access tag exists from its creation; once it does, no deploy run may change or remove it.
        ...SECRET_ACCESS_TAG_KEYS.map(
            (key): PolicyStatement => ({
                Sid: `AccessTag${key.replace(/(^|-)(.)/g, (_m, _d, c: string) => c.toUpperCase())}OnlyAtCreation`,
                Effect: "Deny",
                Action: ["secretsmanager:TagResource", "secretsmanager:UntagResource"],
                Resource: "*",
                Condition: { "ForAnyValue:StringEquals": { "aws:TagKeys": [key] }, Null: { [`aws:ResourceTag/${key}`]: "false" } },
            }),
        ),
    ];
}

/**
 * The preview role's denies on top of its read access: no object of any bucket but the state bucket, no log content,
 * no invoke. A pull request's workflow runs with this role, so what it can read, the PR's author can read.
 */
export function buildPreviewGuardrails(stateBucket: string, alsoReadable: readonly string[] = []): PolicyStatement[] {
    return [
        // alsoReadable: the signing manifests, which say where each signed package is and hold no code.
        { Sid: "NoObjectOutsideTheStateBucket", Effect: "Deny", Action: ["s3:GetObject", "s3:GetObjectVersion"], NotResource: [`arn:aws:s3:::${stateBucket}/*`, ...alsoReadable] },
        // lambda:GetFunction stays: `pulumi refresh` reads functions with it. The code it links to is built from this
        // repository, which the pull request's author already reads (docs/threat-model.md, path 13).
        { Sid: "NeverReadLogContent", Effect: "Deny", Action: LOG_CONTENT_ACTIONS, Resource: "*" },
        { Sid: "NeverInvokeFunctions", Effect: "Deny", Action: FUNCTION_INVOKE_ACTIONS, Resource: "*" },
    ];
}
