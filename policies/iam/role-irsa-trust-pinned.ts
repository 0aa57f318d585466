import { resourceRule } from "../define";
import { findPolicyDocuments, principalValues, Statement } from "../inspect/policy-documents";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.2", "CC6.3"], pciDss: ["7.2.1", "7.2.2", "8.2.2"] };

const EKS_PROVIDER = /oidc-provider\/(oidc\.eks\.[a-z0-9-]+\.amazonaws\.com\/id\/[A-Za-z0-9]+)$/;
const SERVICE_ACCOUNT_SUBJECT = /^system:serviceaccount:[a-z0-9]([-a-z0-9]*[a-z0-9])?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** The problems of one web-identity statement trusting an EKS cluster. */
export function irsaTrustProblems(s: Statement, issuerHost: string): string[] {
    const problems: string[] = [];
    const subKey = `${issuerHost}:sub`;
    const audKey = `${issuerHost}:aud`;
    const equals = s.conditions.StringEquals ?? {};
    for (const [op, block] of Object.entries(s.conditions)) {
        if (op !== "StringEquals" && (block[subKey] !== undefined || block[audKey] !== undefined)) problems.push(`matches ${block[subKey] !== undefined ? ":sub" : ":aud"} with ${op}; use StringEquals`);
    }
    const sub = equals[subKey];
    if (sub === undefined) problems.push(`does not pin ${subKey} with StringEquals`);
    else if (sub.length !== 1) problems.push(`allows ${sub.length} service accounts in ${subKey}; a role serves exactly one`);
    else if (!SERVICE_ACCOUNT_SUBJECT.test(sub[0])) problems.push(`pins ${subKey} to '${sub[0]}', which is not exactly one system:serviceaccount:<namespace>:<name>`);
    const aud = equals[audKey];
    if (aud === undefined || aud.length !== 1 || aud[0] !== "sts.amazonaws.com") problems.push(`does not pin ${audKey} to sts.amazonaws.com with StringEquals`);
    return problems;
}

/** An IRSA role's trust lets exactly one Kubernetes service account assume it, with `:sub` and `:aud` pinned by StringEquals. */
export const iamRoleIrsaTrustPinned = resourceRule(
    {
        name: "iam-role-irsa-trust-pinned",
        description: "IRSA trust policies must pin :sub to exactly one system:serviceaccount:<namespace>:<name> and :aud to sts.amazonaws.com, both with StringEquals.",
        severity: "critical",
        controls,
        remediation:
            "build the trust with the workload-identity component: Condition StringEquals { '<issuer>:sub': 'system:serviceaccount:<namespace>:<serviceAccount>', '<issuer>:aud': 'sts.amazonaws.com' }, one role per service account.",
    },
    ({ args, props, report }) => {
        for (const doc of findPolicyDocuments(args.type, props)) {
            if (doc.kind !== "trust") continue;
            doc.statements.forEach((s, i) => {
                if (s.effect !== "Allow") return;
                for (const p of principalValues(s)) {
                    const m = EKS_PROVIDER.exec(p);
                    if (!m) continue;
                    for (const problem of irsaTrustProblems(s, m[1])) report(`Trust policy of '${args.name}', statement ${s.sid ?? i}, ${problem}`);
                }
            });
        }
    },
);

export default iamRoleIrsaTrustPinned;
