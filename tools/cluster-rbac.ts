// `npm run cluster-rbac -- --stack <env>` prints the CI roles' Kubernetes RBAC as YAML for `kubectl apply -f -`: the
// deployer's cluster-wide ClusterRole (cluster-scoped kinds only, nothing on Secrets), the previewer's reads, their
// bindings to the groups of the access entries, and every namespace the deployer works in with its RoleBinding there.
// A cluster administrator applies it at bootstrap and again whenever the catalog adds a namespace: the deploy role
// can neither create RBAC wider than its own nor create a namespace (docs/cicd.md, "EKS access for CI"). With --steps
// it prints every cluster administrator step instead, the ESO install included.
import * as path from "path";
import * as YAML from "yaml";
import { buildCiClusterRbac } from "../components/github-deploy/cluster-access";
import { catalogForEnvironment, loadCatalog } from "../model/catalog";
import { managedNamespaces } from "../model/namespaces";
import { parseEnvironmentConfig, readStackFile } from "../model/config";
import { readFlags, requireStack, UsageError } from "./cli";
import { clusterAdminSteps } from "./cluster-admin-steps";

const USAGE = "usage: npm run cluster-rbac -- --stack <dev|staging|prod> [--steps]\n  --steps  print every cluster administrator step for the stack (this RBAC, the ESO install, the check) instead of the YAML";
const PROJECT_DIR = path.resolve(__dirname, "..");

function main(argv: readonly string[]): number {
    let stack: string | undefined;
    let steps = false;
    try {
        readFlags(argv, (flag, value) => {
            if (flag === "--steps") return (steps = true);
            if (flag !== "--stack") return false;
            stack = value();
            return true;
        });
        const environment = requireStack(stack);
        if (steps) {
            process.stdout.write(clusterAdminSteps(environment, parseEnvironmentConfig(readStackFile(PROJECT_DIR, environment)).namePrefix));
            return 0;
        }
        const namespaces = managedNamespaces(catalogForEnvironment(loadCatalog(path.join(PROJECT_DIR, "catalog")), environment));
        process.stdout.write(buildCiClusterRbac(environment, namespaces).map((doc) => YAML.stringify(doc, { aliasDuplicateObjects: false })).join("---\n"));
        return 0;
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        if (e.message) console.error(e.message);
        console.error(USAGE);
        return 2;
    }
}

process.exitCode = main(process.argv.slice(2));
