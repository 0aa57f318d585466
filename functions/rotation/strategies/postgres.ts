// Postgres application users, alternating: the secret is `<base>_a` or `<base>_b`. The rotation connects as the
// database's master user (read from the RDS-managed master secret named in `masterarn`, like AWS's own
// alternating-users template), sets a new password on the inactive user (creating it with the active user's
// role memberships the first time), proves a login, and promotes. The active user's password is untouched.
import { Client } from "pg";
import { RotationContext, RotationError, RotationStrategy, SecretVersion } from "../protocol";
import { parseStoredValue, serializeStoredValue } from "../values";
import { generatePassword, otherUser } from "./alternating-users";

/** A Postgres application-user secret, in the shape AWS's rotation templates use. */
export interface PostgresUserValue {
    readonly engine?: string;
    readonly host: string;
    readonly port: number | string;
    readonly dbname: string;
    readonly username: string;
    readonly password: string;
    /** ARN of the secret with the master user's credentials (RDS-managed). */
    readonly masterarn: string;
    readonly [extra: string]: unknown;
}

/** How the function opens connections; tests point TLS off at a local server. Default: TLS required. */
export interface PostgresConnectOptions {
    readonly ssl?: boolean;
    readonly connectTimeoutMs?: number;
}

async function withClient<T>(v: { host: string; port: number | string; dbname: string }, user: string, password: string, opts: PostgresConnectOptions, fn: (c: Client) => Promise<T>): Promise<T> {
    const client = new Client({
        host: v.host,
        port: Number(v.port),
        database: v.dbname,
        user,
        password,
        ssl: opts.ssl === false ? false : { rejectUnauthorized: true },
        connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    });
    await client.connect();
    try {
        return await fn(client);
    } finally {
        await client.end();
    }
}

/** Whether a login with these credentials succeeds. */
export async function canLogin(v: PostgresUserValue, opts: PostgresConnectOptions = {}): Promise<boolean> {
    try {
        await withClient(v, v.username, v.password, opts, (c) => c.query("SELECT 1"));
        return true;
    } catch {
        return false;
    }
}

/** The Postgres alternating-users strategy. */
export function postgresAlternatingUsersStrategy(opts: PostgresConnectOptions = {}): RotationStrategy<PostgresUserValue> {
    return {
        name: "postgres-alternating-users",
        parse: (raw, label) => parseStoredValue<PostgresUserValue>("postgres-password", raw, label, "postgres-alternating-users"),
        serialize: (v) => serializeStoredValue("postgres-password", v, "postgres-alternating-users"),
        async create(current: SecretVersion<PostgresUserValue>): Promise<PostgresUserValue> {
            return { ...current.value, username: otherUser(current.value.username), password: generatePassword() };
        },
        async set(current, pending, ctx: RotationContext<PostgresUserValue>): Promise<void> {
            if (pending.value.username !== otherUser(current.value.username)) {
                throw new RotationError(`The pending user ${pending.value.username} is not the inactive partner of ${current.value.username}; rotate again to create a fresh pending version.`);
            }
            if (await canLogin(pending.value, opts)) {
                ctx.log(`setSecret: ${pending.value.username} already logs in with the pending password.`);
                return;
            }
            const master = await ctx.store.get(current.value.masterarn, "AWSCURRENT");
            if (!master) throw new RotationError(`The master secret ${current.value.masterarn} has no AWSCURRENT value.`);
            const { username: masterUser, password: masterPassword } = parseStoredValue<{ username: string; password: string }>("rds-master-password", master.value, "master AWSCURRENT");
            await withClient(current.value, masterUser, masterPassword, opts, async (c) => {
                const user = c.escapeIdentifier(pending.value.username);
                const password = c.escapeLiteral(pending.value.password);
                const exists = await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [pending.value.username]);
                if (exists.rowCount === 0) {
                    // First rotation: the partner gets the active user's role memberships, so it can do the same work.
                    const groups = await c.query<{ rolname: string }>(
                        "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1 ORDER BY 1",
                        [current.value.username],
                    );
                    await c.query(`CREATE ROLE ${user} WITH LOGIN PASSWORD ${password}`);
                    for (const g of groups.rows) await c.query(`GRANT ${c.escapeIdentifier(g.rolname)} TO ${user}`);
                    ctx.log(`setSecret: created ${pending.value.username} with memberships ${groups.rows.map((g) => g.rolname).join(", ") || "(none)"}.`);
                } else {
                    await c.query(`ALTER ROLE ${user} WITH LOGIN PASSWORD ${password}`);
                    ctx.log(`setSecret: set a new password on ${pending.value.username}.`);
                }
            });
        },
        async test(pending): Promise<void> {
            await withClient(pending.value, pending.value.username, pending.value.password, opts, (c) => c.query("SELECT 1"));
        },
    };
}
