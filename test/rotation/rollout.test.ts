// The grace rule and the rollout settings the runtime layer reads.
import * as assert from "assert";
import * as path from "path";
import { airflowSecretsCacheEnv, DEFAULT_ROLLOUT, esoRefreshInterval, goDurationSeconds, graceRuleViolations, guaranteedGraceSeconds, reloaderAnnotations, requiredGraceSeconds, rolloutSettings } from "../../model/rollout";
import { loadCatalog } from "../../model/catalog";
import { ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { planEnvironment } from "../../model/environment";
import { PROJECT_DIR } from "../support/plan-cli";

describe("rollout and the grace rule", () => {
    it("needs the slowest refresh path plus the longest task", () => {
        // max(3600 + 120 + 300, 300) + 21600
        assert.strictEqual(requiredGraceSeconds(DEFAULT_ROLLOUT), 3600 + 120 + 300 + 21600, "ESO refresh + kubelet + margin (the oldest file a task accepts) + longest task");
        assert.strictEqual(requiredGraceSeconds({ ...DEFAULT_ROLLOUT, esoRefreshIntervalSeconds: 60, airflowSecretsCacheTtlSeconds: 900 }), 900 + 21600);
        assert.strictEqual(requiredGraceSeconds({ ...DEFAULT_ROLLOUT, esoRefreshIntervalSeconds: 60, airflowSecretsCacheTtlSeconds: 100 }), 60 + 120 + 300 + 21600);
    });

    it("guarantees the schedule minus one window, and flags a schedule that is too short", () => {
        assert.strictEqual(guaranteedGraceSeconds(30, 4), 30 * 86400 - 4 * 3600);
        assert.deepStrictEqual(graceRuleViolations(DEFAULT_ROLLOUT, 4, [{ name: "a/b", days: 30 }]), []);
        const tight = graceRuleViolations({ ...DEFAULT_ROLLOUT, longestTaskSeconds: 2 * 86400 }, 24, [{ name: "a/b", days: 2 }]);
        assert.strictEqual(tight.length, 1);
        assert.match(tight[0]!, /Secret 'a\/b' rotates every 2 days .* rotate it less often/);
    });

    for (const env of ENVIRONMENTS) {
        it(`holds for every Lambda-rotated secret of ${env} with ${env}'s config`, () => {
            const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, env));
            const model = planEnvironment(config, loadCatalog(path.join(PROJECT_DIR, "catalog")));
            const rollout = rolloutSettings(config);
            assert.strictEqual(rollout.esoRefreshIntervalSeconds, goDurationSeconds(config.runtime.refreshInterval));
            assert.deepStrictEqual(model.rollout, rollout);
            assert.deepStrictEqual(model.configProblems, []);
        });
    }

    it("renders the settings the runtime layer applies", () => {
        assert.strictEqual(esoRefreshInterval(DEFAULT_ROLLOUT), "1h");
        assert.strictEqual(goDurationSeconds("1h30m"), 5400);
        assert.throws(() => goDurationSeconds("15 minutes"), /not a Go duration/);
        assert.strictEqual(esoRefreshInterval({ ...DEFAULT_ROLLOUT, esoRefreshIntervalSeconds: 90 }), "90s");
        assert.deepStrictEqual(airflowSecretsCacheEnv(DEFAULT_ROLLOUT), { AIRFLOW__SECRETS__USE_CACHE: "True", AIRFLOW__SECRETS__CACHE_TTL_SECONDS: "300" });
        assert.deepStrictEqual(reloaderAnnotations(["b", "a", "b"]), { "secret.reloader.stakater.com/reload": "a,b" });
        assert.deepStrictEqual(reloaderAnnotations([]), {});
    });
});

describe("finledger:rotation config", () => {
    function withRotation(env: string, patch: (r: any) => void) {
        const raw = readStackFile(PROJECT_DIR, env);
        const rotation = JSON.parse(JSON.stringify(raw.values["finledger:rotation"]));
        patch(rotation);
        return { ...raw, values: { ...raw.values, "finledger:rotation": rotation } };
    }

    it("rejects ACCOUNTADMIN as the rotation role and a cluster of another account, naming both keys", () => {
        const raw = withRotation("prod", (r) => {
            r.snowflake.rotationRole = "ACCOUNTADMIN";
            r.kafka.clusterArn = "arn:aws:kafka:us-east-1:402817365190:cluster/fl-dev-events/abc-1";
        });
        assert.throws(() => parseEnvironmentConfig(raw), (e: Error) => {
            assert.match(e.message, /finledger:rotation\.snowflake\.rotationRole.*never ACCOUNTADMIN/);
            return true;
        });
        const other = withRotation("prod", (r) => (r.kafka.clusterArn = "arn:aws:kafka:us-east-1:402817365190:cluster/fl-dev-events/abc-1"));
        assert.throws(() => parseEnvironmentConfig(other), /finledger:rotation\.kafka\.clusterArn.*own account 736491028554/);
    });

    it("rejects a single subnet, a bad window and an unknown key", () => {
        const raw = withRotation("dev", (r) => {
            r.vpc.subnetIds = [r.vpc.subnetIds[0]];
            r.windowHours = 30;
            r.rollout.refresh = 5;
        });
        assert.throws(() => parseEnvironmentConfig(raw), (e: Error) => {
            assert.match(e.message, /rotation\.vpc\.subnetIds.*at least two private subnets/);
            assert.match(e.message, /rotation\.windowHours.*at most 24 hours/);
            assert.match(e.message, /rotation\.rollout\.refresh.*unknown key/);
            return true;
        });
    });

    it("fills rollout defaults when the block is absent", () => {
        const raw = withRotation("staging", (r) => delete r.rollout);
        const { esoRefreshIntervalSeconds: _eso, ...rest } = DEFAULT_ROLLOUT;
        assert.deepStrictEqual(parseEnvironmentConfig(raw).rotation.rollout, rest);
    });
});
