import { strict as assert } from "assert";
import { anyResourceNoPlaintextOutput as rule } from "../../../policies/general/any-resource-no-plaintext-output";
import { assertCompliant, assertViolation, randomAlnum, target } from "../../support/policy-fixtures";

const PASS = ["pass", "word"].join("");

/** The stack resource with outputs that only reference secrets: the compliant baseline. */
function stack(outputs: Record<string, unknown>) {
    return { ...target("pulumi:pulumi:Stack", "finledger-secrets-platform-dev", {}, { outputs }), custom: false };
}
const baseline = { secretArns: ["arn:aws:secretsmanager:us-east-1:402817365190:secret:dev/airflow/connections/pg-AbCdEf"], dbHost: "db.dev.internal", dbPassword: "[secret]" };

describe("any-resource-no-plaintext-output", () => {
    it("stays quiet on stack outputs that reference secrets or hold Pulumi secrets (the placeholder)", async () => {
        await assertCompliant(rule, stack(baseline));
    });
    it("reports a plaintext credential in a stack output, on the stack's URN", async () => {
        const bad = stack({ ...baseline, dbPassword: `Winter${randomAlnum(4, 3)}!` });
        const [v] = await assertViolation(rule, bad, /Stack output at 'dbPassword' looks like a plaintext credential/);
        assert.equal(v.urn, bad.urn);
        await assertViolation(rule, stack({ ...baseline, connection: `postgresql://app:${randomAlnum(16, 4)}@db:5432/ledger` }), /'connection'.*connection-uri-password/);
    });
    it("reports a credential a component registered as an output", async () => {
        const component = { ...target("finledger:secrets:ManagedSecret", "pg", {}, { outputs: { [PASS]: `Spring${randomAlnum(4, 5)}#` } }), custom: false };
        await assertViolation(rule, component, /Output of 'pg' \(finledger:secrets:ManagedSecret\) at 'password'/);
    });
});
