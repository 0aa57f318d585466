import { snowflakeServiceuserKeypairOnly as snowflakeUser } from "../../../policies/snowflake/serviceuser-keypair-only";
import { assertCompliant, assertViolation, target, withChange } from "../../support/policy-fixtures";

describe("snowflake-serviceuser-keypair-only", () => {
    const user = () => target("snowflake:index/serviceUser:ServiceUser", "dbt-finance", { name: "FL_DEV_DBT_FINANCE", defaultRole: "FL_DEV_WL_DBT_FINANCE" });
    it("stays quiet on a platform service user with no password and no key (the rotation sets both slots)", async () => {
        await assertCompliant(snowflakeUser, user());
        await assertCompliant(snowflakeUser, withChange(user(), (t) => (t.inputs.rsaPublicKey2 = "MIIBIjANBgkq")));
    });
    it("reports a password", async () => {
        await assertViolation(snowflakeUser, withChange(user(), (t) => (t.inputs.password = "[secret]")), /sets a password.*Fix: create the user as snowflake\.ServiceUser/);
    });
    it("reports a platform user created as TYPE = PERSON", async () => {
        await assertViolation(snowflakeUser, target("snowflake:index/user:User", "person", { name: "FL_PROD_LOADER" }), /'FL_PROD_LOADER' carries the prod prefix FL_PROD_ but is a TYPE = PERSON user/);
    });
    it("reports a platform user created as a legacy service user with a password", async () => {
        const legacy = target("snowflake:index/legacyServiceUser:LegacyServiceUser", "legacy", { name: "FL_DEV_LEGACY", password: "[secret]" });
        await assertViolation(snowflakeUser, legacy, /'FL_DEV_LEGACY' carries the dev prefix FL_DEV_ but is a LEGACY_SERVICE user/);
        await assertViolation(snowflakeUser, legacy, /'FL_DEV_LEGACY' sets a password/);
    });
    it("stays quiet on a person outside the platform's prefixes", async () => {
        await assertCompliant(snowflakeUser, target("snowflake:index/user:User", "analyst", { name: "JANE_DOE" }));
    });
});

describe("snowflake-serviceuser-keypair-only: which users are service users", () => {
    const PW = "[secret]";
    it("takes a generic User with userType SERVICE, in any case, as a service user: no PERSON report, but a password is reported", async () => {
        await assertCompliant(snowflakeUser, target("snowflake:index/user:User", "svc", { name: "FL_DEV_LOADER", userType: "service" }));
        await assertViolation(snowflakeUser, target("snowflake:index/user:User", "svc", { name: "PARTNER_LOADER", userType: "SERVICE", password: PW }), /'PARTNER_LOADER' sets a password/);
    });
    it("reports a password on any service user, platform prefix or not, and leaves people outside the platform alone", async () => {
        await assertViolation(snowflakeUser, target("snowflake:index/serviceUser:ServiceUser", "svc", { name: "PARTNER_LOADER", password: PW }), /'PARTNER_LOADER' sets a password/);
        await assertCompliant(snowflakeUser, target("snowflake:index/user:User", "analyst", { name: "JANE_ANALYST", password: PW }));
        await assertCompliant(snowflakeUser, target("snowflake:index/user:User", "analyst", { name: "JANE_ANALYST", userType: "PERSON", password: PW }));
    });
});
