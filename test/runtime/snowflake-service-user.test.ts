// SnowflakeServiceUser under Pulumi mocks: a service user with no password, both key slots owned by rotation, one
// role, and grants only on its own environment's database and warehouse.
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "assert";
import { buildSnowflakeServiceUserPlan, SnowflakeServiceUser } from "../../components/snowflake-service-user";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

const registered: Registered[] = [];
const PROD = { database: "FL_PROD", warehouse: "FL_PROD_WH", rolePrefix: "FL_PROD_" };

describe("SnowflakeServiceUser", () => {
    // Mocks only need to be in place before a resource is constructed.
    before(async () => {
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                    return { id: `${args.name}-id`, state: { ...args.inputs, name: args.inputs.name ?? args.name } };
                },
                call: (args) => {
                    throw new Error(`unexpected invoke ${args.token}`);
                },
            },
            "finledger-secrets-platform",
            "prod",
            false,
        );
    });

    it("creates a key-pair-only service user whose grants stay in its environment", async () => {
        const user = new SnowflakeServiceUser("dbt-finance-marts", { workloadId: "dbt-finance-marts", environment: PROD, allowedIpCidrs: ["52.20.10.4/32"] });
        await new Promise<void>((resolve) => pulumi.output(user.urn).apply(() => resolve()));
        // Children register asynchronously; wait for the last one.
        for (let i = 0; i < 100 && !registered.some((r) => r.type === "snowflake:index/grantAccountRole:GrantAccountRole"); i++) await new Promise((r) => setTimeout(r, 20));
        const users = registered.filter((r) => r.type === "snowflake:index/serviceUser:ServiceUser");
        assert.equal(users.length, 1);
        const u = users[0].inputs;
        assert.equal(u.name, "FL_PROD_DBT_FINANCE_MARTS");
        for (const forbidden of ["password", "mustChangePassword", "rsaPublicKey2"]) assert.equal(u[forbidden], undefined, `${forbidden} is set`);
        assert.equal(u.defaultRole, "FL_PROD_DBT_FINANCE_MARTS");
        assert.equal(u.networkPolicy, "FL_PROD_DBT_FINANCE_MARTS_NETWORK");
        const grants = registered.filter((r) => r.type === "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole").map((r) => r.inputs);
        assert.deepEqual(grants.map((g) => `${g.onAccountObject.objectType} ${g.onAccountObject.objectName} ${g.privileges}`).sort(), ["DATABASE FL_PROD USAGE", "WAREHOUSE FL_PROD_WH USAGE"]);
        for (const g of grants) assert.match(g.onAccountObject.objectName, /^FL_PROD(_|$)/);
        const network = registered.find((r) => r.type === "snowflake:index/networkPolicy:NetworkPolicy")!.inputs;
        assert.deepEqual(network.allowedIpLists, ["52.20.10.4/32"]);
    });

    it("refuses grants on another environment's objects and an open network policy, naming each", () => {
        assert.throws(
            () => new SnowflakeServiceUser("bad", { workloadId: "dbt-x", environment: { ...PROD, database: "FL_DEV" }, allowedIpCidrs: ["0.0.0.0/0"] }),
            (err: Error) => /environment.database 'FL_DEV' does not belong to the environment of prefix FL_PROD_/.test(err.message) && /allowedIpCidrs entry '0.0.0.0\/0' is not a specific IPv4 CIDR/.test(err.message),
        );
    });

    it("names user and role after the environment prefix and workload", () => {
        const plan = buildSnowflakeServiceUserPlan("spark-payments-stream-enrich", { database: "FL_DEV", warehouse: "FL_DEV_WH", rolePrefix: "FL_DEV_" });
        assert.equal(plan.userName, "FL_DEV_SPARK_PAYMENTS_STREAM_ENRICH");
        assert.ok(plan.grants.every((g) => g.objectName.startsWith("FL_DEV")));
    });
});
