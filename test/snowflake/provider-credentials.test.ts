// Where the Snowflake provider's credential can and cannot come from (docs/snowflake.md, "Provider credentials").
// A `secure:` stack-config value is readable by every principal that may decrypt with the stack's Pulumi key, and
// the PR preview role may (IAM simulation below), so the provisioning key is never stack config. The PR workflow
// must not be able to reach a credential that can change Snowflake: no secrets context, no provisioning key, no GitHub
// environment (whose secrets only reviewed deploy jobs get); its one Snowflake login is the privilege-less previewer.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ENVIRONMENTS, readStackFile } from "../../model/config";
import { previewGithubEnvironment } from "../../model/preview-gate";
import { snowflakeProviderArgs } from "../../stacks/snowflake";
import { snowflakeCiIdentity } from "../../model/snowflake-ci-identity";
import { loadCatalog } from "../../model/catalog";
import { ConfigError, parseEnvironmentConfig } from "../../model/config";
import { planEnvironment } from "../../model/environment";
import { decide, plannedEnvironment } from "../support/plan-iam";
import { PROJECT_DIR } from "../support/plan-cli";

const WORKFLOWS = path.join(PROJECT_DIR, ".github", "workflows");
type Job = { if?: string; environment?: unknown; env?: Record<string, unknown>; steps?: Array<{ env?: Record<string, unknown>; with?: Record<string, unknown>; run?: string }> };

/** Every string a job can evaluate: its env, each step's env, with and run. */
function jobText(job: Job): string {
    return JSON.stringify([job.env ?? {}, ...(job.steps ?? []).map((s) => [s.env ?? {}, s.with ?? {}, s.run ?? ""])]);
}

describe("the Snowflake provider's credential never reaches a pull request", () => {
    it("the provider takes the account and the provisioning identity from the model, and no credential as an input", () => {
        const plan = planEnvironment(parseEnvironmentConfig(readStackFile(PROJECT_DIR, "prod")), loadCatalog(path.join(PROJECT_DIR, "catalog"))).snowflake;
        const args = snowflakeProviderArgs(plan) as Record<string, unknown>;
        assert.deepEqual(args, { organizationName: "FINLEDGER", accountName: "PROD", user: "FL_PROD_PROVISIONER", role: "FL_PROD_PROVISIONER", authenticator: "SNOWFLAKE_JWT" });
    });

    it("a PR preview's provider signs in as the previewer, with the same account and no credential as an input", () => {
        const plan = planEnvironment(parseEnvironmentConfig(readStackFile(PROJECT_DIR, "prod")), loadCatalog(path.join(PROJECT_DIR, "catalog"))).snowflake;
        assert.equal(snowflakeCiIdentity(undefined), "provisioner");
        assert.equal(snowflakeCiIdentity("previewer"), "previewer");
        const args = snowflakeProviderArgs(plan, snowflakeCiIdentity("previewer")) as Record<string, unknown>;
        assert.deepEqual(args, { organizationName: "FINLEDGER", accountName: "PROD", user: "FL_PROD_PREVIEWER", role: "FL_PROD_PREVIEWER", authenticator: "SNOWFLAKE_JWT" });
    });

    it("an unknown identity is refused with the variable's name and the allowed values", () => {
        assert.throws(() => snowflakeCiIdentity("admin"), (e: Error) => e instanceof ConfigError && /FINLEDGER_SNOWFLAKE_IDENTITY/.test(e.message) && /'admin'/.test(e.message) && /provisioner .* or previewer/.test(e.message));
    });

    it("no stack file holds a Snowflake key, secure or plain", () => {
        for (const env of ["dev", "staging", "prod"]) {
            const raw = readStackFile(PROJECT_DIR, env);
            const keys = Object.keys(raw.values).filter((k) => /snowflake.*(key|password|token)|private/i.test(k));
            assert.deepEqual(keys, [], `Pulumi.${env}.yaml`);
        }
    });

    for (const env of ["dev", "prod"]) {
        it(`${env}: the PR preview role may decrypt with the Pulumi key, so a secure: config value would reach previews (IAM simulation)`, async () => {
            const planned = plannedEnvironment(env);
            assert.equal(await decide({ role: planned.previewRole, action: "kms:Decrypt", resourceArn: planned.pulumiKey.arn, resourceAccount: planned.accountId, resourcePolicy: planned.pulumiKey.policy }), "Allowed");
        });
    }

    it("no job of pr.yml reads the secrets context, names the provisioning key, or runs in a deploy role's GitHub environment; only the previewer key step sets a Snowflake variable", () => {
        const jobs = YAML.parse(fs.readFileSync(path.join(WORKFLOWS, "pr.yml"), "utf8")).jobs as Record<string, Job>;
        assert.deepEqual(Object.keys(jobs).sort(), ["preview", "preview-prod", "verify"]);
        for (const [name, job] of Object.entries(jobs)) {
            const text = jobText(job);
            assert.doesNotMatch(text, /\bsecrets\./, `${name} reads the secrets context`);
            assert.doesNotMatch(text, /snowflake-provisioner|PROVISIONER/i, `${name} names the provisioning key or user`);
            // The previewer key step is tested in test/cicd/snowflake-keys-by-job.test.ts; nothing else names a Snowflake variable.
            const others = (job.steps ?? []).filter((st) => !(st.run ?? "").includes("platform/snowflake-previewer"));
            assert.doesNotMatch(jobText({ ...job, steps: others }), /SNOWFLAKE_/, `${name} sets a Snowflake variable outside the previewer key step`);
            // The only environment a preview may use is a review gate (`<env>-preview`), which the deploy roles do not trust.
            const gates = ENVIRONMENTS.map((e) => previewGithubEnvironment(e)).filter((g): g is string => g !== undefined);
            if (job.environment !== undefined) {
                assert.ok(gates.includes(job.environment as string), `${name} runs in GitHub environment ${JSON.stringify(job.environment)}, which is not a preview gate (${gates.join(", ")})`);
                assert.ok(!(ENVIRONMENTS as readonly string[]).includes(job.environment as string), `${name} runs in a deploy environment`);
            }
        }
    });

    it("the check is live: a preview job given a Snowflake key from the secrets context is caught", () => {
        const job: Job = { steps: [{ env: { SNOWFLAKE_PRIVATE_KEY: "${{ secrets.SNOWFLAKE_PROVISIONER_KEY }}" } }] };
        assert.match(jobText(job), /\bsecrets\./);
        assert.match(jobText(job), /SNOWFLAKE_/);
    });
});
