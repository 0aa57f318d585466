// The one fake the rotation tests use: Snowflake's user key slots, behind the same SnowflakeUserAdmin interface as
// the real snowflake-sdk adapter. It follows Snowflake's documented behaviour (Key-pair authentication and key-pair
// rotation; DESC USER; ALTER USER):
//  - a user has two public-key slots, RSA_PUBLIC_KEY and RSA_PUBLIC_KEY_2; DESC USER shows each with its
//    fingerprint RSA_PUBLIC_KEY_FP / RSA_PUBLIC_KEY_2_FP ("SHA256:" + base64 SHA-256 of the DER public key), and
//    "null" for an empty slot;
//  - ALTER USER ... SET RSA_PUBLIC_KEY[_2] takes the base64 DER body without PEM delimiters and rejects anything
//    that is not an RSA public key of at least 2048 bits;
//  - the privilege model docs/snowflake.md cites (Key-pair authentication, "Grant the privilege to assign a public key
//    to a Snowflake user"; DESCRIBE USER, "Access control requirements"): OWNERSHIP of a user allows every ALTER, DESC
//    and DROP of it; MODIFY PROGRAMMATIC AUTHENTICATION METHODS on a user allows setting and unsetting its key slots
//    (RSA_PUBLIC_KEY, RSA_PUBLIC_KEY_2) and nothing else, not even DESC USER, which needs OWNERSHIP for another user;
//    without either, the user "does not exist or not authorized";
//  - a key-pair login sends a JWT whose issuer is ACCOUNT.USER.SHA256:<fingerprint>, signed RS256 with the private
//    key; Snowflake accepts it when a slot holds a key with that fingerprint and the signature verifies.
import { createPrivateKey, createPublicKey, createSign, createVerify } from "node:crypto";
import { DescribeUserRow, KeySlot, KEY_SLOTS, publicKeyBody, publicKeyFingerprint, SnowflakeUserAdmin } from "../../functions/rotation/strategies/snowflake";
import type { RotatorStatement } from "../../functions/rotation/strategies/snowflake-statements";
import { KEY_SLOT_PRIVILEGE } from "../../model/snowflake";

interface FakeUser {
    owner: string;
    slots: Record<KeySlot, string | undefined>;
    /** Properties other than the key slots (DEFAULT_ROLE, DISABLED, ...), as ALTER USER last set them. */
    properties: Record<string, string>;
    /** Privileges on this user by role (other than OWNERSHIP, which is `owner`). */
    grants: Map<string, Set<string>>;
}

/** A Snowflake account's users and their key slots, seen through one session role. */
export class FakeSnowflake implements SnowflakeUserAdmin {
    private readonly users = new Map<string, FakeUser>();
    /** Every statement run, for assertions. */
    readonly statements: string[] = [];

    constructor(readonly account: string, readonly sessionRole: string) {}

    /** Creates a user owned by a role (`CREATE USER ... ; GRANT OWNERSHIP ON USER ... TO ROLE ...`). */
    createUser(name: string, ownerRole: string): void {
        this.users.set(name.toUpperCase(), { owner: ownerRole, slots: { RSA_PUBLIC_KEY: undefined, RSA_PUBLIC_KEY_2: undefined }, properties: {}, grants: new Map() });
    }

    /** `GRANT <privilege> ON USER <name> TO ROLE <role>`. */
    grant(privilege: string, userName: string, role: string): void {
        const u = this.user(userName);
        const set = u.grants.get(role) ?? new Set<string>();
        set.add(privilege.toUpperCase());
        u.grants.set(role, set);
    }

    /** Whether the session role may manage the user's key pairs: OWNERSHIP, or the key-slot privilege. */
    private mayManageKeys(u: FakeUser): boolean {
        return u.owner === this.sessionRole || (u.grants.get(this.sessionRole)?.has(KEY_SLOT_PRIVILEGE) ?? false);
    }

    /** A property other than the key slots, as last set (undefined when never set). */
    property(name: string, property: string): string | undefined {
        return this.user(name).properties[property.toUpperCase()];
    }

    /**
     * Runs one statement as the session role, the way the rotation function sends it (snowflake-statements.ts), and
     * the statements an attacker holding the rotator's key could try: DESC USER, ALTER USER ... SET / UNSET, DROP USER.
     */
    async execute(statement: RotatorStatement): Promise<Record<string, unknown>[]> {
        this.statements.push(statement.sqlText.replace(/'[^']*'/g, "'...'"));
        const binds = [...statement.binds];
        const target = (ref: string): string => (/^IDENTIFIER\(\?\)$/i.test(ref) ? String(binds.shift()) : ref);
        const sql = statement.sqlText.trim().replace(/;$/, "");
        let m: RegExpExecArray | null;
        if ((m = /^DESC(?:RIBE)? USER (\S+)$/i.exec(sql))) {
            return (await this.describeUser(target(m[1]!))).map((r) => ({ property: r.property, value: r.value }));
        }
        if ((m = /^ALTER USER (\S+) SET (\w+) = '([^']*)'$/i.exec(sql))) {
            const [name, property, value] = [target(m[1]!), m[2]!.toUpperCase(), m[3]!];
            if ((KEY_SLOTS as readonly string[]).includes(property)) await this.setPublicKey(name, property as KeySlot, value);
            else this.alterProperty(name, property, value);
            return [];
        }
        if ((m = /^ALTER USER (\S+) UNSET (\w+)$/i.exec(sql))) {
            const [name, property] = [target(m[1]!), m[2]!.toUpperCase()];
            const u = this.user(name);
            if ((KEY_SLOTS as readonly string[]).includes(property)) {
                if (!this.mayManageKeys(u)) throw this.insufficient(name);
                u.slots[property as KeySlot] = undefined;
            } else this.alterProperty(name, property, undefined);
            return [];
        }
        if ((m = /^DROP USER (\S+)$/i.exec(sql))) {
            const name = target(m[1]!);
            const u = this.user(name);
            if (u.owner !== this.sessionRole) throw this.insufficient(name);
            this.users.delete(name.toUpperCase());
            return [];
        }
        throw new Error(`SQL compilation error: the fake Snowflake does not implement '${sql.slice(0, 60)}'.`);
    }

    /** ALTER USER of a property other than the key slots: OWNERSHIP only. */
    private alterProperty(name: string, property: string, value: string | undefined): void {
        const u = this.user(name);
        if (u.owner !== this.sessionRole) {
            if (this.mayManageKeys(u)) throw this.insufficient(name);
            throw new Error(`SQL compilation error: User '${name.toUpperCase()}' does not exist or not authorized.`);
        }
        if (value === undefined) delete u.properties[property];
        else u.properties[property] = value;
    }

    private insufficient(name: string): Error {
        return new Error(`SQL access control error: Insufficient privileges to operate on user '${name.toUpperCase()}'.`);
    }

    private user(name: string): FakeUser {
        const u = this.users.get(name.toUpperCase());
        if (!u) throw new Error(`SQL compilation error: User '${name.toUpperCase()}' does not exist or not authorized.`);
        return u;
    }

    async describeUser(name: string): Promise<readonly DescribeUserRow[]> {
        this.statements.push(`DESC USER ${name}`);
        const u = this.user(name);
        // DESCRIBE USER of another user: OWNERSHIP only (the key-slot privilege does not cover it).
        if (u.owner !== this.sessionRole) throw new Error(`SQL compilation error: User '${name.toUpperCase()}' does not exist or not authorized.`);
        const row = (property: string, value: string | undefined): DescribeUserRow => ({ property, value: value ?? "null" });
        return [
            row("NAME", name.toUpperCase()),
            row("TYPE", "SERVICE"),
            row("RSA_PUBLIC_KEY", u.slots.RSA_PUBLIC_KEY),
            row("RSA_PUBLIC_KEY_FP", u.slots.RSA_PUBLIC_KEY && publicKeyFingerprint(u.slots.RSA_PUBLIC_KEY)),
            row("RSA_PUBLIC_KEY_2", u.slots.RSA_PUBLIC_KEY_2),
            row("RSA_PUBLIC_KEY_2_FP", u.slots.RSA_PUBLIC_KEY_2 && publicKeyFingerprint(u.slots.RSA_PUBLIC_KEY_2)),
        ];
    }

    async setPublicKey(name: string, slot: KeySlot, body: string): Promise<void> {
        this.statements.push(`ALTER USER ${name} SET ${slot} = '...'`);
        if (!KEY_SLOTS.includes(slot)) throw new Error(`SQL compilation error: invalid property '${slot}' for 'USER'.`);
        const u = this.user(name);
        if (!this.mayManageKeys(u)) throw this.insufficient(name);
        let bits = 0;
        try {
            if (body.includes("-----")) throw new Error("delimiters");
            const key = createPublicKey({ key: Buffer.from(body, "base64"), format: "der", type: "spki" });
            bits = key.asymmetricKeyType === "rsa" ? (key.asymmetricKeyDetails?.modulusLength ?? 0) : 0;
        } catch {
            bits = 0;
        }
        if (bits < 2048) throw new Error("Invalid RSA public key: the value must be a base64 DER RSA public key of at least 2048 bits, without delimiters.");
        u.slots[slot] = body;
    }

    /** Unsets a slot (`ALTER USER ... UNSET RSA_PUBLIC_KEY[_2]`), as an administrator would after a leak. */
    unsetPublicKey(name: string, slot: KeySlot): void {
        this.user(name).slots[slot] = undefined;
    }

    /** Slots of a user that hold a key. */
    usedSlots(name: string): KeySlot[] {
        const u = this.user(name);
        return KEY_SLOTS.filter((s) => u.slots[s] !== undefined);
    }

    /** The client side of a key-pair login (what the driver does), then the server side. */
    async verifyKeyLogin(account: string, user: string, privateKeyPem: string): Promise<void> {
        const fp = publicKeyFingerprint(publicKeyBody(privateKeyPem));
        const qualified = `${account.toUpperCase()}.${user.toUpperCase()}`;
        const now = Math.floor(Date.now() / 1000);
        const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
        const signingInput = `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iss: `${qualified}.${fp}`, sub: qualified, iat: now, exp: now + 60 })}`;
        const signature = createSign("RSA-SHA256").update(signingInput).sign(createPrivateKey(privateKeyPem)).toString("base64url");
        this.acceptJwt(`${signingInput}.${signature}`);
    }

    /** Snowflake's check of a key-pair JWT. Throws "JWT token is invalid." like Snowflake (error 390144). */
    acceptJwt(jwt: string): string {
        const [h, p, sig] = jwt.split(".");
        const claims = JSON.parse(Buffer.from(p!, "base64url").toString()) as { iss: string; sub: string; exp: number };
        const [account, user, fp] = claims.iss.split(".");
        const invalid = new Error("JWT token is invalid. [390144]");
        if (account !== this.account.toUpperCase() || claims.exp < Math.floor(Date.now() / 1000)) throw invalid;
        const u = this.users.get(user!);
        if (!u) throw invalid;
        const slot = KEY_SLOTS.find((s) => u.slots[s] !== undefined && publicKeyFingerprint(u.slots[s]!) === fp);
        if (!slot) throw invalid;
        const key = createPublicKey({ key: Buffer.from(u.slots[slot]!, "base64"), format: "der", type: "spki" });
        if (!createVerify("RSA-SHA256").update(`${h}.${p}`).verify(key, Buffer.from(sig!, "base64url"))) throw invalid;
        return user!;
    }
}
