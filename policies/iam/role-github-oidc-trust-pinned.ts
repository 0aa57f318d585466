import { resourceRule } from "../define";
import { findPolicyDocuments, principalValues, Statement } from "../inspect/policy-documents";
import { previewGithubEnvironment } from "../../model/preview-gate";
import { ControlRefs, environmentOfUrn } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.2", "CC8.1"], pciDss: ["7.2.1", "8.2.2", "6.5.1"] };

const GITHUB = "token.actions.githubusercontent.com";
const PINNED_SUBJECT = /^repo:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+:(environment:[A-Za-z0-9_.-]+|pull_request)$/;
/** A push to one branch: allowed only for a role that also pins the workflow file (the signing role). */
const BRANCH_SUBJECT = /^repo:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+:ref:refs\/heads\/([A-Za-z0-9_.\/-]+)$/;
/** `<org>/<repo>/.github/workflows/<file>@refs/heads/<branch>`. */
const JOB_WORKFLOW_REF = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/\.github\/workflows\/[A-Za-z0-9_.-]+\.ya?ml@refs\/heads\/([A-Za-z0-9_.\/-]+)$/;

/**
 * The problems of one statement trusting GitHub's OIDC provider. With `environment` (the stack's own), a subject
 * that names another GitHub environment is a cross-environment grant: dev's workflow would deploy to prod.
 */
export function githubTrustProblems(s: Statement, environment?: string): string[] {
    const problems: string[] = [];
    const subs: string[] = [];
    const workflowRefs: string[] = [];
    let audPinned = false;
    for (const [op, block] of Object.entries(s.conditions)) {
        for (const [key, values] of Object.entries(block)) {
            if (key === `${GITHUB}:sub`) {
                if (!/^String(Equals|Like)$/.test(op)) problems.push(`matches ${key} with ${op}; use StringEquals`);
                subs.push(...values);
            }
            if (key === `${GITHUB}:aud` && op === "StringEquals" && values.length === 1 && values[0] === "sts.amazonaws.com") audPinned = true;
            if (key === `${GITHUB}:job_workflow_ref` && op === "StringEquals") workflowRefs.push(...values);
        }
    }
    if (subs.length === 0) problems.push(`does not pin ${GITHUB}:sub, so any repository on GitHub could assume the role`);
    for (const sub of subs) {
        const branch = BRANCH_SUBJECT.exec(sub)?.[1];
        if (/[*?]/.test(sub)) problems.push(`has a wildcard in ${GITHUB}:sub ('${sub}')`);
        else if (branch !== undefined) {
            // Any workflow on the branch mints this subject; only the one workflow file pinned below may use it.
            const pinned = workflowRefs.length === 1 && JOB_WORKFLOW_REF.exec(workflowRefs[0])?.[1] === branch;
            if (!pinned) problems.push(`trusts pushes to '${branch}' ('${sub}') without pinning ${GITHUB}:job_workflow_ref with StringEquals to one workflow file on that branch (<org>/<repo>/.github/workflows/<file>@refs/heads/${branch})`);
        } else if (!PINNED_SUBJECT.test(sub)) problems.push(`pins ${GITHUB}:sub to '${sub}', which names neither repo:<org>/<repo>:environment:<env> nor repo:<org>/<repo>:pull_request`);
        else {
            const named = /:environment:(.+)$/.exec(sub)?.[1];
            // A reviewed preview environment (`prod-preview`, model/preview-gate.ts) belongs to its stack too.
            if (environment && named !== undefined && named !== environment && named !== previewGithubEnvironment(environment)) {
                problems.push(`trusts the GitHub environment '${named}' in the '${environment}' stack; a role trusts only its own environment's deployments`);
            }
        }
    }
    if (!audPinned) problems.push(`does not pin ${GITHUB}:aud to sts.amazonaws.com with StringEquals`);
    return problems;
}

/** A GitHub Actions role trusts one repository and one GitHub environment (or `pull_request` for the preview role), with no wildcard. */
export const iamRoleGithubOidcTrustPinned = resourceRule(
    {
        name: "iam-role-github-oidc-trust-pinned",
        description: "GitHub OIDC trust policies must pin the repository and the stack's own environment (or pull_request for the preview role, or one branch and one workflow file for the signing role), with no wildcard in sub.",
        severity: "critical",
        controls,
        remediation:
            "use Condition StringEquals { 'token.actions.githubusercontent.com:sub': 'repo:<org>/<repo>:environment:<env>' (or ':pull_request' for the preview role), 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com' }.",
    },
    ({ args, props, report }) => {
        for (const doc of findPolicyDocuments(args.type, props)) {
            if (doc.kind !== "trust") continue;
            doc.statements.forEach((s, i) => {
                if (s.effect !== "Allow" || !principalValues(s).some((p) => p.endsWith(`oidc-provider/${GITHUB}`))) return;
                for (const problem of githubTrustProblems(s, environmentOfUrn(args.urn))) report(`Trust policy of '${args.name}', statement ${s.sid ?? i}, ${problem}`);
            });
        }
    },
);

export default iamRoleGithubOidcTrustPinned;
