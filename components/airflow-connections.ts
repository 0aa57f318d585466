// The files ESO renders for a domain's task pods from Airflow connections and variables. The per-kind mapping of a
// stored value to an Airflow Connection lives in one place, model/secret-kinds.ts (AIRFLOW_CONNECTION_MAPPINGS and
// the vendors' mappings): its pure function and its ESO template are both built from it, and this file only wraps
// them into the task files (Airflow's JSON format under `value.json`, plus the sync stamp).
import type { CatalogSecret, SecretKind } from "../model/catalog";
import {
    AIRFLOW_CONNECTION_MAPPINGS,
    AIRFLOW_VENDOR_CONNECTION_MAPPINGS,
    airflowConnection,
    AirflowConnectionFields,
    airflowConnectionTemplate,
    ConsumerView,
    StoredFormat,
} from "../model/secret-kinds";

/** The Airflow Connection fields a file carries (Airflow's JSON connection format). */
export type AirflowConnection = AirflowConnectionFields;

/** Keys of the Kubernetes Secret ESO renders for one managed connection or variable. */
export const AIRFLOW_FILE_KEYS = { value: "value.json", syncedAt: "synced-at" } as const;

/**
 * The vendor whose own connection mapping a catalog api-token secret uses (model/secret-kinds.ts
 * AIRFLOW_VENDOR_CONNECTION_MAPPINGS), or undefined for the plain token mapping.
 */
export function connectionVendorOf(secret: Pick<CatalogSecret, "kind"> & { readonly vendor?: string }): string | undefined {
    return secret.kind === "api-token" && secret.vendor && Object.hasOwn(AIRFLOW_VENDOR_CONNECTION_MAPPINGS, secret.vendor) ? secret.vendor : undefined;
}

function assertMapped(kind: SecretKind, catalogName: string): void {
    if (!AIRFLOW_CONNECTION_MAPPINGS[kind]) {
        throw new Error(
            `Secret '${catalogName}' is an Airflow connection of kind '${kind}', which has no connection mapping; use one of ${Object.keys(AIRFLOW_CONNECTION_MAPPINGS).join(", ")} or add a mapping to AIRFLOW_CONNECTION_MAPPINGS in model/secret-kinds.ts.`,
        );
    }
}

/** The Airflow Connection a stored value of `kind` stands for (the pure mapping; ESO renders the same through a template). */
export function airflowConnectionFromSecret(kind: SecretKind, stored: Record<string, unknown>, catalogName = "(value)"): AirflowConnection {
    assertMapped(kind, catalogName);
    return airflowConnection(kind, stored);
}

/**
 * The ESO template (engine v2) that renders one connection's file: `{ "<conn_id>": { conn_type, ... } }`, Airflow's
 * JSON connection format, over the stored JSON's fields (`dataFrom.extract`).
 */
export function connectionFileTemplate(kind: SecretKind, connId: string, catalogName = connId, vendor?: string): string {
    assertMapped(kind, catalogName);
    return airflowConnectionTemplate(kind, connId, vendor);
}

/** The ESO template of one variable's file: `{ "<key>": "<the stored string>" }`, read whole as `.value`. */
export function variableFileTemplate(key: string): string {
    return `{{ dict ${JSON.stringify(key)} .value | toJson }}`;
}

/**
 * The template of the sync stamp: the Unix time at which ESO rendered the Secret. It changes on every refresh, so ESO
 * rewrites the Secret and the kubelet the file, and a task can tell how old its copy is.
 */
export const SYNCED_AT_TEMPLATE = "{{ now | unixEpoch }}";

/** The task-file view of a connection: the connection file over the stored JSON fields, and the sync stamp. */
export function connectionFileView(secret: Pick<CatalogSecret, "name" | "kind"> & { readonly vendor?: string }, connId: string): { view: Pick<ConsumerView, "keys">; storedFormat: StoredFormat } {
    return {
        view: { keys: { [AIRFLOW_FILE_KEYS.value]: connectionFileTemplate(secret.kind, connId, secret.name, connectionVendorOf(secret)), [AIRFLOW_FILE_KEYS.syncedAt]: SYNCED_AT_TEMPLATE } },
        storedFormat: "json",
    };
}

/** The task-file view of a variable: the stored string read whole, and the sync stamp. */
export function variableFileView(key: string): { view: Pick<ConsumerView, "keys">; storedFormat: StoredFormat } {
    return { view: { keys: { [AIRFLOW_FILE_KEYS.value]: variableFileTemplate(key), [AIRFLOW_FILE_KEYS.syncedAt]: SYNCED_AT_TEMPLATE } }, storedFormat: "string" };
}
