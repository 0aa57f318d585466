import { strict as assert } from "assert";
import * as path from "path";
import * as YAML from "yaml";
import { catalogForEnvironment, CatalogError, loadCatalog, parseCatalog, scaleCatalog } from "../../model/catalog";
import { PROJECT_DIR } from "../support/plan-cli";

const workload = { id: "airflow-ledger", type: "airflow", description: "Airflow DAGs of the ledger domain.", owner: "team-ledger", namespace: "airflow-ledger", serviceAccount: "ledger-tasks", dags: ["gl_post"] };
const secret = {
    name: "airflow/connections/pg_ledger_core_ro",
    kind: "postgres-password",
    description: "Read-only user on the ledger-core Postgres.",
    owner: "team-ledger",
    criticality: "critical",
    rotation: { strategy: "postgres-alternating-users", days: 30 },
    environments: ["dev", "staging", "prod"],
    consumers: ["airflow-ledger"],
};

/** A catalog document as a person writes it: objects the fixture shares are written out, not aliased. */
function yamlText(doc: object): string {
    return YAML.stringify(doc, { aliasDuplicateObjects: false });
}

function parse(doc: object, file = "catalog/test.yaml") {
    return parseCatalog([{ file, text: yamlText(doc) }]);
}

function problems(doc: object): string {
    try {
        parse(doc);
    } catch (err) {
        assert.ok(err instanceof CatalogError);
        return err.message;
    }
    assert.fail("expected a CatalogError");
}

describe("catalog", () => {
    const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));

    it("holds FinLedger's real scale: 250 DAGs in domains, 40 dbt jobs, 15 Spark apps, about 180 secrets per environment", () => {
        const airflow = catalog.workloads.filter((w) => w.type === "airflow");
        assert.equal(airflow.reduce((n, w) => n + (w.dags?.length ?? 0), 0), 250);
        assert.ok(airflow.length >= 8, "DAGs are grouped into domains");
        assert.equal(catalog.workloads.filter((w) => w.type === "dbt").length, 40);
        assert.equal(catalog.workloads.filter((w) => w.type === "spark").length, 15);
        for (const env of ["dev", "staging", "prod"] as const) {
            const n = catalogForEnvironment(catalog, env).secrets.length;
            assert.ok(n >= 160 && n <= 200, `${env} has ${n} secrets`);
        }
    });

    it("covers every kind the estate uses, with RDS masters managed by RDS", () => {
        const kinds = new Set(catalog.secrets.map((s) => s.kind));
        for (const k of ["snowflake-keypair", "kafka-scram", "postgres-password", "rds-master-password", "api-token", "airflow-fernet-key", "airflow-webserver-secret-key"]) {
            assert.ok(kinds.has(k as never), `no ${k}`);
        }
        assert.ok(catalog.secrets.filter((s) => s.kind === "rds-master-password").every((s) => s.rotation.strategy === "rds-managed"));
        assert.ok(catalog.secrets.some((s) => s.name === "airflow/metadata-db"));
    });

    it("gives each Airflow domain its own namespace and service account", () => {
        const airflow = catalog.workloads.filter((w) => w.type === "airflow");
        assert.equal(new Set(airflow.map((w) => w.namespace)).size, airflow.length);
        assert.equal(new Set(airflow.map((w) => `${w.namespace}/${w.serviceAccount}`)).size, airflow.length);
    });

    it("accepts a well-formed entry", () => {
        const c = parse({ workloads: [workload], secrets: [secret] });
        assert.equal(c.secrets[0].file, "catalog/test.yaml");
        assert.deepEqual(c.workloads[0].environments, ["dev", "staging", "prod"]);
    });

    it("accepts a critical assisted vendor token only with a period of 30 days or less and an owner with a contact", () => {
        const token = { ...secret, name: "airflow/connections/stripe_api", kind: "api-token", owner: "team-payments", vendor: "stripe", rotation: { strategy: "assisted", days: 30 } };
        const team = { id: "team-payments", contact: ["payments", "example.org"].join("@") };
        assert.equal(parse({ workloads: [workload], secrets: [token], teams: [team] }).secrets[0].rotation.strategy, "assisted");
        assert.match(problems({ workloads: [workload], secrets: [token] }), /'airflow\/connections\/stripe_api' is critical and rotates 'assisted', but its owner 'team-payments' has no contact/);
        assert.match(problems({ workloads: [workload], secrets: [{ ...token, rotation: { strategy: "assisted", days: 31 } }], teams: [team] }), /is critical but rotation\.days is 31/);
        assert.match(problems({ workloads: [workload], secrets: [token], teams: [{ ...team, contact: "payments" }] }), /teams\[0\] \(team-payments\): key 'contact' an e-mail address/);
    });

    it("refuses vendor-api for a vendor without a token API, and a vendor-rotated token without a vendor", () => {
        const token = { ...secret, name: "airflow/connections/stripe_api", kind: "api-token", owner: "team-payments", vendor: "stripe", rotation: { strategy: "vendor-api", days: 30 } };
        assert.match(problems({ workloads: [workload], secrets: [token] }), /rotates 'vendor-api' but stripe documents no API to issue and revoke tokens.*use 'assisted'/);
        const { vendor: _omitted, ...noVendor } = { ...token, vendor: "twilio" };
        assert.match(problems({ workloads: [workload], secrets: [noVendor] }), /rotates 'vendor-api' without 'vendor'/);
        assert.match(problems({ workloads: [workload], secrets: [{ ...token, vendor: "acme" }] }), /key 'vendor'/);
    });

    it("rejects an unknown key, naming the file, the entry and the key", () => {
        assert.match(problems({ workloads: [workload], secrets: [{ ...secret, rotaton: {} }] }), /catalog\/test\.yaml: secrets\[0\] \(airflow\/connections\/pg_ledger_core_ro\): unknown key 'rotaton'/);
        assert.match(problems({ workloads: [{ ...workload, team: "x" }] }), /workloads\[0\] \(airflow-ledger\): unknown key 'team'/);
        assert.match(problems({ workloads: [workload], secret: [] }), /unknown key 'secret'/);
    });

    it("rejects duplicate secret names and workload ids across files", () => {
        const files = [
            { file: "catalog/a.yaml", text: yamlText({ workloads: [workload], secrets: [secret] }) },
            { file: "catalog/b.yaml", text: yamlText({ workloads: [{ ...workload, serviceAccount: "other" }], secrets: [secret] }) },
        ];
        assert.throws(() => parseCatalog(files), (err: Error) =>
            /catalog\/b\.yaml: secret 'airflow\/connections\/pg_ledger_core_ro' is a duplicate of the one in catalog\/a\.yaml/.test(err.message) &&
            /catalog\/b\.yaml: workload 'airflow-ledger' is a duplicate of the one in catalog\/a\.yaml/.test(err.message));
    });

    it("rejects a dangling consumer", () => {
        assert.match(problems({ workloads: [workload], secrets: [{ ...secret, consumers: ["airflow-legder"] }] }), /names consumer 'airflow-legder', which is not a workload id in catalog\//);
    });

    it("rejects a critical secret that rotates less often than every 30 days, or by hand", () => {
        assert.match(problems({ workloads: [workload], secrets: [{ ...secret, rotation: { strategy: "postgres-alternating-users", days: 45 } }] }), /is critical but rotation\.days is 45; critical secrets rotate every 30 days or less/);
        assert.match(problems({ workloads: [workload], secrets: [{ ...secret, rotation: { strategy: "manual", days: 30 } }] }), /is critical but rotates 'manual'; critical secrets need an automated strategy/);
    });

    it("rejects a strategy that does not fit the kind, and a Kafka secret without the MSK prefix", () => {
        assert.match(problems({ workloads: [workload], secrets: [{ ...secret, rotation: { strategy: "snowflake-key-pair", days: 30 } }] }), /rotation\.strategy 'snowflake-key-pair' does not fit kind 'postgres-password'; use postgres-alternating-users or manual/);
        assert.match(problems({ workloads: [workload], secrets: [{ ...secret, name: "kafka/ledger", kind: "kafka-scram", rotation: { strategy: "kafka-scram-alternating-users", days: 30 } }] }), /MSK only associates secrets whose name starts with 'AmazonMSK_'/);
    });

    it("rejects a workload namespace that names an environment", () => {
        assert.match(problems({ workloads: [{ ...workload, namespace: "airflow-ledger-prod" }] }), /uses namespace 'airflow-ledger-prod'.*names the environment 'prod'/);
    });

    it("rejects a secret that exists where its consumer does not run", () => {
        assert.match(
            problems({ workloads: [{ ...workload, environments: ["dev"] }], secrets: [secret] }),
            /exists in staging, prod, where its consumer 'airflow-ledger' does not run/,
        );
    });

    it("rejects a secret name that carries an environment", () => {
        assert.match(problems({ workloads: [workload], secrets: [{ ...secret, name: "prod/airflow/x" }] }), /names the environment 'prod'; names are relative/);
    });

    it("rejects a DAG listed under two domains", () => {
        const other = { ...workload, id: "airflow-risk", namespace: "airflow-risk", serviceAccount: "risk-tasks" };
        assert.match(problems({ workloads: [workload, other] }), /DAG 'gl_post' is listed under both 'airflow-ledger' and 'airflow-risk'/);
    });

    it("reports invalid YAML with the file name", () => {
        assert.throws(() => parseCatalog([{ file: "catalog/broken.yaml", text: "secrets: [\n" }]), /catalog\/broken\.yaml: invalid YAML/);
    });

    it("scales synthetically with unique names and consistent consumers", () => {
        const scaled = scaleCatalog(catalog, 10);
        assert.equal(scaled.secrets.length, catalog.secrets.length * 10);
        assert.equal(new Set(scaled.secrets.map((s) => s.name)).size, scaled.secrets.length);
        const ids = new Set(scaled.workloads.map((w) => w.id));
        assert.equal(ids.size, scaled.workloads.length);
        assert.ok(scaled.secrets.every((s) => s.consumers.every((c) => ids.has(c))));
        assert.throws(() => scaleCatalog(catalog, 0), /positive integer/);
    });
});
