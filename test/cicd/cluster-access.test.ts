import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import * as YAML from "yaml";
import {
    buildCiAccessEntries,
    buildCiClusterRbac,
    DEPLOYER_GROUP,
    DEPLOYER_RULES,
    EKS_ACCESS_WRITE_ACTIONS,
    EKS_VIEW_POLICY_ARN,
    PREVIEWER_GROUP,
    PREVIEWER_RULES,
    rbacAllows,
    RbacRule,
} from "../../components/github-deploy";
import { TYPE } from "../../components/tokens";
import { ENVIRONMENTS } from "../../model/config";
import { ESO_REFRESH_GROUP } from "../../model/event-refresh";
import { roleNames } from "../../model/names";
import { decide, plannedEnvironment } from "../support/plan-iam";
import { planReport, PROJECT_DIR } from "../support/plan-cli";

type Resource = ReturnType<typeof planReport>["resources"][number];
const inputs = (r: Resource) => r.inputs as Record<string, any>;
const outputs = (r: Resource) => r.outputs as Record<string, any>;
const VERBS = ["get", "list", "watch", "create", "update", "patch", "delete"];

/** The API group and plural resource of a Kubernetes type token, e.g. `kubernetes:rbac.authorization.k8s.io/v1:Role`. */
function apiResourceOf(type: string): { group: string; resource: string } {
    const m = /^kubernetes:([^/]+)\/[^:]+:(\w+)$/.exec(type);
    if (!m) throw new Error(`${type} is not a Kubernetes type token`);
    const kind = m[2]!.toLowerCase();
    return { group: m[1] === "core" ? "" : m[1]!, resource: kind.endsWith("y") ? `${kind.slice(0, -1)}ies` : `${kind}s` };
}

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

    it("the deployer may do nothing at all with Secrets, and holds no wildcard, escalate, bind or impersonate", () => {
        for (const verb of [...VERBS, "deletecollection"]) assert.equal(rbacAllows(DEPLOYER_RULES, "", "secrets", verb), false, `secrets ${verb}`);
        for (const r of [...DEPLOYER_RULES, ...PREVIEWER_RULES]) {
            for (const list of [r.apiGroups, r.resources, r.verbs]) assert.ok(!list.includes("*"), JSON.stringify(r));
            for (const verb of ["escalate", "bind", "impersonate"]) assert.ok(!r.verbs.includes(verb), JSON.stringify(r));
        }
    });

    it("rbacAllows follows RBAC matching: group, resource, verb, wildcards and resource names", () => {
        const rules: RbacRule[] = [
            { apiGroups: [""], resources: ["configmaps"], verbs: ["get"] },
            { apiGroups: ["apps"], resources: ["*"], verbs: ["list"] },
            { apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["webhook"] },
        ];
        assert.equal(rbacAllows(rules, "", "configmaps", "get"), true);
        assert.equal(rbacAllows(rules, "", "configmaps", "list"), false);
        assert.equal(rbacAllows(rules, "apps", "deployments", "list"), true);
        assert.equal(rbacAllows(rules, "batch", "jobs", "list"), false);
        assert.equal(rbacAllows(rules, "", "secrets", "get", "webhook"), true);
        assert.equal(rbacAllows(rules, "", "secrets", "get", "other"), false);
        assert.equal(rbacAllows(rules, "", "secrets", "get"), false);
    });

    for (const environment of ENVIRONMENTS) {
        it(`${environment}: the deployer may create, read, change and delete every Kubernetes object of the plan, and Helm's ConfigMap state`, () => {
            const report = planReport(environment);
            const types = [...new Set(report.resources.map((r) => r.type).filter((t) => t.startsWith("kubernetes:") && t !== "kubernetes:helm.sh/v3:Release"))].sort();
            assert.ok(types.length >= 8, `the ${environment} plan has Kubernetes objects: ${types.join(", ")}`);
            const missing = types.flatMap((t) => {
                const { group, resource } = apiResourceOf(t);
                return VERBS.filter((v) => !rbacAllows(DEPLOYER_RULES, group, resource, v)).map((v) => `${v} ${group || "core"}/${resource}`);
            });
            assert.deepEqual(missing, [], "add these to DEPLOYER_RULES (components/github-deploy/cluster-access.ts)");
            for (const v of VERBS) assert.ok(rbacAllows(DEPLOYER_RULES, "", "configmaps", v));
            const provider = report.resources.find((r) => r.type === "pulumi:providers:kubernetes");
            // Provider inputs reach the engine as JSON strings.
            const helm = inputs(provider!).helmReleaseSettings;
            assert.deepEqual(typeof helm === "string" ? JSON.parse(helm) : helm, { driver: "configmap" }, "Helm must keep release state in ConfigMaps, not Secrets");
        });

        it(`${environment}: the deployer holds every right the plan's Roles grant, so Kubernetes lets it create them without escalate`, () => {
            const roles = planReport(environment).resources.filter((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role");
            assert.ok(roles.length > 0);
            const lacking = new Set<string>();
            for (const role of roles) {
                for (const rule of inputs(role).rules as RbacRule[]) {
                    for (const g of rule.apiGroups) for (const res of rule.resources) for (const v of rule.verbs) if (!rbacAllows(DEPLOYER_RULES, g, res, v)) lacking.add(`${v} ${g || "core"}/${res} (${outputs(role).metadata.name})`);
                }
            }
            assert.deepEqual([...lacking], []);
        });

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

    it("the previewer group may only read CRDs, the one kind preflight reads that EKS's view policy lacks", () => {
        assert.deepEqual(PREVIEWER_RULES, [{ apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list", "watch"] }]);
        for (const verb of ["create", "update", "patch", "delete"]) assert.equal(rbacAllows(PREVIEWER_RULES, "apiextensions.k8s.io", "customresourcedefinitions", verb), false);
    });

    it("npm run cluster-rbac prints both ClusterRoles and their bindings to the two groups as YAML kubectl can apply", () => {
        const res = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "tools", "cluster-rbac.ts"), "--stack", "staging"], { encoding: "utf8", cwd: PROJECT_DIR });
        assert.equal(res.status, 0, res.stderr);
        assert.ok(!/[&*]a\d/.test(res.stdout), "no YAML anchors or aliases");
        const docs = YAML.parseAllDocuments(res.stdout).map((d) => d.toJSON());
        assert.deepEqual(docs, JSON.parse(JSON.stringify(buildCiClusterRbac("staging"))));
        assert.deepEqual(docs.map((d) => d.kind), ["ClusterRole", "ClusterRoleBinding", "ClusterRole", "ClusterRoleBinding"]);
        assert.deepEqual(docs[1].subjects, [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: DEPLOYER_GROUP }]);
        assert.deepEqual(docs[3].subjects, [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: PREVIEWER_GROUP }]);
        for (const [role, binding] of [[docs[0], docs[1]], [docs[2], docs[3]]]) assert.equal(binding.roleRef.name, role.metadata.name);
        const bad = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "tools", "cluster-rbac.ts"), "--stack", "qa"], { encoding: "utf8", cwd: PROJECT_DIR });
        assert.equal(bad.status, 2);
        assert.match(bad.stderr, /Unknown stack 'qa'/);
    });
});
