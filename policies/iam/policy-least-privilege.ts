import { resourceRule } from "../define";
import { findPolicyDocuments, principalValues, Statement } from "../inspect/policy-documents";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.3"], pciDss: ["7.2.1", "7.2.2", "7.2.5"] };

const BROAD_ACTIONS = new Set(["*", "secretsmanager:*", "kms:*"]);
const SECRET_READS = /^(\*|secretsmanager:\*|secretsmanager:get\*|secretsmanager:getsecretvalue|kms:\*|kms:decrypt|kms:\*decrypt\*|kms:decrypt\*)$/i;
// "*", or an ARN whose resource part is only a wildcard (any secret, any key, any account).
const WILDCARD_RESOURCE = /^(\*|arn:aws[a-z-]*:(secretsmanager|kms):[^:]*:[^:]*:(secret:\*|key\/\*|\*)|arn:aws[a-z-]*:(secretsmanager|kms):[^:]*:\*:.*)$/;

// VPC endpoint policies are network boundaries, not grants: they conventionally name Principal "*" and broad actions,
// and are sound when they pin the calling account.
const ENDPOINT_POLICY_TYPES = new Set(["aws:ec2/vpcEndpoint:VpcEndpoint", "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy"]);

/**
 * A managed policy tagged `purpose: permissions-boundary` is a ceiling, not a grant: its `Allow *` lets the role's
 * own policies decide, and its denies are the point. It is judged like an endpoint policy (wildcard principals only).
 */
function isPermissionsBoundary(type: string, props: Record<string, unknown>): boolean {
    const tags = props.tags as Record<string, unknown> | undefined;
    return type === "aws:iam/policy:Policy" && tags?.purpose === "permissions-boundary";
}
const ACCOUNT_PINS = ["aws:PrincipalAccount", "aws:PrincipalOrgID", "aws:ResourceAccount", "aws:SourceAccount"];

function pinsAccount(s: Statement): boolean {
    const equals = { ...(s.conditions.StringEquals ?? {}), ...(s.conditions.ArnEquals ?? {}) };
    return Object.entries(equals).some(([k, values]) => ACCOUNT_PINS.some((pin) => pin.toLowerCase() === k.toLowerCase()) && values.length > 0 && !values.some((v) => v.includes("*")));
}

function problemsOf(s: Statement, governsKey: boolean, isBoundary: boolean): string[] {
    const problems: string[] = [];
    if (s.effect !== "Allow") return problems;
    const principals = principalValues(s);
    const wildcardPrincipal = s.principal === "*" || principals.includes("*");
    if (isBoundary) {
        if (wildcardPrincipal && !pinsAccount(s)) problems.push("allows a wildcard principal without pinning aws:PrincipalAccount (or aws:PrincipalOrgID) with StringEquals");
        return problems;
    }
    if (wildcardPrincipal) problems.push("allows a wildcard principal (*)");
    if (!governsKey) {
        // kms:* on the root statement of a key policy is the normal delegation to IAM; the KMS rule owns key policies.
        const broad = s.actions.filter((a) => BROAD_ACTIONS.has(a.toLowerCase()));
        if (s.notAction) problems.push("allows NotAction, which grants every other action");
        else if (broad.length > 0) problems.push(`allows ${broad.join(", ")}`);
        // In resource policies Resource "*" means the resource itself, so only identity statements are checked.
        if (s.principal === undefined && !s.notAction) {
            const reads = s.actions.filter((a) => SECRET_READS.test(a));
            const wild = s.notResource ? ["NotResource"] : s.resources.filter((r) => WILDCARD_RESOURCE.test(r));
            if (reads.length > 0 && wild.length > 0) problems.push(`allows ${reads.join(", ")} on ${wild.join(", ")} instead of named secret and key ARNs`);
        }
    }
    return problems;
}

/**
 * IAM policies (identity, role, inline, resource and trust policies) name exact actions and resources: no `*`,
 * `secretsmanager:*` or `kms:*` in an Allow, no secret read or decrypt on `Resource: "*"`, and no wildcard
 * principal in an Allow. A Deny with `Principal: "*"` (ManagedSecret's guard rails) is fine, and so is a VPC
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
    ({ args, props, report }) => {
        for (const doc of findPolicyDocuments(args.type, props)) {
            doc.statements.forEach((s, i) => {
                for (const problem of problemsOf(s, doc.kind === "key", ENDPOINT_POLICY_TYPES.has(args.type) || isPermissionsBoundary(args.type, props))) report(`Policy at '${doc.path}' of '${args.name}' (${args.type}), statement ${s.sid ?? i}, ${problem}`);
            });
        }
    },
);

export default iamPolicyLeastPrivilege;
