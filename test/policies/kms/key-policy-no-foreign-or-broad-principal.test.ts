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
