// The Snowflake components under Pulumi mocks: a service user with no password and no key (both slots left to the
// rotation), its workload's role; a workload role with usage on its environment's objects only; and the rotator,
// whose role holds the key-slot privilege on the given users and nothing else.
import * as pulumi from "@pulumi/pulumi";
import { strict as assert } from "assert";
import { KEY_SLOT_INPUTS, SnowflakeServiceUser } from "../../components/snowflake-service-user";
import { SnowflakeRotator } from "../../components/snowflake-rotator";
import { SnowflakeWorkloadRole } from "../../components/snowflake-workload-role";
import { KEY_SLOT_PRIVILEGE, PlannedSnowflakeUser } from "../../model/snowflake";

interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
}

const registered: Registered[] = [];
const USER: PlannedSnowflakeUser = {
    secretName: "snowflake/dbt/finance-marts",
    fullSecretName: "prod/snowflake/dbt/finance-marts",
    workloadId: "dbt-finance-marts",
    name: "FL_PROD_SNOWFLAKE_DBT_FINANCE_MARTS",
    defaultRole: "FL_PROD_WL_DBT_FINANCE_MARTS",
    defaultWarehouse: "FL_PROD_TRANSFORM_WH",
};

async function settled(component: pulumi.ComponentResource, lastType: string, count = 1): Promise<void> {
    await new Promise<void>((resolve) => pulumi.output(component.urn).apply(() => resolve()));
    // Children register asynchronously; wait for the last one.
    for (let i = 0; i < 200 && registered.filter((r) => r.type === lastType).length < count; i++) await new Promise((r) => setTimeout(r, 10));
}

describe("Snowflake components under mocks", () => {
    let ignoreChangesOf: Map<string, string[]>;
    before(async () => {
        ignoreChangesOf = new Map();
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
    // The mocks do not pass resource options on; a transformation records ignoreChanges as the engine sees them.
    const recorded = (): pulumi.ComponentResourceOptions => ({
        transformations: [
            (a) => {
                ignoreChangesOf.set(a.name, [...(a.opts.ignoreChanges ?? [])]);
                return undefined;
            },
        ],
    });

    it("creates a key-pair-only service user with no key, both key slots left to the rotation, and its workload's role", async () => {
        const c = new SnowflakeServiceUser("finance-marts", { user: USER, networkPolicyName: "FL_PROD_PLATFORM_EGRESS" }, recorded());
        await settled(c, "snowflake:index/grantAccountRole:GrantAccountRole");
        const users = registered.filter((r) => r.type === "snowflake:index/serviceUser:ServiceUser" && r.name === "finance-marts-user");
        assert.equal(users.length, 1);
        const u = users[0]!.inputs;
        assert.equal(u.name, USER.name);
        for (const forbidden of ["password", "mustChangePassword", "rsaPublicKey", "rsaPublicKey2"]) assert.equal(u[forbidden], undefined, `${forbidden} is set`);
        assert.equal(u.defaultRole, USER.defaultRole);
        assert.equal(u.defaultWarehouse, "FL_PROD_TRANSFORM_WH");
        assert.equal(u.defaultSecondaryRolesOption, "NONE");
        assert.equal(u.networkPolicy, "FL_PROD_PLATFORM_EGRESS");
        assert.deepEqual(ignoreChangesOf.get("finance-marts-user"), [...KEY_SLOT_INPUTS]);
        const grant = registered.find((r) => r.type === "snowflake:index/grantAccountRole:GrantAccountRole" && r.name === "finance-marts-role")!.inputs;
        assert.deepEqual([grant.roleName, grant.userName], [USER.defaultRole, USER.name]);
    });

    it("creates a workload role whose grants are exactly the planned ones on the environment's objects", async () => {
        const c = new SnowflakeWorkloadRole("wl-finance", {
            role: {
                workloadId: "dbt-finance-marts",
                name: "FL_PROD_WL_DBT_FINANCE_MARTS",
                grants: [
                    { privileges: ["USAGE"], objectType: "DATABASE", objectName: "FL_PROD" },
                    { privileges: ["USAGE"], objectType: "WAREHOUSE", objectName: "FL_PROD_TRANSFORM_WH" },
                ],
            },
        });
        await settled(c, "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole", 2);
        const grants = registered.filter((r) => r.type === "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole" && r.name.startsWith("wl-finance-")).map((r) => r.inputs);
        assert.deepEqual(grants.map((g) => `${g.accountRoleName} ${g.privileges} ${g.onAccountObject.objectType} ${g.onAccountObject.objectName}`).sort(), [
            "FL_PROD_WL_DBT_FINANCE_MARTS USAGE DATABASE FL_PROD",
            "FL_PROD_WL_DBT_FINANCE_MARTS USAGE WAREHOUSE FL_PROD_TRANSFORM_WH",
        ]);
    });

    it("creates the rotator: a key-less service user whose role holds the key-slot privilege on each given user and itself", async () => {
        const users = ["FL_PROD_A", "FL_PROD_B"];
        const grants = [...users, "FL_PROD_ROTATOR"].map((objectName) => ({ privileges: [KEY_SLOT_PRIVILEGE], objectType: "USER" as const, objectName }));
        const c = new SnowflakeRotator("rot", { rotator: { userName: "FL_PROD_ROTATOR", roleName: "FL_PROD_ROTATION", secretName: "platform/snowflake-rotation-admin", grants }, networkPolicyName: "FL_PROD_PLATFORM_EGRESS", users: new Map() }, recorded());
        await settled(c, "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole", 5);
        const user = registered.find((r) => r.name === "rot-user")!.inputs;
        assert.equal(user.defaultRole, "FL_PROD_ROTATION");
        assert.equal(user.rsaPublicKey, undefined);
        assert.deepEqual(ignoreChangesOf.get("rot-user"), [...KEY_SLOT_INPUTS]);
        const keyGrants = registered.filter((r) => r.name.startsWith("rot-keys-")).map((r) => r.inputs);
        assert.deepEqual(keyGrants.map((g) => `${g.accountRoleName} ${g.privileges} ${g.onAccountObject.objectType} ${g.onAccountObject.objectName}`).sort(), [
            `FL_PROD_ROTATION ${KEY_SLOT_PRIVILEGE} USER FL_PROD_A`,
            `FL_PROD_ROTATION ${KEY_SLOT_PRIVILEGE} USER FL_PROD_B`,
            `FL_PROD_ROTATION ${KEY_SLOT_PRIVILEGE} USER FL_PROD_ROTATOR`,
        ]);
    });
});
