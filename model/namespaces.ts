// The Kubernetes namespaces an environment manages, in one place: the stack creates (adopts) each, the deploy role is
// bound in each (`npm run cluster-rbac`), and preflight checks the deploy role's binding in each.
import { Catalog } from "./catalog";

/** The namespaces of an environment's workloads (its catalog, already filtered to the environment), sorted and unique. */
export function managedNamespaces(catalog: Pick<Catalog, "workloads">): string[] {
    return [...new Set(catalog.workloads.map((w) => w.namespace))].sort();
}
