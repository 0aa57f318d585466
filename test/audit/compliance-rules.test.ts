import { strict as assert } from "assert";
import * as path from "path";
import { buildConfigRules } from "../../components/compliance-rules";
import { AUTOMATED_STRATEGIES, catalogForEnvironment, loadCatalog } from "../../model/catalog";
import { PROJECT_DIR } from "../support/plan-cli";

describe("AWS Config rules from the catalog", () => {
    const secrets = catalogForEnvironment(loadCatalog(path.join(PROJECT_DIR, "catalog")), "prod").secrets.filter((s) => s.rotation.strategy !== "rds-managed");
    const rules = buildConfigRules(secrets, ["arn:aws:kms:us-east-1:736491028554:key/mrk-1"]);

    it("checks each automated strategy at its longest catalog period, and never a manual or assisted one", () => {
        const strategies = new Set(secrets.map((s) => s.rotation.strategy));
        for (const strategy of strategies) {
            const rule = rules.find((r) => r.id === `secret-rotation-enabled-${strategy}`);
            if (!AUTOMATED_STRATEGIES.has(strategy)) {
                assert.equal(rule, undefined, `${strategy} secrets have no Secrets Manager rotation for Config to check`);
                continue;
            }
            const longest = Math.max(...secrets.filter((s) => s.rotation.strategy === strategy).map((s) => s.rotation.days));
            assert.deepEqual(rule?.parameters, { maximumAllowedRotationFrequency: String(longest) }, strategy);
            assert.deepEqual(rule?.scope, { tagKey: "rotation-strategy", tagValue: strategy });
            const periodic = rules.find((r) => r.id === `secret-periodic-rotation-${strategy}`);
            assert.deepEqual(periodic?.parameters, { maxDaysSinceRotation: String(longest) });
        }
    });

    it("holds every critical secret to 30 days whatever its strategy", () => {
        assert.ok(secrets.some((s) => s.criticality === "critical" && s.rotation.days === 30));
        const critical = rules.filter((r) => r.scope?.tagValue === "critical");
        assert.deepEqual(
            critical.map((r) => [r.sourceIdentifier, r.parameters]),
            [
                ["SECRETSMANAGER_ROTATION_ENABLED_CHECK", { maximumAllowedRotationFrequency: "30" }],
                ["SECRETSMANAGER_SECRET_PERIODIC_ROTATION", { maxDaysSinceRotation: "30" }],
            ],
        );
    });

    it("names only the environment key for SECRETSMANAGER_USING_CMK", () => {
        assert.deepEqual(rules.find((r) => r.sourceIdentifier === "SECRETSMANAGER_USING_CMK")?.parameters, { kmsKeyArns: "arn:aws:kms:us-east-1:736491028554:key/mrk-1" });
    });

    it("adds no rotation rule for criticalities or strategies absent from the environment", () => {
        const onlyManual = buildConfigRules([{ name: "x", criticality: "standard", rotation: { strategy: "manual", days: 180 } }], ["k"]);
        assert.deepEqual(onlyManual.map((r) => r.id).sort(), ["secret-scheduled-rotation-success", "secret-unused", "secret-using-cmk"]);
    });
});
