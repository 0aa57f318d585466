// The real Snowflake adapter: `DESC USER` and `ALTER USER` over snowflake-sdk as the rotation role, and a key-pair
// login as the rotated user for testSecret. The rotation role owns only the users it rotates (it is never
// ACCOUNTADMIN), so ALTER USER on any other user fails in Snowflake itself.
import * as snowflake from "snowflake-sdk";
import { DescribeUserRow, KeySlot, KEY_SLOTS, SnowflakeUserAdmin } from "./snowflake";

/** How the rotation function signs in to Snowflake as its own service user. */
export interface RotatorCredentials {
    readonly account: string;
    readonly user: string;
    readonly privateKey: string;
    /** The rotation role, such as FL_PROD_ROTATION. */
    readonly role: string;
    readonly warehouse?: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,254}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function connect(options: snowflake.ConnectionOptions): Promise<snowflake.Connection> {
    const conn = snowflake.createConnection(options);
    return new Promise((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve(conn))));
}

function run(conn: snowflake.Connection, sqlText: string, binds: snowflake.Binds = []): Promise<Record<string, unknown>[]> {
    return new Promise((resolve, reject) =>
        conn.execute({ sqlText, binds, complete: (err, _stmt, rows) => (err ? reject(err) : resolve((rows ?? []) as Record<string, unknown>[])) }),
    );
}

function close(conn: snowflake.Connection): Promise<void> {
    return new Promise((resolve) => conn.destroy(() => resolve()));
}

/** {@link SnowflakeUserAdmin} over snowflake-sdk. Each call opens and closes its own session. */
export class SnowflakeSdkAdmin implements SnowflakeUserAdmin {
    constructor(private readonly rotator: RotatorCredentials) {
        snowflake.configure({ logLevel: "WARN" });
    }

    private async asRotator<T>(fn: (conn: snowflake.Connection) => Promise<T>): Promise<T> {
        const conn = await connect({
            account: this.rotator.account,
            username: this.rotator.user,
            authenticator: "SNOWFLAKE_JWT",
            privateKey: this.rotator.privateKey,
            role: this.rotator.role,
            warehouse: this.rotator.warehouse,
        });
        try {
            return await fn(conn);
        } finally {
            await close(conn);
        }
    }

    async describeUser(user: string): Promise<readonly DescribeUserRow[]> {
        if (!IDENTIFIER.test(user)) throw new Error(`'${user}' is not an unquoted Snowflake user name.`);
        const rows = await this.asRotator((c) => run(c, "DESC USER IDENTIFIER(?)", [user]));
        return rows.map((r) => ({ property: String(r.property ?? r.PROPERTY), value: (r.value ?? r.VALUE ?? null) as string | null }));
    }

    async setPublicKey(user: string, slot: KeySlot, publicKeyBody: string): Promise<void> {
        // Snowflake does not bind property values in ALTER USER, so both parts are checked before they reach SQL.
        if (!IDENTIFIER.test(user)) throw new Error(`'${user}' is not an unquoted Snowflake user name.`);
        if (!KEY_SLOTS.includes(slot)) throw new Error(`'${slot}' is not a key slot.`);
        if (!BASE64.test(publicKeyBody)) throw new Error("The public key body must be base64 DER without PEM delimiters.");
        await this.asRotator((c) => run(c, `ALTER USER IDENTIFIER(?) SET ${slot} = '${publicKeyBody}'`, [user]));
    }

    async verifyKeyLogin(account: string, user: string, privateKeyPem: string): Promise<void> {
        const conn = await connect({ account, username: user, authenticator: "SNOWFLAKE_JWT", privateKey: privateKeyPem });
        try {
            await run(conn, "SELECT CURRENT_USER()");
        } finally {
            await close(conn);
        }
    }
}
