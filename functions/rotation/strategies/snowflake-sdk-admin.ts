// The real Snowflake adapter: `ALTER USER ... SET RSA_PUBLIC_KEY[_2]` over snowflake-sdk as the rotator (statements from
// snowflake-statements.ts), and a key-pair login as the rotated user for testSecret. The rotator's role holds
// MODIFY PROGRAMMATIC AUTHENTICATION METHODS on the platform's service users only (docs/snowflake.md), so ALTER USER
// on any other user, or of any other property, fails in Snowflake itself.
import * as snowflake from "snowflake-sdk";
import { KeySlot, SnowflakeUserAdmin } from "./snowflake";
import { RotatorStatement, StatementUserAdmin } from "./snowflake-statements";

/** How the rotation function signs in to Snowflake as its own service user. */
export interface RotatorCredentials {
    readonly account: string;
    readonly user: string;
    readonly privateKey: string;
    /** The rotation role, such as FL_PROD_ROTATION. */
    readonly role: string;
    readonly warehouse?: string;
}

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
    private readonly admin: StatementUserAdmin;

    constructor(private readonly rotator: RotatorCredentials) {
        snowflake.configure({ logLevel: "WARN" });
        this.admin = new StatementUserAdmin((s) => this.asRotator(s), (account, user, key) => this.login(account, user, key));
    }

    private async asRotator(statement: RotatorStatement): Promise<Record<string, unknown>[]> {
        const conn = await connect({
            account: this.rotator.account,
            username: this.rotator.user,
            authenticator: "SNOWFLAKE_JWT",
            privateKey: this.rotator.privateKey,
            role: this.rotator.role,
            warehouse: this.rotator.warehouse,
        });
        try {
            return await run(conn, statement.sqlText, statement.binds);
        } finally {
            await close(conn);
        }
    }

    private async login(account: string, user: string, privateKeyPem: string): Promise<void> {
        const conn = await connect({ account, username: user, authenticator: "SNOWFLAKE_JWT", privateKey: privateKeyPem });
        try {
            await run(conn, "SELECT CURRENT_USER()");
        } finally {
            await close(conn);
        }
    }

    setPublicKey(user: string, slot: KeySlot, publicKeyBody: string): Promise<void> {
        return this.admin.setPublicKey(user, slot, publicKeyBody);
    }

    verifyKeyLogin(account: string, user: string, privateKeyPem: string): Promise<void> {
        return this.admin.verifyKeyLogin(account, user, privateKeyPem);
    }
}
