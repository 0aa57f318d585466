// The policy pack under the real Pulumi engine (`npm run test:engine`, not part of `npm test`): the CLI, the Node.js
// language host and the Kubernetes provider that tools/test-env/engine.sh puts in .test-runtime/engine/bin run
// test/engine/program through `pulumi preview` and `pulumi up` with `--policy-pack policies`, on a file:// backend in a
// temporary folder, with no network and no cluster (the provider renders manifests into a folder). Assertions read the
// engine's own event log (`--event-log`: one JSON engine event per line, policy violations as `policyEvent`) and the
// exit status. Without the binaries every test is skipped with the reason.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
import type { Exemption } from "../../policies/settings";

const REPO = path.resolve(__dirname, "..", "..");
/** Where tools/test-env/engine.sh links the CLI, the language host and the provider. */
const ENGINE_BIN = path.join(REPO, ".test-runtime", "engine", "bin");
const ENGINE_BINARIES = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-kubernetes"] as const;
const PROJECT: string = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")).name;
/** A declared environment: the pack judges the stack by its name. */
const STACK = "dev";
const STACK_URN = `urn:pulumi:${STACK}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${STACK}`;
/** How often the stack-wide cases run: the engine's map order changes between runs, the attribution must not. */
const REPEATS = 5;
/** One pulumi command, cold TypeScript compile of program and pack included, on a loaded 2-core machine. */
const COMMAND_TIMEOUT_MS = 240_000;

/** A policy violation as the engine logs it (sdk/go/common/apitype PolicyEvent). */
interface PolicyEvent {
    readonly resourceUrn?: string;
    readonly message: string;
    readonly policyName: string;
    readonly policyPackName: string;
    readonly enforcementLevel: string;
}

/** What one pulumi command did. */
interface EngineRun {
    readonly status: number | null;
    readonly output: string;
    readonly violations: PolicyEvent[];
}

/** A project folder, a stack and a backend of their own, in a temporary folder. */
class EngineWorkspace {
    readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "finledger-engine-"));
    readonly project = path.join(this.root, "project");
    readonly renderDir = path.join(this.root, "rendered");
    private readonly env: NodeJS.ProcessEnv;

    constructor() {
        fs.mkdirSync(this.project);
        fs.copyFileSync(path.join(__dirname, "program", "index.ts"), path.join(this.project, "index.ts"));
        fs.writeFileSync(path.join(this.project, "Pulumi.yaml"), YAML.stringify({
            name: PROJECT, runtime: { name: "nodejs", options: { typescript: true } }, main: "index.ts",
        }));
        fs.writeFileSync(path.join(this.project, "package.json"), JSON.stringify({ name: "engine-probe", private: true }));
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(this.project, "node_modules"));
        const env: NodeJS.ProcessEnv = { ...process.env };
        for (const key of Object.keys(env)) if (key.startsWith("PULUMI_")) delete env[key];
        this.env = {
            ...env,
            PATH: [ENGINE_BIN, path.dirname(process.execPath), env.PATH ?? ""].join(path.delimiter),
            PULUMI_HOME: path.join(this.root, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.root, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: randomBytes(24).toString("hex"),
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
            // --event-log is offered only with debug commands on (the Automation API turns them on the same way).
            PULUMI_DEBUG_COMMANDS: "true",
            NO_COLOR: "1",
        };
        fs.mkdirSync(path.join(this.root, "state"));
        this.pulumi(["stack", "init", STACK], "stack init");
        this.pulumi(["config", "set", "engine:renderDir", this.renderDir], "config set");
    }

    /** Runs pulumi in the project; fails the test when `must` names a step that has to succeed and it did not. */
    pulumi(args: string[], must?: string): EngineRun {
        const eventLog = path.join(this.root, `events-${randomBytes(4).toString("hex")}.jsonl`);
        const logged = args[0] === "preview" || args[0] === "up";
        const run = spawnSync("pulumi", [...args, "--non-interactive", ...(logged ? ["--event-log", eventLog] : [])], {
            cwd: this.project, env: this.env, encoding: "utf8", timeout: COMMAND_TIMEOUT_MS,
        });
        const output = `${run.stdout ?? ""}${run.stderr ?? ""}${run.error ? String(run.error) : ""}`;
        if (must !== undefined && run.status !== 0) assert.fail(`pulumi ${must} failed (exit ${run.status}):\n${output}`);
        const violations = logged && fs.existsSync(eventLog)
            ? fs.readFileSync(eventLog, "utf8").split("\n").filter((line) => line.trim() !== "")
                .map((line) => JSON.parse(line)).filter((event) => event.policyEvent).map((event) => event.policyEvent as PolicyEvent)
            : [];
        return { status: run.status, output, violations };
    }

    /** Sets the literal-Secret case on, with a password built at run time and kept as a secret in stack config. */
    withLiteralSecret(password: string): void {
        this.pulumi(["config", "set", "engine:withLiteralSecret", "true"], "config set");
        this.pulumi(["config", "set", "--secret", "engine:dbPassword", password], "config set --secret");
    }

    /** Writes a pack config file for `--policy-pack-config` with these exemptions, each under its rule's entry. */
    packConfig(exemptions: readonly Exemption[]): string {
        const file = path.join(this.root, `pack-config-${randomBytes(4).toString("hex")}.json`);
        const byRule: Record<string, { exemptions: Exemption[] }> = {};
        for (const x of exemptions) (byRule[x.policy] ??= { exemptions: [] }).exemptions.push(x);
        fs.writeFileSync(file, JSON.stringify(byRule, null, 2));
        return file;
    }

    /** `pulumi preview` (or `up --yes`) with the repository's pack, and a pack config file when given. */
    withPack(command: "preview" | "up", configFile?: string): EngineRun {
        return this.pulumi([
            command, ...(command === "up" ? ["--yes", "--skip-preview"] : []),
            "--policy-pack", path.join(REPO, "policies"),
            ...(configFile ? ["--policy-pack-config", configFile] : []),
        ]);
    }

    /** The manifests the provider rendered, relative to the render folder. */
    rendered(): string[] {
        if (!fs.existsSync(this.renderDir)) return [];
        return (fs.readdirSync(this.renderDir, { recursive: true }) as string[])
            .filter((f) => fs.statSync(path.join(this.renderDir, f)).isFile()).sort();
    }

    remove(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/** An exemption that holds for 30 days from today, as a reviewer would write it. */
function exemption(policy: string, urn: string): Exemption {
    const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    return { policy, urn, reason: "Engine test: the program has no audit trail or keeps a test value on purpose.", approvedBy: "engine-test", expires };
}

/** A password a person would type, made at run time from pieces so no literal sits in the repository. */
function typedPassword(): string {
    return ["Harbor", "lantern", String(40 + (randomBytes(1)[0] % 50))].join("");
}

function mandatory(run: EngineRun): PolicyEvent[] {
    return run.violations.filter((v) => v.enforcementLevel === "mandatory");
}

function describeRun(run: EngineRun): string {
    return `exit ${run.status}; violations: ${JSON.stringify(run.violations.map((v) => [v.policyName, v.resourceUrn]))}\n${run.output}`;
}

describe("the policy pack under the real Pulumi engine (CLI, Node.js language host, Kubernetes provider in render mode)", function () {
    this.timeout(REPEATS * 2 * COMMAND_TIMEOUT_MS);
    const workspaces: EngineWorkspace[] = [];

    before(function () {
        const missing = ENGINE_BINARIES.filter((b) => !fs.existsSync(path.join(ENGINE_BIN, b)));
        if (missing.length > 0) {
            console.log(`  SKIPPED: no ${missing.join(", ")} in ${ENGINE_BIN}. tools/test-env/engine.sh builds the CLI and the `
                + "provider from the Go module proxy (it needs the go command); the Node.js language host is not served there "
                + "and must be put at .test-runtime/engine/language-host/pulumi-language-nodejs (docs/policies.md, \"Under the real engine\").");
            this.skip();
        }
    });

    after(() => {
        for (const w of workspaces) w.remove();
    });

    function workspace(): EngineWorkspace {
        const w = new EngineWorkspace();
        workspaces.push(w);
        return w;
    }

    it("reports the missing audit trail on the pulumi:pulumi:Stack resource in every run, and on nothing else", function () {
        const w = workspace();
        for (let i = 0; i < REPEATS; i++) {
            const run = w.withPack("preview");
            assert.notEqual(run.status, 0, describeRun(run));
            const found = mandatory(run);
            assert.deepEqual(found.map((v) => [v.policyName, v.resourceUrn]), [["cloudtrail-trail-audit-baseline", STACK_URN]], describeRun(run));
            assert.match(found[0].message, /Fix: /);
        }
    });

    it("an exemption for the stack's URN given with --policy-pack-config holds in every run, and up renders the clean program", function () {
        const w = workspace();
        const config = w.packConfig([exemption("cloudtrail-trail-audit-baseline", STACK_URN)]);
        for (let i = 0; i < REPEATS; i++) {
            const run = w.withPack("preview", config);
            assert.equal(run.status, 0, describeRun(run));
            assert.deepEqual(mandatory(run), [], describeRun(run));
        }
        const up = w.withPack("up", config);
        assert.equal(up.status, 0, describeRun(up));
        const files = w.rendered();
        assert.ok(files.some((f) => /namespace/i.test(f)) && files.some((f) => /configmap/i.test(f)), `rendered: ${files.join(", ")}`);
    });

    it("blocks preview and up of a Kubernetes Secret whose stringData holds a typed password, which the provider hands over as base64 data", function () {
        const w = workspace();
        const password = typedPassword();
        w.withLiteralSecret(password);
        const config = w.packConfig([exemption("cloudtrail-trail-audit-baseline", STACK_URN)]);
        const secretUrn = (v: PolicyEvent) => (v.resourceUrn ?? "").endsWith("kubernetes:core/v1:Secret::probe-db");

        const preview = w.withPack("preview", config);
        assert.notEqual(preview.status, 0, describeRun(preview));
        const onSecret = mandatory(preview).filter(secretUrn).map((v) => v.policyName);
        assert.ok(onSecret.includes("kubernetes-secret-no-literal-data"), describeRun(preview));
        assert.ok(onSecret.includes("any-resource-no-plaintext-secret"), describeRun(preview));
        const base64 = Buffer.from(password).toString("base64");
        for (const v of preview.violations) {
            assert.ok(!v.message.includes(password) && !v.message.includes(base64), `a violation message repeats the value: ${v.policyName}`);
        }
        assert.ok(!preview.output.includes(password), "the engine's output repeats the password");

        const up = w.withPack("up", config);
        assert.notEqual(up.status, 0, describeRun(up));
        assert.ok(mandatory(up).some(secretUrn), describeRun(up));
        assert.deepEqual(w.rendered().filter((f) => /secret/i.test(f)), [], "up rendered the Secret although the pack blocked it");
    });

    it("exemptions in the --policy-pack-config file reach every rule that reports, each under its own entry", function () {
        const w = workspace();
        w.withLiteralSecret(typedPassword());
        const blocked = w.withPack("preview");
        const reported = mandatory(blocked);
        const rules = [...new Set(reported.map((v) => v.policyName))].sort();
        assert.ok(rules.length >= 3, `expected the stack rule and two rules on the Secret, got ${describeRun(blocked)}`);

        const all = reported.map((v) => exemption(v.policyName, v.resourceUrn ?? STACK_URN));
        const cleared = w.withPack("preview", w.packConfig(all));
        assert.equal(cleared.status, 0, describeRun(cleared));
        assert.deepEqual(mandatory(cleared), [], describeRun(cleared));

        // Leaving one rule's exemption out brings back that rule's violations only: each rule reads its own entry.
        for (const left of rules) {
            const partial = w.withPack("preview", w.packConfig(all.filter((x) => x.policy !== left)));
            assert.notEqual(partial.status, 0, describeRun(partial));
            assert.deepEqual([...new Set(mandatory(partial).map((v) => v.policyName))], [left], describeRun(partial));
        }
    });
});
