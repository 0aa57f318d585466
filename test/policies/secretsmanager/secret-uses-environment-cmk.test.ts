import { secretsmanagerSecretUsesEnvironmentCmk as cmk } from "../../../policies/secretsmanager/secret-uses-environment-cmk";
import { DEV, DEV_KEY, PROD, secret } from "../../support/access-fixtures";
import { ACCOUNTS, assertCompliant, assertViolation, withChange } from "../../support/policy-fixtures";

describe("secretsmanager-secret-uses-environment-cmk", () => {
    it("stays quiet on a secret and replica encrypted with the environment's key", async () => {
        await assertCompliant(cmk, secret());
    });
    it("reports a secret without kmsKeyId (aws/secretsmanager)", async () => {
        await assertViolation(cmk, withChange(secret(), (t) => delete t.inputs.kmsKeyId), /has no kmsKeyId, so AWS would use the shared aws\/secretsmanager key.*Fix: set kmsKeyId/);
    });
    it("reports the AWS-managed alias", async () => {
        await assertViolation(cmk, withChange(secret(), (t) => (t.inputs.kmsKeyId = "alias/aws/secretsmanager")), /AWS-managed aws\/secretsmanager key/);
    });
    it("reports a key of another environment, read from the pack config's account ids", async () => {
        await assertViolation(cmk, withChange(secret(), (t) => (t.inputs.kmsKeyId = DEV_KEY.replace(DEV, PROD))), /key of the prod environment \(account 736491028554\)/);
    });
    it("reports a replica encrypted with another environment's key", async () => {
        await assertViolation(cmk, withChange(secret(), (t) => ((t.inputs.replicas as any)[0].kmsKeyId = DEV_KEY.replace(DEV, ACCOUNTS.staging))), /replicas\[0\]\.kmsKeyId.*staging/);
    });
    it("reports an undeclared account's key", async () => {
        await assertViolation(cmk, withChange(secret(), (t) => (t.inputs.kmsKeyId = DEV_KEY.replace(DEV, "111122223333"))), /key of account 111122223333, but the dev environment's account is 402817365190/);
    });
});
