// The Snowflake objects of one environment, as plain data: one key-pair-only service user per catalog key-pair secret
// that a workload consumes, one account role per such workload with usage on the environment's database and its
// warehouse only, one network policy of the cluster's egress CIDRs, and the rotator (user, role, and the one
// privilege per user that lets it set the two key slots). Every problem is collected with file and key, before any
// resource exists; stacks/snowflake.ts only turns this plan into components.
import type { Catalog, CatalogSecret, CatalogWorkload } from "./catalog";
import type { ConfigProblem, EnvironmentConfig } from "./config";
import { fullSecretName, snowflakeNames } from "./names";

/** The catalog kind whose secrets are Snowflake key pairs. */
export const SNOWFLAKE_KEY_KIND = "snowflake-keypair";

/**
 * The narrowest privilege Snowflake documents for changing another user's key pairs without owning the user
 * (docs/snowflake.md cites the pages). OWNERSHIP would also let the rotator rename, disable, drop or re-role users.
 */
export const KEY_SLOT_PRIVILEGE = "MODIFY PROGRAMMATIC AUTHENTICATION METHODS";

/** Egress CIDRs Snowflake would accept but the platform never does: the whole internet. */
const OPEN_TO_WORLD = /^0\.0\.0\.0\/0$|^::\/0$/;
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
/** The widest network the platform accepts for one entry: a /16 is already 65,536 addresses of somebody's cloud. */
const WIDEST_PREFIX = 16;

/** One grant of privileges on an account object (database, warehouse or user). */
export interface SnowflakeGrant {
    readonly privileges: readonly string[];
    readonly objectType: "DATABASE" | "WAREHOUSE" | "USER";
    readonly objectName: string;
}

/** One workload's account role and its grants. */
export interface PlannedSnowflakeRole {
    readonly workloadId: string;
    readonly name: string;
    readonly grants: readonly SnowflakeGrant[];
}

/** One service user (TYPE = SERVICE, key pair only), the catalog secret that holds its key, and its defaults. */
export interface PlannedSnowflakeUser {
    /** The catalog name of the key-pair secret, such as `snowflake/dbt/core-dimensions`. */
    readonly secretName: string;
    /** The secret's full Secrets Manager name in this environment. */
    readonly fullSecretName: string;
    readonly workloadId: string;
    readonly name: string;
    readonly defaultRole: string;
    readonly defaultWarehouse: string;
}

/** The rotation function's Snowflake identity: its user, its role, and exactly the grants that role holds. */
export interface PlannedSnowflakeRotator {
    readonly userName: string;
    readonly roleName: string;
    /** The catalog name of the rotator's own key-pair secret. */
    readonly secretName: string;
    /** KEY_SLOT_PRIVILEGE on every platform service user and on the rotator itself; nothing else. */
    readonly grants: readonly SnowflakeGrant[];
}

/** Everything the stack creates in the environment's Snowflake account. */
export interface SnowflakePlan {
    /** `ORG-ACCOUNT`, split the way the Snowflake provider takes it. */
    readonly account: { readonly identifier: string; readonly organizationName: string; readonly accountName: string };
    readonly database: string;
    readonly networkPolicy: { readonly name: string; readonly allowedIpCidrs: readonly string[] };
    readonly roles: readonly PlannedSnowflakeRole[];
    readonly users: readonly PlannedSnowflakeUser[];
    readonly rotator: PlannedSnowflakeRotator;
    /** The provisioning identity the stack's provider signs in as; the bootstrap creates it (docs/snowflake.md). */
    readonly provisioner: { readonly userName: string; readonly roleName: string };
    /** The login-only identity PR previews sign in as; the bootstrap creates it with a role that holds no privilege. */
    readonly previewer: { readonly userName: string; readonly roleName: string };
    /** Key-pair secrets that no workload consumes (BI tools): no user is created for them here. */
    readonly unmanagedKeySecrets: readonly string[];
}

/** The plan and what is wrong with the config or catalog, each problem naming its file and key. */
export interface SnowflakePlanResult {
    readonly plan: SnowflakePlan;
    readonly configProblems: readonly ConfigProblem[];
    readonly catalogProblems: readonly string[];
}

/** Problems of one egress CIDR list: not IPv4 CIDR, open to the world, or wider than a /16. */
export function egressCidrProblems(cidrs: readonly string[]): Array<{ index: number; cidr: string; expected: string }> {
    const problems: Array<{ index: number; cidr: string; expected: string }> = [];
    cidrs.forEach((cidr, index) => {
        if (OPEN_TO_WORLD.test(cidr)) problems.push({ index, cidr, expected: "the cluster's NAT egress CIDRs, never 0.0.0.0/0: a network policy open to the world lets a stolen key sign in from anywhere" });
        else if (!IPV4_CIDR.test(cidr)) problems.push({ index, cidr, expected: "an IPv4 CIDR such as 52.20.10.4/32" });
        else if (Number(cidr.split("/")[1]) < WIDEST_PREFIX) problems.push({ index, cidr, expected: `a network no wider than /${WIDEST_PREFIX}; list the NAT gateways' addresses (/32)` });
    });
    return problems;
}

/** The warehouse of a workload: its type's entry in `warehouses`, else the default `warehouse`, else none. */
export function warehouseOf(config: EnvironmentConfig, workload: Pick<CatalogWorkload, "type">): string | undefined {
    return config.snowflake.warehouses?.[workload.type] ?? config.snowflake.warehouse;
}

/** Computes the environment's Snowflake objects from its validated config and its view of the catalog. Pure; never throws. */
export function planSnowflake(config: EnvironmentConfig, catalog: Catalog, stackFile: string): SnowflakePlanResult {
    const sf = config.snowflake;
    const prefix = sf.rolePrefix;
    const envStem = prefix.replace(/_+$/, "");
    const configProblems: ConfigProblem[] = [];
    const catalogProblems: string[] = [];
    const key = (k: string) => `finledger:snowflake.${k}`;

    for (const p of egressCidrProblems(sf.allowedIpCidrs)) configProblems.push({ file: stackFile, key: key(`allowedIpCidrs[${p.index}]`), found: JSON.stringify(p.cidr), expected: p.expected });
    // Names carry the environment: a database or warehouse of another environment cannot slip in under this prefix.
    const owned: Array<[string, string | undefined]> = [["database", sf.database], ["warehouse", sf.warehouse], ...Object.entries(sf.warehouses ?? {}).map(([t, w]) => [`warehouses.${t}`, w] as [string, string])];
    for (const [k, name] of owned) {
        if (name !== undefined && name !== envStem && !name.startsWith(`${envStem}_`)) {
            configProblems.push({ file: stackFile, key: key(k), found: JSON.stringify(name), expected: `a name of this environment, starting with ${envStem}_ (the rolePrefix ${prefix})` });
        }
    }
    const workloadTypes = new Set(catalog.workloads.map((w) => w.type as string));
    for (const t of Object.keys(sf.warehouses ?? {})) {
        if (!workloadTypes.has(t)) configProblems.push({ file: stackFile, key: key(`warehouses.${t}`), found: "an unknown workload type", expected: `one of the catalog's workload types (${[...workloadTypes].sort().join(", ")})` });
    }
    const rotationRole = config.rotation.snowflake.rotationRole;
    if (!rotationRole.startsWith(prefix)) {
        configProblems.push({ file: stackFile, key: "finledger:rotation.snowflake.rotationRole", found: JSON.stringify(rotationRole), expected: `a role of this environment, starting with ${prefix}` });
    }

    const workloads = new Map(catalog.workloads.map((w) => [w.id, w]));
    const keySecrets = catalog.secrets.filter((s) => s.kind === SNOWFLAKE_KEY_KIND);
    const rotatorFullName = config.rotation.snowflake.rotatorKeyPairName;
    const rotatorSecret = keySecrets.find((s) => fullSecretName(config.environment, s.name) === rotatorFullName);
    if (!rotatorSecret) {
        configProblems.push({
            file: stackFile,
            key: "finledger:rotation.snowflake.rotatorKeyPairName",
            found: JSON.stringify(rotatorFullName),
            expected: `the full name of a ${SNOWFLAKE_KEY_KIND} secret of the catalog in ${config.environment} (the rotator's key pair is a catalog secret, such as ${config.environment}/platform/snowflake-rotation-admin)`,
        });
    } else if (rotatorSecret.consumers.length > 0) {
        catalogProblems.push(`${rotatorSecret.file}: secret '${rotatorSecret.name}' is the Snowflake rotator's key pair but lists consumers (${rotatorSecret.consumers.join(", ")}); only the rotation function may read it.`);
    }

    const users: PlannedSnowflakeUser[] = [];
    const unmanagedKeySecrets: string[] = [];
    const roleOf = new Map<string, PlannedSnowflakeRole>();
    const userByName = new Map<string, CatalogSecret>();
    const missingWarehouse = new Set<string>();
    for (const secret of keySecrets) {
        if (secret === rotatorSecret) continue;
        if (secret.consumers.length === 0) {
            unmanagedKeySecrets.push(secret.name);
            continue;
        }
        if (secret.consumers.length > 1) {
            catalogProblems.push(`${secret.file}: secret '${secret.name}' is a Snowflake key pair with ${secret.consumers.length} consumers (${secret.consumers.join(", ")}); a service user belongs to one workload, so give each workload its own key-pair secret.`);
            continue;
        }
        const workload = workloads.get(secret.consumers[0]!);
        if (!workload) continue; // the catalog's own validation names a dangling consumer
        const warehouse = warehouseOf(config, workload);
        if (!warehouse) {
            if (!missingWarehouse.has(workload.type)) {
                configProblems.push({
                    file: stackFile,
                    key: key(`warehouses.${workload.type}`),
                    found: "nothing",
                    expected: `a warehouse for the ${workload.type} workloads that use Snowflake (first: '${workload.id}', secret '${secret.name}' in ${secret.file}), or a default finledger:snowflake.warehouse`,
                });
                missingWarehouse.add(workload.type);
            }
            continue;
        }
        const name = snowflakeNames.serviceUser(prefix, secret.name);
        const clash = userByName.get(name);
        if (clash) {
            catalogProblems.push(`${secret.file}: secret '${secret.name}' maps to the Snowflake user ${name} of '${clash.name}' (${clash.file}); rename one of them.`);
            continue;
        }
        userByName.set(name, secret);
        let role = roleOf.get(workload.id);
        if (!role) {
            role = {
                workloadId: workload.id,
                name: snowflakeNames.workloadRole(prefix, workload.id),
                grants: [
                    { privileges: ["USAGE"], objectType: "DATABASE", objectName: sf.database },
                    { privileges: ["USAGE"], objectType: "WAREHOUSE", objectName: warehouse },
                ],
            };
            roleOf.set(workload.id, role);
        }
        users.push({ secretName: secret.name, fullSecretName: fullSecretName(config.environment, secret.name), workloadId: workload.id, name, defaultRole: role.name, defaultWarehouse: warehouse });
    }

    const rotatorUser = snowflakeNames.rotatorUser(prefix);
    const rotator: PlannedSnowflakeRotator = {
        userName: rotatorUser,
        roleName: rotationRole,
        secretName: rotatorSecret?.name ?? rotatorFullName,
        grants: [...users.map((u) => u.name), rotatorUser].map((objectName) => ({ privileges: [KEY_SLOT_PRIVILEGE], objectType: "USER" as const, objectName })),
    };
    const [organizationName, accountName] = sf.account.split("-", 2) as [string, string];
    return {
        plan: {
            account: { identifier: sf.account, organizationName, accountName },
            database: sf.database,
            networkPolicy: { name: snowflakeNames.networkPolicy(prefix), allowedIpCidrs: [...sf.allowedIpCidrs] },
            roles: [...roleOf.values()],
            users,
            rotator,
            provisioner: { userName: snowflakeNames.provisionerUser(prefix), roleName: snowflakeNames.provisionerRole(prefix) },
            previewer: { userName: snowflakeNames.previewerUser(prefix), roleName: snowflakeNames.previewerRole(prefix) },
            unmanagedKeySecrets,
        },
        configProblems,
        catalogProblems,
    };
}
