import { resourceRule } from "../define";
import { findPolicyDocuments, principalValues, Statement } from "../inspect/policy-documents";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.3"], pciDss: ["7.2.1", "7.2.2", "7.2.5"] };

const BROAD_ACTIONS = new Set(["*", "secretsmanager:*", "kms:*"]);
const SECRET_READS = /^(\*|secretsmanager:\*|secretsmanager:get\*|secretsmanager:getsecretvalue|kms:\*|kms:decrypt|kms:\*decrypt\*|kms:decrypt\*)$/i;
// "*", or an ARN whose resource part is only a wildcard (any secret, any key, any account).
const WILDCARD_RESOURCE = /^(\*|arn:aws[a-z-]*:(secretsmanager|kms):[^:]*:[^:]*:(secret:\*|key\/\*|\*)|arn:aws[a-z-]*:(secretsmanager|kms):[^:]*:\*:.*)$/;

function problemsOf(s: Statement, governsKey: boolean): string[] {
    const problems: string[] = [];
    if (s.effect !== "Allow") return problems;
    const principals = principalValues(s);
    if (s.principal === "*" || principals.includes("*")) problems.push("allows a wildcard principal (*)");
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
 * principal in an Allow. A Deny with `Principal: "*"` (ManagedSecret's guard rails) is fine.
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
                for (const problem of problemsOf(s, doc.kind === "key")) report(`Policy at '${doc.path}' of '${args.name}' (${args.type}), statement ${s.sid ?? i}, ${problem}`);
            });
        }
    },
);

export default iamPolicyLeastPrivilege;
