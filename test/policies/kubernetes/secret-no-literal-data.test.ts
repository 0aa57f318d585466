import { strict as assert } from "assert";
import { kubernetesSecretNoLiteralData } from "../../../policies/kubernetes/secret-no-literal-data";
import { assertCompliant, assertViolation, target, violationsOf, withChange } from "../../support/policy-fixtures";

describe("kubernetes-secret-no-literal-data", () => {
    const base = () => target("kubernetes:core/v1:Secret", "webhook", { metadata: { name: "webhook", namespace: "airflow" }, type: "Opaque" });

    it("stays quiet on a Secret without literal data (an ESO-owned shell) and on ExternalSecrets", async () => {
        await assertCompliant(kubernetesSecretNoLiteralData, [base(), target("kubernetes:external-secrets.io/v1:ExternalSecret", "x", { spec: { data: [{ secretKey: "k", remoteRef: { key: "dev/x" } }] } })]);
    });

    it("reports literal stringData", async () => {
        await assertViolation(kubernetesSecretNoLiteralData, withChange(base(), (t) => (t.inputs.stringData = { token: "abc" })), /sets stringData with 1 literal key\(s\) \(token\).*Fix: .*ExternalSecret/);
    });

    it("reports literal data", async () => {
        await assertViolation(kubernetesSecretNoLiteralData, withChange(base(), (t) => (t.inputs.data = { token: "YWJj" })), /sets data/);
    });

    it("allows a literal Secret only through a named exemption", async () => {
        const bad = withChange(base(), (t) => (t.inputs.data = { token: "YWJj" }));
        const config = { [kubernetesSecretNoLiteralData.name]: { exemptions: [{ policy: kubernetesSecretNoLiteralData.name, urn: bad.urn, reason: "Bootstrap token the ESO controller needs before it can run." }] } };
        assert.deepEqual(await violationsOf(kubernetesSecretNoLiteralData, bad, config), []);
    });
});
