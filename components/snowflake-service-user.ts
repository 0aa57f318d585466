import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";
import type { PlannedSnowflakeUser } from "../model/snowflake";
import { TYPE } from "./tokens";

/** The two key slots of a Snowflake user, as the provider names them. Rotation owns both; Pulumi never writes them. */
export const KEY_SLOT_INPUTS = ["rsaPublicKey", "rsaPublicKey2"] as const;

/** Arguments of {@link SnowflakeServiceUser}. */
export interface SnowflakeServiceUserArgs {
    /** The planned user (model/snowflake.ts): its name, the catalog secret that holds its key, default role and warehouse. */
    readonly user: PlannedSnowflakeUser;
    /** The environment's network policy (SnowflakeNetworkPolicy name); the user connects from its CIDRs only. */
    readonly networkPolicyName: pulumi.Input<string>;
    /** Resources the user must wait for: its default role (granted to it here) and the network policy. */
    readonly dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The inputs of the user resource, as plain data: no password, no key, no MFA; its role and warehouse, no secondary roles. */
export function serviceUserInputs(user: PlannedSnowflakeUser, networkPolicyName: pulumi.Input<string>): snowflake.ServiceUserArgs {
    return {
        name: user.name,
        loginName: user.name,
        comment: `Service user of workload ${user.workloadId}; key pair in ${user.fullSecretName}, both key slots rotated by the platform`,
        defaultRole: user.defaultRole,
        defaultWarehouse: user.defaultWarehouse,
        defaultSecondaryRolesOption: "NONE",
        networkPolicy: networkPolicyName,
    };
}

/**
 * A Snowflake service user (TYPE = SERVICE: no password, no MFA, key-pair only) for one key-pair secret of a
 * workload, granted its workload's role. The program never sets a public key: the first one comes through the
 * first-value command and the rotation (docs/snowflake.md), and both key slots are left to the rotation
 * (`ignoreChanges`), so a deploy never resets them. The private key lives only in Secrets Manager.
 */
export class SnowflakeServiceUser extends pulumi.ComponentResource {
    /** The user's name. */
    readonly userName: string;

    constructor(name: string, args: SnowflakeServiceUserArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.SnowflakeServiceUser, name, {}, opts);
        this.userName = args.user.name;
        const user = new snowflake.ServiceUser(`${name}-user`, serviceUserInputs(args.user, args.networkPolicyName), {
            parent: this,
            dependsOn: args.dependsOn,
            ignoreChanges: [...KEY_SLOT_INPUTS],
        });
        new snowflake.GrantAccountRole(`${name}-role`, { roleName: args.user.defaultRole, userName: user.name }, { parent: this, dependsOn: args.dependsOn });
        this.registerOutputs({ userName: this.userName });
    }
}
