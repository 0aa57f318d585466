import { iamRoleGithubOidcTrustPinned as githubTrust } from "../../../policies/iam/role-github-oidc-trust-pinned";
import { githubRole, trustOf } from "../../support/access-fixtures";
import { assertCompliant, assertViolation, target, withChange } from "../../support/policy-fixtures";

describe("iam-role-github-oidc-trust-pinned", () => {
    it("stays quiet on a deploy role (environment) and a preview role (pull_request)", async () => {
        await assertCompliant(githubTrust, [githubRole(), githubRole("repo:finledger/secrets-platform:pull_request")]);
    });
    it("reports a wildcard in sub", async () => {
        await assertViolation(githubTrust, githubRole("repo:finledger/secrets-platform:*"), /wildcard in token\.actions\.githubusercontent\.com:sub/);
    });
    it("reports a branch subject that pins no workflow file", async () => {
        await assertViolation(githubTrust, githubRole("repo:finledger/secrets-platform:ref:refs/heads/main"), /trusts pushes to 'main' .* without pinning token\.actions\.githubusercontent\.com:job_workflow_ref/);
    });
    const JOB_WORKFLOW_REF = "token.actions.githubusercontent.com:job_workflow_ref";
    const signingRole = (ref: unknown, op = "StringEquals") =>
        withChange(githubRole("repo:finledger/secrets-platform:ref:refs/heads/main"), (t) => {
            const p = trustOf(t);
            p.Statement[0].Condition[op] = { ...(p.Statement[0].Condition[op] ?? {}), [JOB_WORKFLOW_REF]: ref };
            t.inputs.assumeRolePolicy = JSON.stringify(p);
        });
    it("stays quiet on the signing role: pushes to main from deploy.yml on main", async () => {
        await assertCompliant(githubTrust, signingRole("finledger/secrets-platform/.github/workflows/deploy.yml@refs/heads/main"));
    });
    it("reports a branch subject whose workflow file is on another branch, loose, or one of several", async () => {
        const PROBLEM = /trusts pushes to 'main'.*without pinning/;
        await assertViolation(githubTrust, signingRole("finledger/secrets-platform/.github/workflows/deploy.yml@refs/heads/feature"), PROBLEM);
        await assertViolation(githubTrust, signingRole("finledger/secrets-platform/.github/workflows/deploy.yml@refs/heads/main", "StringLike"), PROBLEM);
        await assertViolation(githubTrust, signingRole(["finledger/secrets-platform/.github/workflows/deploy.yml@refs/heads/main", "finledger/secrets-platform/.github/workflows/pr.yml@refs/heads/main"]), PROBLEM);
        await assertViolation(githubTrust, signingRole("finledger/secrets-platform/.github/workflows/*@refs/heads/main"), PROBLEM);
    });
    it("reports a role of one environment that trusts another environment's deployments", async () => {
        await assertViolation(githubTrust, githubRole("repo:finledger/secrets-platform:environment:prod"), /trusts the GitHub environment 'prod' in the 'dev' stack/);
    });
    it("stays quiet on prod's preview role trusting its reviewed environment prod-preview, and reports a dev role trusting it", async () => {
        const inProd = target("aws:iam/role:Role", "fl-prod-github-preview", githubRole("repo:finledger/secrets-platform:environment:prod-preview").inputs, { stack: "prod" });
        await assertCompliant(githubTrust, inProd);
        await assertViolation(githubTrust, githubRole("repo:finledger/secrets-platform:environment:prod-preview"), /trusts the GitHub environment 'prod-preview' in the 'dev' stack/);
        await assertViolation(githubTrust, githubRole("repo:finledger/secrets-platform:environment:dev-preview"), /trusts the GitHub environment 'dev-preview' in the 'dev' stack/);
    });
    it("reports a trust without sub", async () => {
        const bad = withChange(githubRole(), (t) => {
            const p = trustOf(t);
            delete p.Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"];
            t.inputs.assumeRolePolicy = JSON.stringify(p);
        });
        await assertViolation(githubTrust, bad, /any repository on GitHub could assume the role/);
    });
});

describe("iam-role-github-oidc-trust-pinned: the audience, the operators and which statements are read", () => {
    const SUB = "token.actions.githubusercontent.com:sub";
    const AUD = "token.actions.githubusercontent.com:aud";
    const changed = (change: (statement: any) => void) =>
        withChange(githubRole(), (t) => {
            const p = trustOf(t);
            change(p.Statement[0]);
            t.inputs.assumeRolePolicy = JSON.stringify(p);
        });
    const AUD_PROBLEM = /does not pin token\.actions\.githubusercontent\.com:aud to sts\.amazonaws\.com with StringEquals/;
    it("reports a trust whose audience is missing, loose, extra or another service", async () => {
        await assertViolation(githubTrust, changed((s) => delete s.Condition.StringEquals[AUD]), AUD_PROBLEM);
        await assertViolation(githubTrust, changed((s) => (s.Condition.StringEquals[AUD] = ["sts.amazonaws.com", "other.example.com"])), AUD_PROBLEM);
        await assertViolation(githubTrust, changed((s) => (s.Condition.StringEquals[AUD] = "sts.example.com")), AUD_PROBLEM);
        await assertViolation(
            githubTrust,
            changed((s) => {
                s.Condition.StringLike = { [AUD]: s.Condition.StringEquals[AUD] };
                delete s.Condition.StringEquals[AUD];
            }),
            AUD_PROBLEM,
        );
    });
    it("reports sub matched by an operator other than StringEquals or StringLike, and names the statement by its Sid", async () => {
        for (const op of ["StringEqualsIgnoreCase", "ForAnyValue:StringLike"]) {
            const bad = changed((s) => {
                s.Sid = "GithubDeploy";
                s.Condition[op] = { [SUB]: s.Condition.StringEquals[SUB] };
                delete s.Condition.StringEquals[SUB];
            });
            await assertViolation(githubTrust, bad, new RegExp(`statement GithubDeploy, matches token\\.actions\\.githubusercontent\\.com:sub with ${op}; use StringEquals`));
        }
    });
    it("reads only Allow statements that trust GitHub's provider", async () => {
        await assertCompliant(githubTrust, changed((s) => (s.Effect = "Deny") && (s.Condition = {})));
        await assertCompliant(githubTrust, changed((s) => (s.Principal = { Federated: "arn:aws:iam::402817365190:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X" }) && (s.Condition = {})));
    });
});
