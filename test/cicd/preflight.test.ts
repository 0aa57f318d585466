import { strict as assert } from "assert";
import * as path from "path";
import { Readable } from "stream";
import { ConfigServiceClient, PutConfigurationRecorderCommand, PutDeliveryChannelCommand, StartConfigurationRecorderCommand, StopConfigurationRecorderCommand } from "@aws-sdk/client-config-service";
import { CreateSubnetCommand, CreateVpcCommand, CreateVpcEndpointCommand, EC2Client } from "@aws-sdk/client-ec2";
import { CreateClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { CreateOpenIDConnectProviderCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateClusterCommand as CreateMskClusterCommand, KafkaClient } from "@aws-sdk/client-kafka";
import { CreateSecretCommand, DeleteSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { buildCiAccessEntries, buildCiClusterRbac, DEPLOYER_GROUP, EKS_VIEW_POLICY_ARN, GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "../../components/github-deploy";
import { roleArn } from "../../components/iam";
import { roleNames } from "../../model/names";
import { catalogForEnvironment, loadCatalog } from "../../model/catalog";
import { managedNamespaces } from "../../model/namespaces";
import { EnvironmentConfig, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { CheckResult, ESO_CRD, formatPreflight, PreflightClients, REQUIRED_CRDS, runPreflight, secretsNeedingFirstValue } from "../../tools/preflight/checks";
import { deployerBindingCheck, deployerBindingNamespaces } from "../../tools/preflight/deployer-bindings";
import { connectKube } from "../../tools/preflight/kube";
import { AccessEntryDetail, apiPathOf, ClusterState, startEksStub, startKubeStub, StubServer } from "../support/cluster-stub";
import { FAKE_AWS_ENV, freePort, MotoServer, startMoto } from "../support/moto";
import { PROJECT_DIR } from "../support/plan-cli";

const MOTO_ACCOUNT = "123456789012";
const region = "us-east-1";
const credentials = { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY };
const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));
/**
 * moto writes MSK's creationTime as a naive `datetime.isoformat()` (no zone), which the SDK rightly rejects; this
 * appends the `Z` moto means (it uses UTC) before the SDK parses the answer. Nothing else in the answer changes.
 */
function acceptMotoKafkaDates(client: KafkaClient): KafkaClient {
    client.middlewareStack.add(
        (next) => async (args) => {
            const out: any = await next(args);
            const body = out.response?.body;
            if (body && typeof body.on === "function") {
                const chunks: Buffer[] = [];
                for await (const chunk of body) chunks.push(Buffer.from(chunk));
                const text = Buffer.concat(chunks).toString("utf8").replace(/("creationTime":\s*"\d{4}-\d\d-\d\dT[\d:.]+)"/g, '$1Z"');
                out.response.body = Readable.from([Buffer.from(text)]);
                out.response.headers["content-length"] = String(Buffer.byteLength(text));
            }
            return out;
        },
        { step: "deserialize", priority: "low", name: "acceptMotoKafkaDates" },
    );
    return client;
}
const statusOf = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.check, r.status]));

describe("npm run preflight: every prerequisite of a real up, read-only (moto and a stub cluster API)", function () {
    let moto: MotoServer;
    let eksStub: StubServer;
    let kubeStub: StubServer;
    const accessEntries = new Map<string, string[]>();
    const entryDetails = new Map<string, AccessEntryDetail>();
    const cluster: ClusterState = { crds: new Set(), deployments: [], token: ["k8s", "test", "token"].join("-") };
    const aws = <T>(Client: new (c: object) => T, endpoint?: string): T => new Client({ region, credentials, endpoint: endpoint ?? moto.endpoint });
    let base: EnvironmentConfig;

    before(async () => {
        moto = await startMoto();
        eksStub = await startEksStub(moto.endpoint, accessEntries, entryDetails);
        kubeStub = await startKubeStub(cluster);
        const prod = parseEnvironmentConfig(readStackFile(PROJECT_DIR, "prod"));
        // The prod config, moved into moto's account; the VPC and cluster ARNs are filled in once they exist.
        base = { ...prod, accountId: MOTO_ACCOUNT, region };
    });
    after(async () => {
        await kubeStub?.close();
        await eksStub?.close();
        await moto?.stop();
    });

    async function clients(kube?: { server: string; token: string }): Promise<PreflightClients> {
        return {
            iam: aws(IAMClient),
            eks: aws(EKSClient, eksStub.url),
            ec2: aws(EC2Client),
            kafka: acceptMotoKafkaDates(aws(KafkaClient)),
            configService: aws(ConfigServiceClient),
            secrets: aws(SecretsManagerClient),
            kube: await connectKube({ server: kube?.server ?? kubeStub.url, token: kube?.token ?? cluster.token, timeoutMs: 2000 }),
        };
    }

    it("reports every prerequisite missing, each with its fix, in an empty account with an unreachable cluster", async () => {
        const closed = `http://127.0.0.1:${await freePort()}`;
        const config: EnvironmentConfig = {
            ...base,
            rotation: { ...base.rotation, vpc: { ...base.rotation.vpc, secretsManagerEndpointId: "vpce-0a1b2c3d4e5f60718" }, kafka: { clusterArn: `arn:aws:kafka:${region}:${MOTO_ACCOUNT}:cluster/fl-prod-events/absent-1` } },
        };
        const results = await runPreflight(config, catalog, await clients({ server: closed, token: cluster.token }));
        const expected = [
            "github-oidc-provider",
            "eks-cluster",
            "eks-access-entry-deploy",
            "eks-access-entry-preview",
            "secretsmanager-vpc-endpoint",
            "msk-cluster",
            "config-recorder",
            ...REQUIRED_CRDS.map((c) => `crd-${c.name}`),
            "reloader",
            "external-secrets-operator",
            ...deployerBindingNamespaces(config, catalog).map(deployerBindingCheck),
            "first-values",
            "snowflake-egress-cidrs",
        ];
        assert.deepEqual(results.map((r) => r.check), expected);
        for (const r of results) {
            // prod's stack file ships documentation CIDRs, which preflight calls wrong (a placeholder), not missing.
            assert.equal(r.status, r.check === "snowflake-egress-cidrs" ? "wrong" : "missing", `${r.check}: ${r.detail}`);
            assert.ok(r.fix && r.fix.length > 20, `${r.check} says how to fix it`);
        }
        assert.match(results.find((r) => r.check === "reloader")!.detail, /cannot be reached/);
        assert.match(formatPreflight("prod", results), /^  MISSING github-oidc-provider/m);
    });

    it("finds every prerequisite once the account and the cluster have them", async () => {
        await aws(IAMClient).send(new CreateOpenIDConnectProviderCommand({ Url: `https://${GITHUB_OIDC_HOST}`, ClientIDList: [GITHUB_OIDC_AUDIENCE], ThumbprintList: ["f".repeat(40)] }));
        const vpc = (await aws(EC2Client).send(new CreateVpcCommand({ CidrBlock: "10.40.0.0/16" }))).Vpc!.VpcId!;
        const subnet = (await aws(EC2Client).send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.40.1.0/24" }))).Subnet!.SubnetId!;
        const endpoint = (await aws(EC2Client).send(new CreateVpcEndpointCommand({ VpcId: vpc, ServiceName: `com.amazonaws.${region}.secretsmanager`, VpcEndpointType: "Interface", SubnetIds: [subnet], PrivateDnsEnabled: true }))).VpcEndpoint!.VpcEndpointId!;
        const eks = (await aws(EKSClient).send(new CreateClusterCommand({ name: base.cluster.name, roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/eks`, resourcesVpcConfig: { subnetIds: [subnet] } }))).cluster!;
        accessEntries.set(base.cluster.name, [roleArn(MOTO_ACCOUNT, roleNames.githubDeploy(base.namePrefix)), roleArn(MOTO_ACCOUNT, roleNames.githubPreview(base.namePrefix))]);
        // What the bootstrap creates (GithubDeployAccess): the deployer group, and the view policy for preview.
        for (const e of buildCiAccessEntries(MOTO_ACCOUNT, base.namePrefix)) {
            entryDetails.set(e.principalArn, { groups: [...e.kubernetesGroups], policies: e.policies.map((p) => ({ policyArn: p.policyArn, scope: p.accessScope.type })) });
        }
        // CreateCluster (v1): moto's CreateClusterV2 drops ClientAuthentication.
        const msk = await aws(KafkaClient).send(
            new CreateMskClusterCommand({
                ClusterName: "fl-prod-events",
                KafkaVersion: "3.6.0",
                NumberOfBrokerNodes: 3,
                BrokerNodeGroupInfo: { InstanceType: "kafka.m7g.large", ClientSubnets: [subnet] },
                ClientAuthentication: { Sasl: { Scram: { Enabled: true } } },
            }),
        );
        const cfg = aws(ConfigServiceClient);
        await cfg.send(new PutConfigurationRecorderCommand({ ConfigurationRecorder: { name: "default", roleARN: `arn:aws:iam::${MOTO_ACCOUNT}:role/config`, recordingGroup: { allSupported: true } } }));
        await cfg.send(new PutDeliveryChannelCommand({ DeliveryChannel: { name: "default", s3BucketName: "fl-prod-config-delivery" } }));
        await cfg.send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: "default" }));
        const sm = aws(SecretsManagerClient);
        for (const name of secretsNeedingFirstValue(base, catalog)) {
            // A placeholder built at run time: preflight sees only that a version exists, never the value.
            await sm.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ placeholder: ["first", "value"].join("-") }) }));
        }
        cluster.crds = new Set([...REQUIRED_CRDS.map((c) => c.name), ESO_CRD]);
        cluster.deployments = [{ namespace: "reloader", name: "reloader-reloader" }];
        // What a cluster administrator's `npm run cluster-rbac | kubectl apply -f -` creates: namespaces and RoleBindings.
        cluster.objects = new Map(
            buildCiClusterRbac("prod", managedNamespaces(catalogForEnvironment(catalog, "prod")))
                .filter((d) => d.kind === "Namespace" || d.kind === "RoleBinding")
                .map((d) => [apiPathOf(d as any), d]),
        );

        base = {
            ...base,
            cluster: { ...base.cluster, oidcIssuer: eks.identity!.oidc!.issuer! },
            rotation: { ...base.rotation, vpc: { ...base.rotation.vpc, vpcId: vpc, secretsManagerEndpointId: endpoint }, kafka: { clusterArn: msk.ClusterArn! } },
            // The NAT egress filled in (the stack file ships documentation placeholders).
            snowflake: { ...base.snowflake, allowedIpCidrs: ["52.2.90.7/32", "52.2.90.8/32"] },
        };
        const results = await runPreflight(base, catalog, await clients());
        assert.deepEqual(results.filter((r) => r.status !== "found").map((r) => `${r.check}: ${r.detail}`), []);
        assert.match(formatPreflight("prod", results), /every prerequisite is in place/);
    });

    it("says wrong, with the config key to set, when an endpoint exists that the config does not reuse", async () => {
        const config = { ...base, rotation: { ...base.rotation, vpc: { ...base.rotation.vpc, secretsManagerEndpointId: undefined } } };
        const r = (await runPreflight(config, catalog, await clients())).find((x) => x.check === "secretsmanager-vpc-endpoint")!;
        assert.equal(r.status, "wrong");
        assert.match(r.detail, /conflicting DNS domain/);
        assert.match(r.fix!, /finledger:rotation\.vpc\.secretsManagerEndpointId.*vpce-/);
    });

    it("says wrong when the cluster's OIDC issuer differs from the config, and when the recorder is stopped", async () => {
        await aws(ConfigServiceClient).send(new StopConfigurationRecorderCommand({ ConfigurationRecorderName: "default" }));
        try {
            const config = { ...base, cluster: { ...base.cluster, oidcIssuer: "https://oidc.eks.us-east-1.amazonaws.com/id/00000000000000000000000000000000" } };
            const s = statusOf(await runPreflight(config, catalog, await clients()));
            assert.equal(s["eks-cluster"], "wrong");
            assert.equal(s["config-recorder"], "wrong");
        } finally {
            await aws(ConfigServiceClient).send(new StartConfigurationRecorderCommand({ ConfigurationRecorderName: "default" }));
        }
    });

    it("reports each missing CRD, a missing Reloader and missing access entries on a reachable cluster", async () => {
        const saved = { crds: cluster.crds, deployments: cluster.deployments };
        accessEntries.set(base.cluster.name, [roleArn(MOTO_ACCOUNT, roleNames.githubDeploy(base.namePrefix))]);
        try {
            for (const crd of REQUIRED_CRDS) {
                cluster.crds = new Set(REQUIRED_CRDS.map((c) => c.name).filter((n) => n !== crd.name));
                cluster.deployments = [];
                const s = statusOf(await runPreflight(base, catalog, await clients()));
                assert.equal(s[`crd-${crd.name}`], "missing");
                assert.equal(s.reloader, "missing");
                assert.equal(s["eks-access-entry-preview"], "missing");
                assert.equal(s["eks-access-entry-deploy"], "found");
            }
        } finally {
            Object.assign(cluster, saved);
            accessEntries.set(base.cluster.name, [roleArn(MOTO_ACCOUNT, roleNames.githubDeploy(base.namePrefix)), roleArn(MOTO_ACCOUNT, roleNames.githubPreview(base.namePrefix))]);
        }
    });

    it("reports an access entry as wrong when its group or access policies differ from what the bootstrap creates", async () => {
        const deploy = roleArn(MOTO_ACCOUNT, roleNames.githubDeploy(base.namePrefix));
        const preview = roleArn(MOTO_ACCOUNT, roleNames.githubPreview(base.namePrefix));
        const saved = new Map(entryDetails);
        try {
            // An administrator "fixed" a failed deploy with EKS's admin policy (which reads Secrets); preview lost its view policy.
            entryDetails.set(deploy, { groups: [DEPLOYER_GROUP], policies: [{ policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy", scope: "cluster" }] });
            entryDetails.set(preview, { groups: [], policies: [] });
            const results = await runPreflight(base, catalog, await clients());
            const byCheck = new Map(results.map((r) => [r.check, r]));
            assert.equal(byCheck.get("eks-access-entry-deploy")!.status, "wrong");
            assert.match(byCheck.get("eks-access-entry-deploy")!.detail, /AmazonEKSAdminPolicy \(cluster\).*expected groups \["finledger-deployers"\] and policies \[\]/);
            assert.equal(byCheck.get("eks-access-entry-preview")!.status, "wrong");
            assert.match(byCheck.get("eks-access-entry-preview")!.detail, new RegExp(`expected groups \\["finledger-previewers"\\] and policies \\["${EKS_VIEW_POLICY_ARN.replace(/[/.]/g, "\\$&")} \\(cluster\\)"\\]`));
            assert.match(byCheck.get("eks-access-entry-deploy")!.fix!, /re-applies GithubDeployAccess/);
            // A deploy entry without the deployer group is as wrong as one with too much.
            entryDetails.set(deploy, { groups: [], policies: [] });
            assert.equal(statusOf(await runPreflight(base, catalog, await clients()))["eks-access-entry-deploy"], "wrong");
        } finally {
            entryDetails.clear();
            for (const [k, v] of saved) entryDetails.set(k, v);
        }
    });

    it("requires ESO, which only an administrator can install, in the full phase and not before", async () => {
        const saved = cluster.crds;
        try {
            cluster.crds = new Set(REQUIRED_CRDS.map((c) => c.name));
            const full = (await runPreflight(base, catalog, await clients())).find((r) => r.check === "external-secrets-operator")!;
            assert.equal(full.status, "missing");
            assert.match(full.fix!, /cluster administrator applies the ESO component first \(npm run cluster-rbac -- --stack prod --steps prints every administrator step\): pulumi up --stack prod /);
            // A targeted up creates only what it targets: both Kubernetes providers, then the component and its children.
            assert.match(full.fix!, /--target "urn:pulumi:prod::finledger-secrets-platform::pulumi:providers:kubernetes::fl-prod-k8s" --target "urn:pulumi:prod::finledger-secrets-platform::pulumi:providers:kubernetes::fl-prod-k8s-namespaces" --target "urn:pulumi:prod::finledger-secrets-platform::finledger:runtime:ExternalSecretsOperator\*\*"/);
            const foundation = (await runPreflight({ ...base, phase: "foundation" }, catalog, await clients())).find((r) => r.check === "external-secrets-operator")!;
            assert.equal(foundation.status, "found");
            cluster.crds = new Set([...REQUIRED_CRDS.map((c) => c.name), ESO_CRD]);
            assert.equal(statusOf(await runPreflight(base, catalog, await clients()))["external-secrets-operator"], "found");
        } finally {
            cluster.crds = saved;
        }
    });

    it("reports each namespace without the deployer's RoleBinding as missing, a binding to another role or group or an unreadable one as wrong, each with the administrator's fix", async () => {
        const saved = new Map(cluster.objects);
        const namespaces = deployerBindingNamespaces(base, catalog);
        const [first, second, third, fourth, fifth] = namespaces;
        const bindingPath = (ns: string) => `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings/finledger-deployer`;
        const binding = (ns: string) => JSON.parse(JSON.stringify(saved.get(bindingPath(ns))));
        try {
            assert.ok(namespaces.includes("external-secrets") && namespaces.length >= 6, namespaces.join(", "));
            cluster.objects!.delete(bindingPath(first!));
            cluster.objects!.delete(bindingPath(second!));
            cluster.objects!.delete(`/api/v1/namespaces/${second}`);
            cluster.objects!.set(bindingPath(third!), { ...binding(third!), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" } });
            cluster.objects!.set(bindingPath(fourth!), { ...binding(fourth!), subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "someone-else" }] });
            cluster.forbidden = new Set([bindingPath(fifth!)]);
            const byCheck = new Map((await runPreflight(base, catalog, await clients())).map((r) => [r.check, r]));
            const of = (ns: string) => byCheck.get(deployerBindingCheck(ns))!;
            assert.equal(of(first!).status, "missing");
            assert.match(of(first!).detail, new RegExp(`RoleBinding ${first}/finledger-deployer does not exist`));
            assert.equal(of(second!).status, "missing");
            assert.match(of(second!).detail, new RegExp(`namespace ${second} does not exist, and the deploy role may not create it`));
            assert.equal(of(third!).status, "wrong");
            assert.match(of(third!).detail, /refers to ClusterRole edit, expected ClusterRole finledger-deployer-namespace/);
            assert.equal(of(fourth!).status, "wrong");
            assert.match(of(fourth!).detail, /binds \["Group\/someone-else"\], expected Group\/finledger-deployers/);
            assert.equal(of(fifth!).status, "wrong");
            assert.match(of(fifth!).detail, /answered HTTP 403/);
            for (const ns of [first, second, third, fourth, fifth]) assert.match(of(ns!).fix!, /a cluster administrator .*npm run cluster-rbac -- --stack prod \| kubectl apply -f -/);
            for (const ns of namespaces.slice(5)) assert.equal(of(ns).status, "found", of(ns).detail);
            assert.match(formatPreflight("prod", [...byCheck.values()]), new RegExp(`^  MISSING ${deployerBindingCheck(first!)}`, "m"));
            // Before the full phase the deploy run puts nothing in the cluster, so nothing is required yet.
            const foundation = await runPreflight({ ...base, phase: "foundation" }, catalog, await clients());
            assert.deepEqual(foundation.filter((r) => r.check.startsWith("deployer-rolebinding-") && r.status !== "found"), []);
        } finally {
            cluster.objects = saved;
            cluster.forbidden = undefined;
        }
    });

    it("reports the namespace a catalog change adds as missing until the administrator applies npm run cluster-rbac again", async () => {
        const workload = catalog.workloads.find((w) => w.environments.includes("prod"))!;
        const grown = { ...catalog, workloads: [...catalog.workloads, { ...workload, id: "new-domain-worker", namespace: "airflow-new-domain", serviceAccount: "new-domain-worker" }] };
        const r = (await runPreflight(base, grown, await clients())).find((x) => x.check === deployerBindingCheck("airflow-new-domain"))!;
        assert.equal(r.status, "missing");
        assert.match(r.detail, /namespace airflow-new-domain does not exist/);
        const saved = new Map(cluster.objects);
        try {
            for (const d of buildCiClusterRbac("prod", managedNamespaces(catalogForEnvironment(grown, "prod")))) if (d.kind === "Namespace" || d.kind === "RoleBinding") cluster.objects!.set(apiPathOf(d as any), d);
            const after = (await runPreflight(base, grown, await clients())).filter((x) => x.check.startsWith("deployer-rolebinding-"));
            assert.deepEqual(after.filter((x) => x.status !== "found").map((x) => x.check), []);
        } finally {
            cluster.objects = saved;
        }
    });

    it("treats a cluster that refuses the token as unreachable, so preview cannot pass on a degraded cluster", async () => {
        const kube = await connectKube({ server: kubeStub.url, token: "not-the-token", timeoutMs: 2000 });
        assert.ok("unreachable" in kube);
        assert.match(kube.unreachable, /refused the token \(HTTP 401\)/);
    });

    it("blocks the full phase while a rotated secret has no value, and not the foundation phase", async () => {
        const [first] = secretsNeedingFirstValue(base, catalog);
        const sm = aws(SecretsManagerClient);
        await sm.send(new DeleteSecretCommand({ SecretId: first, ForceDeleteWithoutRecovery: true }));
        await sm.send(new CreateSecretCommand({ Name: first }));
        const full = (await runPreflight(base, catalog, await clients())).find((r) => r.check === "first-values")!;
        assert.equal(full.status, "wrong");
        assert.ok(full.detail.includes(first), full.detail);
        assert.match(full.fix!, /npm run secret:set/);
        const foundation = (await runPreflight({ ...base, phase: "foundation" }, catalog, await clients())).find((r) => r.check === "first-values")!;
        assert.equal(foundation.status, "found");
    });
});
