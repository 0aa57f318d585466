// The steps in the cluster that only a cluster administrator can take for an environment (docs/cicd.md, "EKS access
// for CI"): the CI roles' RBAC with every namespace the deployer works in, and the External Secrets Operator, whose
// controller ClusterRole reads Secrets in every namespace, which the deploy role may not grant.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ESO_CHART } from "../components/external-secrets";
import { TYPE } from "../components/tokens";
import { kubernetesProviderNames } from "../stacks/runtime";

const PROJECT_DIR = path.resolve(__dirname, "..");

/** The Pulumi project's name, from Pulumi.yaml. */
function projectName(): string {
    return String(YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")).name);
}

/**
 * The targeted `pulumi up` that installs or upgrades ESO: the component with its children, and the two Kubernetes
 * providers, which are not in the state before the first full deploy (a targeted up creates only what it targets).
 */
export function esoAdminCommand(environment: string, namePrefix: string): string {
    const urn = (rest: string) => `"urn:pulumi:${environment}::${projectName()}::${rest}"`;
    const providers = kubernetesProviderNames(namePrefix);
    return [
        `pulumi up --stack ${environment}`,
        `--target ${urn(`pulumi:providers:kubernetes::${providers.objects}`)}`,
        `--target ${urn(`pulumi:providers:kubernetes::${providers.namespaces}`)}`,
        `--target ${urn(`${TYPE.ExternalSecretsOperator}**`)}`,
        "--policy-pack policies --policy-pack-config policies/pack-config.json",
    ].join(" \\\n  ");
}

/** Every administrator step in the cluster for one environment, as a commented shell script. */
export function clusterAdminSteps(environment: string, namePrefix: string): string {
    return [
        `# Cluster administrator steps for ${environment} (docs/cicd.md, "EKS access for CI"), from a checkout of main, with a`,
        "# cluster administrator's kubeconfig and an administrator session in the environment's account.",
        "",
        "# 1. The CI roles' RBAC, and every namespace the deployer works in with its RoleBinding. Again whenever the",
        "#    catalog adds a namespace or the deployer's rules change (idempotent).",
        `npm run cluster-rbac -- --stack ${environment} | kubectl apply -f -`,
        "",
        `# 2. External Secrets Operator (chart ${ESO_CHART.chart} ${ESO_CHART.version}), before the first full deploy and on each ESO`,
        "#    chart upgrade: its controller's ClusterRole reads and writes Secrets in every namespace, which the deploy",
        "#    role may not grant. CI's up then leaves the unchanged release alone.",
        esoAdminCommand(environment, namePrefix),
        "",
        "# 3. Check: every in-cluster prerequisite, the deployer's RoleBindings included, must read FOUND.",
        `npm run preflight -- --stack ${environment}`,
        "",
    ].join("\n");
}
