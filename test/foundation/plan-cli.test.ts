import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { copyProject, runPlanCli, runPlanIn } from "../support/plan-cli";

describe("npm run plan (end to end)", () => {
    it("exits 2 with usage when --stack is missing", () => {
        const res = runPlanCli([]);
        assert.equal(res.status, 2);
        assert.match(res.stderr, /--stack is required/);
        assert.match(res.stderr, /Usage: npm run plan/);
    });

    it("exits 2 for a stack that is not an environment, and for an unknown flag", () => {
        const res = runPlanCli(["--stack", "qa"]);
        assert.equal(res.status, 2);
        assert.match(res.stderr, /Unknown stack 'qa'; the stacks are dev, staging, prod/);
        assert.match(runPlanCli(["--stack", "dev", "--jsn", "x"]).stderr, /Unknown argument '--jsn'/);
    });

    it("plans prod with exit 0 and writes the contract's JSON shape", () => {
        const res = runPlanCli(["--stack", "prod"]);
        const report = res.report!;
        assert.deepEqual(report.violations.filter((v) => v.level === "mandatory"), []);
        assert.equal(res.status, 0, res.stderr);
        assert.equal(report.stack, "prod");
        assert.deepEqual(Object.keys(report).sort(), ["resources", "stack", "summary", "violations"]);
        for (const r of report.resources) {
            assert.match(r.urn, /^urn:pulumi:prod::finledger-secrets-platform::/);
            assert.equal(typeof r.type, "string");
            assert.equal(typeof r.name, "string");
            assert.equal(typeof r.inputs, "object");
            assert.equal(typeof r.outputs, "object");
        }
        const secret = report.resources.find((r) => r.type === "aws:secretsmanager/secret:Secret")!;
        assert.match(secret.parent!, /finledger:secrets:ManagedSecret::/);
        assert.equal(report.summary.secretCount, report.resources.filter((r) => r.type === "aws:secretsmanager/secret:Secret").length);
        assert.match(res.stdout, /Secrets by criticality:/);
        if (report.violations.length === 0) assert.match(res.stdout, /Policy violations: none/);
        else assert.match(res.stdout, /Policy violations: \d+ mandatory/);
        assert.match(res.stdout, /Secrets by rotation \(strategy \/ period\):/);
    });

    describe("on a broken copy of the project", () => {
        let dir: string;
        beforeEach(() => (dir = copyProject()));
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("exits 2 and names the file and key for bad stack config", () => {
            const file = path.join(dir, "Pulumi.dev.yaml");
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('finledger:accountId: "402817365190"', 'finledger:accountId: "4028"'));
            const res = runPlanIn(dir, ["--stack", "dev"]);
            assert.equal(res.status, 2);
            assert.match(res.stderr, /Pulumi\.dev\.yaml: key 'finledger:accountId': found "4028"; expected a 12-digit AWS account id/);
        });

        it("exits 2 and names the file and entry for a bad catalog", () => {
            const file = path.join(dir, "catalog", "dbt.yaml");
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("consumers: [dbt-core-dimensions]", "consumers: [dbt-core-dimension]"));
            const res = runPlanIn(dir, ["--stack", "dev"]);
            assert.equal(res.status, 2);
            assert.match(res.stderr, /catalog\/dbt\.yaml: secret 'snowflake\/dbt\/core-dimensions' names consumer 'dbt-core-dimension', which is not a workload id/);
        });

        it("exits 1 when the program creates a secret that violates a mandatory policy", () => {
            const file = path.join(dir, "stacks", "index.ts");
            const source = fs.readFileSync(file, "utf8");
            const anchor = "    const deployAccess = buildDeployAccess(platform);\n";
            assert.ok(source.includes(anchor), "stacks/index.ts no longer builds deploy access where this test adds its secret");
            fs.writeFileSync(file, `import * as aws from "@pulumi/aws";\n${source.replace(anchor, `    new aws.secretsmanager.Secret("rogue", { name: "prod/rogue" }, { provider: platform.provider });\n${anchor}`)}`);
            const res = runPlanIn(dir, ["--stack", "prod"]);
            assert.equal(res.status, 1, res.stderr);
            assert.match(res.stdout, /\[mandatory\] secretsmanager-secret-uses-environment-cmk: Secret 'rogue' has no kmsKeyId/);
        });
    });
});
