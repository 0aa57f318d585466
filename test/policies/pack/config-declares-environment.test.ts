import { strict as assert } from "assert";
import { packConfigDeclaresEnvironment as packRule } from "../../../policies/pack/config-declares-environment";
import { ACCOUNTS, assertCompliant, assertViolation, target, violationsOf, withChange } from "../../support/policy-fixtures";

const DEV = ACCOUNTS.dev;

describe("pack-config-declares-environment", () => {
    const provider = target("pulumi:providers:aws", "fl-dev-aws", {}, { outputs: { allowedAccountIds: JSON.stringify([DEV]), region: "us-east-1" } });

    it("stays quiet on a declared environment with a pinned provider", async () => {
        await assertCompliant(packRule, [provider]);
    });
    it("reports a provider allowed into another account", async () => {
        await assertViolation(packRule, [withChange(provider, (t) => (t.outputs.allowedAccountIds = JSON.stringify([ACCOUNTS.prod])))], /allows account\(s\) 736491028554, but dev is account 402817365190/);
    });
    it("reports an unpinned provider", async () => {
        await assertViolation(packRule, [withChange(provider, (t) => delete t.outputs.allowedAccountIds)], /does not pin allowedAccountIds/);
    });
    it("reports a stack that is not a declared environment", async () => {
        await assertViolation(packRule, [target("pulumi:providers:aws", "p", {}, { stack: "qa", outputs: { allowedAccountIds: JSON.stringify([DEV]) } })], /Stack 'qa' is not a declared environment/);
    });
    it("reports an exemption without a reason, and an expired one", async () => {
        const config = { [packRule.name]: { exemptions: [{ policy: packRule.name, urn: "urn:pulumi:dev::*", reason: "" }, { policy: packRule.name, urn: "y", reason: "Reviewed in CHG-1234 by platform.", expires: "2020-01-31" }] } };
        const violations = await violationsOf(packRule, [provider], config);
        assert.equal(violations.length, 2);
        assert.match(violations[0].message, /exemptions\[0\]\.reason is missing or too short/);
        assert.match(violations[1].message, /exemptions\[1\] for pack-config-declares-environment expired on 2020-01-31/);
    });
    it("reports an exemption for another rule placed under this rule's entry, which the engine never passes to that rule", async () => {
        const config = { [packRule.name]: { exemptions: [{ policy: "kubernetes-secret-no-literal-data", urn: "urn:pulumi:dev::*", reason: "Reviewed in CHG-1234 by platform." }] } };
        await assertViolation(packRule, [provider], /exempts 'kubernetes-secret-no-literal-data' but sits under the entry of 'pack-config-declares-environment'.*move it under "kubernetes-secret-no-literal-data"/, config);
    });
});
