import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";
import type { PlannedSnowflakeRole } from "../model/snowflake";
import { TYPE } from "./tokens";

/** Arguments of {@link SnowflakeWorkloadRole}. */
export interface SnowflakeWorkloadRoleArgs {
    /** The planned role (model/snowflake.ts): its name and its grants on the environment's database and warehouse. */
    readonly role: PlannedSnowflakeRole;
}

/**
 * One workload's account role with usage on its environment's database and warehouse only. Object privileges inside
 * the database (schemas, tables) are granted by the data owners' roles to this role, outside this stack.
 */
export class SnowflakeWorkloadRole extends pulumi.ComponentResource {
    /** The role resource, for dependencies of the users that take it as default role. */
    readonly role: snowflake.AccountRole;

    constructor(name: string, args: SnowflakeWorkloadRoleArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.SnowflakeWorkloadRole, name, {}, opts);
        this.role = new snowflake.AccountRole(`${name}-role`, { name: args.role.name, comment: `Runtime role of workload ${args.role.workloadId}` }, { parent: this });
        for (const grant of args.role.grants) {
            new snowflake.GrantPrivilegesToAccountRole(
                `${name}-${grant.objectType.toLowerCase()}`,
                { accountRoleName: this.role.name, privileges: [...grant.privileges], onAccountObject: { objectType: grant.objectType, objectName: grant.objectName } },
                { parent: this },
            );
        }
        this.registerOutputs({ roleName: args.role.name });
    }
}
