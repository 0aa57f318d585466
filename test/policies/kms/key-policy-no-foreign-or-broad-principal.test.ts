import { kmsKeyPolicyNoForeignOrBroadPrincipal as keyPolicy } from "../../../policies/kms/key-policy-no-foreign-or-broad-principal";
import { key, PROD } from "../../support/access-fixtures";
import { assertCompliant, assertViolation, withChange } from "../../support/policy-fixtures";

describe("kms-key-policy-no-foreign-or-broad-principal", () => {
    it("stays quiet on buildEnvironmentKeyPolicy (root kms:* is the delegation to IAM)", async () => {
        await assertCompliant(keyPolicy, key());
    });
    it("reports kms:* for a non-root principal", async () => {
        const bad = withChange(key(), (t) => {
            const p = JSON.parse(t.inputs.policy as string);
            p.Statement[1].Action = "kms:*";
            t.inputs.policy = JSON.stringify(p);
        });
        await assertViolation(keyPolicy, bad, /KeyAdministratorsManageTheKey\) allows kms:\* to arn:aws:iam::402817365190:role\/fl-dev-platform-key-admin, not only the account root/);
    });
    it("reports a principal of another account", async () => {
        const bad = withChange(key(), (t) => {
            const p = JSON.parse(t.inputs.policy as string);
            p.Statement[1].Principal.AWS = [`arn:aws:iam::${PROD}:role/fl-prod-platform-key-admin`];
            t.inputs.policy = JSON.stringify(p);
        });
        await assertViolation(keyPolicy, bad, /names principal 'arn:aws:iam::736491028554:role\/fl-prod-platform-key-admin' of account 736491028554, outside the dev account/);
    });
});

describe("kms-key-policy-no-foreign-or-broad-principal: who may hold kms:*", () => {
    const rootChanged = (change: (s: any) => void) =>
        withChange(key(), (t) => {
            const p = JSON.parse(t.inputs.policy as string);
            change(p.Statement[0]);
            t.inputs.policy = JSON.stringify(p);
        });
    it("accepts the root written as the bare account id, and ignores a broad Deny", async () => {
        await assertCompliant(keyPolicy, rootChanged((s) => (s.Principal = { AWS: "402817365190" })));
        await assertCompliant(keyPolicy, rootChanged((s) => (s.Effect = "Deny") && (s.Principal = "*")));
    });
    it("reports kms:* to everyone, to the root beside another principal, in any case, and Allow with NotAction", async () => {
        await assertViolation(keyPolicy, rootChanged((s) => (s.Principal = "*")), /allows kms:\* to \*, not only the account root/);
        await assertViolation(keyPolicy, rootChanged((s) => s.Principal.AWS = [s.Principal.AWS, "arn:aws:iam::402817365190:role/ci"].flat()), /allows kms:\* to arn:aws:iam::402817365190:root, arn:aws:iam::402817365190:role\/ci, not only the account root/);
        await assertViolation(keyPolicy, rootChanged((s) => (s.Principal = { AWS: "arn:aws:iam::402817365190:role/ci" }) && (s.Action = "KMS:*")), /allows kms:\* to arn:aws:iam::402817365190:role\/ci/);
        await assertViolation(keyPolicy, rootChanged((s) => (s.Principal = { AWS: "arn:aws:iam::402817365190:role/ci" }) && (s.NotAction = "kms:Decrypt") && delete s.Action), /allows NotAction to arn:aws:iam::402817365190:role\/ci/);
    });
    it("reports another account named by its bare id", async () => {
        await assertViolation(keyPolicy, rootChanged((s) => (s.Principal = { AWS: PROD })), /names principal '736491028554' of account 736491028554, outside the dev account 402817365190/);
    });
});
