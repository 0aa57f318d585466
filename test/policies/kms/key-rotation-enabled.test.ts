import { kmsKeyRotationEnabled as keyRotation } from "../../../policies/kms/key-rotation-enabled";
import { key } from "../../support/access-fixtures";
import { assertCompliant, assertViolation, withChange } from "../../support/policy-fixtures";

describe("kms-key-rotation-enabled", () => {
    it("stays quiet on the environment key", async () => {
        await assertCompliant(keyRotation, key());
    });
    it("reports a key without rotation", async () => {
        await assertViolation(keyRotation, withChange(key(), (t) => (t.inputs.enableKeyRotation = false)), /does not have automatic rotation enabled.*Fix: set enableKeyRotation: true/);
    });
    it("reports a rotation period over a year", async () => {
        await assertViolation(keyRotation, withChange(key(), (t) => (t.inputs.rotationPeriodInDays = 730)), /rotates every 730 days/);
    });
});
