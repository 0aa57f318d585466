// The cluster side of `npm run status`: for every ExternalSecret the environment model plans, its `Ready` condition and
// last sync time as ESO reports them, read with GET-only list calls, one per namespace. The assessment is pure: a
// missing, not-ready or stale ExternalSecret needs action now, because the consumers' values stop following Secrets
// Manager (and Airflow tasks refuse a file older than the age they accept).
import { RefreshTargets } from "../../model/event-refresh";
import { KubeApi } from "../preflight/kube";
import { Urgency } from "./assess";

/** One ExternalSecret the model plans: where it is and which secret it reads. */
export interface ExpectedExternalSecret {
    readonly namespace: string;
    readonly name: string;
    /** The full Secrets Manager name it reads. */
    readonly secret: string;
}

/** What status says about one ExternalSecret. */
export interface ExternalSecretStatus extends ExpectedExternalSecret {
    readonly state: "ready" | "not-ready" | "missing" | "stale" | "never-synced" | "unreadable";
    /** The `Ready` condition's status (`True`, `False`, `Unknown`), when the object has one. */
    readonly ready?: string;
    readonly reason?: string;
    readonly message?: string;
    /** `status.refreshTime`: when ESO last synced it successfully. */
    readonly lastSync?: string;
    readonly urgency: Urgency;
    /** A sentence saying what is wrong and what to do; absent when ready. */
    readonly finding?: string;
}

/** What one namespace's list call returned: the ExternalSecret objects, or why they could not be read. */
export type NamespaceListing = { readonly items: readonly any[] } | { readonly error: string };

/** The ExternalSecrets the model plans, from the refresh table (one per secret and consumer namespace). */
export function expectedExternalSecrets(targets: RefreshTargets): ExpectedExternalSecret[] {
    return Object.entries(targets)
        .flatMap(([secret, list]) => list.map((t) => ({ namespace: t.namespace, name: t.name, secret })))
        .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** Assesses one planned ExternalSecret against its namespace's listing, at `now`, with the sync age tasks still accept. */
export function assessExternalSecret(expected: ExpectedExternalSecret, listing: NamespaceListing, now: Date, staleAfterSeconds: number): ExternalSecretStatus {
    const id = `${expected.namespace}/${expected.name}`;
    if ("error" in listing) return { ...expected, state: "unreadable", urgency: "soon", finding: `ExternalSecret ${id} could not be read (${listing.error}); give the status role list on externalsecrets in ${expected.namespace}.` };
    const obj = listing.items.find((i) => i?.metadata?.name === expected.name);
    if (!obj) return { ...expected, state: "missing", urgency: "now", finding: `ExternalSecret ${id} does not exist, so nothing syncs ${expected.secret} there; run the deploy (pulumi up) for this stack.` };
    const cond = ((obj.status?.conditions ?? []) as any[]).find((c) => c?.type === "Ready");
    const lastSync: string | undefined = obj.status?.refreshTime ?? undefined;
    const base = { ...expected, ready: cond?.status, reason: cond?.reason, message: cond?.message, lastSync };
    if (cond?.status !== "True") {
        const why = cond ? `Ready is ${cond.status}${cond.reason ? ` (${cond.reason}${cond.message ? `: ${cond.message}` : ""})` : ""}` : "it has no Ready condition yet";
        return { ...base, state: "not-ready", urgency: "now", finding: `ExternalSecret ${id} is not ready: ${why}; see docs/runbooks/misconfigured-permissions.md.` };
    }
    if (!lastSync) return { ...base, state: "never-synced", urgency: "soon", finding: `ExternalSecret ${id} is Ready but reports no refreshTime; check ESO's logs for ${id}.` };
    const ageSeconds = Math.round((now.getTime() - new Date(lastSync).getTime()) / 1000);
    if (ageSeconds > staleAfterSeconds) {
        return {
            ...base,
            state: "stale",
            urgency: "now",
            finding: `ExternalSecret ${id} last synced ${lastSync}, ${ageSeconds} s ago, more than the ${staleAfterSeconds} s tasks accept; ESO is not refreshing it (check the controller and its store).`,
        };
    }
    return { ...base, state: "ready", urgency: "ok" };
}

/** Lists the ExternalSecrets of each namespace with one GET; never throws (a failure is that namespace's listing). */
export async function listExternalSecrets(api: KubeApi, namespaces: readonly string[]): Promise<Map<string, NamespaceListing>> {
    const out = new Map<string, NamespaceListing>();
    await Promise.all(
        [...new Set(namespaces)].map(async (ns) => {
            try {
                const res = await api.get(`/apis/external-secrets.io/v1/namespaces/${encodeURIComponent(ns)}/externalsecrets`);
                if (res.status === 200 && Array.isArray(res.body?.items)) out.set(ns, { items: res.body.items });
                else out.set(ns, { error: `HTTP ${res.status}${typeof res.body?.message === "string" ? `: ${res.body.message}` : ""}` });
            } catch (err) {
                out.set(ns, { error: (err as Error).message });
            }
        }),
    );
    return out;
}

/** The readable part of the report: a count line, then each ExternalSecret that needs action with its finding. */
export function formatExternalSecrets(list: readonly ExternalSecretStatus[]): string[] {
    const count = (u: Urgency) => list.filter((e) => e.urgency === u).length;
    const lines = [`ExternalSecrets (${list.length}): ${count("now")} need action now, ${count("soon")} soon, ${count("ok")} ok.`];
    for (const e of list.filter((x) => x.urgency !== "ok")) {
        lines.push(`  ${e.urgency.toUpperCase().padEnd(4)}  ${e.namespace}/${e.name}  ${e.state}  ready=${e.ready ?? "-"}  last sync ${e.lastSync ?? "-"}`, `    - ${e.finding}`);
    }
    return lines;
}
