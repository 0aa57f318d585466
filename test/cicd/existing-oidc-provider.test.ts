import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { githubOidcProviderArn } from "../../components/github-deploy";
import { roleNames } from "../../model/names";
import { parseEnvironmentConfig } from "../../model/config";
import type { PlanReport } from "../../tools/plan/report";
import { configProblems, stackConfigWith } from "../support/config-fixtures";
import { copyProject, runPlanIn } from "../support/plan-cli";

describe("reusing the account's GitHub OIDC provider (finledger:github.reuseOidcProvider)", function () {
    it("plans no second provider, and both roles trust the existing one", () => {
        const dir = copyProject();
        try {
            const file = path.join(dir, "Pulumi.staging.yaml");
            const yaml = fs.readFileSync(file, "utf8");
            assert.match(yaml, /^  finledger:github:\n    org: /m);
            fs.writeFileSync(file, yaml.replace(/^  finledger:github:\n/m, "  finledger:github:\n    reuseOidcProvider: true\n"));
            const json = path.join(dir, "plan.json");
            const res = runPlanIn(dir, ["--stack", "staging", "--json", json]);
            assert.equal(res.status, 0, res.stderr);
            const report = JSON.parse(fs.readFileSync(json, "utf8")) as PlanReport;
            assert.deepEqual(report.resources.filter((r) => r.type === "aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((r) => r.name), []);
            const account = "518204967331";
            for (const role of [roleNames.githubDeploy("fl-staging"), roleNames.githubPreview("fl-staging")]) {
                const r = report.resources.find((x) => x.type === "aws:iam/role:Role" && (x.inputs as any).name === role)!;
                assert.equal(JSON.parse((r.inputs as any).assumeRolePolicy).Statement[0].Principal.Federated, githubOidcProviderArn(account), role);
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("defaults to creating it, and rejects a non-boolean naming the file and key", () => {
        const raw = stackConfigWith("staging", "finledger:github", { org: "finledger", repo: "secrets-platform", subjectFormat: "legacy" });
        assert.equal(parseEnvironmentConfig(raw).github.reuseOidcProvider, false);
        const message = configProblems(stackConfigWith("staging", "finledger:github", { org: "finledger", repo: "secrets-platform", reuseOidcProvider: "yes" }));
        assert.match(message, /Pulumi\.staging\.yaml/);
        assert.match(message, /reuseOidcProvider/);
    });
});
