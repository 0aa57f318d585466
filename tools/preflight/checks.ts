// The prerequisites of a real `pulumi up` that the stack does not create, checked with read-only calls. Each check
// answers found / missing / wrong with the fix; docs/cicd.md ("Preflight") lists them.
import { ConfigServiceClient, DescribeConfigurationRecordersCommand, DescribeConfigurationRecorderStatusCommand } from "@aws-sdk/client-config-service";
import { DescribeVpcEndpointsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { DescribeAccessEntryCommand, DescribeClusterCommand, EKSClient, ListAccessEntriesCommand, ListAssociatedAccessPoliciesCommand } from "@aws-sdk/client-eks";
import { GetOpenIDConnectProviderCommand, IAMClient } from "@aws-sdk/client-iam";
import { DescribeClusterV2Command, KafkaClient, ListClustersV2Command } from "@aws-sdk/client-kafka";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { buildCiAccessEntries, CiAccessEntry, GITHUB_OIDC_AUDIENCE, githubOidcProviderArn } from "../../components/github-deploy";
import { Catalog } from "../../model/catalog";
import { EnvironmentConfig } from "../../model/config";
import { planEnvironment } from "../../model/environment";
import { deployerBindingCheck, deployerBindingNamespaces, deployerBindings } from "./deployer-bindings";
import { documentationCidrs } from "../../model/documentation-cidrs";
import { deploys } from "../../model/phase";
import { KubeApi } from "./kube";
import { esoAdminCommand } from "../cluster-admin-steps";

/** What a check found. */
export type CheckStatus = "found" | "missing" | "wrong";

/** One prerequisite's answer. */
export interface CheckResult {
    /** Stable id, such as `eks-cluster`. */
    readonly check: string;
    readonly status: CheckStatus;
    /** What was seen. */
    readonly detail: string;
    /** What to do when it is missing or wrong. */
    readonly fix?: string;
}

/** The read-only clients preflight uses. */
export interface PreflightClients {
    readonly iam: IAMClient;
    readonly eks: EKSClient;
    readonly ec2: EC2Client;
    readonly kafka: KafkaClient;
    readonly configService: ConfigServiceClient;
    readonly secrets: SecretsManagerClient;
    /** The cluster's Kubernetes API, or the reason it could not be reached. */
    readonly kube: KubeApi | { readonly unreachable: string };
}

/** CRDs the stack's Kubernetes resources need, with what installs them. */
export const REQUIRED_CRDS = [
    { name: "prometheusrules.monitoring.coreos.com", what: "prometheus-operator's PrometheusRule CRD", fix: "install kube-prometheus-stack (or prometheus-operator's CRDs) in the cluster" },
    { name: "sparkapplications.sparkoperator.k8s.io", what: "the Spark operator's SparkApplication CRD", fix: "install the Kubeflow Spark operator Helm chart in the cluster" },
] as const;

/**
 * ESO's ExternalSecret CRD. The deploy role cannot install ESO (its controller's ClusterRole reads Secrets, which the
 * deployer may not grant), so a cluster administrator applies the ESO component before the full phase.
 */
export const ESO_CRD = "externalsecrets.external-secrets.io";

function isNotFound(err: unknown): boolean {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    return ["NoSuchEntityException", "NoSuchEntity", "ResourceNotFoundException", "NotFoundException"].includes(e?.name ?? "") || e?.$metadata?.httpStatusCode === 404;
}

async function githubOidcProvider(config: EnvironmentConfig, c: PreflightClients): Promise<CheckResult> {
    const check = "github-oidc-provider";
    const arn = githubOidcProviderArn(config.accountId);
    try {
        const p = await c.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
        if (!(p.ClientIDList ?? []).includes(GITHUB_OIDC_AUDIENCE)) {
            return { check, status: "wrong", detail: `${arn} exists but its audiences are ${JSON.stringify(p.ClientIDList ?? [])}`, fix: `add the client id ${GITHUB_OIDC_AUDIENCE} (aws iam add-client-id-to-open-id-connect-provider)` };
        }
        return { check, status: "found", detail: `${arn} with audience ${GITHUB_OIDC_AUDIENCE}; the bootstrap must reuse it, since IAM allows one provider per URL` };
    } catch (err) {
        if (!isNotFound(err)) throw err;
        return { check, status: "missing", detail: `no OIDC provider ${arn}`, fix: "the bootstrap (foundation phase, run by an administrator) creates it; nothing to do before then" };
    }
}

async function eksCluster(config: EnvironmentConfig, c: PreflightClients): Promise<CheckResult[]> {
    const name = config.cluster.name;
    const fixCluster = `create the EKS cluster ${name} in ${config.region}, or fix finledger:cluster.name in Pulumi.${config.environment}.yaml`;
    let cluster;
    try {
        cluster = (await c.eks.send(new DescribeClusterCommand({ name }))).cluster;
    } catch (err) {
        if (!isNotFound(err)) throw err;
        const missing = (check: string) => ({ check, status: "missing" as const, detail: `no EKS cluster ${name}`, fix: fixCluster });
        return [missing("eks-cluster"), missing("eks-access-entry-deploy"), missing("eks-access-entry-preview")];
    }
    const results: CheckResult[] = [];
    const issuer = cluster?.identity?.oidc?.issuer;
    if (issuer !== config.cluster.oidcIssuer) {
        results.push({ check: "eks-cluster", status: "wrong", detail: `${name} has OIDC issuer ${issuer}, config says ${config.cluster.oidcIssuer}`, fix: `set finledger:cluster.oidcIssuer in Pulumi.${config.environment}.yaml to ${issuer}` });
    } else if (cluster?.status !== "ACTIVE") {
        results.push({ check: "eks-cluster", status: "wrong", detail: `${name} is ${cluster?.status}`, fix: "wait until the cluster is ACTIVE" });
    } else {
        results.push({ check: "eks-cluster", status: "found", detail: `${name} is ACTIVE with issuer ${issuer}` });
    }
    let entries: string[] = [];
    try {
        entries = (await c.eks.send(new ListAccessEntriesCommand({ clusterName: name }))).accessEntries ?? [];
    } catch (err) {
        if (!isNotFound(err)) throw err;
    }
    for (const expected of buildCiAccessEntries(config.accountId, config.namePrefix)) {
        const check = `eks-access-entry-${expected.role}`;
        const arn = expected.principalArn;
        if (!entries.includes(arn)) {
            results.push({
                check,
                status: "missing",
                detail: `${arn} has no access entry on ${name}, so \`aws eks get-token\` gives it no Kubernetes access`,
                fix: `the bootstrap creates it (GithubDeployAccess, docs/cicd.md "EKS access for CI"): an administrator re-runs its step 3 once the cluster exists`,
            });
            continue;
        }
        results.push(await accessEntryMatches(c, name, expected));
    }
    return results;
}

/** Whether an existing access entry maps to the groups and carries exactly the access policies the bootstrap gives it. */
async function accessEntryMatches(c: PreflightClients, clusterName: string, expected: CiAccessEntry): Promise<CheckResult> {
    const check = `eks-access-entry-${expected.role}`;
    const arn = expected.principalArn;
    const entry = (await c.eks.send(new DescribeAccessEntryCommand({ clusterName, principalArn: arn }))).accessEntry;
    const groups = [...(entry?.kubernetesGroups ?? [])].sort();
    const policies = ((await c.eks.send(new ListAssociatedAccessPoliciesCommand({ clusterName, principalArn: arn }))).associatedAccessPolicies ?? []).map((p) => `${p.policyArn} (${p.accessScope?.type})`).sort();
    const wantGroups = [...expected.kubernetesGroups].sort();
    const wantPolicies = expected.policies.map((p) => `${p.policyArn} (${p.accessScope.type})`).sort();
    if (JSON.stringify(groups) !== JSON.stringify(wantGroups) || JSON.stringify(policies) !== JSON.stringify(wantPolicies)) {
        return {
            check,
            status: "wrong",
            detail: `${arn} on ${clusterName} has groups ${JSON.stringify(groups)} and access policies ${JSON.stringify(policies)}; expected groups ${JSON.stringify(wantGroups)} and policies ${JSON.stringify(wantPolicies)} (any other EKS access policy reads Secrets)`,
            fix: "an administrator re-applies GithubDeployAccess (docs/cicd.md, \"Changing deploy access later\"), which resets the entry and its associations",
        };
    }
    return { check, status: "found", detail: `${arn} has an access entry on ${clusterName} with groups ${JSON.stringify(groups)} and policies ${JSON.stringify(policies)}` };
}

async function secretsManagerEndpoint(config: EnvironmentConfig, c: PreflightClients): Promise<CheckResult> {
    const check = "secretsmanager-vpc-endpoint";
    const vpc = config.rotation.vpc;
    const service = `com.amazonaws.${config.region}.secretsmanager`;
    const found = (await c.ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: "vpc-id", Values: [vpc.vpcId] }, { Name: "service-name", Values: [service] }] }))).VpcEndpoints ?? [];
    const live = found.filter((e) => !["deleted", "deleting", "rejected", "failed"].includes(String(e.State ?? "").toLowerCase()));
    const key = `finledger:rotation.vpc.secretsManagerEndpointId in Pulumi.${config.environment}.yaml`;
    if (vpc.secretsManagerEndpointId) {
        const e = live.find((x) => x.VpcEndpointId === vpc.secretsManagerEndpointId);
        if (!e) return { check, status: "missing", detail: `${key} names ${vpc.secretsManagerEndpointId}, which is not a ${service} endpoint in ${vpc.vpcId}`, fix: `fix ${key}, or remove it so the stack creates the endpoint` };
        if (!e.PrivateDnsEnabled) return { check, status: "wrong", detail: `${e.VpcEndpointId} has private DNS off, so the functions' calls to secretsmanager.${config.region}.amazonaws.com leave the VPC`, fix: `enable private DNS: aws ec2 modify-vpc-endpoint --vpc-endpoint-id ${e.VpcEndpointId} --private-dns-enabled` };
        return { check, status: "found", detail: `${e.VpcEndpointId} in ${vpc.vpcId} with private DNS; the stack reuses it` };
    }
    if (live.length > 0) {
        const ids = live.map((e) => e.VpcEndpointId).join(", ");
        return { check, status: "wrong", detail: `${vpc.vpcId} already has ${service} endpoint ${ids}; a second one with private DNS fails with a conflicting DNS domain`, fix: `set ${key} to ${live[0].VpcEndpointId}` };
    }
    return { check, status: "found", detail: `no ${service} endpoint in ${vpc.vpcId} yet; the stack creates one with private DNS` };
}

async function mskCluster(config: EnvironmentConfig, c: PreflightClients): Promise<CheckResult> {
    const check = "msk-cluster";
    const arn = config.rotation.kafka.clusterArn;
    // Listed first, then described: a missing cluster is an absent list entry rather than an error to interpret.
    const listed: string[] = [];
    let token: string | undefined;
    do {
        const page = await c.kafka.send(new ListClustersV2Command({ NextToken: token }));
        listed.push(...(page.ClusterInfoList ?? []).map((x) => String(x.ClusterArn)));
        token = page.NextToken;
    } while (token);
    if (!listed.includes(arn)) return { check, status: "missing", detail: `no MSK cluster ${arn}`, fix: `create it, or fix finledger:rotation.kafka.clusterArn in Pulumi.${config.environment}.yaml` };
    const info = (await c.kafka.send(new DescribeClusterV2Command({ ClusterArn: arn }))).ClusterInfo;
    const scram = info?.Provisioned?.ClientAuthentication?.Sasl?.Scram?.Enabled === true;
    if (!scram) return { check, status: "wrong", detail: `${arn} does not have SASL/SCRAM enabled`, fix: "enable SASL/SCRAM client authentication on the cluster (aws kafka update-security)" };
    return { check, status: "found", detail: `${arn} is ${info?.State} with SASL/SCRAM enabled` };
}

async function configRecorder(config: EnvironmentConfig, c: PreflightClients): Promise<CheckResult> {
    const check = "config-recorder";
    const recorders = (await c.configService.send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders ?? [];
    if (recorders.length === 0) return { check, status: "missing", detail: `no AWS Config recorder in ${config.region}; the compliance rules would never evaluate`, fix: "set up AWS Config (a recorder and a delivery channel) in the account, usually from the organisation's landing zone" };
    const statuses = (await c.configService.send(new DescribeConfigurationRecorderStatusCommand({}))).ConfigurationRecordersStatus ?? [];
    if (!statuses.some((s) => s.recording)) return { check, status: "wrong", detail: `recorder ${recorders[0].name} exists but is not recording`, fix: `aws configservice start-configuration-recorder --configuration-recorder-name ${recorders[0].name}` };
    return { check, status: "found", detail: `recorder ${recorders[0].name} is recording` };
}

async function kubernetes(config: EnvironmentConfig, catalog: Catalog, c: PreflightClients): Promise<CheckResult[]> {
    const all = [...REQUIRED_CRDS.map((crd) => `crd-${crd.name}`), "reloader", "external-secrets-operator", ...deployerBindingNamespaces(config, catalog).map(deployerBindingCheck)];
    if ("unreachable" in c.kube) {
        const reason = c.kube.unreachable;
        return all.map((check) => ({ check, status: "missing" as const, detail: `the cluster's API cannot be reached: ${reason}`, fix: "give this role an EKS access entry and network reach to the API endpoint, then re-run preflight" }));
    }
    const kube = c.kube;
    const results: CheckResult[] = [];
    for (const crd of REQUIRED_CRDS) {
        const res = await kube.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.name}`);
        if (res.status === 200) results.push({ check: `crd-${crd.name}`, status: "found", detail: `${crd.what} is installed` });
        else if (res.status === 404) results.push({ check: `crd-${crd.name}`, status: "missing", detail: `${crd.what} is not installed`, fix: crd.fix });
        else results.push({ check: `crd-${crd.name}`, status: "wrong", detail: `reading ${crd.name} answered HTTP ${res.status}`, fix: "give the role read access to customresourcedefinitions (its access policy)" });
    }
    const deployments = await kube.get("/apis/apps/v1/deployments");
    if (deployments.status !== 200) {
        results.push({ check: "reloader", status: "wrong", detail: `listing deployments answered HTTP ${deployments.status}`, fix: "give the role read access to deployments (its access policy)" });
    } else {
        const reloader = (deployments.body?.items ?? []).find((d: any) => /(^|-)reloader$/.test(String(d?.metadata?.name ?? "")));
        results.push(
            reloader
                ? { check: "reloader", status: "found", detail: `Reloader runs as ${reloader.metadata.namespace}/${reloader.metadata.name}` }
                : { check: "reloader", status: "missing", detail: "no Reloader deployment, so long-running pods keep a rotated value until restarted", fix: "install stakater/reloader (Helm chart reloader) in the cluster" },
        );
    }
    results.push(await externalSecretsOperator(config, kube));
    results.push(...(await deployerBindings(config, catalog, kube)));
    return results;
}

/** The names of the secrets that must hold a value before the full phase: every Lambda-rotated container, MSK slots included. */
export function secretsNeedingFirstValue(config: EnvironmentConfig, catalog: Catalog): string[] {
    return planEnvironment(config, catalog)
        .secrets.filter((s) => s.runner === "lambda")
        .map((s) => s.fullName);
}

async function externalSecretsOperator(config: EnvironmentConfig, kube: KubeApi): Promise<CheckResult> {
    const check = "external-secrets-operator";
    if (config.phase !== "full") return { check, status: "found", detail: `not needed before the full phase (phase is ${config.phase})` };
    const res = await kube.get(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${ESO_CRD}`);
    if (res.status === 200) return { check, status: "found", detail: `${ESO_CRD} is installed` };
    return {
        check,
        status: res.status === 404 ? "missing" : "wrong",
        detail: res.status === 404 ? `${ESO_CRD} is not installed, and the deploy role cannot install ESO` : `reading ${ESO_CRD} answered HTTP ${res.status}`,
        fix: `a cluster administrator applies the ESO component first (npm run cluster-rbac -- --stack ${config.environment} --steps prints every administrator step): ${esoAdminCommand(config.environment, config.namePrefix).replace(/ \\\n  /g, " ")}`,
    };
}

async function firstValues(config: EnvironmentConfig, catalog: Catalog, c: PreflightClients): Promise<CheckResult> {
    const check = "first-values";
    const names = secretsNeedingFirstValue(config, catalog);
    const empty: string[] = [];
    const absent: string[] = [];
    for (const name of names) {
        try {
            // DescribeSecret shows the version stages, never the value: an AWSCURRENT stage means a value is set.
            const d = await c.secrets.send(new DescribeSecretCommand({ SecretId: name }));
            if (!Object.values(d.VersionIdsToStages ?? {}).some((stages) => stages.includes("AWSCURRENT"))) empty.push(name);
        } catch (err) {
            if (!isNotFound(err)) throw err;
            absent.push(name);
        }
    }
    if (config.phase === "foundation") {
        return { check, status: "found", detail: `phase foundation: ${names.length} rotated secrets need a value before phase full (${names.length - empty.length - absent.length} have one)` };
    }
    if (absent.length + empty.length === 0) return { check, status: "found", detail: `all ${names.length} rotated secrets and MSK slots hold a value` };
    const list = [...absent, ...empty];
    return {
        check,
        status: absent.length > 0 ? "missing" : "wrong",
        detail: `${list.length} of ${names.length} rotated secrets have no value yet (${list.slice(0, 5).join(", ")}${list.length > 5 ? ", ..." : ""}); a rotation on an empty secret fails its set-up test and alarms`,
        fix: `deploy finledger:phase foundation first, then set each value with npm run secret:set (docs/cicd.md), then deploy phase full`,
    };
}

/** Runs every check of one environment; read-only calls only. */
export async function runPreflight(config: EnvironmentConfig, catalog: Catalog, clients: PreflightClients): Promise<CheckResult[]> {
    return [
        await githubOidcProvider(config, clients),
        ...(await eksCluster(config, clients)),
        await secretsManagerEndpoint(config, clients),
        await mskCluster(config, clients),
        await configRecorder(config, clients),
        ...(await kubernetes(config, catalog, clients)),
        await firstValues(config, catalog, clients),
        snowflakeEgressCidrs(config),
    ];
}

/**
 * The Snowflake network policy's CIDRs are the cluster's real NAT egress, not the documentation placeholders the stack
 * files ship with: a network policy of placeholders would lock every platform service user out. Reads config only.
 */
export function snowflakeEgressCidrs(config: EnvironmentConfig): CheckResult {
    const check = "snowflake-egress-cidrs";
    const key = `Pulumi.${config.environment}.yaml finledger:snowflake.allowedIpCidrs`;
    const placeholders = documentationCidrs(config.snowflake.allowedIpCidrs);
    if (placeholders.length === 0) return { check, status: "found", detail: `${key} lists ${config.snowflake.allowedIpCidrs.length} CIDR(s), none a documentation placeholder` };
    if (!deploys(config.phase, "snowflake-layer")) {
        return { check, status: "found", detail: `phase ${config.phase} builds no Snowflake network policy; ${key} still holds placeholders (${placeholders.join(", ")}): fill them in before phase full` };
    }
    return {
        check,
        status: "wrong",
        detail: `${key} holds documentation placeholders (${placeholders.join(", ")}, RFC 5737/3849), not the cluster's NAT egress; the network policy would let no platform service user sign in`,
        fix: `placeholder, fill in: set ${key} to the public IPs of the cluster VPC's NAT gateways as /32s (aws ec2 describe-nat-gateways --filter Name=vpc-id,Values=${config.rotation.vpc.vpcId} --query 'NatGateways[].NatGatewayAddresses[].PublicIp')`,
    };
}

/** The report lines: one per check, `STATUS  check  detail`, and the fix under anything not found. */
export function formatPreflight(stack: string, results: readonly CheckResult[]): string {
    const lines = [`preflight of ${stack}:`];
    for (const r of results) {
        lines.push(`  ${r.status.toUpperCase().padEnd(7)} ${r.check.padEnd(48)} ${r.detail}`);
        if (r.status !== "found" && r.fix) lines.push(`          fix: ${r.fix}`);
    }
    const bad = results.filter((r) => r.status !== "found").length;
    lines.push(bad === 0 ? "every prerequisite is in place." : `${bad} prerequisite(s) missing or wrong.`);
    return lines.join("\n");
}
