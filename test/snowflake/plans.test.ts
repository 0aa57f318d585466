// The real plans of dev, staging and prod (npm run plan, Pulumi mocks, the whole pack): each holds its environment's
// Snowflake users, roles, grants and network policy exactly as the model plans them, names nothing of another
// environment, and the pack reports no violation on any Snowflake resource. Bad Snowflake config exits 2.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadCatalog } from "../../model/catalog";
import { ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { planEnvironment } from "../../model/environment";
import { KEY_SLOT_PRIVILEGE } from "../../model/snowflake";
import { copyProject, planReport, PROJECT_DIR, runPlanIn } from "../support/plan-cli";

const T = {
    user: "snowflake:index/serviceUser:ServiceUser",
    role: "snowflake:index/accountRole:AccountRole",
    grant: "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole",
    roleToUser: "snowflake:index/grantAccountRole:GrantAccountRole",
    network: "snowflake:index/networkPolicy:NetworkPolicy",
    provider: "pulumi:providers:snowflake",
};

describe("Snowflake in the plans of all three environments", function () {
    this.timeout(600_000);
    const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));

    for (const env of ENVIRONMENTS) {
        it(`${env}: the plan holds the model's users, roles, grants and network policy, and no Snowflake object of another environment`, () => {
            const report = planReport(env);
            const model = planEnvironment(parseEnvironmentConfig(readStackFile(PROJECT_DIR, env)), catalog).snowflake;
            const of = (type: string) => report.resources.filter((r) => r.type === type).map((r) => r.inputs as Record<string, any>);
            const users = of(T.user);
            assert.deepEqual(users.map((u) => u.name).sort(), [...model.users.map((u) => u.name), model.rotator.userName].sort());
            for (const u of users) {
                for (const forbidden of ["password", "rsaPublicKey", "rsaPublicKey2"]) assert.equal(u[forbidden], undefined, `${u.name} sets ${forbidden}`);
                assert.equal(u.networkPolicy, model.networkPolicy.name);
            }
            assert.deepEqual(of(T.role).map((r) => r.name).sort(), [...model.roles.map((r) => r.name), model.rotator.roleName].sort());
            const grants = of(T.grant).map((g) => `${g.accountRoleName} ${g.privileges.join(",")} ${g.onAccountObject.objectType} ${g.onAccountObject.objectName}`);
            const expected = [
                ...model.roles.flatMap((r) => r.grants.map((g) => `${r.name} ${g.privileges.join(",")} ${g.objectType} ${g.objectName}`)),
                ...model.rotator.grants.map((g) => `${model.rotator.roleName} ${KEY_SLOT_PRIVILEGE} USER ${g.objectName}`),
            ];
            assert.deepEqual(grants.sort(), expected.sort());
            assert.deepEqual(of(T.roleToUser).map((g) => `${g.roleName}>${g.userName}`).sort(), [...model.users.map((u) => `${u.defaultRole}>${u.name}`), `${model.rotator.roleName}>${model.rotator.userName}`].sort());
            assert.deepEqual(of(T.network).map((n) => n.allowedIpLists), [model.networkPolicy.allowedIpCidrs]);
            const providers = of(T.provider);
            assert.equal(providers.length, 1);
            assert.deepEqual([providers[0]!.organizationName, providers[0]!.accountName, providers[0]!.user], ["FINLEDGER", env.toUpperCase(), `FL_${env.toUpperCase()}_PROVISIONER`]);
            for (const k of ["privateKey", "password", "token", "privateKeyPassphrase"]) assert.equal(providers[0]![k], undefined, `the provider's ${k} is a program input`);
            // Nothing names another environment's Snowflake objects, and the pack agrees.
            const text = JSON.stringify(report.resources.filter((r) => r.type.startsWith("snowflake:")).map((r) => r.inputs));
            for (const other of ENVIRONMENTS.filter((e) => e !== env)) assert.doesNotMatch(text, new RegExp(`\\bFL_${other.toUpperCase()}(_|\\b)`), `the ${env} plan names a ${other} object`);
            assert.deepEqual(report.violations.filter((v) => /snowflake/i.test(`${v.urn} ${v.policy}`)), []);
            assert.equal(report.summary.resourcesByType[T.user], users.length);
        });
    }

    for (const env of ENVIRONMENTS) {
        it(`${env}: no planned Snowflake resource names the previewer or grants to PUBLIC, so the previewer's login keeps no privilege`, () => {
            const model = planEnvironment(parseEnvironmentConfig(readStackFile(PROJECT_DIR, env)), catalog).snowflake;
            const snowflakeInputs = planReport(env).resources.filter((r) => r.type.startsWith("snowflake:")).map((r) => JSON.stringify(r.inputs));
            assert.ok(snowflakeInputs.length > 100, `${env} plan has its Snowflake layer (${snowflakeInputs.length})`);
            const naming = snowflakeInputs.filter((t) => t.includes(model.previewer.userName) || t.includes(model.previewer.roleName) || /"(accountRoleName|roleName|parentRoleName)":"PUBLIC"/i.test(t));
            assert.deepEqual(naming, []);
        });
    }

    describe("bad Snowflake config exits 2 with the file and the key", () => {
        let dir: string;
        beforeEach(() => (dir = copyProject()));
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
        const edit = (file: string, from: string, to: string) => {
            const text = fs.readFileSync(path.join(dir, file), "utf8");
            assert.ok(text.includes(from), `${file} no longer contains ${JSON.stringify(from)}; update this test`);
            fs.writeFileSync(path.join(dir, file), text.replace(from, to));
        };
        const refused = (message: RegExp) => {
            const res = runPlanIn(dir, ["--stack", "dev"]);
            assert.equal(res.status, 2, `expected exit 2, got ${res.status}:\n${res.stderr.slice(-2000)}`);
            assert.match(res.stderr, message);
            assert.doesNotMatch(res.stdout, /Resources by type/, "the plan went on to build resources");
        };

        it("an egress CIDR of 0.0.0.0/0", () => {
            edit("Pulumi.dev.yaml", "      - 192.0.2.12/32\n", "      - 0.0.0.0/0\n");
            refused(/Pulumi\.dev\.yaml: key 'finledger:snowflake\.allowedIpCidrs\[1\]': found "0\.0\.0\.0\/0"; expected the cluster's NAT egress CIDRs, never 0\.0\.0\.0\/0/);
        });

        it("a Snowflake account that another environment's stack file names", () => {
            edit("Pulumi.dev.yaml", "account: FINLEDGER-DEV", "account: FINLEDGER-STAGING");
            refused(/Pulumi\.dev\.yaml: key 'finledger:snowflake\.account': found "FINLEDGER-STAGING"; expected an account of dev alone, but Pulumi\.staging\.yaml \(staging\) names the same one/);
        });

        it("a Snowflake consumer without a warehouse", () => {
            edit("Pulumi.dev.yaml", "    warehouse: FL_DEV_WH\n", "");
            refused(/Pulumi\.dev\.yaml: key 'finledger:snowflake\.warehouses\.airflow': found nothing; expected a warehouse for the airflow workloads that use Snowflake/);
        });
    });
});
