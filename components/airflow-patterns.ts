// Which catalog secrets are Airflow connections and variables, and the exact-id patterns that mark them as managed.
// Shared by the task files, the old backend settings and airflow_local_settings.py's guard.

/** Catalog name prefixes of Airflow connections and variables (the rest of the name is the connection id / variable key). */
export const AIRFLOW_CONNECTIONS_PATH = "airflow/connections";
export const AIRFLOW_VARIABLES_PATH = "airflow/variables";
/** A Python regex that matches no id: a group with no managed ids. */
export const MATCH_NOTHING = "^(?!)$";

/** The connection ids and variable keys the platform manages for a set of catalog secret names. */
export function managedAirflowIds(catalogNames: readonly string[]): { connections: string[]; variables: string[] } {
    const pick = (path: string) =>
        catalogNames
            .filter((n) => n.startsWith(`${path}/`))
            .map((n) => n.slice(path.length + 1))
            .sort();
    return { connections: pick(AIRFLOW_CONNECTIONS_PATH), variables: pick(AIRFLOW_VARIABLES_PATH) };
}

/** True when a catalog secret is an Airflow connection or variable (delivered as a task file, not a plain Secret). */
export function isAirflowBackendSecret(catalogName: string): boolean {
    return catalogName.startsWith(`${AIRFLOW_CONNECTIONS_PATH}/`) || catalogName.startsWith(`${AIRFLOW_VARIABLES_PATH}/`);
}

/** An anchored Python regex that matches exactly the given ids. */
export function exactIdPattern(ids: readonly string[]): string {
    if (ids.length === 0) return MATCH_NOTHING;
    return `^(?:${[...ids].sort().map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})$`;
}

/** The core workload whose identity runs the tasks of DAGs outside every domain folder. */
export const AIRFLOW_DEFAULT_TASK_WORKLOAD = "airflow-worker";

/** True for a workload whose identity Airflow task pods run with: each domain, and the core worker. */
export function isAirflowTaskWorkload(w: { readonly id: string; readonly type: string }): boolean {
    return w.type === "airflow" || w.id === AIRFLOW_DEFAULT_TASK_WORKLOAD;
}
