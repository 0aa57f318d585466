// The event-driven refresh layer: which ExternalSecrets read each secret (from the model, exactly as the runtime layer
// creates them), and the component that resyncs them when a secret's current version changes.
import * as aws from "../components/aws";
import { EsoEventRefresh } from "../components/eso-refresh";
import { FunctionCodeSigning } from "../components/function-code";
import { CatalogSecret, CatalogWorkload } from "../model/catalog";
import { RefreshTarget, RefreshTargets } from "../model/event-refresh";
import { kubernetesSecretName } from "../model/names";
import { deployedLayerOptions } from "./role-boundary";
import { EnvironmentPlatform } from "./platform";
import { planSyncedSecrets, RuntimeAccess } from "./runtime";

/** Which ExternalSecrets read each secret, by full Secrets Manager name: one per (secret, consumer namespace), as the runtime layer names them. */
export function planRefreshTargets(
    catalog: { readonly secrets: readonly CatalogSecret[]; readonly workloads: readonly CatalogWorkload[] },
    fullNameOf: (catalogName: string) => string | undefined,
): RefreshTargets {
    const out: Record<string, RefreshTarget[]> = {};
    for (const sync of planSyncedSecrets(catalog.secrets, catalog.workloads, (n) => fullNameOf(n) !== undefined)) {
        const full = fullNameOf(sync.secret.name)!;
        (out[full] ??= []).push({ namespace: sync.namespace, name: kubernetesSecretName(sync.secret.name) });
    }
    return out;
}

/** Builds the event-driven refresh of one environment on top of its runtime layer. */
export function buildEventRefresh(platform: EnvironmentPlatform, runtime: RuntimeAccess, codeSigning: FunctionCodeSigning): EsoEventRefresh {
    const { config, model } = platform;
    const cluster = aws.eks.getClusterOutput({ name: config.cluster.name }, { provider: platform.provider });
    return new EsoEventRefresh(
        `${config.namePrefix}-eso-refresh`,
        {
            environment: config.environment,
            accountId: config.accountId,
            region: config.region,
            namePrefix: config.namePrefix,
            clusterName: config.cluster.name,
            clusterEndpoint: cluster.endpoint,
            clusterCaBase64: cluster.certificateAuthorities.apply((c) => c[0].data),
            targets: planRefreshTargets(platform.catalog, (n) => model.secretsByName.get(n)?.fullName),
            kubernetesProvider: runtime.kubernetesProvider,
            logKeyArn: platform.functionLogKey.keyArn,
            codeSigning,
            namespacesReady: [...runtime.identities.values()],
        },
        deployedLayerOptions(platform),
    );
}
