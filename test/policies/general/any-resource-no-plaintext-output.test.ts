import { anyResourceNoPlaintextOutput as rule } from "../../../policies/general/any-resource-no-plaintext-output";
import { anyResourceNoPlaintextSecret as inputsRule } from "../../../policies/general/any-resource-no-plaintext-secret";
import { targetsFromExport, targetsFromPreview } from "../../../tools/check/targets";
import { assertCompliant, assertViolation, fake, randomAlnum, stackExportOf, target, violationsOf } from "../../support/policy-fixtures";
import { strict as assert } from "assert";
import { randomBytes } from "crypto";

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

// Provider resources whose credential exists only in their outputs: the provider generated it or a dynamic provider
// returned it. Their inputs are clean, so only this rule can see the value a deployment keeps in its state.
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const envelope = () => ({ [SIG]: SECRET_SIG, ciphertext: randomBytes(48).toString("base64") });

/** An IAM access key created with a PGP key: its outputs hold only ciphertext and a fingerprint (compliant). */
function accessKey(outputs: Record<string, unknown> = {}) {
    const inputs = { user: "fl-dev-ci-uploader", pgpKey: "keybase:finledger_ops" };
    return target("aws:iam/accessKey:AccessKey", "uploader-key", inputs, {
        outputs: { ...inputs, id: "uploader-key-id", status: "Active", encryptedSecret: randomBytes(96).toString("base64"), encryptedSesSmtpPasswordV4: randomBytes(64).toString("base64"), keyFingerprint: randomBytes(20).toString("hex"), ...outputs },
    });
}
/** A dynamic-provider resource whose provider returned connection details. */
function dynamicDatabase(outputs: Record<string, unknown>) {
    return target("pulumi-nodejs:dynamic:Resource", "ledger-db-user", { name: "ledger_app" }, { outputs: { name: "ledger_app", host: "db.dev.internal", ...outputs } });
}

describe("any-resource-no-plaintext-output: credentials that appear only in a provider resource's outputs", () => {
    it("stays quiet on an access key whose outputs hold only PGP ciphertext, a fingerprint and the secret envelope", async () => {
        await assertCompliant(rule, accessKey());
        const exported = targetsFromExport(stackExportOf([accessKey({ secret: envelope(), sesSmtpPasswordV4: envelope() })]), "export.json");
        await assertCompliant(rule, exported);
    });
    it("reports an access key secret the provider returned unencrypted, although the inputs rule sees nothing", async () => {
        const key = accessKey({ secret: `${randomAlnum(30, 11)}/${randomAlnum(9, 12)}` });
        await assertCompliant(inputsRule, key);
        const [v] = await assertViolation(rule, key, /Output of 'uploader-key' \(aws:iam\/accessKey:AccessKey\) at 'secret' looks like a plaintext credential.*value is not shown/);
        assert.equal(v.urn, key.urn);
    });
    it("reports a password and a connection URI a dynamic provider returned", async () => {
        await assertViolation(rule, dynamicDatabase({ password: `Autumn${randomAlnum(3, 13)}#` }), /Output of 'ledger-db-user' \(pulumi-nodejs:dynamic:Resource\) at 'password'/);
        await assertViolation(rule, dynamicDatabase({ url: `postgresql://ledger_app:${randomAlnum(18, 14)}@db.dev.internal:5432/ledger` }), /at 'url'.*connection-uri-password/);
        await assertCompliant(rule, dynamicDatabase({ passwordSecretArn: "arn:aws:secretsmanager:us-east-1:402817365190:secret:dev/ledger/app-AbCdEf" }));
    });
    it("reads outputs the way the engine hands them over: a token in a preview's new state and base64 in a Secret's data", async () => {
        const token = fake.githubToken(21);
        const preview = { steps: [{ op: "create", urn: dynamicDatabase({}).urn, newState: { urn: dynamicDatabase({}).urn, custom: true, type: "pulumi-nodejs:dynamic:Resource", inputs: { name: "ledger_app" }, outputs: { name: "ledger_app", installation: token } } }] };
        await assertViolation(rule, targetsFromPreview(preview, "preview.json"), /at 'installation'.*secretlint/);
        const secret = target("kubernetes:core/v1:Secret", "db", { metadata: { name: "db" } }, { outputs: { metadata: { name: "db" }, data: { password: Buffer.from(`Winter${randomAlnum(4, 15)}!`).toString("base64") } } });
        await assertViolation(rule, secret, /Output of 'db' \(kubernetes:core\/v1:Secret\) at 'data.password'/);
    });
    it("reports a credential once per resource and path, whatever order the resources come in", async () => {
        const key = accessKey({ secret: `${randomAlnum(30, 16)}/${randomAlnum(9, 17)}` });
        const db = dynamicDatabase({ password: `Summer${randomAlnum(3, 18)}$` });
        const forward = (await violationsOf(rule, [key, db])).map((v) => `${v.urn} ${v.message}`).sort();
        const backward = (await violationsOf(rule, [db, key])).map((v) => `${v.urn} ${v.message}`).sort();
        assert.equal(forward.length, 2);
        assert.deepEqual(forward, backward);
    });
});
