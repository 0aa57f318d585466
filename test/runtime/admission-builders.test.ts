// The admission policies' pure builders, without Pulumi or the engine: bad inputs fail with every problem named,
// and values spliced into CEL are quoted.
import { strict as assert } from "assert";
import { admissionInputProblems, AdmissionPolicyInputs, buildAdmissionPolicies, celString } from "../../components/admission-policies";

const good: AdmissionPolicyInputs = {
    secretReaders: [{ namespace: "dbt", secretName: "snowflake-dbt-a", serviceAccounts: ["dbt-a"] }],
    taskAccounts: [{ namespace: "airflow-payments", serviceAccount: "payments-tasks", dags: ["card_settlement_daily"] }],
    defaultTaskAccount: { namespace: "airflow", serviceAccount: "airflow-worker", dags: [] },
    reservedIdentities: [{ namespace: "airflow", serviceAccount: "airflow-worker", component: "Airflow worker", podLabels: { component: "worker" }, creators: ["system:serviceaccount:airflow:airflow-scheduler"] }],
    airflowExecutor: "system:serviceaccount:airflow:airflow-scheduler",
};

describe("Admission policy builders", () => {
    it("accept a consistent set of inputs and bind each policy with Deny", () => {
        assert.deepEqual(admissionInputProblems(good), []);
        const built = buildAdmissionPolicies(good);
        assert.deepEqual(built.map((p) => [p.policy.metadata.name, p.binding.spec.policyName, p.binding.spec.validationActions]), [
            ["finledger-secret-isolation", "finledger-secret-isolation", ["Deny"]],
            ["finledger-pod-identity", "finledger-pod-identity", ["Deny"]],
        ]);
    });

    it("name every problem at once: a duplicate Secret, a Secret with no reader, a DAG id too long for a label, a DAG in two domains, a reserved account without creator", () => {
        const bad: AdmissionPolicyInputs = {
            ...good,
            secretReaders: [...good.secretReaders, { namespace: "dbt", secretName: "snowflake-dbt-a", serviceAccounts: [] }],
            taskAccounts: [...good.taskAccounts, { namespace: "airflow-risk", serviceAccount: "risk-tasks", dags: ["card_settlement_daily", "x".repeat(64)] }],
            reservedIdentities: [{ ...good.reservedIdentities[0], creators: [] }],
        };
        assert.throws(
            () => buildAdmissionPolicies(bad),
            (e: Error) =>
                /Secret dbt\/snowflake-dbt-a is listed twice/.test(e.message) &&
                /Secret dbt\/snowflake-dbt-a has no reader service account/.test(e.message) &&
                /DAG id 'card_settlement_daily' is listed for both airflow-payments and airflow-risk/.test(e.message) &&
                /DAG id 'x{64}' of namespace airflow-risk is not a valid label value of at most 63 characters/.test(e.message) &&
                /Reserved identity airflow\/airflow-worker \(Airflow worker\) lists no creator/.test(e.message),
        );
    });

    it("refuse a default task group that shares a domain's namespace or lists DAGs", () => {
        const bad: AdmissionPolicyInputs = { ...good, defaultTaskAccount: { namespace: "airflow-payments", serviceAccount: "airflow-worker", dags: ["card_settlement_daily"] } };
        assert.throws(
            () => buildAdmissionPolicies(bad),
            (e: Error) => /Namespace airflow-payments is both an Airflow domain's and the core namespace of the default task group/.test(e.message) && /lists DAGs \(card_settlement_daily\); only Airflow domains own DAGs/.test(e.message),
        );
    });

    it("quote values spliced into CEL, so a quote in a name cannot end the string", () => {
        assert.equal(celString("it's a \\ test"), "'it\\'s a \\\\ test'");
    });
});
