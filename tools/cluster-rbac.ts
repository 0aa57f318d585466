// `npm run cluster-rbac -- --stack <env>` prints the CI roles' Kubernetes RBAC (the deployer's ClusterRole, without any
// right on Secrets, the previewer's CRD reads, and their bindings to the groups of the access entries) as YAML for
// `kubectl apply -f -`. A cluster administrator applies it at bootstrap, once per cluster: the deploy role cannot create
// RBAC wider than its own (docs/cicd.md, "EKS access for CI").
import * as YAML from "yaml";
import { buildCiClusterRbac } from "../components/github-deploy/cluster-access";
import { readFlags, requireStack, UsageError } from "./cli";

const USAGE = "usage: npm run cluster-rbac -- --stack <dev|staging|prod>";

function main(argv: readonly string[]): number {
    let stack: string | undefined;
    try {
        readFlags(argv, (flag, value) => {
            if (flag !== "--stack") return false;
            stack = value();
            return true;
        });
        const environment = requireStack(stack);
        process.stdout.write(buildCiClusterRbac(environment).map((doc) => YAML.stringify(doc, { aliasDuplicateObjects: false })).join("---\n"));
        return 0;
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        if (e.message) console.error(e.message);
        console.error(USAGE);
        return 2;
    }
}

process.exitCode = main(process.argv.slice(2));
