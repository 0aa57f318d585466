import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";
import { TYPE } from "./tokens";

/** The Snowflake objects one environment owns; a service user is granted nothing else. */
export interface SnowflakeEnvironment {
    /** The environment's database, such as `FL_PROD`. */
    readonly database: string;
    /** The environment's warehouse, such as `FL_PROD_WH`. */
    readonly warehouse: string;
    /** Prefix of every role and user of the environment, such as `FL_PROD_`. */
    readonly rolePrefix: string;
}

/** One grant of privileges on an account object. */
export interface AccountObjectGrant {
    readonly privileges: readonly string[];
    readonly objectType: "DATABASE" | "WAREHOUSE";
    readonly objectName: string;
}

/** What a workload's Snowflake service user consists of, as plain data. */
export interface SnowflakeServiceUserPlan {
    readonly userName: string;
    readonly roleName: string;
    readonly networkPolicyName: string;
    readonly grants: readonly AccountObjectGrant[];
}

/** `dbt-finance-marts` becomes `DBT_FINANCE_MARTS`. */
export function snowflakeIdentifier(workloadId: string): string {
    return workloadId.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

/**
 * The user, its one role, and the role's grants: usage on the environment's database and warehouse only. Object
 * privileges inside the database (schemas, tables) are granted by the data owners' own roles to this role.
 */
export function buildSnowflakeServiceUserPlan(workloadId: string, env: SnowflakeEnvironment): SnowflakeServiceUserPlan {
    const id = `${env.rolePrefix}${snowflakeIdentifier(workloadId)}`;
    return {
        userName: id,
        roleName: id,
        networkPolicyName: `${id}_NETWORK`,
        grants: [
            { privileges: ["USAGE"], objectType: "DATABASE", objectName: env.database },
            { privileges: ["USAGE"], objectType: "WAREHOUSE", objectName: env.warehouse },
        ],
    };
}

/** Arguments of {@link SnowflakeServiceUser}. */
export interface SnowflakeServiceUserArgs {
    /** The catalog workload that authenticates as this user. */
    readonly workloadId: string;
    /** The environment's database, warehouse and role prefix (config `finledger:snowflake`). */
    readonly environment: SnowflakeEnvironment;
    /** CIDRs the user may connect from: the environment cluster's NAT egress addresses. Required, at least one. */
    readonly allowedIpCidrs: readonly string[];
    /**
     * The first public key, set once at bootstrap (docs/access-patterns.md). Public keys are not secret. After that,
     * rotation owns both key slots and Pulumi ignores changes to them. Default: none (the runbook sets it).
     */
    readonly rsaPublicKey?: pulumi.Input<string>;
}

/**
 * A Snowflake service user (TYPE = SERVICE: no password, no MFA, key-pair only) for one workload, with its own
 * account role limited to the environment's database and warehouse, and a network policy. The private key lives
 * only in Secrets Manager; Pulumi never sees it.
 */
export class SnowflakeServiceUser extends pulumi.ComponentResource {
    /** The user's name. */
    readonly userName: string;
    /** The account role granted to the user. */
    readonly roleName: string;

    constructor(name: string, args: SnowflakeServiceUserArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.SnowflakeServiceUser, name, {}, opts);
        const plan = buildSnowflakeServiceUserPlan(args.workloadId, args.environment);
        const problems: string[] = [];
        if (!/^[A-Z][A-Z0-9_]*_$/.test(args.environment.rolePrefix)) problems.push(`environment.rolePrefix '${args.environment.rolePrefix}' is not an upper-case prefix ending in '_'`);
        for (const [key, value] of [["database", args.environment.database], ["warehouse", args.environment.warehouse]] as const) {
            if (!value.startsWith(args.environment.rolePrefix.replace(/_$/, ""))) problems.push(`environment.${key} '${value}' does not belong to the environment of prefix ${args.environment.rolePrefix}`);
        }
        if (args.allowedIpCidrs.length === 0) problems.push("allowedIpCidrs is empty; list the cluster's NAT egress CIDRs");
        for (const cidr of args.allowedIpCidrs) {
            if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(cidr) || cidr.startsWith("0.0.0.0")) problems.push(`allowedIpCidrs entry '${cidr}' is not a specific IPv4 CIDR`);
        }
        if (plan.userName.length > 255) problems.push(`workloadId '${args.workloadId}' makes a user name over 255 characters`);
        if (problems.length > 0) throw new pulumi.ResourceError(`SnowflakeServiceUser ${name}: ${problems.join("; ")}.`, this);

        this.userName = plan.userName;
        this.roleName = plan.roleName;
        const role = new snowflake.AccountRole(`${name}-role`, { name: plan.roleName, comment: `Runtime role of workload ${args.workloadId}` }, { parent: this });
        for (const grant of plan.grants) {
            new snowflake.GrantPrivilegesToAccountRole(
                `${name}-${grant.objectType.toLowerCase()}-usage`,
                { accountRoleName: role.name, privileges: [...grant.privileges], onAccountObject: { objectType: grant.objectType, objectName: grant.objectName } },
                { parent: this },
            );
        }
        const network = new snowflake.NetworkPolicy(
            `${name}-network`,
            { name: plan.networkPolicyName, allowedIpLists: [...args.allowedIpCidrs], comment: `Where workload ${args.workloadId} may connect from` },
            { parent: this },
        );
        const user = new snowflake.ServiceUser(
            `${name}-user`,
            {
                name: plan.userName,
                loginName: plan.userName,
                comment: `Service user of workload ${args.workloadId}; key-pair only, keys rotated by the platform`,
                defaultRole: role.name,
                defaultWarehouse: args.environment.warehouse,
                defaultSecondaryRolesOption: "NONE",
                networkPolicy: network.name,
                rsaPublicKey: args.rsaPublicKey,
            },
            // Rotation writes the two key slots in turn; a deploy must never reset them.
            { parent: this, ignoreChanges: ["rsaPublicKey", "rsaPublicKey2"] },
        );
        new snowflake.GrantAccountRole(`${name}-grant`, { roleName: role.name, userName: user.name }, { parent: this });
        this.registerOutputs({ userName: this.userName, roleName: this.roleName });
    }
}
