// The runtime layer's pure builders and what the three plans contain: trust shape, policy size at 10x the catalog,
// ESO objects against their schema, Airflow values, and bad input failing clearly.
import { strict as assert } from "assert";
import * as path from "path";
import { AIRFLOW_INTERNAL_SECRETS, buildAirflowHelmValues, exactIdPattern, MATCH_NOTHING } from "../../components/airflow";
import { secretsManagerViaService } from "../../components/environment-key";
import { ESO_CHART } from "../../components/external-secrets";
import { replicaSecretArn, secretReadStatements } from "../../components/managed-secret";
import { fullSecretName } from "../../model/names";
import { roleNames } from "../../model/names";
import { buildIrsaTrustPolicy, buildWorkloadPolicy, INLINE_POLICIES_MAX_CHARS, policySize } from "../../components/workload-identity";
import { CatalogError, catalogForEnvironment, loadCatalog, parseCatalog, scaleCatalog } from "../../model/catalog";
import { ConfigError, ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { secretStoreRegion } from "../../stacks/runtime";
import { planReport, PROJECT_DIR } from "../support/plan-cli";

const importEsm = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<any>;
const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));

describe("WorkloadIdentity builders", () => {
    it("pins the trust to one service account of one cluster with StringEquals on sub and aud", () => {
        const issuer = "https://oidc.eks.us-east-1.amazonaws.com/id/5C8A3F1B2E9D4A7C6B0F1E2D3C4B5A69";
        const doc = buildIrsaTrustPolicy("402817365190", issuer, "dbt", "dbt-finance-marts");
        assert.deepEqual(doc.Statement, [
            {
                Sid: "OnlyThisServiceAccountOfThisCluster",
                Effect: "Allow",
                Principal: { Federated: "arn:aws:iam::402817365190:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/5C8A3F1B2E9D4A7C6B0F1E2D3C4B5A69" },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        "oidc.eks.us-east-1.amazonaws.com/id/5C8A3F1B2E9D4A7C6B0F1E2D3C4B5A69:sub": "system:serviceaccount:dbt:dbt-finance-marts",
                        "oidc.eks.us-east-1.amazonaws.com/id/5C8A3F1B2E9D4A7C6B0F1E2D3C4B5A69:aud": "sts.amazonaws.com",
                    },
                },
            },
        ]);
    });

    it("keeps every role's policy under IAM's limits at 10 times the catalog", () => {
        const region = "us-east-1";
        const keyArn = `arn:aws:kms:${region}:736491028554:key/mrk-${"0".repeat(32)}`;
        const scaled = catalogForEnvironment(scaleCatalog(catalog, 10), "prod");
        let largest = { role: "", size: 0 };
        for (const w of scaled.workloads) {
            // The longest ARN Secrets Manager can produce for each name: name plus the 7-character random suffix.
            // Critical secrets are replicated, and identities are granted the replica too (as grantRead does with
            // includeReplica): the replica ARN and the replica key through Secrets Manager in the replica region.
            const statements = scaled.secrets
                .filter((s) => s.consumers.includes(w.id))
                .flatMap((s) => {
                    const arn = `arn:aws:secretsmanager:${region}:736491028554:secret:${fullSecretName("prod", s.name)}-AbCdEf`;
                    const primary = secretReadStatements(arn, keyArn, region);
                    return s.criticality === "critical" ? [...primary, ...secretReadStatements(replicaSecretArn(arn, "us-west-2"), keyArn.replace(region, "us-west-2"), "us-west-2")] : primary;
                });
            const doc = buildWorkloadPolicy(roleNames.workload("fl-prod", w.id), statements);
            const size = doc ? policySize(doc) : 0;
            if (size > largest.size) largest = { role: w.id, size };
        }
        console.log(`      largest workload policy at 10x (${scaled.workloads.length} roles, ${scaled.secrets.length} secrets): ${largest.size} chars (${largest.role}); limits 6144 managed / 10240 inline`);
        assert.ok(largest.size > 0);
        assert.ok(largest.size <= 6144, `${largest.role} needs ${largest.size} characters`);
    });

    it("refuses a policy over the inline limit with a message that names the role and how to fix it", () => {
        const many = Array.from({ length: 120 }, (_, i) =>
            secretReadStatements(`arn:aws:secretsmanager:us-east-1:736491028554:secret:prod/airflow/connections/some_long_connection_name_${i}-AbCdEf`, "arn:aws:kms:us-east-1:736491028554:key/k", "us-east-1"),
        ).flat();
        assert.throws(() => buildWorkloadPolicy("fl-prod-wl-big", many), /The policy of role fl-prod-wl-big is \d+ characters, over IAM's 10240 for inline policies; split the workload/);
        assert.equal(buildWorkloadPolicy("fl-prod-wl-none", []), undefined);
        assert.ok(INLINE_POLICIES_MAX_CHARS === 10240);
    });

    it("merges the KMS statement of every grant into one, scoped to Secrets Manager", () => {
        const doc = buildWorkloadPolicy("r", [
            ...secretReadStatements("arn:a", "arn:k", "us-east-1"),
            ...secretReadStatements("arn:b", "arn:k", "us-east-1"),
        ])!;
        assert.equal(doc.Statement.length, 2);
        assert.deepEqual(doc.Statement[1], { Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:k", Condition: { StringEquals: { "kms:ViaService": secretsManagerViaService("us-east-1") } } });
    });
});

describe("Runtime layer in the plans", function () {
    this.timeout(300_000);
    let models: any;
    before(async () => {
        models = await importEsm("@kubernetes-models/external-secrets/external-secrets.io/v1");
    });

    for (const env of ENVIRONMENTS) {
        it(`${env}: every SecretStore and ExternalSecret validates against the external-secrets.io/v1 schema and reads as a consumer`, () => {
            const report = planReport(env);
            const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, env));
            const view = catalogForEnvironment(catalog, env);
            const stores = report.resources.filter((r) => r.type === "kubernetes:external-secrets.io/v1:SecretStore").map((r) => r.inputs as any);
            const externals = report.resources.filter((r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret").map((r) => r.inputs as any);
            assert.equal(stores.length, view.workloads.length, "one store per workload");
            const storeByKey = new Map(stores.map((s) => [`${s.metadata.namespace}/${s.metadata.name}`, s]));
            for (const s of stores) {
                new models.SecretStore(s).validate();
                const w = view.workloads.find((x) => x.namespace === s.metadata.namespace && x.serviceAccount === s.spec.provider.aws.auth.jwt.serviceAccountRef.name);
                assert.ok(w, `store ${s.metadata.namespace}/${s.metadata.name} authenticates as no workload's service account`);
                assert.equal(s.spec.provider.aws.service, "SecretsManager");
                assert.equal(s.spec.provider.aws.region, config.region);
            }
            assert.ok(externals.length > 50);
            for (const e of externals) {
                new models.ExternalSecret(e).validate();
                assert.equal(e.apiVersion, "external-secrets.io/v1");
                assert.equal(e.spec.refreshInterval, config.runtime.refreshInterval);
                assert.equal(e.spec.target.creationPolicy, "Owner");
                assert.equal(e.spec.target.deletionPolicy, "Retain");
                const store = storeByKey.get(`${e.metadata.namespace}/${e.spec.secretStoreRef.name}`);
                assert.ok(store, `ExternalSecret ${e.metadata.name} uses a store that is not in its namespace`);
                const remote: string = e.spec.data?.[0]?.remoteRef.key ?? e.spec.dataFrom[0].extract.key;
                const secret = view.secrets.find((s) => fullSecretName(env, s.name) === remote);
                assert.ok(secret, `ExternalSecret ${e.metadata.name} reads ${remote}, which is not a ${env} catalog secret`);
                const reader = view.workloads.find((w) => w.serviceAccount === store.spec.provider.aws.auth.jwt.serviceAccountRef.name && w.namespace === e.metadata.namespace)!;
                assert.ok(secret.consumers.includes(reader.id), `${remote} is synced through ${reader.id}, which is not its consumer`);
            }
        });
    }

    it("the schema check catches a broken ExternalSecret", () => {
        const bad = { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: "x" }, spec: { target: { creationPolicy: "Sometimes" } } };
        assert.throws(() => new models.ExternalSecret(bad).validate(), /creationPolicy must be equal to one of the allowed values/);
    });

    it("installs a pinned ESO chart with CRDs and ServiceMonitors, without cluster-wide stores", () => {
        const release = planReport("prod").resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as any).chart === "external-secrets")!.inputs as any;
        assert.equal(release.version, ESO_CHART.version);
        assert.match(release.version, /^\d+\.\d+\.\d+$/);
        assert.equal(release.values.installCRDs, true);
        assert.equal(release.values.serviceMonitor.enabled, true);
        assert.equal(release.values.processClusterStore, false);
        assert.equal(release.values.processClusterExternalSecret, false);
        assert.match(release.values.serviceAccount.annotations["eks.amazonaws.com/role-arn"], /:role\/fl-prod-eso-controller$/);
    });

    it("prints each workload identity with its role, service account and readable secrets", () => {
        const report = planReport("prod");
        const payments = report.summary.identities.find((i) => i.name === "fl-prod-wl-airflow-payments")!;
        assert.equal(payments.type, "finledger:identity:WorkloadIdentity");
        assert.equal(payments.roleArn, "arn:aws:iam::736491028554:role/fl-prod-wl-airflow-payments");
        assert.equal(payments.serviceAccount, "airflow-payments/payments-tasks");
        const expected = catalogForEnvironment(catalog, "prod").secrets.filter((s) => s.consumers.includes("airflow-payments")).map((s) => fullSecretName("prod", s.name)).sort();
        assert.deepEqual(payments.readableSecrets, expected);
        assert.equal(report.summary.identities.length, catalogForEnvironment(catalog, "prod").workloads.length);
    });

    it("runs Airflow's components on their own service accounts with internal secrets from ESO and no connection in env", () => {
        const report = planReport("prod");
        const values = report.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as any).chart === "airflow")!.inputs as any;
        const v = values.values;
        for (const [component, sa] of [["scheduler", "airflow-scheduler"], ["webserver", "airflow-webserver"], ["triggerer", "airflow-triggerer"], ["workers", "airflow-worker"]]) {
            assert.deepEqual(v[component].serviceAccount, { create: false, name: sa });
        }
        const synced = report.resources.filter((r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret" && (r.inputs as any).metadata.namespace === "airflow").map((r) => (r.inputs as any).spec.target.name).filter((n: string) => !n.startsWith("airflow-connections-"));
        assert.deepEqual(synced.sort(), [v.data.metadataSecretName, v.fernetKeySecretName, v.webserverSecretKeySecretName].sort());
        assert.equal(v.data.metadataSecretName, AIRFLOW_INTERNAL_SECRETS.metadataDb.secretName);
        const text = JSON.stringify(v);
        assert.doesNotMatch(text, /AIRFLOW_CONN_|AIRFLOW_VAR_/);
        assert.equal(v.config.secrets.backend, "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend");
        assert.equal(JSON.parse(v.config.secrets.backend_kwargs).connections_prefix, "prod/airflow/connections");
    });
});

describe("Runtime config and catalog boundaries", () => {
    it("switches stores and Airflow's backend to the replica region with one config value", () => {
        const prod = parseEnvironmentConfig(readStackFile(PROJECT_DIR, "prod"));
        assert.equal(secretStoreRegion(prod), "us-east-1");
        assert.equal(secretStoreRegion({ ...prod, runtime: { ...prod.runtime, storeRegion: "replica" } }), "us-west-2");
    });

    it("rejects a runtime.storeRegion that is neither primary nor replica, naming the key", () => {
        const raw = readStackFile(PROJECT_DIR, "dev");
        const values = { ...raw.values, "finledger:runtime": { storeRegion: "us-west-2", refreshInterval: "0h" } };
        assert.throws(
            () => parseEnvironmentConfig({ ...raw, values }),
            (err: unknown) =>
                err instanceof ConfigError &&
                /key 'finledger:runtime.storeRegion': found "us-west-2"; expected primary or replica/.test(err.message) &&
                /key 'finledger:runtime.refreshInterval'/.test(err.message),
        );
    });

    it("builds exact lookup patterns and one that matches nothing", () => {
        assert.equal(exactIdPattern(["b_conn", "a.conn"]), "^(?:a\\.conn|b_conn)$");
        assert.equal(exactIdPattern([]), MATCH_NOTHING);
        assert.ok(!new RegExp(MATCH_NOTHING).test(""));
    });

    it("Airflow values take the cache TTL from the rollout settings and roll long-running components on rotation", () => {
        const annotations = { "secret.reloader.stakater.com/reload": "airflow-fernet-key,airflow-metadata" };
        const values = buildAirflowHelmValues({
            namespace: "airflow",
            serviceAccounts: { scheduler: "s", webserver: "w", triggerer: "t", worker: "k", migrations: "m" },
            backendEnv: {},
            taskNamespaces: ["b", "a"],
            secretsCacheTtlSeconds: 120,
            reloaderAnnotations: annotations,
            localSettings: "# settings",
        }) as any;
        assert.equal(values.config.secrets.cache_ttl_seconds, "120");
        assert.equal(values.config.kubernetes_executor.multi_namespace_mode_namespace_list, "a,b");
        for (const component of ["scheduler", "webserver", "triggerer", "dagProcessor"]) assert.deepEqual(values[component].annotations, annotations, component);
        assert.equal(values.workers.annotations, undefined, "task pods are short-lived and read values at start; they are never restarted");
    });

    const workload = (id: string, namespace: string) => `  - id: ${id}\n    type: dbt\n    description: A dbt job for the test.\n    owner: team-x\n    namespace: ${namespace}\n    serviceAccount: ${id}\n`;
    const secret = (consumer: string) =>
        `  - name: snowflake/dbt/test-job\n    kind: snowflake-keypair\n    description: Key pair of a test job.\n    owner: team-x\n    criticality: critical\n    rotation: { strategy: snowflake-key-pair, days: 30 }\n    environments: [dev]\n    consumers: [${consumer}]\n`;

    it("fails clearly when a secret names a consumer that is not a workload", () => {
        const text = `secrets:\n${secret("dbt-ghost")}workloads:\n${workload("dbt-real", "dbt")}`;
        assert.throws(() => parseCatalog([{ file: "catalog/t.yaml", text }]), (err: unknown) => err instanceof CatalogError && /secret 'snowflake\/dbt\/test-job' names consumer 'dbt-ghost', which is not a workload id in catalog\/; add the workload or fix the id\./.test(err.message));
    });

    it("fails clearly when a workload's namespace names another environment", () => {
        const text = `secrets:\n${secret("dbt-job")}workloads:\n${workload("dbt-job", "dbt-prod")}`;
        assert.throws(() => parseCatalog([{ file: "catalog/t.yaml", text }]), (err: unknown) => err instanceof CatalogError && /workload 'dbt-job' uses namespace 'dbt-prod'.*names the environment 'prod'/.test(err.message));
    });
});
