import { iamRoleIrsaTrustPinned as irsaTrust } from "../../../policies/iam/role-irsa-trust-pinned";
import { DEV_ISSUER, irsaRole, trustOf } from "../../support/access-fixtures";
import { assertCompliant, assertViolation, withChange } from "../../support/policy-fixtures";

describe("iam-role-irsa-trust-pinned", () => {
    it("stays quiet on a trust pinned to one service account and sts audience", async () => {
        await assertCompliant(irsaTrust, irsaRole());
    });
    const change = (f: (trust: any) => void) => withChange(irsaRole(), (t) => (t.inputs.assumeRolePolicy = JSON.stringify(withChange(trustOf(t), f))));
    it("reports StringLike on :sub", async () => {
        await assertViolation(irsaTrust, change((p) => (p.Statement[0].Condition = { StringLike: p.Statement[0].Condition.StringEquals })), /matches :sub with StringLike; use StringEquals/);
    });
    it("reports two service accounts", async () => {
        await assertViolation(irsaTrust, change((p) => (p.Statement[0].Condition.StringEquals[`${DEV_ISSUER}:sub`] = ["system:serviceaccount:a:b", "system:serviceaccount:c:d"])), /allows 2 service accounts/);
    });
    it("reports a wildcard service account", async () => {
        await assertViolation(irsaTrust, change((p) => (p.Statement[0].Condition.StringEquals[`${DEV_ISSUER}:sub`] = "system:serviceaccount:airflow-risk:*")), /not exactly one system:serviceaccount/);
    });
    it("reports a missing :aud", async () => {
        await assertViolation(irsaTrust, change((p) => delete p.Statement[0].Condition.StringEquals[`${DEV_ISSUER}:aud`]), /does not pin .*:aud to sts\.amazonaws\.com/);
    });
    it("reports a missing :sub", async () => {
        await assertViolation(irsaTrust, change((p) => delete p.Statement[0].Condition.StringEquals[`${DEV_ISSUER}:sub`]), /does not pin .*:sub with StringEquals/);
    });
});
