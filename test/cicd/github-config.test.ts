import { strict as assert } from "assert";
import { buildGithubTrustPolicy, githubSubject } from "../../components/github-deploy";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { configProblems, stackConfigWith } from "../support/config-fixtures";
import { PROJECT_DIR } from "../support/plan-cli";

const withGithub = (github: Record<string, unknown>) => stackConfigWith("dev", "finledger:github", github);
const problemsOf = configProblems;

describe("finledger:github config (subject claim format)", () => {
    it("every stack file chooses the immutable format with both numeric ids", () => {
        for (const stack of ["dev", "staging", "prod"]) {
            const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, stack));
            assert.equal(config.github.subjectFormat, "immutable");
            assert.match(config.github.ownerId ?? "", /^\d+$/);
            assert.match(config.github.repositoryId ?? "", /^\d+$/);
        }
    });

    it("defaults to the legacy format when subjectFormat is absent", () => {
        const config = parseEnvironmentConfig(withGithub({ org: "finledger", repo: "secrets-platform" }));
        assert.equal(config.github.subjectFormat, "legacy");
        assert.equal(githubSubject(config.github, { kind: "pull_request" }), "repo:finledger/secrets-platform:pull_request");
    });

    it("builds GitHub's immutable subject, repo:<org>-<ownerId>/<repo>-<repositoryId>:<context>", () => {
        const config = parseEnvironmentConfig(withGithub({ org: "finledger", repo: "secrets-platform", subjectFormat: "immutable", ownerId: "123456", repositoryId: "456789" }));
        assert.equal(githubSubject(config.github, { kind: "environment", name: "prod" }), "repo:finledger-123456/secrets-platform-456789:environment:prod");
    });

    it("rejects an unknown subject format, naming the key and the allowed values", () => {
        const message = problemsOf(withGithub({ org: "finledger", repo: "secrets-platform", subjectFormat: "numeric" }));
        assert.match(message, /Pulumi\.dev\.yaml: key 'finledger:github\.subjectFormat': found "numeric"/);
        assert.match(message, /legacy/);
        assert.match(message, /immutable/);
    });

    it("rejects the immutable format without ids, naming both missing keys and how to find them", () => {
        const message = problemsOf(withGithub({ org: "finledger", repo: "secrets-platform", subjectFormat: "immutable" }));
        assert.match(message, /key 'finledger:github\.ownerId': found nothing; expected the numeric organisation id, required when subjectFormat is immutable/);
        assert.match(message, /key 'finledger:github\.repositoryId': found nothing; expected the numeric repository id/);
        assert.match(message, /gh api repos/);
    });

    it("rejects a repository id that is not a number (ids are quoted strings)", () => {
        const message = problemsOf(withGithub({ org: "finledger", repo: "secrets-platform", subjectFormat: "immutable", ownerId: "123", repositoryId: "secrets-platform" }));
        assert.match(message, /key 'finledger:github\.repositoryId': found "secrets-platform"; expected the numeric id of the GitHub repository/);
    });
});

describe("GitHub trust builders", () => {
    it("refuses to build an immutable subject without the numeric ids", () => {
        assert.throws(() => githubSubject({ org: "finledger", repo: "secrets-platform", subjectFormat: "immutable" }, { kind: "pull_request" }), /needs ownerId and repositoryId for finledger\/secrets-platform; set them under finledger:github/);
    });

    it("refuses a trust subject with a wildcard", () => {
        assert.throws(() => buildGithubTrustPolicy("arn:aws:iam::402817365190:oidc-provider/token.actions.githubusercontent.com", "repo:finledger/*:pull_request"), /contains a wildcard; trust exactly one subject/);
    });
});
