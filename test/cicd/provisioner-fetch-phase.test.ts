// The deploy jobs read the Snowflake provisioning key only in a phase that builds the Snowflake layer: in phase
// foundation the key's container is new and empty, so the fetch step must be skipped, not fail. The test runs each job's
// real phase step (bash, tools/deploy-phase.ts) on a copy of the project in each phase and evaluates the key step's
// `if:` against the outputs that step wrote, as the runner would.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { ENVIRONMENTS } from "../../model/config";
import { DEPLOY_PHASES, deploys } from "../../model/phase";
import { copyProject } from "../support/plan-cli";

type Step = { id?: string; name?: string; uses?: string; run?: string; if?: string };
const WORKFLOW = path.resolve(__dirname, "..", "..", ".github", "workflows", "deploy.yml");
const KEY_VAR = "SNOWFLAKE_PRIVATE_KEY";

function stepsOf(env: string): Step[] {
    return YAML.parse(fs.readFileSync(WORKFLOW, "utf8")).jobs[`deploy-${env}`].steps as Step[];
}

/** Evaluates `steps.<id>.outputs.<name> == '<literal>'`, the only condition shape the key step may have. */
function evaluate(condition: string, outputs: Record<string, Record<string, string>>): boolean {
    const m = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_]+) == '([^']*)'$/.exec(condition.trim());
    assert.ok(m, `the key step's condition "${condition}" is not of the shape steps.<id>.outputs.<name> == '<value>'`);
    return (outputs[m[1]!]?.[m[2]!] ?? "") === m[3];
}

/** Parses `key=value` lines of a `$GITHUB_OUTPUT` file. */
function parseOutputs(text: string): Record<string, string> {
    return Object.fromEntries(text.split("\n").filter((l) => l.includes("=")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

describe("deploy.yml: the Snowflake key step runs only in a phase that builds the Snowflake layer", function () {
    this.timeout(120_000);
    let dir: string;
    before(() => (dir = copyProject()));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Runs a job's phase step as the runner would (bash, `$GITHUB_OUTPUT`) in the copy with `finledger:phase` set. */
    function runPhaseStep(env: string, phase: string, step: Step): { status: number | null; stderr: string; outputs: Record<string, string> } {
        const file = path.join(dir, `Pulumi.${env}.yaml`);
        const original = fs.readFileSync(file, "utf8").replace(/^ {2}finledger:phase: .*\n/m, "");
        fs.writeFileSync(file, original.replace(/^config:\n/m, `config:\n  finledger:phase: ${phase}\n`));
        const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "phase-out-")), "github_output");
        fs.writeFileSync(out, "");
        const r = spawnSync("bash", ["-e", "-c", step.run!], { cwd: dir, encoding: "utf8", env: { ...process.env, GITHUB_OUTPUT: out } });
        const outputs = parseOutputs(fs.readFileSync(out, "utf8"));
        fs.rmSync(path.dirname(out), { recursive: true, force: true });
        return { status: r.status, stderr: r.stderr, outputs };
    }

    for (const env of ENVIRONMENTS) {
        it(`deploy-${env} reads its phase from files before assuming the role, and the key step is conditioned on it`, () => {
            const steps = stepsOf(env);
            const phase = steps.findIndex((s) => s.id === "phase");
            const creds = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
            const key = steps.findIndex((s) => s.run?.includes(KEY_VAR));
            assert.ok(phase >= 0 && phase < creds && creds < key, "phase step, then the role, then the key step");
            assert.equal(steps[phase]!.run, `npx tsx tools/deploy-phase.ts --stack ${env} >> "$GITHUB_OUTPUT"`);
            assert.equal(steps[phase]!.if, undefined, "the phase step always runs");
            assert.equal(steps[key]!.if, "steps.phase.outputs.snowflake_layer == 'true'");
        });

        for (const phase of DEPLOY_PHASES) {
            const expected = deploys(phase, "snowflake-layer");
            it(`deploy-${env} in phase ${phase}: the phase step succeeds and the key step ${expected ? "runs" : "is skipped"}`, () => {
                const steps = stepsOf(env);
                const r = runPhaseStep(env, phase, steps.find((s) => s.id === "phase")!);
                assert.equal(r.status, 0, r.stderr);
                assert.equal(r.outputs.phase, phase);
                const keyStep = steps.find((s) => s.run?.includes(KEY_VAR))!;
                assert.equal(evaluate(keyStep.if!, { phase: r.outputs }), expected);
            });
        }
    }

    it("foundation skips the key step and full runs it (the phase list's decision, read by the workflow)", () => {
        assert.equal(deploys("foundation", "snowflake-layer"), false);
        assert.equal(deploys("full", "snowflake-layer"), true);
    });

    it("the phase step fails, naming the file and the key, when the stack's phase is unknown (the key step never runs)", () => {
        const r = runPhaseStep("dev", "values-first", stepsOf("dev").find((s) => s.id === "phase")!);
        assert.equal(r.status, 2);
        assert.match(r.stderr, /Pulumi\.dev\.yaml/);
        assert.match(r.stderr, /phase/);
        assert.deepEqual(r.outputs, {});
    });
});
