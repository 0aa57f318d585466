import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
const workflow = (file: string) => YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, ".github", "workflows", file), "utf8"));
const stepsOf = (file: string) => Object.entries<any>(workflow(file).jobs).map(([job, j]) => ({ job, steps: (j.steps ?? []) as any[] }));

describe("workflow pins and the preflight gate", () => {
    for (const file of ["pr.yml", "deploy.yml"]) {
        it(`${file} pins the Pulumi CLI to the version of the @pulumi/pulumi SDK in package.json`, () => {
            const pulumiSteps = stepsOf(file).flatMap((j) => j.steps.filter((s) => String(s.uses ?? "").startsWith("pulumi/actions@")));
            assert.ok(pulumiSteps.length > 0);
            for (const s of pulumiSteps) assert.equal(s.with?.["pulumi-version"], pkg.dependencies["@pulumi/pulumi"], `${file}: ${s.name}`);
        });

        it(`${file} runs preflight for the same stack right before every pulumi preview or up`, () => {
            for (const { job, steps } of stepsOf(file)) {
                steps.forEach((s, i) => {
                    // A pulumi/actions step without a command only installs the CLI (before the plugins are installed).
                    if (!String(s.uses ?? "").startsWith("pulumi/actions@") || s.with?.command === undefined) return;
                    const before = steps[i - 1];
                    assert.match(String(before?.run ?? ""), /^npm run preflight -- --stack /, `${file} ${job}: the step before ${s.name} runs preflight`);
                    const stack = String(before.run).includes("$STACK") ? before.env?.STACK : String(before.run).split("--stack ")[1];
                    assert.equal(stack, s.with["stack-name"], `${file} ${job}: preflight and ${s.name} target the same stack`);
                });
            }
        });

        it(`${file} sets up a maintained Node LTS (22 or 24), as package.json's engines say`, () => {
            const nodes = stepsOf(file).flatMap((j) => j.steps.filter((s) => String(s.uses ?? "").startsWith("actions/setup-node@")).map((s) => Number(s.with?.["node-version"])));
            assert.ok(nodes.length > 0);
            for (const n of nodes) assert.ok([22, 24].includes(n), `${file} uses Node ${n}`);
        });
    }

    it("package.json's engines accept Node 22 and 24 only", () => {
        assert.equal(pkg.engines.node, "^22 || ^24");
    });
});
