import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";
import type { PlannedSnowflakeRotator } from "../model/snowflake";
import { KEY_SLOT_INPUTS } from "./snowflake-service-user";
import { TYPE } from "./tokens";

/** Arguments of {@link SnowflakeRotator}. */
export interface SnowflakeRotatorArgs {
    /** The planned rotator (model/snowflake.ts): user, role and one key-slot grant per platform service user. */
    readonly rotator: PlannedSnowflakeRotator;
    /** The environment's network policy. The rotation functions run in the VPC, behind the same NAT egress. */
    readonly networkPolicyName: pulumi.Input<string>;
    /** The service users it rotates; each grant waits for its user. Keyed by user name. */
    readonly users: ReadonlyMap<string, pulumi.Resource>;
}

/**
 * The rotation function's Snowflake identity: a key-pair-only service user with its own role, which holds
 * MODIFY PROGRAMMATIC AUTHENTICATION METHODS on each platform service user and on itself, and nothing else: no
 * ownership, no database, no warehouse. It can set RSA_PUBLIC_KEY and RSA_PUBLIC_KEY_2, and cannot rename, disable,
 * re-role or drop a user, nor touch any user outside the platform's set (docs/snowflake.md).
 */
export class SnowflakeRotator extends pulumi.ComponentResource {
    /** The rotator's user name. */
    readonly userName: string;

    constructor(name: string, args: SnowflakeRotatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.SnowflakeRotator, name, {}, opts);
        const r = args.rotator;
        this.userName = r.userName;
        const role = new snowflake.AccountRole(`${name}-role`, { name: r.roleName, comment: "Rotation function: sets the key slots of the platform's service users, nothing else" }, { parent: this });
        const user = new snowflake.ServiceUser(
            `${name}-user`,
            {
                name: r.userName,
                loginName: r.userName,
                comment: `Rotation function's service user; its own key pair is the catalog secret ${r.secretName}`,
                defaultRole: r.roleName,
                defaultSecondaryRolesOption: "NONE",
                networkPolicy: args.networkPolicyName,
            },
            { parent: this, dependsOn: [role], ignoreChanges: [...KEY_SLOT_INPUTS] },
        );
        new snowflake.GrantAccountRole(`${name}-grant`, { roleName: role.name, userName: user.name }, { parent: this });
        for (const grant of r.grants) {
            const target = grant.objectName === r.userName ? user : args.users.get(grant.objectName);
            new snowflake.GrantPrivilegesToAccountRole(
                `${name}-keys-${grant.objectName.toLowerCase()}`,
                { accountRoleName: role.name, privileges: [...grant.privileges], onAccountObject: { objectType: grant.objectType, objectName: grant.objectName } },
                { parent: this, dependsOn: target ? [target] : [] },
            );
        }
        this.registerOutputs({ userName: r.userName, roleName: r.roleName });
    }
}
