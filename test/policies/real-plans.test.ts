import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { policies } from "../../policies/registry";
import { loadPackConfig } from "../../tools/pack-config";
import { PolicyTarget, runPolicies, Violation } from "../../tools/policy-runner";
import { planReport, PROJECT_DIR } from "../support/plan-cli";
import { ACCOUNTS, fake, stackExportOf, target, targetsOfReport } from "../support/policy-fixtures";

const mandatoryOf = (violations: Violation[]) => violations.filter((v) => v.level === "mandatory");

/** One realistic mistake per environment and the rules that must catch it (and no other). */
const INJECTIONS: Record<string, { rules: string[]; resource: () => PolicyTarget }> = {
    dev: {
        rules: ["any-resource-no-cross-environment-grant"],
        // A dev workload granted a prod secret.
        resource: () =>
            target("aws:iam/rolePolicy:RolePolicy", "airflow-risk-extra-read", {
                role: "fl-dev-wl-airflow-risk",
                policy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: `arn:aws:secretsmanager:us-east-1:${ACCOUNTS.prod}:secret:prod/airflow/connections/pg_kyc_ro-AbCdEf` }],
                }),
            }),
    },
    staging: {
        rules: ["kubernetes-secret-no-literal-data"],
        resource: () => target("kubernetes:core/v1:Secret", "webhook", { metadata: { name: "webhook", namespace: "airflow" }, stringData: { url: "pending" } }, { stack: "staging" }),
    },
    prod: {
        // A token pasted into a Helm value: in the release's inputs and, copied by the provider, in its outputs, so
        // state holds it twice and both the inputs rule and the outputs rule report it.
        rules: ["any-resource-no-plaintext-secret", "any-resource-no-plaintext-output"],
        resource: () => target("kubernetes:helm.sh/v3:Release", "airflow-risk", { chart: "airflow", values: { config: { api: { auth_token: fake.githubToken(42) } } } }, { stack: "prod" }),
    },
};

describe("the pack on the real plans", function () {
    this.timeout(180_000);
    const packConfig = loadPackConfig(PROJECT_DIR);

    for (const stack of ["dev", "staging", "prod"]) {
        it(`${stack}: the plan has zero mandatory violations and no rule fails to run`, async () => {
            const violations = await runPolicies(targetsOfReport(planReport(stack)), policies, packConfig);
            assert.deepEqual(mandatoryOf(violations).map((v) => `${v.policy}: ${v.message}`), []);
            assert.deepEqual(violations.filter((v) => /failed to run|can't run/.test(v.message)), []);
        });

        it(`${stack}: one injected bad resource fails with exactly ${INJECTIONS[stack].rules.join(" and ")}`, async () => {
            const injected = INJECTIONS[stack].resource();
            const targets = [...targetsOfReport(planReport(stack)), injected];
            const violations = mandatoryOf(await runPolicies(targets, policies, packConfig));
            assert.deepEqual([...new Set(violations.map((v) => v.policy))].sort(), [...INJECTIONS[stack].rules].sort());
            assert.ok(violations.every((v) => v.urn === injected.urn));
        });
    }

    it("policy:check on a stack export of the prod plan reports the same as plan, and exits 1 with the injected resource", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-"));
        try {
            const targets = [...targetsOfReport(planReport("prod")), INJECTIONS.prod.resource()];
            const file = path.join(dir, "prod-export.json");
            fs.writeFileSync(file, JSON.stringify(stackExportOf(targets)));
            const out = path.join(dir, "report.json");
            const res = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "tools", "policy-check.ts"), file, "--json", out], { cwd: PROJECT_DIR, encoding: "utf8" });
            assert.equal(res.status, 1, res.stderr);
            const report = JSON.parse(fs.readFileSync(out, "utf8"));
            assert.equal(report.stack, "prod");
            assert.equal(report.resources.length, targets.length);
            assert.deepEqual([...new Set(mandatoryOf(report.violations).map((v: Violation) => v.policy))].sort(), [...INJECTIONS.prod.rules].sort());
            assert.match(res.stdout, /Policy check of .*prod-export\.json \(stack-export, stack 'prod'\)/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
