// The plan's check that every consumer binding of the catalog is one its secret's kind can serve (a view through
// External Secrets, an Airflow connection mapping, or an Airflow variable), run before any resource is built.
import { AIRFLOW_CONNECTIONS_PATH, AIRFLOW_VARIABLES_PATH } from "../components/airflow";
import { Catalog, CatalogError } from "../model/catalog";
import { BindingTables, consumerBindingProblems } from "../model/secret-kinds";

/** How a catalog secret reaches an Airflow domain: as a connection or a variable (by its path), or neither. */
export function airflowPathOf(catalogName: string): "connection" | "variable" | undefined {
    if (catalogName.startsWith(`${AIRFLOW_CONNECTIONS_PATH}/`)) return "connection";
    if (catalogName.startsWith(`${AIRFLOW_VARIABLES_PATH}/`)) return "variable";
    return undefined;
}

/** Throws a CatalogError (exit 2 in `npm run plan`) naming the file and key of each binding its kind cannot serve. */
export function assertConsumerBindings(catalog: Catalog, tables?: BindingTables): void {
    const problems = consumerBindingProblems(catalog, airflowPathOf, tables);
    if (problems.length) throw new CatalogError(problems);
}
