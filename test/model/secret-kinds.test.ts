// The value contract of each secret kind: schemas accept what the writers write and refuse the rest (naming fields,
// never values), every consumer view reads only fields its kind has, the generated ExternalSecrets render (with
// ESO's data/dataFrom/template semantics) into exactly what each consumer's format needs, and the plan refuses a
// binding its kind cannot serve.
import { strict as assert } from "assert";
import { createPrivateKey, randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { buildExternalSecret } from "../../components/external-secrets";
import { CatalogError, loadCatalog, SECRET_KINDS, SecretKind } from "../../model/catalog";
import {
    AIRFLOW_CONNECTION_MAPPINGS,
    AIRFLOW_VENDOR_CONNECTION_MAPPINGS,
    airflowConnection,
    airflowConnectionTemplate,
    airflowMappingProblems,
    CONSUMER_VIEWS,
    ConsumerViewName,
    ESO_VIEWS,
    parseSecretValue,
    SECRET_FILE_MODE,
    SECRET_KIND_CONTRACTS,
    secretValueProblems,
    serializeSecretValue,
    viewProblems,
} from "../../model/secret-kinds";
import { assertConsumerBindings } from "../../stacks/consumer-bindings";
import { AIRFLOW_INTERNAL_SECRETS } from "../../components/airflow";
import { renderExternalSecret } from "../support/eso-template";
import { copyProject, PROJECT_DIR, runPlanIn } from "../support/plan-cli";
import { exampleValue } from "../support/secret-values";

const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));

/** Renders the ExternalSecret the stack builds for a view over one stored value, as ESO would. */
function renderView(kind: SecretKind, view: ConsumerViewName, raw: string): Record<string, string> {
    const es = buildExternalSecret({
        name: "x",
        namespace: "ns",
        storeName: "sa",
        remoteKey: "dev/x",
        refreshInterval: "15m",
        view: CONSUMER_VIEWS[view],
        storedFormat: SECRET_KIND_CONTRACTS[kind].format,
    });
    return renderExternalSecret(es.spec, (key) => {
        assert.equal(key, "dev/x");
        return raw;
    });
}

describe("Secret kinds: one value contract per kind", () => {
    for (const kind of SECRET_KINDS) {
        it(`${kind}: an example value fits, and each missing required field is named without echoing any value`, () => {
            const value = exampleValue(kind);
            const raw = SECRET_KIND_CONTRACTS[kind].format === "json" ? JSON.stringify(value) : String(value);
            assert.deepEqual(secretValueProblems(kind, raw), []);
            for (const field of SECRET_KIND_CONTRACTS[kind].required) {
                const without = { ...(value as Record<string, unknown>) };
                delete without[field];
                const problems = secretValueProblems(kind, JSON.stringify(without));
                assert.ok(problems.some((p) => p.includes(`'${field}'`)), `${kind} without ${field}: ${problems.join("; ")}`);
                for (const v of Object.values(without)) if (typeof v === "string" && v.length > 8) assert.ok(!problems.join(" ").includes(v), `${kind}: a problem echoes a value`);
            }
        });
    }

    it("refuses values that consumers could not use, naming the field and the rule", () => {
        const sf = exampleValue("snowflake-keypair") as Record<string, unknown>;
        const pkcs1 = createPrivateKey(String(sf.privateKey)).export({ type: "pkcs1", format: "pem" }).toString();
        assert.match(secretValueProblems("snowflake-keypair", JSON.stringify({ ...sf, privateKey: pkcs1 })).join(), /'privateKey' must be an unencrypted PKCS#8 PEM/);
        const kafka = exampleValue("kafka-scram") as Record<string, string>;
        assert.match(secretValueProblems("kafka-scram", JSON.stringify({ ...kafka, password: `a"b` })).join(), /'password' must not contain double quotes/);
        assert.match(secretValueProblems("kafka-scram", JSON.stringify({ ...kafka, bootstrap: "x" })).join(), /unknown field 'bootstrap'/);
        assert.match(secretValueProblems("kafka-scram", JSON.stringify({ ...kafka, username: "svc" }), "kafka-scram-alternating-users").join(), /'username' must end in _a or _b/);
        const pg = exampleValue("postgres-password") as Record<string, unknown>;
        assert.match(secretValueProblems("postgres-password", JSON.stringify({ ...pg, masterarn: undefined }), "postgres-alternating-users").join(), /'masterarn' must name the RDS-managed master/);
        assert.match(secretValueProblems("api-token", JSON.stringify({ vendor: "acme", token: "x" })).join(), /'vendor' names no known vendor/);
        assert.match(secretValueProblems("airflow-fernet-key", "not-a-key").join(), /Fernet key/);
        assert.match(secretValueProblems("postgres-password", "{not json").join(), /not JSON/);
    });

    it("serialize refuses to store a value its kind does not allow, so a strategy bug cannot reach consumers", () => {
        assert.throws(() => serializeSecretValue("kafka-scram", { username: "u_a" }), /'password' is missing/);
        const v = exampleValue("kafka-scram");
        assert.deepEqual(parseSecretValue("kafka-scram", serializeSecretValue("kafka-scram", v), "test"), v);
    });

    it("every view and every Airflow mapping reads only fields its kind has", () => {
        for (const kind of SECRET_KINDS) {
            for (const view of Object.values(ESO_VIEWS[kind])) assert.deepEqual(viewProblems(kind, CONSUMER_VIEWS[view!]), [], `${kind} / ${view}`);
            const m = AIRFLOW_CONNECTION_MAPPINGS[kind];
            if (m) assert.deepEqual(airflowMappingProblems(kind, m), [], kind);
        }
        for (const [vendor, m] of Object.entries(AIRFLOW_VENDOR_CONNECTION_MAPPINGS)) assert.deepEqual(airflowMappingProblems("api-token", m, Object.keys(exampleValue("api-token", vendor) as object)), [], vendor);
        assert.match(viewProblems("snowflake-keypair", { name: "typo", description: "", keys: { private_key: "{{ .private_key }}" }, fileMode: SECRET_FILE_MODE }).join(), /reads field 'private_key', which kind snowflake-keypair lacks/);
    });

    it("Airflow's own secrets get the keys the chart reads", () => {
        assert.deepEqual(Object.keys(CONSUMER_VIEWS["airflow-fernet-key"].keys), [AIRFLOW_INTERNAL_SECRETS.fernetKey.key]);
        assert.deepEqual(Object.keys(CONSUMER_VIEWS["airflow-webserver-secret-key"].keys), [AIRFLOW_INTERNAL_SECRETS.webserverSecretKey.key]);
        assert.deepEqual(Object.keys(CONSUMER_VIEWS["airflow-metadata-db"].keys), [AIRFLOW_INTERNAL_SECRETS.metadataDb.key]);
    });
});

describe("Secret kinds: views rendered as ESO renders them", () => {
    it("dbt gets exactly the PKCS#8 PEM key file `private_key`", () => {
        const v = exampleValue("snowflake-keypair") as Record<string, string>;
        const out = renderView("snowflake-keypair", "snowflake-key-file", JSON.stringify(v));
        assert.deepEqual(Object.keys(out), ["private_key"]);
        assert.equal(out.private_key, v.privateKey);
        assert.equal(createPrivateKey(out.private_key!).asymmetricKeyType, "rsa");
    });

    it("Spark gets the PEM file and the key body as base64 DER for the connector's pem_private_key", () => {
        const v = exampleValue("snowflake-keypair") as Record<string, string>;
        const out = renderView("snowflake-keypair", "snowflake-spark", JSON.stringify(v));
        assert.deepEqual(Object.keys(out).sort(), ["pem_private_key", "private_key"]);
        assert.match(out.pem_private_key!, /^[A-Za-z0-9+/]+=*$/);
        assert.deepEqual(Buffer.from(out.pem_private_key!, "base64"), createPrivateKey(v.privateKey!).export({ type: "pkcs8", format: "der" }));
    });

    it("Kafka clients get the exact SCRAM-SHA-512 JAAS line and a properties file", () => {
        const v = exampleValue("kafka-scram") as Record<string, string>;
        const out = renderView("kafka-scram", "kafka-client", JSON.stringify(v));
        const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${v.username}" password="${v.password}";`;
        assert.equal(out["sasl.jaas.config"], jaas);
        assert.equal(out["client.properties"], `security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-512\nsasl.jaas.config=${jaas}\n`);
        assert.equal(out.username, v.username);
        assert.equal(out.password, v.password);
    });

    it("Spark JDBC gets user, password and a TLS-verifying JDBC URL; the master ARN never reaches the pod", () => {
        const v = exampleValue("postgres-password") as Record<string, unknown>;
        const out = renderView("postgres-password", "postgres-jdbc", JSON.stringify(v));
        assert.deepEqual(Object.keys(out).sort(), ["jdbc-url", "password", "username"]);
        assert.equal(out["jdbc-url"], `jdbc:postgresql://${v.host}:${v.port}/${v.dbname}?sslmode=verify-full`);
        assert.ok(!Object.values(out).some((x) => x.includes(String(v.masterarn))));
    });

    it("the Airflow metadata connection is a SQLAlchemy URL whose password round-trips through URL decoding", () => {
        const v: Record<string, unknown> = { ...(exampleValue("postgres-password") as Record<string, unknown>), password: `p@ss:w/rd?${randomBytes(4).toString("hex")}` };
        const out = renderView("postgres-password", "airflow-metadata-db", JSON.stringify(v));
        const url = new URL(out.connection!);
        assert.equal(url.protocol, "postgresql:");
        assert.equal(decodeURIComponent(url.password), v.password);
        assert.equal(url.pathname, `/${v.dbname}`);
    });

    it("plain-string kinds are read whole into the chart's key", () => {
        const key = String(exampleValue("airflow-fernet-key"));
        assert.deepEqual(renderView("airflow-fernet-key", "airflow-fernet-key", key), { "fernet-key": key });
    });

    it("a view that reads a field the stored value lacks fails to render, as ESO's missingkey=error does", () => {
        const v = exampleValue("snowflake-keypair") as Record<string, unknown>;
        delete v.privateKey;
        assert.throws(() => renderView("snowflake-keypair", "snowflake-key-file", JSON.stringify(v)), /no entry for key "privateKey"/);
    });

    for (const kind of Object.keys(AIRFLOW_CONNECTION_MAPPINGS) as SecretKind[]) {
        it(`${kind}: the Airflow connection template renders to the pure mapping, with and without optional fields`, () => {
            const full = exampleValue(kind) as Record<string, unknown>;
            const minimal = Object.fromEntries(Object.entries(full).filter(([k]) => SECRET_KIND_CONTRACTS[kind].required.includes(k) || (kind === "api-token" && k === "token")));
            for (const v of [full, minimal]) {
                const rendered = renderExternalSecret(
                    { dataFrom: [{ extract: { key: "k" } }], target: { template: { engineVersion: "v2", data: { "c.json": airflowConnectionTemplate(kind, "conn_x") } } } },
                    () => JSON.stringify(v),
                );
                assert.deepEqual(JSON.parse(rendered["c.json"]!), { conn_x: airflowConnection(kind, v) });
            }
        });
    }

    it("a Datadog token maps to the Datadog provider's connection, template and pure function alike", () => {
        const v = exampleValue("api-token", "datadog") as Record<string, unknown>;
        const rendered = renderExternalSecret({ dataFrom: [{ extract: { key: "k" } }], target: { template: { engineVersion: "v2", data: { c: airflowConnectionTemplate("api-token", "dd", "datadog") } } } }, () => JSON.stringify(v));
        const conn = airflowConnection("api-token", v);
        assert.deepEqual(JSON.parse(rendered.c!), { dd: conn });
        assert.deepEqual(conn.extra, { api_host: v.apiUrl, api_key: v.apiKey, app_key: v.appKey });
    });

    it("Snowflake's Airflow connection carries the key base64-encoded, as the provider reads private_key_content since 6.3", () => {
        const v = exampleValue("snowflake-keypair") as Record<string, string>;
        const conn = airflowConnection("snowflake-keypair", v);
        assert.equal(Buffer.from(conn.extra!.private_key_content!, "base64").toString(), v.privateKey);
        assert.equal(conn.extra!.account, v.account);
        assert.equal(conn.login, v.user);
    });
});

describe("Secret kinds: docs/secret-kinds.md", () => {
    const doc = fs.readFileSync(path.join(PROJECT_DIR, "docs", "secret-kinds.md"), "utf8");
    it("has a section per kind naming every stored field and every key its views generate", () => {
        for (const kind of SECRET_KINDS) {
            const section = doc.split(/^## /m).find((s) => s.startsWith(`${kind}\n`));
            assert.ok(section, `no section '## ${kind}'`);
            for (const field of SECRET_KIND_CONTRACTS[kind].fields) assert.ok(section.includes(`"${field}"`) || section.includes(`\`${field}\``), `${kind}: field ${field} is not documented`);
            for (const view of Object.values(ESO_VIEWS[kind])) {
                for (const key of Object.keys(CONSUMER_VIEWS[view!].keys)) assert.ok(section.includes(`\`${key}\``), `${kind}: key ${key} of view ${view} is not documented`);
            }
        }
    });
});

describe("Secret kinds: consumer bindings in the plan", function () {
    this.timeout(300_000);

    it("every consumer in the catalog has a view or an Airflow mapping of its secret's kind", () => {
        assert.doesNotThrow(() => assertConsumerBindings(catalog));
    });

    it("refuses a dbt job consuming a Kafka secret, naming the file, secret, key and consumer", () => {
        const kafka = catalog.secrets.find((s) => s.kind === "kafka-scram")!;
        const broken = { ...catalog, secrets: catalog.secrets.map((s) => (s === kafka ? { ...s, consumers: [...s.consumers, "dbt-finance-marts"] } : s)) };
        assert.throws(
            () => assertConsumerBindings(broken),
            (e: Error) => e instanceof CatalogError && e.message.includes(`${kafka.file}: secret '${kafka.name}' (kind kafka-scram) key 'consumers' entry 'dbt-finance-marts' (dbt): a dbt workload has no view of kind kafka-scram`),
        );
    });

    it("refuses a view that reads a field its kind lacks", () => {
        const typo = { ...CONSUMER_VIEWS, "snowflake-key-file": { ...CONSUMER_VIEWS["snowflake-key-file"], keys: { private_key: "{{ .private_key }}" } } };
        assert.throws(
            () => assertConsumerBindings(catalog, { esoViews: ESO_VIEWS, views: typo, airflowMappings: AIRFLOW_CONNECTION_MAPPINGS }),
            /catalog\/dbt\.yaml: secret 'snowflake\/dbt\/core-dimensions' \(kind snowflake-keypair\) key 'consumers' entry 'dbt-core-dimensions' \(dbt\): view 'snowflake-key-file' key 'private_key' reads field 'private_key', which kind snowflake-keypair lacks/,
        );
    });

    it("npm run plan exits 2 naming file and key when a catalog change binds a consumer its kind cannot serve", () => {
        const dir = copyProject();
        try {
            const file = path.join(dir, "catalog", "dbt.yaml");
            const text = fs.readFileSync(file, "utf8");
            // A dbt job given a Postgres secret: dbt has a view of Snowflake key pairs only.
            const stray = "- name: postgres/dbt/stray\n  kind: postgres-password\n  description: A Postgres user wrongly handed to a dbt job.\n  owner: analytics-engineering\n  criticality: high\n  rotation:\n    strategy: manual\n    days: 90\n  environments: [dev]\n  consumers: [dbt-core-dimensions]\n";
            fs.writeFileSync(file, text.replace(/^secrets:\n/m, `secrets:\n${stray}`));
            const res = runPlanIn(dir, ["--stack", "dev"]);
            assert.equal(res.status, 2, res.stderr);
            assert.match(res.stderr, /catalog\/dbt\.yaml: secret 'postgres\/dbt\/stray' \(kind postgres-password\) key 'consumers' entry 'dbt-core-dimensions' \(dbt\): a dbt workload has no view of kind postgres-password/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
