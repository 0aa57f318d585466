// `npm run preflight -- --stack <dev|staging|prod>`: read-only checks of every prerequisite a real `pulumi up`
// relies on but does not create (docs/cicd.md, "Preflight"). Prints found / missing / wrong with the fix for each.
// Exit status: 0 when all are found, 1 when one is missing or wrong, 2 for bad usage or config.
import { execFileSync } from "child_process";
import * as path from "path";
import { ConfigServiceClient } from "@aws-sdk/client-config-service";
import { EC2Client } from "@aws-sdk/client-ec2";
import { DescribeClusterCommand, EKSClient } from "@aws-sdk/client-eks";
import { IAMClient } from "@aws-sdk/client-iam";
import { KafkaClient } from "@aws-sdk/client-kafka";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { loadCatalog } from "../model/catalog";
import { ENVIRONMENTS } from "../model/config";
import { stackConfigOrExit } from "./cli";
import { formatPreflight, runPreflight } from "./preflight/checks";
import { connectKube, KubeApi } from "./preflight/kube";

const USAGE = `Usage: npm run preflight -- --stack <${ENVIRONMENTS.join("|")}>`;
const PROJECT_DIR = path.resolve(__dirname, "..");

/** The cluster's API with a token from `aws eks get-token`, as the stack's kubeconfig gets one. */
async function clusterApi(eks: EKSClient, clusterName: string, region: string): Promise<KubeApi | { unreachable: string }> {
    try {
        const cluster = (await eks.send(new DescribeClusterCommand({ name: clusterName }))).cluster;
        if (!cluster?.endpoint) return { unreachable: `EKS cluster ${clusterName} has no endpoint` };
        const out = execFileSync("aws", ["eks", "get-token", "--cluster-name", clusterName, "--region", region, "--output", "json"], { encoding: "utf8" });
        const token = JSON.parse(out).status.token as string;
        return connectKube({ server: cluster.endpoint, caBase64: cluster.certificateAuthority?.data, token });
    } catch (err) {
        return { unreachable: (err as Error).message.split("\n")[0] };
    }
}

async function main(): Promise<number> {
    const parsed = stackConfigOrExit(PROJECT_DIR, process.argv.slice(2), USAGE);
    if (parsed === 2) return 2;
    const { stack, config } = parsed;
    const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));
    const region = config.region;
    const eks = new EKSClient({ region });
    const results = await runPreflight(config, catalog, {
        iam: new IAMClient({ region }),
        eks,
        ec2: new EC2Client({ region }),
        kafka: new KafkaClient({ region }),
        configService: new ConfigServiceClient({ region }),
        secrets: new SecretsManagerClient({ region }),
        kube: await clusterApi(eks, config.cluster.name, region),
    });
    console.log(formatPreflight(stack, results));
    return results.every((r) => r.status === "found") ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(`preflight failed: ${(err as Error).message}`);
        process.exit(2);
    },
);
