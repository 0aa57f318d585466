// The SQL the rotation function runs as the rotator, built in one place: the snowflake-sdk adapter sends exactly
// these statements, and the tests run the same statements against a fake account that enforces Snowflake's
// privilege model (test/support/fake-snowflake.ts).
import { KeySlot, KEY_SLOTS, SnowflakeUserAdmin } from "./snowflake";

/** One statement with its bind values. */
export interface RotatorStatement {
    readonly sqlText: string;
    readonly binds: string[];
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,254}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `DESC USER` of one user. The rotation never sends it (only a user's owner may describe another user); the tests use it to show the rotator is refused. */
export function describeUserStatement(user: string): RotatorStatement {
    if (!IDENTIFIER.test(user)) throw new Error(`'${user}' is not an unquoted Snowflake user name.`);
    return { sqlText: "DESC USER IDENTIFIER(?)", binds: [user] };
}

/** `ALTER USER ... SET RSA_PUBLIC_KEY[_2] = '<body>'`. Snowflake does not bind property values, so both parts are checked first. */
export function setPublicKeyStatement(user: string, slot: KeySlot, publicKeyBody: string): RotatorStatement {
    if (!IDENTIFIER.test(user)) throw new Error(`'${user}' is not an unquoted Snowflake user name.`);
    if (!KEY_SLOTS.includes(slot)) throw new Error(`'${slot}' is not a key slot.`);
    if (!BASE64.test(publicKeyBody)) throw new Error("The public key body must be base64 DER without PEM delimiters.");
    return { sqlText: `ALTER USER IDENTIFIER(?) SET ${slot} = '${publicKeyBody}'`, binds: [user] };
}

/** Runs one statement in a session as the rotator and returns its rows. */
export type RotatorExecutor = (statement: RotatorStatement) => Promise<Record<string, unknown>[]>;

/** {@link SnowflakeUserAdmin} over an executor: the rotation's one write as SQL, and the key-pair login check. */
export class StatementUserAdmin implements SnowflakeUserAdmin {
    constructor(
        private readonly execute: RotatorExecutor,
        private readonly login: (account: string, user: string, privateKeyPem: string) => Promise<void>,
    ) {}

    async setPublicKey(user: string, slot: KeySlot, publicKeyBody: string): Promise<void> {
        await this.execute(setPublicKeyStatement(user, slot, publicKeyBody));
    }

    async verifyKeyLogin(account: string, user: string, privateKeyPem: string): Promise<void> {
        await this.login(account, user, privateKeyPem);
    }
}
