// The prod preview gate as a boundary, not a job condition: the planned preview role of a reviewed environment admits
// only tokens whose subject names its GitHub environment (`environment:prod-preview`), proven by simulating
// `sts:AssumeRoleWithWebIdentity` with the claims GitHub issues for each kind of job; and pr.yml's prod job runs in
// that environment, so the only way to the role is through the environment's required reviewers.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { githubSubject, GithubRepository } from "../../components/github-deploy";
import { ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { roleNames } from "../../model/names";
import { previewGithubEnvironment, REVIEWED_PREVIEW_ENVIRONMENTS } from "../../model/preview-gate";
import { decideAssume, plannedEnvironment } from "../support/plan-iam";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");
const PR_WORKFLOW = path.join(PROJECT_DIR, ".github", "workflows", "pr.yml");

/** The repository as the stack file declares it (the subject GitHub puts in this repository's tokens). */
function repositoryOf(environment: string): GithubRepository {
    return parseEnvironmentConfig(readStackFile(PROJECT_DIR, environment)).github;
}

type Job = { environment?: string | { name: string }; if?: string; strategy?: { matrix?: { include?: Array<Record<string, string>> } }; steps: Array<{ uses?: string; with?: Record<string, string> }> };

/** The preview roles a job assumes: the `role-to-assume` of its configure-aws-credentials steps, matrix expanded. */
function rolesAssumedBy(job: Job): string[] {
    const rows = job.strategy?.matrix?.include ?? [{}];
    const roles: string[] = [];
    for (const step of job.steps.filter((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))) {
        for (const row of rows) roles.push(String(step.with?.["role-to-assume"]).replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_m, k: string) => row[k]));
    }
    return roles;
}

describe("prod's preview gate is a trust boundary (web-identity simulation of the planned roles)", () => {
    it("prod, and only prod, previews through a reviewed GitHub environment named prod-preview", () => {
        assert.deepEqual([...REVIEWED_PREVIEW_ENVIRONMENTS], ["prod"]);
        assert.equal(previewGithubEnvironment("prod"), "prod-preview");
        for (const environment of ENVIRONMENTS.filter((e) => e !== "prod")) assert.equal(previewGithubEnvironment(environment), undefined, environment);
    });

    for (const environment of REVIEWED_PREVIEW_ENVIRONMENTS) {
        const gate = previewGithubEnvironment(environment)!;

        it(`${environment} preview role admits a job in GitHub environment '${gate}' and no pull_request token of any branch or event`, async () => {
            const env = plannedEnvironment(environment);
            const repo = repositoryOf(environment);
            const assume = (sub: string, aud?: string) => decideAssume(env.previewRole, env.oidcProviderArn, { sub, aud });
            const gated = githubSubject(repo, { kind: "environment", name: gate });
            assert.equal(await assume(gated), "Allowed", gated);
            const rejected: Record<string, string> = {
                // pull_request and pull_request_review runs without an environment both carry this subject.
                "a pull request of this repository, from any branch, with any copy of pr.yml": githubSubject(repo, { kind: "pull_request" }),
                "the deploy job of this environment": githubSubject(repo, { kind: "environment", name: environment }),
                "another environment's gate": githubSubject(repo, { kind: "environment", name: "staging-preview" }),
                "a gate name in another case": githubSubject(repo, { kind: "environment", name: gate.toUpperCase() }),
                "a push to main": githubSubject(repo, { kind: "pull_request" }).replace(/:pull_request$/, ":ref:refs/heads/main"),
                "a fork's job in an environment of the same name": githubSubject({ ...repo, org: "attacker", ownerId: "99887766" }, { kind: "environment", name: gate }),
                "another repository of the organisation": githubSubject({ ...repo, repo: "data-pipelines", repositoryId: "77665544" }, { kind: "environment", name: gate }),
                "the legacy subject of the gate": githubSubject({ ...repo, subjectFormat: "legacy" }, { kind: "environment", name: gate }),
                "a wildcard environment": githubSubject(repo, { kind: "pull_request" }).replace(/:pull_request$/, ":environment:*"),
            };
            for (const [what, sub] of Object.entries(rejected)) assert.equal(await assume(sub), "ImplicitlyDenied", `${what} (${sub})`);
            assert.equal(await assume(gated, "https://github.com/attacker"), "ImplicitlyDenied", "the gate's subject with another audience");
        });
    }

    for (const environment of ENVIRONMENTS.filter((e) => previewGithubEnvironment(e) === undefined)) {
        it(`${environment} preview role still admits this repository's pull requests and not prod's gate`, async () => {
            const env = plannedEnvironment(environment);
            const repo = repositoryOf(environment);
            const assume = (sub: string) => decideAssume(env.previewRole, env.oidcProviderArn, { sub });
            assert.equal(await assume(githubSubject(repo, { kind: "pull_request" })), "Allowed");
            assert.equal(await assume(githubSubject(repo, { kind: "environment", name: previewGithubEnvironment("prod")! })), "ImplicitlyDenied");
        });
    }

    it("pr.yml assumes each gated preview role only from a job bound to its gate, and never from the pull_request matrix", () => {
        const jobs = YAML.parse(fs.readFileSync(PR_WORKFLOW, "utf8")).jobs as Record<string, Job>;
        for (const environment of ENVIRONMENTS) {
            const role = `:role/${roleNames.githubPreview(`fl-${environment}`)}`;
            const assuming = Object.entries(jobs).filter(([, job]) => rolesAssumedBy(job).some((r) => r.endsWith(role)));
            assert.ok(assuming.length > 0, `a job of pr.yml previews ${environment}`);
            const gate = previewGithubEnvironment(environment);
            for (const [id, job] of assuming) {
                const bound = typeof job.environment === "object" ? job.environment.name : job.environment;
                assert.equal(bound, gate, `job ${id} assumes ${role.slice(1)} and must ${gate ? `run in GitHub environment '${gate}'` : "run in no GitHub environment (its role trusts pull_request)"}`);
            }
        }
    });
});
