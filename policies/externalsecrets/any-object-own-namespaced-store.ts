import { resourceRule } from "../define";
import { asList, asRecord, knownString } from "../inspect/values";
import { ControlRefs, environmentOfUrn } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.3"], pciDss: ["7.2.1", "7.2.2", "7.2.5"] };

const ESO_TYPE = /^kubernetes:external-secrets\.io\/[^:]+:(\w+)$/;

/** The External Secrets kind of a resource (`ExternalSecret`, `PushSecret`, ...), or undefined for anything else. */
export function esoKindOf(type: string, props: Record<string, unknown>): string | undefined {
    const m = ESO_TYPE.exec(type);
    if (m) return m[1];
    const apiVersion = knownString(props.apiVersion);
    return apiVersion?.startsWith("external-secrets.io/") ? knownString(props.kind) : undefined;
}

/**
 * True when a `find` names at most one workload's secrets: a name regexp or path whose literal start holds the
 * environment and at least one more path segment (`^dev/airflow/`), never tags alone or `.*`.
 */
export function findIsScoped(find: Record<string, unknown>, env: string): boolean {
    const regexp = knownString(asRecord(find.name)?.regexp);
    const path = knownString(find.path);
    const prefix = regexp !== undefined ? (/^\^([A-Za-z0-9_\-/]+)/.exec(regexp)?.[1] ?? "") : (path ?? "");
    const segments = prefix.split("/").filter(Boolean);
    return segments.length >= 2 && segments[0] === env;
}

/**
 * External Secrets objects stay inside their namespace and name their own keys: no ClusterSecretStore or
 * ClusterExternalSecret (a store or fan-out every namespace can use), no reference to a ClusterSecretStore, no
 * PushSecret (it writes a value from the cluster into Secrets Manager, where values come only from rotation or the
 * runbook), and no `dataFrom.find` that is not anchored to the environment and a workload prefix. Each can be
 * allowed for one URN by a named exemption.
 */
export const externalsecretsAnyObjectOwnNamespacedStore = resourceRule(
    {
        name: "externalsecrets-any-object-own-namespaced-store",
        description: "External Secrets objects must use a namespaced SecretStore and name their own keys: no ClusterSecretStore, ClusterExternalSecret, PushSecret or unanchored find.",
        severity: "high",
        controls,
        remediation:
            "use the workload namespace's SecretStore (WorkloadIdentity's IRSA role) and list each key in spec.data[].remoteRef.key, or a find whose name.regexp starts with ^<env>/<workload>/; if a cluster-wide store or a PushSecret is unavoidable, add a named exemption with a reason for this rule and the URN to policies/pack-config.json.",
    },
    ({ args, props, report }) => {
        const kind = esoKindOf(args.type, props);
        if (!kind) return;
        const label = `${kind} '${args.name}'`;
        if (kind === "ClusterSecretStore") report(`${label} is a store every namespace can read through, so one workload could read another's secrets`);
        if (kind === "ClusterExternalSecret") report(`${label} copies secrets into many namespaces at once`);
        if (kind === "PushSecret") report(`${label} writes a value from the cluster into the secret store, but values come only from rotation functions or the runbook`);
        const spec = asRecord(props.spec) ?? {};
        const template = asRecord(spec.externalSecretSpec) ?? spec;
        const storeRefs = [template.secretStoreRef, ...asList(spec.secretStoreRefs)].map(asRecord).filter(Boolean) as Record<string, unknown>[];
        for (const ref of storeRefs) if (knownString(ref.kind) === "ClusterSecretStore") report(`${label} reads through the ClusterSecretStore '${knownString(ref.name) ?? "?"}'`);
        const env = environmentOfUrn(args.urn);
        asList(template.dataFrom).forEach((entry, i) => {
            const find = asRecord(asRecord(entry)?.find);
            if (find && !findIsScoped(find, env)) report(`${label} has spec.dataFrom[${i}].find that is not anchored to ^${env}/<workload>/ (by name.regexp or path), so it reads every secret it matches`);
        });
    },
);

export default externalsecretsAnyObjectOwnNamespacedStore;
