import { snowflakeServiceuserKeypairOnly as snowflakeUser } from "../../../policies/snowflake/serviceuser-keypair-only";
import { assertCompliant, assertViolation, target, withChange } from "../../support/policy-fixtures";

describe("snowflake-serviceuser-keypair-only", () => {
    const user = () => target("snowflake:index/serviceUser:ServiceUser", "dbt-finance", { name: "FL_DEV_DBT_FINANCE", rsaPublicKey: "MIIBIjANBgkq", defaultRole: "FL_DEV_DBT_FINANCE" });
    it("stays quiet on a service user with a public key", async () => {
        await assertCompliant(snowflakeUser, user());
    });
    it("reports a password", async () => {
        await assertViolation(snowflakeUser, withChange(user(), (t) => (t.inputs.password = "[secret]")), /sets a password.*Fix: create the user as snowflake\.ServiceUser/);
    });
    it("reports a missing public key", async () => {
        await assertViolation(snowflakeUser, withChange(user(), (t) => delete t.inputs.rsaPublicKey), /has no RSA public key/);
    });
    it("accepts the key in slot 2 during a rotation", async () => {
        await assertCompliant(snowflakeUser, withChange(user(), (t) => { delete t.inputs.rsaPublicKey; t.inputs.rsaPublicKey2 = "MIIBIjANBgkq"; }));
    });
    it("reports a legacy service user with a password", async () => {
        await assertViolation(snowflakeUser, target("snowflake:index/legacyServiceUser:LegacyServiceUser", "legacy", { name: "FL_DEV_LEGACY", password: "[secret]" }), /sets a password/);
    });
});
