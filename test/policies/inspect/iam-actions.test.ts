import { strict as assert } from "assert";
import { actionMatches, expandAction } from "../../../policies/inspect/iam-actions";

describe("inspect/iam-actions: action patterns as IAM reads them", () => {
    it("matches '?' as one character and '*' as any run, case-insensitively and anchored", () => {
        assert.equal(actionMatches("secretsmanager:GetSecretValu?", "secretsmanager:GetSecretValue"), true);
        assert.equal(actionMatches("secretsmanager:Get*Value", "secretsmanager:GetSecretValue"), true);
        assert.equal(actionMatches("SecretsManager:getsecretvalue", "secretsmanager:GetSecretValue"), true);
        assert.equal(actionMatches("secretsmanager:Get?Value", "secretsmanager:GetSecretValue"), false);
        assert.equal(actionMatches("secretsmanager:Get*", "xsecretsmanager:GetSecretValue"), false);
        assert.equal(actionMatches("secretsmanager.Get*", "secretsmanagerxGetSecretValue"), false, "a dot is a dot");
    });
    it("expands a pattern only within a named service", () => {
        for (const p of ["*:GetSecretValue", "secrets?anager:GetSecretValue", ":GetSecretValue"]) assert.deepEqual(expandAction(p), [], p);
        assert.deepEqual(expandAction("SecretsManager:GetSecretValu?"), ["secretsmanager:GetSecretValue"], "the service prefix in any case");
    });
});
