// The shipped examples (examples/): no secret value, key-pair auth for dbt, and each workload's service account and
// secret volumes wired to what the plan creates for it.
import { lintSource } from "@secretlint/core";
import { creator as recommended } from "@secretlint/secretlint-rule-preset-recommend";
import { strict as assert } from "assert";
import * as fs from "fs";
import { domainDagFolder } from "../../components/airflow-local-settings";
import * as path from "path";
import * as YAML from "yaml";
import { loadCatalog } from "../../model/catalog";
import { planReport, PROJECT_DIR } from "../support/plan-cli";

const EXAMPLES = path.join(PROJECT_DIR, "examples");
const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));

function files(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function load(rel: string): any {
    return YAML.parse(fs.readFileSync(path.join(EXAMPLES, rel), "utf8"));
}

/** Target Secret names that ESO creates in a namespace, through the store of the given workload. */
function syncedThrough(namespace: string, workloadSa: string): Set<string> {
    return new Set(
        planReport("prod")
            .resources.filter((r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret")
            .map((r) => r.inputs as any)
            .filter((e) => e.metadata.namespace === namespace && e.spec.secretStoreRef.name === workloadSa)
            .map((e) => e.spec.target.name),
    );
}

/** Every string in a parsed document, with its path. */
function strings(value: unknown, at = ""): Array<[string, string]> {
    if (typeof value === "string") return [[at, value]];
    if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
    if (value && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => strings(v, at ? `${at}.${k}` : k));
    return [];
}

describe("Examples for Airflow, dbt and Spark", function () {
    this.timeout(300_000);

    it("contain no secret value (secretlint recommended rules, key material, credential-looking keys)", async () => {
        for (const file of files(EXAMPLES)) {
            const content = fs.readFileSync(file, "utf8");
            const result = await lintSource({
                source: { filePath: file, content, contentType: "text" },
                options: { config: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: recommended }] }, maskSecrets: true },
            });
            assert.deepEqual(result.messages.map((m) => m.message), [], `${path.relative(PROJECT_DIR, file)}`);
            assert.doesNotMatch(content, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, file);
            if (/\.ya?ml$/.test(file)) {
                for (const doc of YAML.parseAllDocuments(content)) {
                    for (const [where] of strings(doc.toJS()).filter(([p]) => /(^|\.)(password|passphrase|private_key|token|secret)$/i.test(p))) {
                        assert.fail(`${path.relative(PROJECT_DIR, file)}: ${where} holds a value under a credential key`);
                    }
                }
            }
        }
    });

    it("dbt authenticates with a key-pair file from env_var and never a password", () => {
        const output = load("dbt/profiles.yml").finledger.outputs.runtime;
        assert.equal(output.type, "snowflake");
        assert.equal(output.authenticator, "snowflake_jwt");
        assert.match(output.private_key_path, /^\{\{ env_var\('SNOWFLAKE_PRIVATE_KEY_PATH'\) \}\}$/);
        assert.ok(!("password" in output) && !("private_key" in output) && !("private_key_passphrase" in output));
    });

    it("the dbt job runs as its own service account and mounts its ESO-synced key read-only", () => {
        const job = load("dbt/job.yaml");
        const w = catalog.workloads.find((x) => x.id === job.metadata.labels["finledger.io/workload"])!;
        const pod = job.spec.template.spec;
        assert.equal(job.metadata.namespace, w.namespace);
        assert.equal(pod.serviceAccountName, w.serviceAccount);
        const synced = syncedThrough(w.namespace, w.serviceAccount);
        const secretVolumes = pod.volumes.filter((v: any) => v.secret);
        assert.equal(secretVolumes.length, 1);
        for (const v of secretVolumes) assert.ok(synced.has(v.secret.secretName), `${v.secret.secretName} is not synced by ESO for ${w.id}`);
        const container = pod.containers[0];
        const keyMount = container.volumeMounts.find((m: any) => m.name === secretVolumes[0].name);
        assert.equal(keyMount.readOnly, true);
        const keyPath = container.env.find((e: any) => e.name === "SNOWFLAKE_PRIVATE_KEY_PATH").value;
        assert.ok(keyPath.startsWith(`${keyMount.mountPath}/`));
        assert.ok(container.env.every((e: any) => e.valueFrom === undefined), "no env var is filled from a Secret");
    });

    it("Spark driver and executors run as the app's own service account with secrets only as read-only files", () => {
        const app = load("spark/payments-stream-enrich.yaml");
        const w = catalog.workloads.find((x) => x.id === app.metadata.labels["finledger.io/workload"])!;
        assert.equal(app.metadata.namespace, w.namespace);
        assert.equal(app.spec.driver.serviceAccount, w.serviceAccount);
        assert.equal(app.spec.executor.serviceAccount, w.serviceAccount);
        const synced = syncedThrough(w.namespace, w.serviceAccount);
        const consumed = catalog.secrets.filter((s) => s.consumers.includes(w.id)).length;
        const secretVolumes = app.spec.volumes.filter((v: any) => v.secret);
        assert.equal(secretVolumes.length, consumed, "one volume per secret the catalog gives the app");
        for (const v of secretVolumes) assert.ok(synced.has(v.secret.secretName), `${v.secret.secretName} is not synced by ESO for ${w.id}`);
        for (const role of ["driver", "executor"]) {
            const spec = app.spec[role];
            assert.equal(spec.env, undefined, `${role} sets env`);
            assert.equal(spec.envFrom, undefined, `${role} sets envFrom`);
            for (const v of secretVolumes) assert.ok(spec.volumeMounts.some((m: any) => m.name === v.name && m.readOnly === true), `${role} lacks a read-only mount of ${v.name}`);
        }
        const visible = [...Object.values(app.spec.sparkConf as Record<string, string>), ...app.spec.arguments];
        for (const v of visible) assert.ok(!synced.has(v) && !/secretKeyRef|BEGIN|password=/i.test(v), `visible value ${v} carries a secret`);
    });

    it("the Airflow example DAG sits in its domain's folder, is listed in its domain's catalog dags, and asks for no namespace or service account", () => {
        const w = catalog.workloads.find((x) => x.id === "airflow-payments")!;
        const text = fs.readFileSync(path.join(EXAMPLES, "airflow", "dags", domainDagFolder(w.id), "card_settlement_daily.py"), "utf8");
        const dagId = /with DAG\("([^"]+)"/.exec(text)?.[1];
        assert.ok(dagId && w.dags?.includes(dagId), `the example's DAG id ${dagId} is not in ${w.id}'s dags; the admission policy would refuse its task pods`);
        assert.doesNotMatch(text, /namespace=|service_account_name=/, "the cluster policy decides both; test/runtime/airflow-files.test.ts loads this DAG with it");
        assert.match(text, /BaseHook\.get_connection\("snowflake_payments"\)/);
    });
});
