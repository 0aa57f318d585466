// The Snowflake part of the environment model, as plain data (no Pulumi): who gets a user, which role and
// warehouse, what the roles may use, the network policy, and the rotator's exact grants. And the config checks.
import { strict as assert } from "assert";
import * as path from "path";
import { loadCatalog } from "../../model/catalog";
import { ConfigError, ENVIRONMENTS, EnvironmentConfig, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { planEnvironment } from "../../model/environment";
import { fullSecretName } from "../../model/names";
import { egressCidrProblems, KEY_SLOT_PRIVILEGE, planSnowflake, SNOWFLAKE_KEY_KIND } from "../../model/snowflake";
import { sharedSnowflakeProblems } from "../../model/snowflake-accounts";

const PROJECT = path.resolve(__dirname, "..", "..");
const catalog = loadCatalog(path.join(PROJECT, "catalog"));
const configOf = (env: string): EnvironmentConfig => parseEnvironmentConfig(readStackFile(PROJECT, env));
const withSnowflake = (config: EnvironmentConfig, change: Partial<EnvironmentConfig["snowflake"]>): EnvironmentConfig => ({ ...config, snowflake: { ...config.snowflake, ...change } });

describe("Snowflake objects of an environment (model/snowflake.ts, no Pulumi)", () => {
    for (const env of ENVIRONMENTS) {
        it(`${env}: one service user per consumed key-pair secret, with its workload's role and warehouse, and grants on ${env}'s objects only`, () => {
            const model = planEnvironment(configOf(env), catalog);
            assert.deepEqual(model.configProblems, []);
            assert.deepEqual(model.catalogProblems, []);
            const sf = model.snowflake;
            const prefix = `FL_${env.toUpperCase()}_`;
            const consumed = model.catalog.secrets.filter((s) => s.kind === SNOWFLAKE_KEY_KIND && s.consumers.length > 0);
            assert.ok(consumed.length > 50, `expected the catalog's Snowflake consumers, found ${consumed.length}`);
            assert.deepEqual(sf.users.map((u) => u.secretName).sort(), consumed.map((s) => s.name).sort());
            for (const u of sf.users) {
                const secret = consumed.find((s) => s.name === u.secretName)!;
                assert.equal(u.workloadId, secret.consumers[0]);
                assert.ok(u.name.startsWith(prefix), u.name);
                assert.equal(u.fullSecretName, fullSecretName(env, secret.name));
                assert.equal(u.defaultRole, sf.roles.find((r) => r.workloadId === u.workloadId)!.name);
                assert.match(u.defaultWarehouse, new RegExp(`^FL_${env.toUpperCase()}_`));
            }
            assert.equal(new Set(sf.users.map((u) => u.name)).size, sf.users.length, "user names are unique");
            // One role per workload that reads Snowflake, each with usage on this environment's database and its warehouse, nothing else.
            assert.deepEqual(sf.roles.map((r) => r.workloadId).sort(), [...new Set(sf.users.map((u) => u.workloadId))].sort());
            for (const r of sf.roles) {
                assert.ok(r.name.startsWith(`${prefix}WL_`), r.name);
                assert.deepEqual(r.grants.map((g) => `${g.objectType} ${g.privileges.join(",")}`), ["DATABASE USAGE", "WAREHOUSE USAGE"]);
                assert.equal(r.grants[0]!.objectName, `FL_${env.toUpperCase()}`);
                for (const g of r.grants) assert.ok(g.objectName === `FL_${env.toUpperCase()}` || g.objectName.startsWith(prefix), `${r.name} ${g.objectName}`);
            }
            assert.deepEqual(sf.networkPolicy.allowedIpCidrs, configOf(env).snowflake.allowedIpCidrs);
            assert.deepEqual(egressCidrProblems(sf.networkPolicy.allowedIpCidrs), []);
            assert.deepEqual([sf.account.organizationName, sf.account.accountName], ["FINLEDGER", env.toUpperCase()]);
        });

        it(`${env}: the rotator holds ${KEY_SLOT_PRIVILEGE} on exactly the platform's service users and itself, and nothing else`, () => {
            const sf = planEnvironment(configOf(env), catalog).snowflake;
            const r = sf.rotator;
            assert.equal(r.roleName, `FL_${env.toUpperCase()}_ROTATION`);
            assert.equal(r.secretName, "platform/snowflake-rotation-admin");
            assert.deepEqual(new Set(r.grants.map((g) => `${g.objectType} ${g.privileges.join(",")}`)), new Set([`USER ${KEY_SLOT_PRIVILEGE}`]));
            assert.deepEqual(r.grants.map((g) => g.objectName).sort(), [...sf.users.map((u) => u.name), r.userName].sort());
            assert.ok(!r.grants.some((g) => g.objectName === sf.provisioner.userName), "the rotator can never set the provisioner's keys");
            assert.ok(!sf.users.some((u) => u.secretName === r.secretName), "the rotator's own secret is not a workload user");
        });
    }

    it("leaves key-pair secrets that no workload consumes (BI tools) to their owners and says so", () => {
        const sf = planEnvironment(configOf("prod"), catalog).snowflake;
        assert.ok(sf.unmanagedKeySecrets.includes("snowflake/bi/looker"), sf.unmanagedKeySecrets.join(", "));
        assert.ok(!sf.users.some((u) => u.secretName === "snowflake/bi/looker"));
    });

    it("refuses an egress CIDR open to the world, one that is not a CIDR, and one wider than a /16, naming each entry", () => {
        const config = withSnowflake(configOf("dev"), { allowedIpCidrs: ["52.0.18.11/32", "0.0.0.0/0", "10.0.0.0/8", "52.0.18.300/32"] });
        const problems = planSnowflake(config, planEnvironment(configOf("dev"), catalog).catalog, "Pulumi.dev.yaml").configProblems;
        assert.deepEqual(problems.map((p) => `${p.file} ${p.key} ${p.found}`), [
            'Pulumi.dev.yaml finledger:snowflake.allowedIpCidrs[1] "0.0.0.0/0"',
            'Pulumi.dev.yaml finledger:snowflake.allowedIpCidrs[2] "10.0.0.0/8"',
            'Pulumi.dev.yaml finledger:snowflake.allowedIpCidrs[3] "52.0.18.300/32"',
        ]);
        assert.match(problems[0]!.expected, /never 0\.0\.0\.0\/0/);
    });

    it("refuses a Snowflake consumer without a warehouse, naming the workload type's key and the first workload", () => {
        const config = withSnowflake(configOf("dev"), { warehouse: undefined, warehouses: { dbt: "FL_DEV_TRANSFORM_WH" } });
        const problems = planEnvironment(config, catalog).configProblems;
        const keys = problems.map((p) => p.key).sort();
        assert.deepEqual(keys, ["finledger:snowflake.warehouses.airflow", "finledger:snowflake.warehouses.spark"]);
        assert.match(problems.find((p) => p.key.endsWith(".spark"))!.expected, /a warehouse for the spark workloads that use Snowflake \(first: 'spark-[a-z-]+', secret 'snowflake\/spark\//);
    });

    it("refuses a database or warehouse of another environment and a rotation role outside the prefix", () => {
        const config = withSnowflake(configOf("dev"), { database: "FL_PROD", warehouses: { dbt: "FL_STAGING_TRANSFORM_WH" } });
        const bad = { ...config, rotation: { ...config.rotation, snowflake: { ...config.rotation.snowflake, rotationRole: "FL_PROD_ROTATION" } } };
        const keys = planEnvironment(bad, catalog).configProblems.map((p) => p.key).sort();
        assert.deepEqual(keys, ["finledger:rotation.snowflake.rotationRole", "finledger:snowflake.database", "finledger:snowflake.warehouses.dbt"]);
    });

    it("refuses a rotator key pair that is not a catalog key-pair secret of the environment", () => {
        const config = configOf("dev");
        const bad = { ...config, rotation: { ...config.rotation, snowflake: { ...config.rotation.snowflake, rotatorKeyPairName: "dev/platform/rotation/snowflake-rotator" } } };
        const problems = planEnvironment(bad, catalog).configProblems;
        assert.deepEqual(problems.map((p) => p.key), ["finledger:rotation.snowflake.rotatorKeyPairName"]);
        assert.match(problems[0]!.expected, /a snowflake-keypair secret of the catalog in dev/);
    });

    it("refuses an account, database or warehouse that another environment's stack file names", () => {
        const dev = { file: "Pulumi.dev.yaml", environment: "dev", snowflake: configOf("dev").snowflake };
        const others = ["staging", "prod"].map((e) => ({ file: `Pulumi.${e}.yaml`, environment: e, snowflake: configOf(e).snowflake }));
        assert.deepEqual(sharedSnowflakeProblems(dev, others), []);
        const shared = { ...dev, snowflake: { ...dev.snowflake, account: "FINLEDGER-PROD", warehouses: { dbt: "FL_STAGING_TRANSFORM_WH" } } };
        const problems = sharedSnowflakeProblems(shared, others);
        assert.deepEqual(problems.map((p) => `${p.file} ${p.key}`), ["Pulumi.dev.yaml finledger:snowflake.account", "Pulumi.dev.yaml finledger:snowflake.warehouses.dbt"]);
        assert.match(problems[0]!.expected, /Pulumi\.prod\.yaml \(prod\) names the same one/);
        assert.ok(new ConfigError(problems).message.includes("Pulumi.dev.yaml: key 'finledger:snowflake.account': found \"FINLEDGER-PROD\""));
    });
});
