// The platform change check (docs/threat-model.md, paths 2, 7 and 9): IAM has no condition key on a trust or policy
// document, nor on a function's environment, so any caller allowed `iam:UpdateAssumeRolePolicy`, `iam:PutRolePolicy`
// or `lambda:UpdateFunctionConfiguration` on the platform, a deploy run included, can make a role trust anyone, widen
// what it may do, or make signed code load other code. One rule sends every CreateRole, UpdateAssumeRolePolicy,
// PutRolePolicy and AttachRolePolicy on `<prefix>-*` roles, and every CreateFunction and UpdateFunctionConfiguration
// of `<prefix>-*` functions, to one function (named the trust check, its first job) that compares the change with
// what the plan produces (trusts built here, policies and configurations by stacks/change-allowance.ts, all from the
// builders the components use) and sends a finding that the `platform-change-outside-plan` detection turns into an alert.
import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { FunctionPackage, functionPackage } from "../functions/packages";
import { FUNCTION_ALLOWANCE_FILE, FUNCTION_CHANGE_EVENT_PREFIXES, FunctionAllowance } from "../functions/trust-check/function-judge";
import { ALLOWANCE_FILE, canonicalTrust, TRUST_CHANGE_EVENTS, TRUST_FINDING_SOURCE, TrustAllowance } from "../functions/trust-check/judge";
import { POLICY_ALLOWANCE_FILE, POLICY_CHANGE_EVENTS, PolicyAllowance } from "../functions/trust-check/policy-judge";
import { CatalogWorkload } from "../model/catalog";
import { EnvironmentConfig } from "../model/config";
import { roleNames } from "../model/names";
import { buildEventForwarderTrustPolicy, EventPattern } from "./audit-alerts";
import { auditTrailName, buildCloudTrailLogsTrustPolicy, trailArn } from "./audit-trail";
import { buildBreakGlassTrustPolicy } from "./break-glass";
import { ESO_NAMESPACE, ESO_SERVICE_ACCOUNT } from "./external-secrets";
import { buildLambdaTrustPolicy } from "./function-code";
import { PolicyDocument, policyDocument, sendFindingsStatement } from "./iam";
import { TYPE } from "./tokens";
import { createFunctionErrorsAlarm, createPlatformFunction, PlatformFunctionEnvironment } from "./platform-function";
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

/** The allowances the check's package ships: what the plan gives the environment's roles and functions. */
export interface PlatformChangeAllowances {
    /** Trust documents (`buildTrustAllowance`). */
    readonly trust: TrustAllowance;
    /** Inline and attached policies (`buildPolicyAllowance`, stacks/change-allowance.ts). */
    readonly policies: PolicyAllowance;
    /** Function configurations (`buildFunctionAllowance`, stacks/change-allowance.ts). */
    readonly functions: FunctionAllowance;
}

/** The check's package: its bundle and the environment's allowances, so a changed allowance is a new signed package. */
export function roleTrustCheckPackage(allowances: PlatformChangeAllowances): FunctionPackage {
    return functionPackage("trust-check", {
        [ALLOWANCE_FILE]: JSON.stringify(allowances.trust),
        [POLICY_ALLOWANCE_FILE]: JSON.stringify(allowances.policies),
        [FUNCTION_ALLOWANCE_FILE]: JSON.stringify(allowances.functions),
    });
}

/** The ways a CloudTrail record may name a platform function: its name, its ARN, or a partial ARN. */
export function platformFunctionReferences(namePrefix: string, accountId: string, region: string): string[] {
    return [`${namePrefix}-`, `arn:aws:lambda:${region}:${accountId}:function:${namePrefix}-`, `${accountId}:function:${namePrefix}-`, `${accountId}:${namePrefix}-`];
}

/**
 * The EventBridge pattern: successful trust and policy changes of `<prefix>-*` roles (CreateRole,
 * UpdateAssumeRolePolicy, PutRolePolicy, AttachRolePolicy) and configuration changes of `<prefix>-*` functions
 * (CreateFunction, UpdateFunctionConfiguration, by prefix: CloudTrail appends the API version), by anyone.
 */
export function buildTrustChangePattern(namePrefix: string, accountId: string, region: string): EventPattern {
    return {
        source: ["aws.iam", "aws.lambda"],
        "detail-type": ["AWS API Call via CloudTrail"],
        detail: {
            $or: [
                { eventSource: ["iam.amazonaws.com"], eventName: [...TRUST_CHANGE_EVENTS, ...POLICY_CHANGE_EVENTS], requestParameters: { roleName: [{ prefix: `${namePrefix}-` }] } },
                {
                    eventSource: ["lambda.amazonaws.com"],
                    eventName: FUNCTION_CHANGE_EVENT_PREFIXES.map((prefix) => ({ prefix })),
                    requestParameters: { functionName: platformFunctionReferences(namePrefix, accountId, region).map((prefix) => ({ prefix })) },
                },
            ],
            // A refused call changed nothing; the access-denied alarm covers refusals.
            errorCode: [{ exists: false }],
        },
    };
}

/** The name of the check role's inline policy (the platform change check compares policies by name, its own included). */
export const TRUST_CHECK_POLICY_NAME = "trust-check";

/**
 * The check's permissions: send its findings to the default bus (its own source only), read the configuration of the
 * environment's functions (`lambda:GetFunctionConfiguration` on `<prefix>-*`, which returns no code and our functions'
 * variables hold no secret), and write its logs; nothing else.
 */
export function buildTrustCheckPolicy(inputs: { accountId: string; region: string; namePrefix: string; logGroupArn: string }): PolicyDocument {
    return policyDocument([
        sendFindingsStatement(inputs.accountId, inputs.region, TRUST_FINDING_SOURCE),
        { Sid: "ReadPlatformFunctionConfiguration", Effect: "Allow", Action: "lambda:GetFunctionConfiguration", Resource: `arn:aws:lambda:${inputs.region}:${inputs.accountId}:function:${inputs.namePrefix}-*` },
        { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${inputs.logGroupArn}:log-stream:*` },
    ]);
}

/** Arguments of {@link RoleTrustCheck}. */
export interface RoleTrustCheckArgs extends PlatformFunctionEnvironment {
    /** The home region, where IAM's CloudTrail events reach EventBridge. */
    readonly region: string;
    /** Prefix of resource names, such as `fl-prod`; the role is `roleNames.trustCheck(prefix)`. */
    readonly namePrefix: string;
    /** What the plan gives the environment's roles and functions; bundled with the function. */
    readonly allowances: PlatformChangeAllowances;
    /** The alert topic; the function's own failures alarm there. */
    readonly alarmTopicArn: pulumi.Input<string>;
}

/** A rule and a function that alert when a platform role's new trust or policy, or a platform function's configuration, is not one the plan produces, whoever set it. */
export class RoleTrustCheck extends pulumi.ComponentResource {
    readonly functionName: string;
    readonly ruleName: string;

    constructor(name: string, args: RoleTrustCheckArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.RoleTrustCheck, name, {}, opts);
        const { trust, policies, functions } = args.allowances;
        const problems: string[] = [];
        if (trust.namePrefix !== args.namePrefix || trust.documents.length === 0 || Object.keys(trust.roleDocuments).length === 0) {
            problems.push(`the trust allowance is for prefix '${trust.namePrefix}' with ${trust.documents.length} documents; build it with buildTrustAllowance for '${args.namePrefix}'`);
        }
        if (policies.namePrefix !== args.namePrefix || Object.keys(policies.roles).length === 0) problems.push(`the policy allowance is for prefix '${policies.namePrefix}' with ${Object.keys(policies.roles).length} roles; build it with buildPolicyAllowance for '${args.namePrefix}'`);
        if (functions.namePrefix !== args.namePrefix || functions.region !== args.region || Object.keys(functions.functions).length === 0) {
            problems.push(`the function allowance is for prefix '${functions.namePrefix}' in '${functions.region}' with ${Object.keys(functions.functions).length} functions; build it with buildFunctionAllowance for '${args.namePrefix}' in '${args.region}'`);
        }
        if (problems.length > 0) throw new pulumi.ResourceError(`RoleTrustCheck ${name}: ${problems.join("; ")}.`, this);
        this.functionName = roleNames.trustCheck(args.namePrefix);
        this.ruleName = this.functionName;
        const { function: fn } = createPlatformFunction(
            name,
            {
                accountId: args.accountId,
                functionName: this.functionName,
                roleName: this.functionName,
                roleDescription: "Judges trust, policy and function changes of the platform; reads function configurations only",
                description: "Alerts when a platform role's trust or policy, or a platform function's configuration, is not one the plan produces",
                package: roleTrustCheckPackage(args.allowances),
                codeSigning: args.codeSigning,
                logKeyArn: args.logKeyArn,
                logRetentionDays: 90,
                policyName: TRUST_CHECK_POLICY_NAME,
                policy: (logGroupArn) => logGroupArn.apply((arn) => buildTrustCheckPolicy({ accountId: args.accountId, region: args.region, namePrefix: args.namePrefix, logGroupArn: arn })),
                timeoutSeconds: 30,
            },
            this,
        );
        const rule = new aws.cloudwatch.EventRule(
            `${name}-rule`,
            { name: this.ruleName, description: "Every trust or policy change of a platform role and configuration change of a platform function, deploy runs included, goes to the check", eventPattern: JSON.stringify(buildTrustChangePattern(args.namePrefix, args.accountId, args.region)), state: "ENABLED" },
            { parent: this },
        );
        new aws.cloudwatch.EventTarget(`${name}-target`, { rule: rule.name, arn: fn.arn }, { parent: this });
        new aws.lambda.Permission(`${name}-permission`, { action: "lambda:InvokeFunction", function: fn.name, principal: "events.amazonaws.com", sourceArn: rule.arn }, { parent: this });
        createFunctionErrorsAlarm(
            name,
            {
                alarmName: `${args.namePrefix}-trust-check-failed`,
                description: "The platform change check failed; a trust, policy or function change may have gone unjudged. Read its log and the trail's IAM and Lambda change events.",
                functionName: this.functionName,
                periodSeconds: 300,
                alarmTopicArn: args.alarmTopicArn,
            },
            this,
        );
        this.registerOutputs({ functionName: this.functionName, ruleName: this.ruleName, allowedDocuments: trust.documents.length, judgedRoles: Object.keys(policies.roles).length, judgedFunctions: Object.keys(functions.functions).length });
    }
}
