// The ExternalSecrets the stack generates for a secret kind, one per consumer type, built with the stack's own
// functions (stacks/runtime.ts: planSyncedSecrets, externalSecretShape) over the catalog, so an end-to-end test
// mounts exactly what a consumer pod of that type would get.
import * as path from "path";
import { buildExternalSecret } from "../../components/external-secrets";
import { catalogForEnvironment, loadCatalog, SecretKind } from "../../model/catalog";
import { EnvironmentName } from "../../model/config";
import { externalSecretShape, planSyncedSecrets } from "../../stacks/runtime";
import { PROJECT_DIR } from "./plan-cli";

/** The ExternalSecret spec of the first `kind` secret synced for each consumer type in `env`'s catalog, by type; its remote key is `remoteKey`. */
export function generatedExternalSecretsByConsumerType(kind: SecretKind, remoteKey: string, env: EnvironmentName = "dev"): Map<string, any> {
    const catalog = catalogForEnvironment(loadCatalog(path.join(PROJECT_DIR, "catalog")), env);
    const specs = new Map<string, any>();
    for (const sync of planSyncedSecrets(catalog.secrets, catalog.workloads, () => true)) {
        if (sync.secret.kind !== kind || specs.has(sync.via.type)) continue;
        const es = buildExternalSecret({ name: "e2e", namespace: sync.namespace, storeName: sync.via.serviceAccount, remoteKey, refreshInterval: "15m", ...externalSecretShape(sync) });
        specs.set(sync.via.type, es.spec);
    }
    return specs;
}
