import { PERMISSIONS_BOUNDARY_TAG } from "../../model/names";
import { resourceRule } from "../define";
import { expandAction, secretReadsGranted } from "../inspect/iam-actions";
import { findPolicyDocuments, principalValues, Statement } from "../inspect/policy-documents";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.3"], pciDss: ["7.2.1", "7.2.2", "7.2.5"] };

const BROAD_ACTIONS = new Set(["*", "secretsmanager:*", "kms:*"]);
// "*", or an ARN whose resource part is only a wildcard (any secret, any key, any account).
const WILDCARD_RESOURCE = /^(\*|arn:aws[a-z-]*:(secretsmanager|kms):[^:]*:[^:]*:(secret:\*|key\/\*|\*)|arn:aws[a-z-]*:(secretsmanager|kms):[^:]*:\*:.*)$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[^:]*:[^:]*:secret:(.*)$/;

/**
 * True for a resource that covers every secret of an environment (or more): `*`, `secret:*`, `key/*`, any account,
 * or a secret name whose literal part before the first wildcard is empty or one environment marker (`dev/*`,
 * `dev*`, `AmazonMSK_dev/*`, `fl-dev-*`). `dev/airflow/*` (one workload's prefix) is not environment-wide.
 */
export function isEnvironmentWide(resource: string, environments: readonly string[]): boolean {
    if (WILDCARD_RESOURCE.test(resource)) return true;
    const m = SECRET_ARN.exec(resource);
    if (!m || !/[*?]/.test(m[1])) return false;
    const literal = m[1].slice(0, m[1].search(/[*?]/));
    const segments = literal.split("/").filter(Boolean);
    if (segments.length === 0) return true;
    if (segments.length > 1 || (literal.includes("/") && !literal.endsWith("/"))) return false;
    const marker = segments[0].replace(/[-_]+$/, "");
    return environments.some((env) => marker === env || marker === `AmazonMSK_${env}` || marker.endsWith(`-${env}`) || env.startsWith(marker));
}

// A condition on the resource's own tags (other than the environment tag, which does not narrow inside one
// environment) scopes a wildcard to the secrets that carry the tag, e.g. a rotation function's own strategy.
function scopedByResourceTag(s: Statement): boolean {
    return Object.entries(s.conditions).some(
        ([op, block]) =>
            /^StringEquals(IgnoreCase)?$/.test(op) &&
            Object.entries(block).some(([k, values]) => /^(aws|secretsmanager):ResourceTag\//i.test(k) && !/\/environment$/i.test(k) && values.length > 0 && !values.some((v) => v.includes("*"))),
    );
}

// AWS-managed policies that allow reading every secret value (GetSecretValue on "*"), attached by ARN. AWS's action
// data does not say what a managed policy holds, so this list is kept by hand from the policies' published documents.
const SECRET_READING_MANAGED_POLICIES = new Set(["AdministratorAccess", "PowerUserAccess", "SecretsManagerReadWrite", "AWSSecretsManagerClientReadOnlyAccess", "AmazonSageMakerFullAccess", "AWSLambda_FullAccess"]);
const MANAGED_POLICY_ARN = /^arn:aws[a-z-]*:iam::aws:policy\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/;

/** The AWS-managed policy an ARN names when that policy reads every secret, else undefined. */
export function secretReadingManagedPolicy(arn: unknown): string | undefined {
    const m = typeof arn === "string" ? MANAGED_POLICY_ARN.exec(arn) : null;
    return m && SECRET_READING_MANAGED_POLICIES.has(m[1]) ? m[1] : undefined;
}

// VPC endpoint policies are network boundaries, not grants: they conventionally name Principal "*" and broad actions,
// and are sound when they pin the calling account.
const ENDPOINT_POLICY_TYPES = new Set(["aws:ec2/vpcEndpoint:VpcEndpoint", "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy"]);

/**
 * A managed policy tagged `purpose: permissions-boundary` is a ceiling, not a grant: its `Allow *` lets the role's
 * own policies decide, and its denies are the point. It is judged like an endpoint policy (wildcard principals only).
 */
function isPermissionsBoundary(type: string, props: Record<string, unknown>): boolean {
    const tags = props.tags as Record<string, unknown> | undefined;
    return type === "aws:iam/policy:Policy" && tags?.[PERMISSIONS_BOUNDARY_TAG.key] === PERMISSIONS_BOUNDARY_TAG.value;
}
const ACCOUNT_PINS = ["aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:ResourceAccount", "aws:SourceAccount"];

function pinsAccount(s: Statement): boolean {
    const equals = { ...(s.conditions.StringEquals ?? {}), ...(s.conditions.ArnEquals ?? {}) };
    return Object.entries(equals).some(([k, values]) => ACCOUNT_PINS.some((pin) => pin.toLowerCase() === k.toLowerCase()) && values.length > 0 && !values.some((v) => v.includes("*")));
}

function problemsOf(s: Statement, governsKey: boolean, isBoundary: boolean, environments: readonly string[]): string[] {
    const problems: string[] = [];
    if (s.effect !== "Allow") return problems;
    const principals = principalValues(s);
    const wildcardPrincipal = s.principal === "*" || principals.includes("*");
    if (isBoundary) {
        if (wildcardPrincipal && !pinsAccount(s)) problems.push("allows a wildcard principal without pinning aws:PrincipalAccount (or aws:PrincipalOrgID) with StringEquals");
        return problems;
    }
    if (wildcardPrincipal) problems.push("allows a wildcard principal (*)");
    if (s.notPrincipal) problems.push("allows NotPrincipal, which grants every principal it does not list");
    if (!governsKey) {
        // kms:* on the root statement of a key policy is the normal delegation to IAM; the KMS rule owns key policies.
        const broad = s.actions.filter((a) => BROAD_ACTIONS.has(a.toLowerCase()));
        if (s.notAction) problems.push("allows NotAction, which grants every other action");
        else if (broad.length > 0) problems.push(`allows ${broad.join(", ")}`);
        // In resource policies Resource "*" means the resource itself, so only identity statements are checked.
        if (s.principal === undefined && !s.notAction) {
            // Patterns are expanded against AWS's action list: `secretsmanager:GetSecret*` grants GetSecretValue.
            const reads = s.actions.filter((a) => secretReadsGranted([a], false).length > 0);
            const wild = s.notResource ? ["NotResource"] : scopedByResourceTag(s) ? [] : s.resources.filter((r) => isEnvironmentWide(r, environments));
            if (reads.length > 0 && wild.length > 0) {
                const expanded = reads.map((a) => (/[*?]/.test(a) && a !== "*" ? `${a} (${secretReadsGranted([a], false).join(", ")} among ${expandAction(a).length} actions)` : a));
                problems.push(`allows ${expanded.join(", ")} on ${wild.join(", ")} instead of named secret and key ARNs`);
            }
        }
    }
    return problems;
}

/**
 * IAM policies (identity, role, inline, resource and trust policies) name exact actions and resources: no `*`,
 * `secretsmanager:*` or `kms:*` in an Allow, no secret read or decrypt (action patterns expanded against AWS's
 * action list) on `Resource: "*"` or an environment-wide wildcard, no NotAction, NotResource or NotPrincipal in an
 * Allow, no AWS-managed policy that reads every secret, and no wildcard principal in an Allow. A Deny with `Principal: "*"` (ManagedSecret's guard rails) is fine, and so is a VPC
 * endpoint policy (a network boundary, not a grant) whose wildcard principal is pinned to the account.
 */
export const iamPolicyLeastPrivilege = resourceRule(
    {
        name: "iam-policy-least-privilege",
        description: "IAM policy statements must not allow wildcard actions, wildcard principals, or secret reads and decrypts on Resource \"*\".",
        severity: "high",
        controls,
        remediation:
            "grant with ManagedSecret.grantRead(identity), which allows GetSecretValue and DescribeSecret on the secret's ARN and kms:Decrypt on the environment key through kms:ViaService; list explicit actions and name principals by ARN.",
    },
    ({ args, props, settings, report }) => {
        const environments = settings.environments.map((e) => e?.name).filter((n): n is string => typeof n === "string");
        for (const arn of [props.policyArn, props.managedPolicyArn, ...(Array.isArray(props.managedPolicyArns) ? props.managedPolicyArns : [])]) {
            const managed = secretReadingManagedPolicy(arn);
            if (managed) report(`'${args.name}' (${args.type}) attaches the AWS-managed policy ${managed}, which allows reading every secret value`);
        }
        for (const doc of findPolicyDocuments(args.type, props)) {
            doc.statements.forEach((s, i) => {
                for (const problem of problemsOf(s, doc.kind === "key", ENDPOINT_POLICY_TYPES.has(args.type) || isPermissionsBoundary(args.type, props), environments)) report(`Policy at '${doc.path}' of '${args.name}' (${args.type}), statement ${s.sid ?? i}, ${problem}`);
            });
        }
    },
);

export default iamPolicyLeastPrivilege;
