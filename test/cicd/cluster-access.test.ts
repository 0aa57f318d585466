// The CI roles' access to the cluster: their EKS access entries, and the deployer's RBAC decided by Kubernetes' own
// comparison (tools/rbac-check: k8s.io/component-helpers' Covers over the bindings `npm run cluster-rbac` prints)
// against every object of each environment's plan and of the Airflow chart rendered by Helm with that plan's values.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import * as YAML from "yaml";
import {
    buildCiAccessEntries,
    buildCiClusterRbac,
    CLUSTER_READS,
    DEPLOYER_CLUSTER_RULES,
    DEPLOYER_ESO_NAMESPACE_RULES,
    DEPLOYER_GROUP,
    DEPLOYER_NAMESPACE_RULES,
    DEPLOYER_ROLEBINDING,
    deployerNamespaces,
    EKS_ACCESS_WRITE_ACTIONS,
    EKS_VIEW_POLICY_ARN,
    NAMESPACE_ADOPT_VERBS,
    PREVIEWER_GROUP,
    PREVIEWER_RULES,
    RbacRule,
} from "../../components/github-deploy";
import { AIRFLOW_CHART } from "../../components/airflow";
import { ESO_NAMESPACE } from "../../components/external-secrets";
import { TYPE } from "../../components/tokens";
import { catalogForEnvironment, loadCatalog } from "../../model/catalog";
import { ENVIRONMENTS } from "../../model/config";
import { ESO_REFRESH_GROUP } from "../../model/event-refresh";
import { managedNamespaces } from "../../model/namespaces";
import { roleNames } from "../../model/names";
import { airflowChartOrSkip, helmTemplate } from "../support/helm";
import { decide, plannedEnvironment } from "../support/plan-iam";
import { planReport, PROJECT_DIR } from "../support/plan-cli";
import { CoverRequest, KindAnswer, rbacCheck } from "../support/rbac-check";

type Resource = ReturnType<typeof planReport>["resources"][number];
type Json = Record<string, any>;
const inputs = (r: Resource) => r.inputs as Json;
const outputs = (r: Resource) => r.outputs as Json;
const MANAGE = ["get", "list", "watch", "create", "update", "patch", "delete"];
const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));
const namespacesOf = (environment: string) => managedNamespaces(catalogForEnvironment(catalog, environment as (typeof ENVIRONMENTS)[number]));

/** A Kubernetes object to be created: its API group, kind, namespace ("" when none is set) and where it comes from. */
interface PlannedObject {
    readonly group: string;
    readonly kind: string;
    readonly namespace: string;
    readonly source: string;
}

/**
 * The Kubernetes objects the deploy role creates in a plan: every `kubernetes:` resource but the Helm releases (their
 * objects are rendered below) and the ESO component's children, which a cluster administrator applies (docs/cicd.md).
 */
function plannedObjects(environment: string): PlannedObject[] {
    const esoOwned = (r: Resource) => String(r.parent ?? "").includes(`::${TYPE.ExternalSecretsOperator}::`);
    return planReport(environment)
        .resources.filter((r) => r.type.startsWith("kubernetes:") && r.type !== "kubernetes:helm.sh/v3:Release" && !esoOwned(r))
        .map((r) => {
            const m = /^kubernetes:([^/]+)\/[^:]+:(\w+)$/.exec(r.type);
            if (!m) throw new Error(`${r.type} is not a Kubernetes type token`);
            return { group: m[1] === "core" ? "" : m[1]!, kind: m[2]!, namespace: inputs(r).metadata?.namespace ?? "", source: r.name };
        });
}

/** The Airflow release of a plan rendered by Helm with the chart's own templates: what the release creates, and where. */
function renderedAirflow(ctx: Mocha.Context, environment: string): { namespace: string; objects: PlannedObject[] } {
    const chart = airflowChartOrSkip(ctx);
    const release = planReport(environment).resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && inputs(r).chart === AIRFLOW_CHART.chart)!;
    const namespace = inputs(release).namespace as string;
    const manifests = helmTemplate(chart, inputs(release).name, namespace, inputs(release).values);
    const objects = manifests.map((m) => {
        const [group, version] = String(m.apiVersion).includes("/") ? String(m.apiVersion).split("/") : ["", m.apiVersion];
        assert.ok(version, `${m.kind} has an apiVersion`);
        return { group: group!, kind: String(m.kind), namespace: m.metadata?.namespace ?? "", source: `chart ${m.kind}/${m.metadata?.name}` };
    });
    return { namespace, objects };
}

/** Scope and resource of each kind: client-go's answer for built-in kinds, and for a custom kind whether its objects carry a namespace. */
function kindTable(objects: readonly PlannedObject[]): Map<string, KindAnswer> {
    const kinds = [...new Map(objects.map((o) => [`${o.group}/${o.kind}`, { group: o.group, kind: o.kind }])).values()];
    const answers = rbacCheck([], DEPLOYER_GROUP, [], kinds).kinds;
    const table = new Map<string, KindAnswer>();
    for (const a of answers) {
        let namespaced = a.namespaced;
        if (namespaced === null) {
            const scopes = new Set(objects.filter((o) => o.group === a.group && o.kind === a.kind).map((o) => o.namespace !== ""));
            assert.equal(scopes.size, 1, `${a.group}/${a.kind} objects both with and without a namespace`);
            namespaced = [...scopes][0]!;
        }
        table.set(`${a.group}/${a.kind}`, { ...a, namespaced });
    }
    return table;
}

const rule = (group: string, resource: string, verbs: readonly string[]): RbacRule => ({ apiGroups: [group], resources: [resource], verbs });
const uncovered = (results: ReturnType<typeof rbacCheck>["results"]) => results.filter((r) => !r.covered).map((r) => `${r.id}: ${JSON.stringify(r.uncovered)}`);

describe("EKS access of the CI roles (access entries and the deployer's RBAC)", function () {
    it("the preview role reads through EKS's view policy on the whole cluster; the deploy role gets only the deployer group", () => {
        const [preview, deploy] = buildCiAccessEntries("736491028554", "fl-prod");
        assert.equal(preview!.principalArn, `arn:aws:iam::736491028554:role/${roleNames.githubPreview("fl-prod")}`);
        assert.deepEqual(preview!.kubernetesGroups, [PREVIEWER_GROUP]);
        assert.deepEqual(preview!.policies, [{ policyArn: EKS_VIEW_POLICY_ARN, accessScope: { type: "cluster" } }]);
        assert.equal(deploy!.principalArn, `arn:aws:iam::736491028554:role/${roleNames.githubDeploy("fl-prod")}`);
        assert.deepEqual(deploy!.kubernetesGroups, [DEPLOYER_GROUP]);
        // Every EKS access policy but view (Edit, Admin, ClusterAdmin) reads Secrets.
        assert.deepEqual(deploy!.policies, []);
    });

    it("no deployer or previewer rule names Secrets or a wildcard, or grants escalate, bind or impersonate", () => {
        for (const r of [...DEPLOYER_CLUSTER_RULES, ...DEPLOYER_NAMESPACE_RULES, ...DEPLOYER_ESO_NAMESPACE_RULES, ...PREVIEWER_RULES]) {
            for (const list of [r.apiGroups, r.resources, r.verbs]) assert.ok(!list.includes("*"), JSON.stringify(r));
            assert.ok(!r.resources.some((x) => x === "secrets" || x.startsWith("secrets/")), JSON.stringify(r));
            for (const verb of ["escalate", "bind", "impersonate"]) assert.ok(!r.verbs.includes(verb), JSON.stringify(r));
        }
    });

    for (const environment of ENVIRONMENTS) {
        describe(`${environment}: the deployer's rights, decided by Kubernetes' Covers over the bindings npm run cluster-rbac prints`, function () {
            this.timeout(300_000);
            const rbac = () => buildCiClusterRbac(environment, namespacesOf(environment));
            const workNamespaces = () => deployerNamespaces(namespacesOf(environment)).map((t) => t.namespace);

            it("every object the plan creates is covered in its own namespace (cluster-scoped kinds cluster-wide), and every namespace is one the deployer is bound in", () => {
                const objects = plannedObjects(environment);
                assert.ok(objects.length > 100, `the ${environment} plan has Kubernetes objects (${objects.length})`);
                const kinds = kindTable(objects);
                const outside: string[] = [];
                const requests: CoverRequest[] = objects.map((o) => {
                    const k = kinds.get(`${o.group}/${o.kind}`)!;
                    if (k.namespaced && !workNamespaces().includes(o.namespace)) outside.push(`${o.source} in '${o.namespace}'`);
                    if (!k.namespaced) assert.equal(o.namespace, "", `${o.source} is cluster-scoped but names a namespace`);
                    const verbs = o.kind === "Namespace" && o.group === "" ? NAMESPACE_ADOPT_VERBS : MANAGE;
                    return { id: `${o.source} (${o.kind})`, namespace: k.namespaced ? o.namespace : "", rules: [rule(o.group, k.resource, verbs)] };
                });
                assert.deepEqual(outside, [], "namespaced objects outside the namespaces the deployer is bound in");
                assert.deepEqual(uncovered(rbacCheck(rbac(), DEPLOYER_GROUP, requests).results), [], "add these to the deployer's rules (components/github-deploy/cluster-access.ts)");
                // Helm keeps release state in ConfigMaps of the release's namespace, so Secrets are never needed.
                const provider = planReport(environment).resources.find((r) => r.type === "pulumi:providers:kubernetes" && inputs(r).helmReleaseSettings);
                const helm = inputs(provider!).helmReleaseSettings;
                assert.deepEqual(typeof helm === "string" ? JSON.parse(helm) : helm, { driver: "configmap" }, "Helm must keep release state in ConfigMaps, not Secrets");
            });

            it("creating the plan's Roles and RoleBindings needs no escalate: the deployer holds every rule they grant in their namespace", () => {
                const resources = planReport(environment).resources;
                const roles = resources.filter((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role");
                const bindings = resources.filter((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
                assert.ok(roles.length > 0 && bindings.length > 0);
                const roleRules = new Map(roles.map((r) => [`${inputs(r).metadata.namespace}/${inputs(r).metadata.name}`, inputs(r).rules as RbacRule[]]));
                const requests: CoverRequest[] = [
                    ...roles.map((r) => ({ id: `Role ${inputs(r).metadata.namespace}/${inputs(r).metadata.name}`, namespace: inputs(r).metadata.namespace, rules: inputs(r).rules })),
                    // A RoleBinding is admitted without `bind` only if its subject could create the role it refers to.
                    ...bindings.map((b) => {
                        const ref = inputs(b).roleRef;
                        const key = `${inputs(b).metadata.namespace}/${ref.name}`;
                        assert.equal(ref.kind, "Role", `${b.name} refers to a plan Role`);
                        assert.ok(roleRules.has(key), `${b.name} refers to ${key}, a Role of the plan`);
                        return { id: `RoleBinding ${inputs(b).metadata.namespace}/${inputs(b).metadata.name}`, namespace: inputs(b).metadata.namespace, rules: roleRules.get(key)! };
                    }),
                ];
                assert.deepEqual(uncovered(rbacCheck(rbac(), DEPLOYER_GROUP, requests).results), []);
            });

            it("every object of the Airflow chart rendered by Helm with the plan's values, and Helm's wait reads, are covered where the release lands", function () {
                const { namespace, objects } = renderedAirflow(this, environment);
                assert.ok(workNamespaces().includes(namespace), `the release lands in '${namespace}'`);
                const kinds = kindTable(objects);
                const unknown = [...kinds.values()].filter((k) => k.namespaced === null).map((k) => `${k.group}/${k.kind}`);
                assert.deepEqual(unknown, [], "a custom kind in the chart: decide its scope");
                const requests: CoverRequest[] = objects.map((o) => {
                    const k = kinds.get(`${o.group}/${o.kind}`)!;
                    return { id: o.source, namespace: k.namespaced ? o.namespace || namespace : "", rules: [rule(o.group, k.resource, MANAGE)] };
                });
                // Helm's ready check (helm.sh/helm/v3 pkg/kube/ready.go) lists a Deployment's ReplicaSets and a workload's Pods.
                if (objects.some((o) => o.kind === "Deployment")) requests.push({ id: "helm wait: replicasets", namespace, rules: [rule("apps", "replicasets", ["get", "list"])] });
                requests.push({ id: "helm wait: pods", namespace, rules: [rule("", "pods", ["get", "list"])] });
                assert.deepEqual(uncovered(rbacCheck(rbac(), DEPLOYER_GROUP, requests).results), []);
                assert.deepEqual([...new Set(objects.map((o) => o.kind))].sort(), ["ConfigMap", "Deployment", "Job", "Service", "ServiceAccount", "StatefulSet"], "the chart's kinds as rendered (a new one must be covered above)");
            });

            it("the deployer and the previewer hold nothing on Secrets anywhere, and the deployer nothing outside its namespaces or beyond alert rules in ESO's", () => {
                const everywhere = ["", ...workNamespaces(), "default", "kube-system"];
                const secretVerbs = [...MANAGE, "deletecollection"];
                const secrets: CoverRequest[] = everywhere.flatMap((ns) => secretVerbs.map((v) => ({ id: `${v} secrets in '${ns}'`, namespace: ns, rules: [rule("", "secrets", [v])] })));
                for (const group of [DEPLOYER_GROUP, PREVIEWER_GROUP]) {
                    const granted = rbacCheck(rbac(), group, secrets).results.filter((r) => r.covered).map((r) => r.id);
                    assert.deepEqual(granted, [], `${group} on Secrets`);
                }
                const elsewhere: CoverRequest[] = [
                    ...["default", "kube-system"].map((ns) => ({ id: `configmaps in ${ns}`, namespace: ns, rules: [rule("", "configmaps", ["create"])] })),
                    // In ESO's namespace a pod under the operator's service account would act as the operator.
                    { id: "pods in ESO's namespace", namespace: ESO_NAMESPACE, rules: [rule("", "pods", ["create"])] },
                    { id: "deployments in ESO's namespace", namespace: ESO_NAMESPACE, rules: [rule("apps", "deployments", ["create"])] },
                    { id: "rolebindings in ESO's namespace", namespace: ESO_NAMESPACE, rules: [rule("rbac.authorization.k8s.io", "rolebindings", ["create"])] },
                    { id: "create a namespace", namespace: "", rules: [rule("", "namespaces", ["create"])] },
                    { id: "delete a namespace", namespace: "", rules: [rule("", "namespaces", ["delete"])] },
                    { id: "escalate", namespace: workNamespaces()[0]!, rules: [rule("rbac.authorization.k8s.io", "roles", ["escalate"])] },
                    { id: "bind", namespace: workNamespaces()[0]!, rules: [rule("rbac.authorization.k8s.io", "clusterroles", ["bind"])] },
                ];
                assert.deepEqual(rbacCheck(rbac(), DEPLOYER_GROUP, elsewhere).results.filter((r) => r.covered).map((r) => r.id), []);
                const alerts = rbacCheck(rbac(), DEPLOYER_GROUP, [{ id: "alert rules in ESO's namespace", namespace: ESO_NAMESPACE, rules: DEPLOYER_ESO_NAMESPACE_RULES }]).results;
                assert.deepEqual(uncovered(alerts), []);
            });
        });
    }

    it("the deployer's rules are exactly what the three plans and the rendered chart need: no cluster-wide or namespaced entry is unused", function () {
        const objects = ENVIRONMENTS.flatMap((e) => [...plannedObjects(e), ...renderedAirflow(this, e).objects]);
        const kinds = kindTable(objects);
        const pairs = (rules: readonly RbacRule[]) => new Set(rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.map((x) => `${g}/${x}`))));
        const clusterScoped = new Set([...kinds.values()].filter((k) => !k.namespaced).map((k) => `${k.group}/${k.resource}`));
        assert.deepEqual([...pairs(DEPLOYER_CLUSTER_RULES)].sort(), [...new Set([...clusterScoped, ...pairs(CLUSTER_READS)])].sort(), "cluster-wide: the plans' cluster-scoped kinds and the preflight reads");
        const roleRules = ENVIRONMENTS.flatMap((e) => planReport(e).resources.filter((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role").flatMap((r) => inputs(r).rules as RbacRule[]));
        const needed = new Set([...[...kinds.values()].filter((k) => k.namespaced).map((k) => `${k.group}/${k.resource}`), ...pairs(roleRules), "apps/replicasets", "/pods"]);
        const unused = [...pairs(DEPLOYER_NAMESPACE_RULES)].filter((p) => !needed.has(p));
        assert.deepEqual(unused, [], "namespaced rules no object, Role or Helm wait needs");
    });

    it("npm run cluster-rbac prints the roles, bindings, and each namespace with the deployer's RoleBinding, as YAML kubectl can apply", () => {
        const res = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "tools", "cluster-rbac.ts"), "--stack", "staging"], { encoding: "utf8", cwd: PROJECT_DIR });
        assert.equal(res.status, 0, res.stderr);
        assert.ok(!/[&*]a\d/.test(res.stdout), "no YAML anchors or aliases");
        const docs = YAML.parseAllDocuments(res.stdout).map((d) => d.toJSON());
        const namespaces = namespacesOf("staging");
        assert.deepEqual(docs, JSON.parse(JSON.stringify(buildCiClusterRbac("staging", namespaces))));
        const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
        assert.deepEqual(byKind("ClusterRoleBinding").map((b) => [b.metadata.name, b.subjects[0].name]), [
            ["finledger-deployer", DEPLOYER_GROUP],
            ["finledger-previewer", PREVIEWER_GROUP],
        ]);
        assert.deepEqual(byKind("Namespace").map((n) => n.metadata.name), [...namespaces, ESO_NAMESPACE]);
        const bindings = byKind("RoleBinding");
        assert.deepEqual(bindings.map((b) => b.metadata.namespace), [...namespaces, ESO_NAMESPACE]);
        for (const b of bindings) {
            assert.equal(b.metadata.name, DEPLOYER_ROLEBINDING);
            assert.deepEqual(b.subjects, [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: DEPLOYER_GROUP }]);
            assert.ok(byKind("ClusterRole").some((r) => r.metadata.name === b.roleRef.name), `${b.metadata.namespace} binds a ClusterRole the output defines`);
        }
        // Kinds that need a namespace come after it, so one `kubectl apply -f -` succeeds on an empty cluster.
        const firstBinding = docs.findIndex((d) => d.kind === "RoleBinding");
        assert.ok(docs.slice(firstBinding).every((d) => d.kind === "RoleBinding"));
        const bad = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "tools", "cluster-rbac.ts"), "--stack", "qa"], { encoding: "utf8", cwd: PROJECT_DIR });
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /Unknown stack 'qa'/);
    });

    it("npm run cluster-rbac --steps prints the administrator's steps, and every --target of the ESO install names a URN of the plan", () => {
        const res = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "tools", "cluster-rbac.ts"), "--stack", "prod", "--steps"], { encoding: "utf8", cwd: PROJECT_DIR });
        assert.equal(res.status, 0, res.stderr);
        assert.match(res.stdout, /^npm run cluster-rbac -- --stack prod \| kubectl apply -f -$/m);
        assert.match(res.stdout, /^npm run preflight -- --stack prod$/m);
        const targets = [...res.stdout.matchAll(/--target "([^"]+)"/g)].map((m) => m[1]!);
        assert.equal(targets.length, 3, res.stdout);
        const urns = planReport("prod").resources.map((r) => r.urn);
        for (const t of targets) {
            const matched = t.endsWith("**") ? urns.filter((u) => u.startsWith(t.slice(0, -2))) : urns.filter((u) => u === t);
            assert.ok(matched.length > 0, `${t} names nothing in the prod plan`);
        }
        // The glob reaches the ESO release and its namespace; the providers come first so that the targeted up can create them.
        const eso = urns.filter((u) => u.startsWith(targets[2]!.slice(0, -2)));
        assert.ok(eso.some((u) => u.includes("kubernetes:helm.sh/v3:Release")) && eso.some((u) => u.includes("kubernetes:core/v1:Namespace")), eso.join("\n"));
        assert.deepEqual(targets.slice(0, 2).map((t) => t.split("::").pop()), ["fl-prod-k8s", "fl-prod-k8s-namespaces"]);
    });

    it("refuses a catalog workload in ESO's namespace, where the deployer holds only alert rules", () => {
        assert.throws(() => deployerNamespaces(["airflow", ESO_NAMESPACE]), /namespace 'external-secrets', which belongs to the External Secrets Operator; move the workload/);
    });

    for (const environment of ENVIRONMENTS) {
        it(`${environment}: the bootstrap creates both access entries on the environment's cluster, the preview one with the view policy`, () => {
            const report = planReport(environment);
            const bootstrapOwned = (r: Resource) => String(r.parent).includes(`::${TYPE.GithubDeployAccess}::`);
            const entries = report.resources.filter((r) => r.type === "aws:eks/accessEntry:AccessEntry" && bootstrapOwned(r));
            const associations = report.resources.filter((r) => r.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
            const prefix = `fl-${environment}`;
            assert.deepEqual(
                entries.map((e) => [inputs(e).principalArn.split("/").pop(), inputs(e).kubernetesGroups, inputs(e).type]).sort(),
                [
                    [roleNames.githubDeploy(prefix), [DEPLOYER_GROUP], "STANDARD"],
                    [roleNames.githubPreview(prefix), [PREVIEWER_GROUP], "STANDARD"],
                ],
            );
            assert.deepEqual(
                associations.map((a) => [inputs(a).principalArn.split("/").pop(), inputs(a).policyArn, inputs(a).accessScope]),
                [[roleNames.githubPreview(prefix), EKS_VIEW_POLICY_ARN, { type: "cluster" }]],
            );
            for (const r of [...entries, ...associations]) {
                assert.equal(inputs(r).clusterName, `${prefix}-data`);
                assert.ok(String(r.parent).includes(`::${TYPE.GithubDeployAccess}::`), `${r.name} is bootstrap-owned`);
            }
        });

        it(`${environment} deploy role cannot create, change or delete any access entry or association, its own included`, async () => {
            const env = plannedEnvironment(environment);
            const report = planReport(environment);
            const own = report.resources.find((r) => r.type === "aws:eks/accessEntry:AccessEntry" && inputs(r).principalArn === env.deployRole.arn)!;
            const cluster = `arn:aws:eks:us-east-1:${env.accountId}:cluster/fl-${environment}-data`;
            for (const action of EKS_ACCESS_WRITE_ACTIONS) {
                const resource = action === "eks:CreateAccessEntry" ? cluster : outputs(own).accessEntryArn;
                // A create names its principal and groups in the request; even the refresh function's group does not help.
                const context = action === "eks:CreateAccessEntry" ? { "eks:principalArn": env.deployRole.arn, "eks:kubernetesGroups": [ESO_REFRESH_GROUP] } : undefined;
                assert.equal(await decide({ role: env.deployRole, action, resourceArn: resource, resourceAccount: env.accountId, context }), "ExplicitlyDenied", `${action} on ${resource}`);
            }
            const preview = report.resources.find((r) => r.type === "aws:eks/accessEntry:AccessEntry" && inputs(r).principalArn === env.previewRole.arn)!;
            for (const action of ["eks:UpdateAccessEntry", "eks:DeleteAccessEntry", "eks:AssociateAccessPolicy", "eks:TagResource"]) {
                assert.equal(await decide({ role: env.deployRole, action, resourceArn: outputs(preview).accessEntryArn, resourceAccount: env.accountId }), "ExplicitlyDenied", `${action} on the preview entry`);
            }
        });
    }

    it("the previewer group may only read CRDs and RBAC objects, what preflight reads and EKS's view policy lacks", () => {
        assert.deepEqual(PREVIEWER_RULES, [
            { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch"] },
            { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles", "clusterrolebindings", "rolebindings"], verbs: ["get", "list", "watch"] },
        ]);
        const writes = ["create", "update", "patch", "delete"].map((v) => ({ id: v, namespace: "airflow", rules: [rule("apiextensions.k8s.io", "customresourcedefinitions", [v]), rule("rbac.authorization.k8s.io", "rolebindings", [v])] }));
        assert.deepEqual(rbacCheck(buildCiClusterRbac("prod", namespacesOf("prod")), PREVIEWER_GROUP, writes).results.filter((r) => r.covered).map((r) => r.id), []);
    });
});
