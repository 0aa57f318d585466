// The rotation function's Snowflake statements, run as the rotator against the fake account built from the dev
// plan: the rotator's role holds exactly the grants the model plans (MODIFY PROGRAMMATIC AUTHENTICATION METHODS on
// each platform service user and itself), the provisioner owns every user, and the fake enforces the privilege model
// docs/snowflake.md cites. The rotator rotates the platform's users and itself, and nothing else.
import { strict as assert } from "assert";
import * as path from "path";
import { SecretVersion } from "../../functions/rotation/protocol";
import { generateSnowflakeKey, slotFingerprints, SnowflakeKeyPairValue, snowflakeKeyPairStrategy } from "../../functions/rotation/strategies/snowflake";
import { describeUserStatement, setPublicKeyStatement, StatementUserAdmin } from "../../functions/rotation/strategies/snowflake-statements";
import { loadCatalog } from "../../model/catalog";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { planEnvironment } from "../../model/environment";
import { KEY_SLOT_PRIVILEGE, SnowflakePlan } from "../../model/snowflake";
import { FakeSnowflake } from "../support/fake-snowflake";

const PROJECT = path.resolve(__dirname, "..", "..");
const OUTSIDER = "FL_DEV_ANALYST_JANE";

/** The dev account as the stack leaves it: users owned by the provisioner, the rotator's planned grants, and one user outside the set. */
function accountFromPlan(plan: SnowflakePlan): { asRotator: FakeSnowflake; asProvisioner: FakeSnowflake } {
    const owner = plan.provisioner.roleName;
    const asRotator = new FakeSnowflake(plan.account.identifier, plan.rotator.roleName);
    for (const name of [...plan.users.map((u) => u.name), plan.rotator.userName, plan.provisioner.userName, OUTSIDER]) asRotator.createUser(name, owner);
    for (const g of plan.rotator.grants) for (const p of g.privileges) asRotator.grant(p, g.objectName, plan.rotator.roleName);
    // The provisioner's session sees the same account (same users map through a second session role).
    const asProvisioner = Object.assign(Object.create(Object.getPrototypeOf(asRotator)), asRotator, { sessionRole: owner }) as FakeSnowflake;
    return { asRotator, asProvisioner };
}

async function rotateOnceWith(admin: StatementUserAdmin, account: string, user: string): Promise<SnowflakeKeyPairValue> {
    const strategy = snowflakeKeyPairStrategy(admin);
    const first = generateSnowflakeKey();
    const current: SecretVersion<SnowflakeKeyPairValue> = { versionId: "v1", value: { account, user, privateKey: first.privateKey }, stages: ["AWSCURRENT"] } as unknown as SecretVersion<SnowflakeKeyPairValue>;
    const pendingValue = await strategy.create(current, undefined as never);
    const pending = { versionId: "v2", value: pendingValue, stages: ["AWSPENDING"] } as unknown as SecretVersion<SnowflakeKeyPairValue>;
    await strategy.set(current, pending, { log: () => undefined } as never);
    await strategy.test(pending, undefined as never);
    return pendingValue;
}

describe("the Snowflake rotator's privileges (the rotation's statements against the fake account of the dev plan)", () => {
    const plan = planEnvironment(parseEnvironmentConfig(readStackFile(PROJECT, "dev")), loadCatalog(path.join(PROJECT, "catalog"))).snowflake;
    let account: ReturnType<typeof accountFromPlan>;
    let admin: StatementUserAdmin;
    let sent: string[];
    beforeEach(() => {
        account = accountFromPlan(plan);
        sent = [];
        admin = new StatementUserAdmin(
            (s) => {
                sent.push(s.sqlText.replace(/'[^']*'/g, "'...'"));
                return account.asRotator.execute(s);
            },
            (a, u, k) => account.asRotator.verifyKeyLogin(a, u, k),
        );
    });

    it("rotates platform service users of every workload type with one statement, ALTER USER SET of the slot not holding the current key, and the new key signs in", async () => {
        // One user per workload type (RSA key generation is the slow part); the grants cover all, as the model test shows.
        const sample = [...new Map(plan.users.map((u) => [u.workloadId.split("-")[0], u])).values()];
        assert.ok(sample.length >= 3, sample.map((u) => u.name).join(", "));
        for (const user of sample) {
            const value = await rotateOnceWith(admin, plan.account.identifier, user.name);
            // The current key is in RSA_PUBLIC_KEY (a value without publicKeySlot), so the new one goes into RSA_PUBLIC_KEY_2.
            assert.equal(value.publicKeySlot, "RSA_PUBLIC_KEY_2");
            const slots = slotFingerprints(await account.asProvisioner.describeUser(user.name));
            assert.equal(slots.RSA_PUBLIC_KEY_2, value.publicKeyFingerprint, user.name);
        }
        assert.ok(plan.users.length > 50);
        assert.deepEqual([...new Set(sent.map((s) => s.replace(/ SET RSA_PUBLIC_KEY(_2)? /, " SET <slot> ")))].sort(), ["ALTER USER IDENTIFIER(?) SET <slot> = '...'"]);
    });

    it("rotates its own key through the same statement", async () => {
        const value = await rotateOnceWith(admin, plan.account.identifier, plan.rotator.userName);
        assert.equal(slotFingerprints(await account.asProvisioner.describeUser(plan.rotator.userName)).RSA_PUBLIC_KEY_2, value.publicKeyFingerprint);
    });

    it("cannot DESC USER a platform user (Snowflake allows DESCRIBE USER of another user to its owner only), which the rotation does not need", async () => {
        const user = plan.users[0]!.name;
        await assert.rejects(account.asRotator.execute(describeUserStatement(user)), /User '[A-Z_]+' does not exist or not authorized/);
        assert.ok(slotFingerprints(await account.asProvisioner.describeUser(user)), "the owner may describe it");
    });

    it("cannot read or set the keys of a user outside the platform's set, nor of the provisioner", async () => {
        const body = generateSnowflakeKey().publicKeyBody;
        for (const user of [OUTSIDER, plan.provisioner.userName]) {
            await assert.rejects(account.asRotator.execute(describeUserStatement(user)), /User '[A-Z_]+' does not exist or not authorized/, user);
            await assert.rejects(account.asRotator.execute(setPublicKeyStatement(user, "RSA_PUBLIC_KEY", body)), /Insufficient privileges to operate on user/, user);
            assert.deepEqual(account.asRotator.usedSlots(user), [], `${user} keeps no key the rotator set`);
        }
    });

    it("cannot alter any other property of a platform user, nor drop it", async () => {
        const user = plan.users[0]!.name;
        const attempts = [
            `ALTER USER IDENTIFIER(?) SET DEFAULT_ROLE = 'ACCOUNTADMIN'`,
            `ALTER USER IDENTIFIER(?) SET DISABLED = 'TRUE'`,
            `ALTER USER IDENTIFIER(?) SET PASSWORD = 'x'`,
            `ALTER USER IDENTIFIER(?) SET LOGIN_NAME = 'OTHER'`,
            `ALTER USER IDENTIFIER(?) SET NETWORK_POLICY = 'OPEN'`,
            `ALTER USER IDENTIFIER(?) UNSET NETWORK_POLICY`,
            `DROP USER IDENTIFIER(?)`,
        ];
        for (const sqlText of attempts) {
            await assert.rejects(account.asRotator.execute({ sqlText, binds: [user] }), /Insufficient privileges to operate on user/, sqlText);
        }
        assert.equal(account.asRotator.property(user, "DEFAULT_ROLE"), undefined);
        // The same statements succeed for the owner: the refusals above come from the privilege model, not the parser.
        for (const sqlText of attempts.slice(0, 2)) await account.asProvisioner.execute({ sqlText, binds: [user] });
        assert.equal(account.asProvisioner.property(user, "DEFAULT_ROLE"), "ACCOUNTADMIN");
    });

    it("loses a user the moment its grant is missing from the plan", async () => {
        const [kept, dropped] = [plan.users[0]!, plan.users[1]!];
        const narrowed = { ...plan, rotator: { ...plan.rotator, grants: plan.rotator.grants.filter((g) => g.objectName !== dropped.name) } };
        account = accountFromPlan(narrowed);
        admin = new StatementUserAdmin((s) => account.asRotator.execute(s), (a, u, k) => account.asRotator.verifyKeyLogin(a, u, k));
        await rotateOnceWith(admin, plan.account.identifier, kept.name);
        await assert.rejects(rotateOnceWith(admin, plan.account.identifier, dropped.name), /Insufficient privileges to operate on user/);
        assert.ok(narrowed.rotator.grants.every((g) => g.privileges.join() === KEY_SLOT_PRIVILEGE));
    });
});
