// The runtime layer (issue 3): one IRSA identity per workload group, External Secrets Operator with one SecretStore
// per workload, ExternalSecrets for the values workloads mount as files, and Airflow's Secrets Manager backend.
// See docs/access-patterns.md for who reads what, when, and with which identity.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    AIRFLOW_BACKEND_CONFIGMAP,
    AIRFLOW_CHART,
    AIRFLOW_INTERNAL_SECRETS,
    buildAirflowBackendEnv,
    buildAirflowBackendKwargs,
    buildAirflowHelmValues,
    isAirflowBackendSecret,
    managedAirflowIds,
} from "../components/airflow";
import { buildExternalSecret, buildSecretStore, ExternalSecretSpecInputs, ExternalSecretsOperator } from "../components/external-secrets";
import { kubernetesSecretName } from "../model/names";
import { reloaderAnnotations, rolloutSettings } from "../model/rollout";
import { WorkloadIdentity } from "../components/workload-identity";
import { CatalogError, CatalogSecret, CatalogWorkload } from "../model/catalog";
import { consumerBinding, SECRET_KIND_CONTRACTS } from "../model/secret-kinds";
import { airflowPathOf } from "./consumer-bindings";
import { EnvironmentConfig } from "../model/config";
import { EnvironmentPlatform } from "./platform";

/** The region SecretStores and Airflow's backend read from: the failover switch `finledger:runtime.storeRegion`. */
export function secretStoreRegion(config: Pick<EnvironmentConfig, "region" | "replicaRegion" | "runtime">): string {
    return config.runtime.storeRegion === "replica" ? config.replicaRegion : config.region;
}

/**
 * A kubeconfig for the environment's cluster that holds no credential: the endpoint and CA come from EKS, and the
 * token is minted per call by `aws eks get-token` with whatever AWS identity runs the deploy (the GitHub OIDC role).
 */
export function buildKubeconfig(clusterName: string, region: string, endpoint: string, caData: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": caData } }],
        contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
        "current-context": clusterName,
        users: [
            {
                name: clusterName,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "aws",
                        args: ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"],
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}

/** Which workload's SecretStore syncs which secret into which namespace: one ExternalSecret per (secret, namespace). */
export interface SyncedSecret {
    readonly secret: CatalogSecret;
    readonly namespace: string;
    /** The consumer whose store (and so whose identity) ESO reads with: the first consumer id in that namespace. */
    readonly via: CatalogWorkload;
}

/**
 * Every secret that ESO syncs: each consumed secret that is not read through Airflow's backend, once per consumer
 * namespace. Secrets absent from `present` (RDS-managed) are skipped.
 */
export function planSyncedSecrets(secrets: readonly CatalogSecret[], workloads: readonly CatalogWorkload[], present: (name: string) => boolean): SyncedSecret[] {
    const byId = new Map(workloads.map((w) => [w.id, w]));
    const out: SyncedSecret[] = [];
    for (const secret of secrets) {
        if (isAirflowBackendSecret(secret.name) || !present(secret.name)) continue;
        const byNamespace = new Map<string, CatalogWorkload>();
        for (const id of [...secret.consumers].sort()) {
            const w = byId.get(id);
            if (w && !byNamespace.has(w.namespace)) byNamespace.set(w.namespace, w);
        }
        for (const [namespace, via] of byNamespace) out.push({ secret, namespace, via });
    }
    return out;
}

/**
 * How the Kubernetes Secret of a synced catalog secret is shaped: the view its consumer type gets of its kind
 * (model/secret-kinds.ts), under the name the Airflow chart expects for Airflow's own secrets.
 */
export function externalSecretShape(sync: Pick<SyncedSecret, "secret" | "via">): Pick<ExternalSecretSpecInputs, "view" | "storedFormat" | "targetName"> {
    const binding = consumerBinding(sync.secret, sync.via.type, airflowPathOf);
    if (!("eso" in binding)) {
        throw new CatalogError([`${sync.secret.file}: secret '${sync.secret.name}' key 'consumers' entry '${sync.via.id}': ${"none" in binding ? binding.none : "it is read through Airflow's backend, not synced"}.`]);
    }
    const internal = Object.values(AIRFLOW_INTERNAL_SECRETS).find((s) => s.catalogName === sync.secret.name);
    return { view: binding.eso, storedFormat: SECRET_KIND_CONTRACTS[sync.secret.kind].format, ...(internal ? { targetName: internal.secretName } : {}) };
}

/** What the runtime layer built, for stack outputs and tests. */
export interface RuntimeAccess {
    readonly identities: ReadonlyMap<string, WorkloadIdentity>;
    readonly eso: ExternalSecretsOperator;
    readonly secretStoreRegion: string;
    /** The cluster's Kubernetes provider, for other layers' in-cluster objects (alert rules). */
    readonly kubernetesProvider: k8s.Provider;
}

/** Builds the runtime layer of one environment on top of its platform (key and managed secrets). */
export function buildRuntimeAccess(platform: EnvironmentPlatform): RuntimeAccess {
    const { config, catalog } = platform;
    const prefix = config.namePrefix;
    const region = secretStoreRegion(config);
    const refreshInterval = config.runtime.refreshInterval;

    const cluster = aws.eks.getClusterOutput({ name: config.cluster.name }, { provider: platform.provider });
    const kubeconfig = cluster.apply((c) => {
        const issuer = c.identities?.[0]?.oidcs?.[0]?.issuer;
        if (issuer !== config.cluster.oidcIssuer) {
            throw new Error(
                `Cluster ${config.cluster.name} has OIDC issuer '${issuer}', but finledger:cluster.oidcIssuer in Pulumi.${config.environment}.yaml is '${config.cluster.oidcIssuer}'; every IRSA trust policy uses the config value, so fix the config.`,
            );
        }
        return buildKubeconfig(config.cluster.name, config.region, c.endpoint, c.certificateAuthorities[0].data);
    });
    const kubernetesProvider = new k8s.Provider(`${prefix}-k8s`, { kubeconfig: pulumi.secret(kubeconfig), enableServerSideApply: true });
    const k8sOpts = { provider: kubernetesProvider };

    const namespaces = new Map<string, k8s.core.v1.Namespace>();
    for (const ns of [...new Set(catalog.workloads.map((w) => w.namespace))].sort()) {
        namespaces.set(
            ns,
            new k8s.core.v1.Namespace(`${prefix}-ns-${ns}`, { metadata: { name: ns, labels: { "app.kubernetes.io/managed-by": "pulumi", "finledger.io/environment": config.environment } } }, k8sOpts),
        );
    }

    const eso = new ExternalSecretsOperator(`${prefix}-eso`, { namePrefix: prefix, accountId: config.accountId, oidcIssuer: config.cluster.oidcIssuer, kubernetesProvider }, { provider: platform.provider });

    // What each workload reads comes from the model; RDS-managed secrets are out of every workload's reach.
    const readsOf = new Map(platform.model.identities.map((i) => [i.workload.id, i.reads]));

    const identities = new Map<string, WorkloadIdentity>();
    const stores = new Map<string, k8s.apiextensions.CustomResource>();
    for (const w of catalog.workloads) {
        const reads = (readsOf.get(w.id) ?? []).map((name) => platform.secrets.get(name)!);
        const identity = new WorkloadIdentity(
            `${prefix}-wl-${w.id}`,
            {
                workloadId: w.id,
                namePrefix: prefix,
                accountId: config.accountId,
                oidcIssuer: config.cluster.oidcIssuer,
                namespace: namespaces.get(w.namespace)!.metadata.name,
                serviceAccount: w.serviceAccount,
                reads,
                labels: { "finledger.io/workload-type": w.type },
                kubernetesProvider,
            },
            { provider: platform.provider },
        );
        identities.set(w.id, identity);
        const store = buildSecretStore({ name: w.serviceAccount, namespace: w.namespace, serviceAccount: w.serviceAccount, region, labels: { "finledger.io/workload": w.id } });
        stores.set(
            w.id,
            new k8s.apiextensions.CustomResource(
                `${prefix}-store-${w.id}`,
                { apiVersion: store.apiVersion, kind: store.kind, metadata: store.metadata, spec: store.spec },
                { parent: identity, provider: kubernetesProvider, dependsOn: [eso.release, identity.serviceAccountResource] },
            ),
        );
    }

    const internalSecrets: pulumi.Resource[] = [];
    for (const sync of planSyncedSecrets(catalog.secrets, catalog.workloads, (n) => platform.secrets.has(n))) {
        const managed = platform.secrets.get(sync.secret.name)!;
        const shape = externalSecretShape(sync);
        const name = kubernetesSecretName(sync.secret.name);
        const es = buildExternalSecret({
            name,
            namespace: sync.namespace,
            storeName: sync.via.serviceAccount,
            remoteKey: managed.secretName,
            refreshInterval,
            labels: { "finledger.io/catalog-name": name },
            ...shape,
        });
        const resource = new k8s.apiextensions.CustomResource(
            `${prefix}-es-${sync.namespace}-${name}`,
            { apiVersion: es.apiVersion, kind: es.kind, metadata: es.metadata, spec: es.spec },
            { parent: identities.get(sync.via.id), provider: kubernetesProvider, dependsOn: [stores.get(sync.via.id)!] },
        );
        if (shape.targetName) internalSecrets.push(resource);
    }

    // Airflow: one backend ConfigMap per Airflow namespace (core, then each domain), and the chart's release.
    const airflowGroups = new Map<string, CatalogWorkload[]>();
    for (const w of catalog.workloads) {
        if (w.type !== "airflow" && w.type !== "airflow-core") continue;
        airflowGroups.set(w.namespace, [...(airflowGroups.get(w.namespace) ?? []), w]);
    }
    let coreEnv: Record<string, string> | undefined;
    for (const [ns, members] of airflowGroups) {
        const names = members.flatMap((m) => readsOf.get(m.id) ?? []);
        const ids = managedAirflowIds([...new Set(names)]);
        const env = buildAirflowBackendEnv(buildAirflowBackendKwargs({ environment: config.environment, region, ...ids }));
        if (members.some((m) => m.type === "airflow-core")) coreEnv = env;
        new k8s.core.v1.ConfigMap(
            `${prefix}-airflow-backend-${ns}`,
            { metadata: { name: AIRFLOW_BACKEND_CONFIGMAP, namespace: namespaces.get(ns)!.metadata.name, labels: { "app.kubernetes.io/managed-by": "pulumi" } }, data: env },
            k8sOpts,
        );
    }
    const core = catalog.workloads.filter((w) => w.type === "airflow-core");
    const coreSa = (suffix: string) => core.find((w) => w.id === `airflow-${suffix}`)?.serviceAccount;
    const [scheduler, webserver, triggerer, worker] = ["scheduler", "webserver", "triggerer", "worker"].map(coreSa);
    if (coreEnv && scheduler && webserver && triggerer && worker) {
        const coreNamespace = core[0].namespace;
        new k8s.helm.v3.Release(
            `${prefix}-airflow`,
            {
                name: "airflow",
                chart: AIRFLOW_CHART.chart,
                version: AIRFLOW_CHART.version,
                repositoryOpts: { repo: AIRFLOW_CHART.repo },
                namespace: namespaces.get(coreNamespace)!.metadata.name,
                values: buildAirflowHelmValues({
                    namespace: coreNamespace,
                    serviceAccounts: { scheduler, webserver, triggerer, worker },
                    backendEnv: coreEnv,
                    taskNamespaces: [...airflowGroups.keys()],
                    secretsCacheTtlSeconds: rolloutSettings(config).airflowSecretsCacheTtlSeconds,
                    reloaderAnnotations: reloaderAnnotations(Object.values(AIRFLOW_INTERNAL_SECRETS).map((s) => s.secretName)),
                }),
            },
            { provider: kubernetesProvider, dependsOn: [...internalSecrets, ...core.map((w) => identities.get(w.id)!)] },
        );
    }
    return { identities, eso, secretStoreRegion: region, kubernetesProvider };
}

/** Stack outputs of the runtime layer: role ARNs by workload and the region stores read from. No secret. */
export function runtimeOutputs(runtime: RuntimeAccess) {
    return {
        workloadRoleArns: pulumi.output(Object.fromEntries([...runtime.identities].map(([id, i]) => [id, i.roleArn]))),
        esoControllerRoleArn: runtime.eso.controllerRoleArn,
        secretStoreRegion: runtime.secretStoreRegion,
    };
}
