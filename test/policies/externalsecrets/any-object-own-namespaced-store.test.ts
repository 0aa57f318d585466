import { strict as assert } from "assert";
import { anyResourceNoCrossEnvironmentGrant as crossEnv } from "../../../policies/general/any-resource-no-cross-environment-grant";
import { externalsecretsAnyObjectOwnNamespacedStore as rule, findIsScoped } from "../../../policies/externalsecrets/any-object-own-namespaced-store";
import { assertCompliant, assertViolation, target, withChange } from "../../support/policy-fixtures";

const ES = "kubernetes:external-secrets.io/v1:ExternalSecret";

/** An ExternalSecret as the platform writes it: its namespace's SecretStore and named keys. */
function externalSecret() {
    return target(ES, "airflow-risk-pg", {
        apiVersion: "external-secrets.io/v1",
        kind: "ExternalSecret",
        metadata: { name: "pg", namespace: "airflow-risk" },
        spec: { secretStoreRef: { name: "aws-secrets", kind: "SecretStore" }, target: { name: "pg" }, data: [{ secretKey: "connection", remoteRef: { key: "dev/airflow/connections/pg" } }] },
    });
}

describe("externalsecrets-any-object-own-namespaced-store", () => {
    it("stays quiet on a namespaced store with named keys, and on a find anchored to the workload prefix", async () => {
        await assertCompliant(rule, externalSecret());
        await assertCompliant(rule, withChange(externalSecret(), (t) => ((t.inputs.spec as any).dataFrom = [{ find: { name: { regexp: "^dev/airflow/connections/" } } }])));
    });
    it("refuses a ClusterSecretStore, and an ExternalSecret that reads through one", async () => {
        await assertViolation(rule, target("kubernetes:external-secrets.io/v1:ClusterSecretStore", "global", { spec: { provider: { aws: { service: "SecretsManager" } } } }), /ClusterSecretStore 'global' is a store every namespace/);
        await assertViolation(rule, withChange(externalSecret(), (t) => ((t.inputs.spec as any).secretStoreRef.kind = "ClusterSecretStore")), /reads through the ClusterSecretStore 'aws-secrets'/);
    });
    it("refuses a find by tags only or by a pattern wider than one workload", async () => {
        await assertViolation(rule, withChange(externalSecret(), (t) => ((t.inputs.spec as any).dataFrom = [{ find: { tags: { team: "risk" } } }])), /dataFrom\[0\]\.find that is not anchored to \^dev\/<workload>\//);
        await assertViolation(rule, withChange(externalSecret(), (t) => ((t.inputs.spec as any).dataFrom = [{ find: { name: { regexp: "^dev/.*" } } }])), /not anchored/);
        assert.equal(findIsScoped({ path: "dev/airflow" }, "dev"), true);
        assert.equal(findIsScoped({ name: { regexp: "^prod/airflow/" } }, "dev"), false);
    });
    it("refuses a PushSecret and a ClusterExternalSecret, and an exemption lets one through", async () => {
        const push = target("kubernetes:external-secrets.io/v1alpha1:PushSecret", "push", { spec: { secretStoreRefs: [{ name: "aws-secrets", kind: "SecretStore" }], data: [{ match: { secretKey: "token", remoteRef: { remoteKey: "dev/vendor/token" } } }] } });
        await assertViolation(rule, push, /PushSecret 'push' writes a value from the cluster/);
        await assertViolation(rule, target("kubernetes:external-secrets.io/v1:ClusterExternalSecret", "fan", { spec: { externalSecretSpec: externalSecret().inputs.spec } }), /copies secrets into many namespaces/);
        const config = { [rule.name]: { exemptions: [{ policy: rule.name, urn: push.urn, reason: "Vendor bootstrap reviewed in CHG-3001." }] } };
        await assertCompliant(rule, push, config);
    });
    it("lets the cross-environment rule see PushSecret remote keys", async () => {
        const push = target("kubernetes:external-secrets.io/v1alpha1:PushSecret", "push", { spec: { data: [{ match: { secretKey: "token", remoteRef: { remoteKey: "prod/vendor/token" } } }] } });
        await assertViolation(crossEnv, push, /the prod name or path 'prod\/vendor\/token'/);
    });
});
