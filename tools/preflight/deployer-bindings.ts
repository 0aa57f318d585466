// Preflight's check of the deploy role's RoleBinding in every namespace it works in (docs/cicd.md, "EKS access for
// CI"): the deployer may not create namespaces or RBAC wider than its own, so a namespace the catalog adds needs a
// cluster administrator's `npm run cluster-rbac` before the deploy run that fills it.
import { buildDeployerRoleBinding, deployerNamespaces, DEPLOYER_ROLEBINDING } from "../../components/github-deploy";
import { Catalog, catalogForEnvironment } from "../../model/catalog";
import { EnvironmentConfig } from "../../model/config";
import { managedNamespaces } from "../../model/namespaces";
import type { CheckResult } from "./checks";
import { KubeApi } from "./kube";

/** The check id of one namespace's deployer RoleBinding. */
export function deployerBindingCheck(namespace: string): string {
    return `deployer-rolebinding-${namespace}`;
}

/** The namespaces whose deployer RoleBinding preflight checks, in report order. */
export function deployerBindingNamespaces(config: EnvironmentConfig, catalog: Catalog): string[] {
    return deployerNamespaces(managedNamespaces(catalogForEnvironment(catalog, config.environment))).map((t) => t.namespace);
}

/**
 * For each namespace the deployer works in: found when the RoleBinding refers to the expected ClusterRole and names the
 * deployer group, missing when it (or the namespace) does not exist, wrong when it differs or cannot be read.
 */
export async function deployerBindings(config: EnvironmentConfig, catalog: Catalog, kube: KubeApi): Promise<CheckResult[]> {
    const fix = `a cluster administrator applies the CI roles' RBAC, which creates each namespace with the deployer's RoleBinding: npm run cluster-rbac -- --stack ${config.environment} | kubectl apply -f -`;
    const targets = deployerNamespaces(managedNamespaces(catalogForEnvironment(catalog, config.environment)));
    const results: CheckResult[] = [];
    for (const target of targets) {
        const check = deployerBindingCheck(target.namespace);
        if (config.phase !== "full") {
            results.push({ check, status: "found", detail: `not needed before the full phase (phase is ${config.phase})` });
            continue;
        }
        const where = `RoleBinding ${target.namespace}/${DEPLOYER_ROLEBINDING}`;
        const res = await kube.get(`/apis/rbac.authorization.k8s.io/v1/namespaces/${encodeURIComponent(target.namespace)}/rolebindings/${DEPLOYER_ROLEBINDING}`);
        if (res.status === 404) {
            const ns = await kube.get(`/api/v1/namespaces/${encodeURIComponent(target.namespace)}`);
            const detail = ns.status === 404 ? `namespace ${target.namespace} does not exist, and the deploy role may not create it` : `${where} does not exist, so the deploy role can create nothing in ${target.namespace}`;
            results.push({ check, status: "missing", detail, fix });
            continue;
        }
        if (res.status !== 200) {
            results.push({ check, status: "wrong", detail: `reading ${where} answered HTTP ${res.status}`, fix: `give the role read access to RoleBindings: ${fix}` });
            continue;
        }
        const want = buildDeployerRoleBinding(config.environment, target) as { roleRef: { kind: string; name: string }; subjects: Array<{ kind: string; name: string }> };
        const ref = res.body?.roleRef ?? {};
        const subjects: Array<{ kind?: string; name?: string }> = res.body?.subjects ?? [];
        const [subject] = want.subjects;
        const problems = [
            ref.kind !== want.roleRef.kind || ref.name !== want.roleRef.name ? `refers to ${ref.kind} ${ref.name}, expected ${want.roleRef.kind} ${want.roleRef.name}` : "",
            subjects.some((s) => s.kind === subject!.kind && s.name === subject!.name) ? "" : `binds ${JSON.stringify(subjects.map((s) => `${s.kind}/${s.name}`))}, expected ${subject!.kind}/${subject!.name}`,
        ].filter(Boolean);
        results.push(
            problems.length > 0
                ? { check, status: "wrong", detail: `${where} ${problems.join(" and ")}`, fix }
                : { check, status: "found", detail: `${where} gives ${subject!.name} the ClusterRole ${want.roleRef.name}` },
        );
    }
    return results;
}
