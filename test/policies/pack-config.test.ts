import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../../policies/registry";
import { defaultExemptionsFor, PACK_EXEMPTIONS_BY_ENTRY, PACK_SETTINGS, SETTINGS_POLICY, settingsProblems } from "../../policies/settings";
import { ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { loadPackConfig } from "../../tools/pack-config";
import { PROJECT_DIR } from "../support/plan-cli";

describe("policies/pack-config.json", () => {
    it("declares every environment with the values of its Pulumi.<env>.yaml", () => {
        assert.deepEqual(PACK_SETTINGS.environments.map((e) => e.name).sort(), [...ENVIRONMENTS].sort());
        for (const env of ENVIRONMENTS) {
            const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, env));
            const declared = PACK_SETTINGS.environments.find((e) => e.name === env)!;
            assert.deepEqual(
                declared,
                {
                    name: config.environment,
                    accountId: config.accountId,
                    namePrefix: config.namePrefix,
                    oidcIssuer: config.cluster.oidcIssuer,
                    snowflakeDatabase: config.snowflake.database,
                    snowflakeRolePrefix: config.snowflake.rolePrefix,
                    snowflakeAccount: config.snowflake.account,
                },
                `policies/pack-config.json and Pulumi.${env}.yaml disagree about ${env}`,
            );
        }
    });

    it("is valid: environments complete and every exemption reasoned and unexpired", () => {
        assert.deepEqual(settingsProblems({ environments: PACK_SETTINGS.environments, exemptions: [], deprecatedLambdaRuntimes: [] }), []);
        for (const [entry, exemptions] of PACK_EXEMPTIONS_BY_ENTRY) assert.deepEqual(settingsProblems({ environments: [], exemptions, deprecatedLambdaRuntimes: [] }, new Date(), entry), [], entry);
    });

    it("is the file plan and policy:check load, keyed only by rule names (as --policy-pack-config requires)", () => {
        const config = loadPackConfig(PROJECT_DIR);
        const names = new Set(policies.map((p) => p.name));
        for (const key of Object.keys(config)) assert.ok(key === "all" || names.has(key), `pack config key '${key}' is not a rule of the pack`);
        assert.ok(config[SETTINGS_POLICY], "the shared settings live under the settings rule's entry");
    });

    it("bakes the environments into every rule's configSchema default, so each rule's getConfig carries them", () => {
        for (const p of policies) {
            const schema = p.configSchema?.properties as Record<string, any>;
            assert.deepEqual(schema.environments.default, PACK_SETTINGS.environments, p.name);
            assert.deepEqual(schema.exemptions.default, defaultExemptionsFor(p.name), p.name);
        }
    });

    it("every rule is mandatory, named <service>-<resource>-<rule>, carries controls and a remediation, and lives in its own file", () => {
        const names = policies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length, "rule names are unique");
        for (const p of policies) {
            assert.equal(p.enforcementLevel, "mandatory", p.name);
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+){2,}$/, p.name);
            assert.ok(p.controls.soc2.length > 0 && p.controls.pciDss.length > 0, `${p.name} names SOC 2 and PCI DSS controls`);
            assert.ok(p.remediation.length > 20, `${p.name} has a remediation`);
            assert.match(p.description ?? "", /\.$/, `${p.name} has a one-sentence description`);
        }
        const files = fs.readdirSync(path.join(PROJECT_DIR, "policies"), { recursive: true }) as string[];
        const ruleFiles = files.filter((f) => /^[a-z]+\/[a-z0-9-]+\.ts$/.test(f.split(path.sep).join("/")) && !f.startsWith("inspect"));
        assert.equal(ruleFiles.length, policies.length, `one file per rule: ${ruleFiles.join(", ")}`);
    });

    it("documents every rule in docs/policies.md", () => {
        const doc = fs.readFileSync(path.join(PROJECT_DIR, "docs", "policies.md"), "utf8");
        for (const p of policies) assert.ok(doc.includes(`\`${p.name}\``), `docs/policies.md lacks ${p.name}`);
    });

    it("has a pack package.json with a version and a PulumiPolicy.yaml pointing at the entry", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "policies", "package.json"), "utf8"));
        assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
        const yaml = fs.readFileSync(path.join(PROJECT_DIR, "policies", "PulumiPolicy.yaml"), "utf8");
        assert.match(yaml, /runtime:\s*\n\s*name: nodejs/);
        assert.ok(fs.existsSync(path.join(PROJECT_DIR, "policies", "index.ts")));
    });
});
