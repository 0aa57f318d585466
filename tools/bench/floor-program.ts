// The plan's floor: a bare program that registers exactly the custom resources of a plan report, with the same
// inputs, under the same Pulumi mocks and the same stack-capture setting as `plan`, and nothing else (no catalog,
// no components, no policy pack). `tools/bench-floor.ts` compares `plan` with it.
// Usage: node --import tsx tools/bench/floor-program.ts <plan report JSON> <stack>
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { PlatformMocks } from "../plan/mocks";
import { stopStackCapture } from "../plan/stack-capture";
import { buildPaced } from "../../stacks/pacing";

/** A custom resource of any type, registered with the recorded inputs. */
class ReplayedResource extends pulumi.CustomResource {
    constructor(type: string, name: string, inputs: pulumi.Inputs) {
        super(type, name, inputs);
    }
}

type TypedClass = new (name: string, args: unknown, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** The class a provider package declares for a type token, or undefined (then a bare CustomResource stands in). */
function typedClassOf(type: string): TypedClass | undefined {
    const [pkg, module = "", className = ""] = type.split(":");
    const [moduleName, version] = module.split("/");
    const lookup = (root: any, path: string[]) => path.reduce((o, k) => (o === undefined ? undefined : o[k]), root) as TypedClass | undefined;
    if (pkg === "aws" || pkg === "snowflake") {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const root = pkg === "aws" ? require("@pulumi/aws") : require("@pulumi/snowflake");
        return lookup(root, moduleName === "index" ? [className] : [moduleName, className]);
    }
    if (pkg === "kubernetes") {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const k8s = require("@pulumi/kubernetes");
        // `rbac.authorization.k8s.io/v1` -> k8s.rbac.v1; a kind the package has no class for is a CustomResource.
        const own = lookup(k8s, [moduleName.split(".")[0], version, className]);
        return own ?? (k8s.apiextensions.CustomResource as TypedClass);
    }
    return undefined;
}

interface ReportResource {
    urn: string;
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

async function main(): Promise<void> {
    const [reportFile, stack, mode] = process.argv.slice(2);
    if (mode !== undefined && mode !== "--paced" && mode !== "--typed") throw new Error(`Unknown argument '${mode}'; the options are --paced and --typed.`);
    const projectDir = path.resolve(__dirname, "..", "..");
    const config = parseEnvironmentConfig(readStackFile(projectDir, stack!));
    const report = JSON.parse(fs.readFileSync(reportFile!, "utf8")) as { resources: ReportResource[] };
    // The same stack-capture setting as tools/plan/engine.ts, from the same function.
    stopStackCapture();
    await pulumi.runtime.setMocks(new PlatformMocks({ accountId: config.accountId, region: config.region, clusterOidcIssuer: config.cluster.oidcIssuer }), "finledger-secrets-platform", stack!, false);
    const seen = new Set<string>();
    // Custom resources only: not the stack, not providers (pulumi:*), not this product's components (finledger:*).
    const custom = report.resources.filter((r) => !r.type.startsWith("pulumi:") && !r.type.startsWith("finledger:"));
    let typed = 0;
    const register = (r: ReportResource) => {
        // Without their component parents, two children may share type and name; keep every URN unique.
        let name = r.name;
        for (let i = 2; seen.has(`${r.type}::${name}`); i++) name = `${r.name}-${i}`;
        seen.add(`${r.type}::${name}`);
        const Typed = mode === "--typed" ? typedClassOf(r.type) : undefined;
        if (Typed) {
            typed++;
            new Typed(name, r.inputs, {});
        }
        else new ReplayedResource(r.type, name, r.inputs as pulumi.Inputs);
    };
    if (mode === "--paced" || mode === "--typed") await buildPaced(custom, register);
    else custom.forEach(register);
    await pulumi.runtime.disconnect();
    console.log(`FLOOR_RESOURCES ${custom.length}${mode === "--typed" ? ` (${typed} with their package's class)` : ""}`);
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
