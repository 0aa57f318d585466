import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { validateWorkflow } from "@action-validator/core";
import { pulumiBackendUrl } from "../../components/github-deploy";
import { roleNames } from "../../model/names";
import { deploySessionPrefix } from "../../components/separation-detections";
import { ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { PACK_CONFIG_FILE } from "../../tools/pack-config";
import { checkWorkflow, HygieneRule, HYGIENE_RULES } from "../../tools/workflow-hygiene";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");
const WORKFLOW_DIR = path.join(PROJECT_DIR, ".github", "workflows");
const workflowFiles = fs.readdirSync(WORKFLOW_DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const read = (file: string) => fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8");

// A compliant workflow that exercises every rule; each bad example below changes one thing in it.
const CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1";
const AWS_CREDS = "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3";
const PULUMI = "pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0";
const BASELINE = `name: example
on:
  pull_request:
    branches: [main]
permissions: {}
jobs:
  preview:
    if: github.event.pull_request.head.repo.full_name == github.repository
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      id-token: write
    env:
      STACK: dev
    steps:
      - uses: ${CHECKOUT}
        with:
          persist-credentials: false
      - name: install
        run: npm ci --ignore-scripts --no-audit --no-fund
      - name: plugins
        run: pulumi plugin install resource aws 7.48.0
      - uses: ${AWS_CREDS}
        with:
          role-to-assume: arn:aws:iam::402817365190:role/fl-dev-github-preview
          aws-region: us-east-1
      - name: token
        run: |
          set -euo pipefail
          token="$(aws codeartifact get-authorization-token --domain d --query authorizationToken --output text)"
          echo "::add-mask::\${token}"
          printf '%s' "\${token}" > "$RUNNER_TEMP/t"
      - uses: ${PULUMI}
        with:
          command: preview
          stack-name: dev
          suppress-outputs: true
  scan:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - name: install the scanner outside the tree
        run: |
          mkdir -p "$RUNNER_TEMP/scanner"
          cd "$RUNNER_TEMP/scanner"
          npm install --no-save --ignore-scripts @secretlint/quick-start@13.0.5
      - name: scan
        run: |
          docker export "$(docker create img)" | tar -x -C "$RUNNER_TEMP/root"
          node "$RUNNER_TEMP/scanner/node_modules/@secretlint/quick-start/bin/quick-start.js" "$RUNNER_TEMP/root/**/*"
  push:
    if: github.event.pull_request.head.repo.full_name == github.repository
    runs-on: ubuntu-24.04
    permissions:
      id-token: write
    steps:
      - uses: ${AWS_CREDS}
        with:
          role-to-assume: arn:aws:iam::402817365190:role/fl-dev-ecr-push
          aws-region: us-east-1
      - name: push
        run: |
          docker load --input "$RUNNER_TEMP/image.tar"
          docker push "$ECR_REPOSITORY_URI:$GITHUB_SHA"
`;

// A compliant push-to-main workflow with a signing job; the signing rules' bad examples change one thing in it.
const SIGN_BASELINE = `name: deploy
on:
  push:
    branches: [main]
permissions: {}
jobs:
  verify:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - run: npm test
  sign:
    needs: verify
    if: github.ref == 'refs/heads/main'
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      id-token: write
    steps:
      - name: install
        run: npm ci --ignore-scripts
      - uses: ${AWS_CREDS}
        with:
          role-to-assume: arn:aws:iam::402817365190:role/fl-dev-github-signer
          aws-region: us-east-1
      - run: npx tsx tools/sign-functions.ts --stack dev
  deploy-dev:
    needs: [verify, sign]
    environment: dev
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      id-token: write
    steps:
      - name: install
        run: npm ci --ignore-scripts
      - name: plugins
        run: pulumi plugin install resource aws 7.48.0
      - uses: ${AWS_CREDS}
        with:
          role-to-assume: arn:aws:iam::402817365190:role/fl-dev-github-deploy
          aws-region: us-east-1
      - uses: ${PULUMI}
        with:
          command: up
          stack-name: dev
          suppress-outputs: true
  deploy-prod:
    needs: deploy-dev
    environment: prod
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      id-token: write
    steps:
      - name: plugins
        run: pulumi plugin install resource aws 7.48.0
      - uses: ${AWS_CREDS}
        with:
          role-to-assume: arn:aws:iam::736491028554:role/fl-prod-github-deploy
          aws-region: us-east-1
      - uses: ${PULUMI}
        with:
          command: up
          stack-name: prod
          suppress-outputs: true
`;

function rulesOf(text: string): HygieneRule[] {
    return [...new Set(checkWorkflow(text).map((f) => f.rule))].sort();
}

function replaceOnce(text: string, from: string, to: string): string {
    assert.ok(text.includes(from), `the baseline contains '${from}'`);
    return text.replace(from, to);
}

describe("GitHub workflows", () => {
    it("has the PR, deploy and reusable build workflows", () => {
        assert.deepEqual(workflowFiles, ["build-image.yml", "deploy.yml", "pr.yml"]);
    });

    for (const file of workflowFiles) {
        it(`${file} validates against the workflow schema (action-validator)`, () => {
            const state = validateWorkflow(read(file));
            assert.deepEqual(state.errors, [], JSON.stringify(state.errors, null, 2));
        });

        it(`${file} keeps every hygiene rule`, () => {
            assert.deepEqual(checkWorkflow(read(file)), []);
        });
    }

    it("the example caller of the reusable build validates against the workflow schema", () => {
        const state = validateWorkflow(fs.readFileSync(path.join(PROJECT_DIR, "examples", "build-time", "caller-workflow.yml"), "utf8"));
        assert.deepEqual(state.errors, [], JSON.stringify(state.errors, null, 2));
    });

    it("action-validator rejects a workflow with a misspelt key and a job without runs-on", () => {
        const state = validateWorkflow("name: broken\non: push\njobs:\n  build:\n    stepz:\n      - run: echo hi\n");
        assert.ok(state.errors.length > 0);
    });

    it("the PR job without credentials tests, plans all three environments and scans for secrets", () => {
        const verify = YAML.parse(read("pr.yml")).jobs.verify;
        assert.deepEqual(verify.permissions, { contents: "read" });
        const runs = verify.steps.map((s: { run?: string }) => s.run ?? "").join("\n");
        assert.match(runs, /npm ci/);
        assert.match(runs, /npm test/);
        for (const env of ENVIRONMENTS) assert.match(runs, new RegExp(`npm run plan -- --stack ${env}\\b`));
        assert.match(runs, /tools\/secret-scan\.ts --diff/);
        assert.ok(!verify.steps.some((s: { uses?: string }) => s.uses?.startsWith("aws-actions/")), "the fork-safe job assumes no role");
    });

    it("previews and deploys use each environment's own role, state bucket and the policy pack", () => {
        const pr = YAML.parse(read("pr.yml"));
        const deploy = YAML.parse(read("deploy.yml"));
        const matrix = pr.jobs.preview.strategy.matrix.include as Array<{ environment: string; account: string }>;
        assert.deepEqual(matrix.map((m) => m.environment), ENVIRONMENTS.filter((e) => e !== "prod"), "prod's preview runs in its own job, after an approving review");
        const pulumiCommand = (steps: Array<{ uses?: string; with?: Record<string, unknown> }>) => steps.find((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command !== undefined)!;
        for (const env of ENVIRONMENTS) {
            const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, env));
            if (env === "prod") {
                const prod = pr.jobs["preview-prod"];
                const role = prod.steps.find((s: { uses?: string }) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
                assert.equal(role.with["role-to-assume"], `arn:aws:iam::${config.accountId}:role/${roleNames.githubPreview(config.namePrefix)}`);
                const run = pulumiCommand(prod.steps);
                assert.deepEqual([run.with!.command, run.with!["stack-name"], run.with!["cloud-url"]], ["preview", env, pulumiBackendUrl(config.namePrefix, config.accountId, config.region)]);
            } else {
                assert.equal(matrix.find((m) => m.environment === env)!.account, config.accountId, `preview account of ${env}`);
            }
            const job = deploy.jobs[`deploy-${env}`];
            assert.equal(job.environment, env);
            assert.deepEqual(job.concurrency, { group: `deploy-${env}`, "cancel-in-progress": false });
            const creds = job.steps.find((s: { uses?: string }) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
            assert.equal(creds.with["role-to-assume"], `arn:aws:iam::${config.accountId}:role/${roleNames.githubDeploy(config.namePrefix)}`);
            assert.equal(creds.with["role-session-name"], `${deploySessionPrefix(env)}\${{ github.run_id }}`, "the session name the audit detections recognise as a deploy run");
            const up = pulumiCommand(job.steps);
            assert.equal(up.with!.command, "up");
            assert.equal(up.with!["stack-name"], env);
            assert.equal(up.with!["cloud-url"], pulumiBackendUrl(config.namePrefix, config.accountId, config.region));
            assert.equal(up.with!.policyPacks, "policies");
            assert.equal(up.with!.policyPackConfigs, PACK_CONFIG_FILE);
        }
        const preview = pulumiCommand(pr.jobs.preview.steps) as any;
        assert.equal(preview.with.command, "preview");
        assert.equal(preview.with["comment-on-pr"], true);
        assert.equal(preview.with.policyPacks, "policies");
        assert.equal(preview.with.policyPackConfigs, PACK_CONFIG_FILE);
        const roleTemplate = pr.jobs.preview.steps.find((s: { uses?: string }) => s.uses?.startsWith("aws-actions/")).with["role-to-assume"];
        assert.equal(roleTemplate, `arn:aws:iam::\${{ matrix.account }}:role/${roleNames.githubPreview("fl-${{ matrix.environment }}")}`);
    });

    it("deploys promote dev, then staging, then prod, after the merged commit is verified and signed", () => {
        const jobs = YAML.parse(read("deploy.yml")).jobs;
        assert.deepEqual(jobs["deploy-dev"].needs, ["verify", "sign"]);
        assert.equal(jobs.sign.needs, "verify");
        assert.equal(jobs["deploy-staging"].needs, "deploy-dev");
        assert.equal(jobs["deploy-prod"].needs, "deploy-staging");
    });

    it("the sign job assumes each environment's signing role, with no GitHub environment, and no other job holds a signing role", () => {
        const jobs = YAML.parse(read("deploy.yml")).jobs as Record<string, any>;
        const sign = jobs.sign;
        assert.equal(sign.environment, undefined);
        assert.equal(sign.if, "github.ref == 'refs/heads/main'");
        const creds = sign.steps.find((st: { uses?: string }) => st.uses?.startsWith("aws-actions/configure-aws-credentials@"));
        const rows = sign.strategy.matrix.include as Array<{ environment: string; account: string }>;
        assert.deepEqual(rows.map((r) => r.environment), [...ENVIRONMENTS]);
        for (const row of rows) {
            const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, row.environment));
            const role = String(creds.with["role-to-assume"]).replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_m: string, k: "environment" | "account") => row[k]);
            assert.equal(role, `arn:aws:iam::${config.accountId}:role/${roleNames.githubSigner(config.namePrefix)}`);
        }
        assert.match(sign.steps.map((st: { run?: string }) => st.run ?? "").join("\n"), /npx tsx tools\/sign-functions\.ts --stack "\$STACK"/);
        for (const file of workflowFiles) {
            for (const [id, job] of Object.entries(YAML.parse(read(file)).jobs as Record<string, any>)) {
                if (file === "deploy.yml" && id === "sign") continue;
                assert.ok(!JSON.stringify(job).includes("github-signer"), `${file} ${id} holds no signing role`);
            }
        }
    });

    it("every pinned action is listed with the same SHA and version in docs/cicd.md", () => {
        const docs = fs.readFileSync(path.join(PROJECT_DIR, "docs", "cicd.md"), "utf8");
        const pins = new Set<string>();
        for (const file of workflowFiles) {
            for (const m of read(file).matchAll(/uses:\s*([^\s#]+@[0-9a-f]{40})\s*#\s*(\S+)/g)) pins.add(`${m[1]} ${m[2]}`);
        }
        assert.ok(pins.size >= 4);
        for (const pin of pins) {
            const [ref, version] = pin.split(" ");
            assert.ok(docs.includes(`\`${ref}\``) && docs.includes(version), `docs/cicd.md lists ${ref} (${version})`);
        }
    });
});


describe("workflow hygiene rules catch bad examples", () => {
    it("the baseline example keeps every rule", () => {
        assert.deepEqual(checkWorkflow(BASELINE), []);
    });

    it("the signing baseline example keeps every rule", () => {
        assert.deepEqual(checkWorkflow(SIGN_BASELINE), []);
    });

    it("every rule has a bad example below", () => {
        assert.deepEqual(Object.keys(BAD_EXAMPLES).sort(), Object.keys(HYGIENE_RULES).sort());
    });

    const fakeKeyId = () => ["AKIA", "Q7WXL2M4N6P8R3T5"].join("");
    const BAD_EXAMPLES: Record<HygieneRule, Array<[string, () => string]>> = {
        "permissions-minimal": [
            ["no top-level permissions", () => replaceOnce(BASELINE, "permissions: {}\n", "")],
            ["write scope at the top", () => replaceOnce(BASELINE, "permissions: {}\n", "permissions:\n  contents: write\n")],
            ["id-token in a job that assumes no role", () => replaceOnce(BASELINE, `      - uses: ${AWS_CREDS}\n        with:\n          role-to-assume: arn:aws:iam::402817365190:role/fl-dev-github-preview\n          aws-region: us-east-1\n`, "")],
        ],
        "actions-pinned": [
            ["a tag", () => replaceOnce(BASELINE, CHECKOUT, "actions/checkout@v4")],
            ["a short SHA", () => replaceOnce(BASELINE, CHECKOUT, "actions/checkout@3d3c42e # v7.0.1")],
            ["a SHA without version comment", () => replaceOnce(BASELINE, CHECKOUT, "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1")],
            ["an image without digest", () => replaceOnce(BASELINE, CHECKOUT, "docker://alpine:3.20")],
        ],
        "pr-oidc-same-repo": [
            ["no same-repository guard", () => replaceOnce(BASELINE, "    if: github.event.pull_request.head.repo.full_name == github.repository\n", "")],
            ["pull_request_target", () => replaceOnce(BASELINE, "  pull_request:\n", "  pull_request_target:\n")],
        ],
        "env-no-secret": [
            ["a secrets expression in a job env", () => replaceOnce(BASELINE, "      STACK: dev\n", "      STACK: dev\n      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n")],
            ["a literal key id in env", () => replaceOnce(BASELINE, "      STACK: dev\n", `      STACK: dev\n      AWS_ACCESS_KEY_ID: ${fakeKeyId()}\n`)],
            ["a literal password in a workflow env", () => replaceOnce(BASELINE, "permissions: {}\n", `permissions: {}\nenv:\n  DB_PASSWORD: ${["hunter", "2-", "prod"].join("")}\n`)],
            ["a secret inlined in a script", () => replaceOnce(BASELINE, "          set -euo pipefail\n", "          set -euo pipefail\n          curl -H \"Authorization: ${{ secrets.API_TOKEN }}\" https://example.invalid\n")],
        ],
        "no-xtrace": [
            ["set -x", () => replaceOnce(BASELINE, "          set -euo pipefail\n", "          set -x\n")],
            ["set -euxo", () => replaceOnce(BASELINE, "          set -euo pipefail\n", "          set -euxo pipefail\n")],
            ["shell bash -x", () => replaceOnce(BASELINE, "      - name: token\n", "      - name: token\n        shell: bash -x {0}\n")],
        ],
        "no-show-secrets": [["pulumi config --show-secrets", () => replaceOnce(BASELINE, "          set -euo pipefail\n", "          set -euo pipefail\n          pulumi config --show-secrets\n")]],
        "outputs-suppressed": [
            ["pulumi/actions without suppress-outputs", () => replaceOnce(BASELINE, "          suppress-outputs: true\n", "")],
            ["pulumi up in a script without --suppress-outputs", () => replaceOnce(BASELINE, "          set -euo pipefail\n", "          set -euo pipefail\n          pulumi up --yes --stack dev\n")],
            ["pulumi stack output", () => replaceOnce(BASELINE, "          set -euo pipefail\n", "          set -euo pipefail\n          pulumi stack output --json\n")],
        ],
        "mask-derived": [
            ["a token used before it is masked", () => replaceOnce(BASELINE, '          echo "::add-mask::${token}"\n', "")],
            ["an ECR password echoed", () => replaceOnce(BASELINE, "          set -euo pipefail\n", '          set -euo pipefail\n          pw=$(aws ecr get-login-password)\n          echo "login with $pw"\n')],
        ],
        "no-untrusted-expression-in-run": [
            ["a branch name in a script", () => replaceOnce(BASELINE, "          set -euo pipefail\n", "          set -euo pipefail\n          echo \"building ${{ github.head_ref }}\"\n")],
            ["a PR title in a script", () => replaceOnce(BASELINE, "          set -euo pipefail\n", "          set -euo pipefail\n          echo \"${{ github.event.pull_request.title }}\"\n")],
            ["a reusable workflow input in a script", () => replaceOnce(BASELINE, "          set -euo pipefail\n", "          set -euo pipefail\n          docker build ${{ inputs.context }}\n")],
        ],
        "checkout-no-persist": [["checkout keeps the token", () => replaceOnce(BASELINE, "        with:\n          persist-credentials: false\n", "")]],
        "scanner-outside-tree": [
            ["the scanner through npx in the scanned tree", () => replaceOnce(BASELINE, 'node "$RUNNER_TEMP/scanner/node_modules/@secretlint/quick-start/bin/quick-start.js" "$RUNNER_TEMP/root/**/*"', 'npx --yes @secretlint/quick-start@13.0.5 "**/*"')],
            ["the scanner by a relative path", () => replaceOnce(BASELINE, 'node "$RUNNER_TEMP/scanner/node_modules/@secretlint/quick-start/bin/quick-start.js"', "node node_modules/@secretlint/quick-start/bin/quick-start.js")],
        ],
        "scan-without-oidc": [
            [
                "a scan job that holds id-token",
                () =>
                    replaceOnce(
                        BASELINE,
                        "  scan:\n    runs-on: ubuntu-24.04\n    permissions:\n      contents: read\n    steps:\n",
                        `  scan:\n    if: github.event.pull_request.head.repo.full_name == github.repository\n    runs-on: ubuntu-24.04\n    permissions:\n      contents: read\n      id-token: write\n    steps:\n      - uses: ${AWS_CREDS}\n        with:\n          role-to-assume: arn:aws:iam::402817365190:role/fl-dev-ecr-push\n          aws-region: us-east-1\n`,
                    ),
            ],
        ],
        "push-job-isolated": [
            ["a push job that runs npm", () => replaceOnce(BASELINE, '          docker load --input "$RUNNER_TEMP/image.tar"\n', '          docker load --input "$RUNNER_TEMP/image.tar"\n          npm --version\n')],
            ["a push job that checks out", () => replaceOnce(BASELINE, "    steps:\n      - uses: " + AWS_CREDS + "\n        with:\n          role-to-assume: arn:aws:iam::402817365190:role/fl-dev-ecr-push", "    steps:\n      - uses: " + CHECKOUT + "\n        with:\n          persist-credentials: false\n      - uses: " + AWS_CREDS + "\n        with:\n          role-to-assume: arn:aws:iam::402817365190:role/fl-dev-ecr-push")],
        ],
        "sign-job-main-only": [
            ["a signing job in a GitHub environment", () => replaceOnce(SIGN_BASELINE, "    if: github.ref == 'refs/heads/main'\n", "    if: github.ref == 'refs/heads/main'\n    environment: dev\n")],
            ["a signing job without the main-only condition", () => replaceOnce(SIGN_BASELINE, "    if: github.ref == 'refs/heads/main'\n", "")],
            ["a signing job in a workflow that can also be started by hand", () => replaceOnce(SIGN_BASELINE, "on:\n  push:\n    branches: [main]\n", "on:\n  push:\n    branches: [main]\n  workflow_dispatch:\n")],
            ["a signing job on pushes to any branch", () => replaceOnce(SIGN_BASELINE, "    branches: [main]\n", "    branches: ['**']\n")],
            ["a signing job that does not need verify", () => replaceOnce(SIGN_BASELINE, "  sign:\n    needs: verify\n", "  sign:\n")],
        ],
        "sign-job-isolated": [
            ["a signing job that also runs pulumi up", () => replaceOnce(SIGN_BASELINE, "      - run: npx tsx tools/sign-functions.ts --stack dev\n", "      - run: npx tsx tools/sign-functions.ts --stack dev\n      - run: pulumi up --yes --stack dev --suppress-outputs\n")],
            [
                "a signing job that also assumes the deploy role",
                () => replaceOnce(SIGN_BASELINE, "      - run: npx tsx tools/sign-functions.ts --stack dev\n", `      - run: npx tsx tools/sign-functions.ts --stack dev\n      - uses: ${AWS_CREDS}\n        with:\n          role-to-assume: arn:aws:iam::402817365190:role/fl-dev-github-deploy\n          aws-region: us-east-1\n`),
            ],
        ],
        "sign-before-deploy": [
            ["a deploy job that does not wait for signing", () => replaceOnce(SIGN_BASELINE, "    needs: [verify, sign]\n", "    needs: verify\n")],
        ],
        "install-no-scripts": [
            ["npm ci with install scripts in a job that assumes a role", () => replaceOnce(BASELINE, "npm ci --ignore-scripts --no-audit --no-fund", "npm ci --no-audit --no-fund")],
            ["pulumi without an explicit plugin install step", () => replaceOnce(BASELINE, "        run: pulumi plugin install resource aws 7.48.0\n", "        run: pulumi version\n")],
        ],
    };

    for (const [rule, examples] of Object.entries(BAD_EXAMPLES) as Array<[HygieneRule, Array<[string, () => string]>]>) {
        for (const [what, make] of examples) {
            it(`${rule} catches ${what}`, () => {
                const findings = checkWorkflow(make());
                assert.ok(
                    findings.some((f) => f.rule === rule),
                    `expected a ${rule} finding, got ${JSON.stringify(findings)}`,
                );
                assert.deepEqual(rulesOf(make()), [rule], "the bad example breaks only the rule it demonstrates");
            });
        }
    }
});
