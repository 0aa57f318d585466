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
    it("reports a branch subject that pins no environment", async () => {
        await assertViolation(githubTrust, githubRole("repo:finledger/secrets-platform:ref:refs/heads/main"), /names neither repo:<org>\/<repo>:environment:<env> nor/);
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
