import { secretsmanagerSecretversionNotManagedByProgram } from "../../../policies/secretsmanager/secretversion-not-managed-by-program";
import { assertCompliant, assertViolation, target } from "../../support/policy-fixtures";

describe("secretsmanager-secretversion-not-managed-by-program", () => {
    it("stays quiet on the secret container itself", async () => {
        await assertCompliant(secretsmanagerSecretversionNotManagedByProgram, target("aws:secretsmanager/secret:Secret", "s", { name: "dev/x" }));
    });

    it("reports a SecretVersion with secretString", async () => {
        await assertViolation(secretsmanagerSecretversionNotManagedByProgram, target("aws:secretsmanager/secretVersion:SecretVersion", "v", { secretId: "x", secretString: "[secret]" }), /writes secretString .*Fix: remove the SecretVersion/);
    });
});
