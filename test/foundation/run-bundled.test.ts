// `npm run plan` runs from a cached esbuild bundle (tools/run-bundled.cjs). The bundle must behave exactly like the
// TypeScript entry and must never run stale code: any change to a source it holds rebuilds it.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planReport, PROJECT_DIR } from "../support/plan-cli";

const LAUNCHER = path.join(PROJECT_DIR, "tools", "run-bundled.cjs");

function runBundled(projectDir: string, args: string[]): { status: number; stdout: string; stderr: string } {
    const res = spawnSync(process.execPath, [path.join(projectDir, "tools", "run-bundled.cjs"), ...args], { cwd: projectDir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

describe("npm run plan from the cached bundle", function () {
    this.timeout(300_000);

    it("writes the same report, byte for byte, as the TypeScript entry run through tsx", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundled-plan-"));
        try {
            const file = path.join(dir, "plan.json");
            const res = runBundled(PROJECT_DIR, ["tools/plan.ts", "--stack", "dev", "--json", file]);
            assert.equal(res.status, 0, res.stderr);
            assert.equal(fs.readFileSync(file, "utf8"), JSON.stringify(planReport("dev"), null, 2));
            assert.match(res.stdout, /Policy violations: none/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("keeps every class name of the plan's sources (the bundle does not keep names, so a renamed class would show)", async () => {
        // Without esbuild's keepNames a class takes the name of the variable esbuild declares it with; esbuild renames
        // a top-level name that clashes with another module's (`ConfigError2`), and then error names and stack traces
        // would read the renamed one.
        const { bundledEntry } = require(LAUNCHER) as { bundledEntry(entry: string, projectDir?: string): Promise<string> };
        const file = await bundledEntry("tools/plan.ts", PROJECT_DIR);
        const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(file), "tools-plan.json"), "utf8")) as { inputs: string[] };
        const CLASS = /(?:^|[^\w$.])(?:class\s+([A-Za-z_$][\w$]*)|([A-Za-z_$][\w$]*)\s*=\s*class\b)/gm;
        const names = (text: string) => new Set([...text.matchAll(CLASS)].map((m) => (m[1] ?? m[2])!));
        const declared = new Set(manifest.inputs.flatMap((f) => [...names(fs.readFileSync(path.join(PROJECT_DIR, f), "utf8"))]));
        const bundled = names(fs.readFileSync(file, "utf8"));
        assert.ok(bundled.size > 20, `found only ${bundled.size} classes in the bundle`);
        assert.deepEqual([...bundled].filter((n) => !declared.has(n)), []);
    });

    it("keeps the plan's exit status 2 and usage message for a bad stack", () => {
        const res = runBundled(PROJECT_DIR, ["tools/plan.ts", "--stack", "qa"]);
        assert.equal(res.status, 2);
        assert.match(res.stderr, /Unknown stack 'qa'; the stacks are dev, staging, prod/);
        assert.match(res.stderr, /Usage: npm run plan/);
    });

    describe("in a small project of its own", () => {
        let dir: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundled-"));
            fs.mkdirSync(path.join(dir, "tools"));
            fs.mkdirSync(path.join(dir, "lib"));
            fs.copyFileSync(LAUNCHER, path.join(dir, "tools", "run-bundled.cjs"));
            fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"));
            fs.writeFileSync(path.join(dir, "lib", "word.ts"), 'export const word: string = "first";\n');
            fs.writeFileSync(
                path.join(dir, "tools", "main.ts"),
                'import * as path from "path";\nimport { word } from "../lib/word";\nconsole.log(`${word} ${path.relative(process.cwd(), __dirname)} ${process.argv.slice(2).join(",")}`);\n',
            );
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("gives each source its own __dirname and the entry its own arguments", () => {
            const res = runBundled(dir, ["tools/main.ts", "--a", "b"]);
            assert.equal(res.status, 0, res.stderr);
            assert.equal(res.stdout, "first tools --a,b\n");
        });

        it("rebuilds when an imported source changes, and reuses the bundle when nothing did", () => {
            assert.equal(runBundled(dir, ["tools/main.ts"]).stdout, "first tools \n");
            const bundles = () => {
                const cache = path.join(dir, "build", "bundled");
                return fs.readdirSync(cache).filter((f) => f.endsWith(".cjs")).map((f) => `${f} ${fs.statSync(path.join(cache, f)).mtimeMs}`);
            };
            const first = bundles();
            assert.equal(first.length, 1);
            assert.equal(runBundled(dir, ["tools/main.ts"]).stdout, "first tools \n");
            assert.deepEqual(bundles(), first, "an unchanged source rebuilt the bundle");
            fs.writeFileSync(path.join(dir, "lib", "word.ts"), 'export const word: string = "second";\n');
            assert.equal(runBundled(dir, ["tools/main.ts"]).stdout, "second tools \n");
        });

        it("rebuilds when a new file changes what an import resolves to", () => {
            assert.equal(runBundled(dir, ["tools/main.ts"]).stdout, "first tools \n");
            // esbuild resolves `../lib/word` to word.tsx before word.ts: no imported file changed, the resolution did.
            fs.writeFileSync(path.join(dir, "lib", "word.tsx"), 'export const word: string = "shadowing";\n');
            assert.equal(runBundled(dir, ["tools/main.ts"]).stdout, "shadowing tools \n");
        });

        it("exits 2 naming the file when a source does not compile", () => {
            fs.writeFileSync(path.join(dir, "lib", "word.ts"), "export const word: string = ;\n");
            const res = runBundled(dir, ["tools/main.ts"]);
            assert.equal(res.status, 2);
            assert.match(res.stderr, /Could not bundle tools\/main\.ts: lib\/word\.ts:1: /);
        });
    });
});
