// `npm run mutation`: StrykerJS over the policy pack with stryker.config.json (policies/**, the per-rule policy
// tests run in-process, incremental so a rerun only tests what changed, concurrency 1 for a shared machine). Then
// prints the score of policies/ and the surviving mutants by file, from .stryker/mutation-report.json; exit 1 when
// the score is under 85%. Not part of `npm test`.
// Stryker 10's package entry refuses Node 20 by a version check alone (its CLI module runs the check when loaded);
// the product targets Node 22/24 but this workplace runs 20, so this loads Stryker's own `Stryker` class from its
// file, past the check. Plain ESM because Stryker is an ES module.
import * as fs from "fs";
import { createRequire } from "module";
import * as path from "path";
import { pathToFileURL } from "url";

const require = createRequire(import.meta.url);
require("./mutation-mocha-cjs.cjs");
const core = path.dirname(require.resolve("@stryker-mutator/core/package.json"));
const { Stryker } = await import(pathToFileURL(path.join(core, "dist", "src", "stryker.js")).href);

const GOAL = 85;
const started = performance.now();
// `npm run mutation -- --force` retests every mutant: an incremental report carried over from another checkout can
// keep results that the current tests would change.
await new Stryker({ configFile: "stryker.config.json", force: process.argv.includes("--force") }).runMutationTest();
const seconds = (performance.now() - started) / 1000;

const report = JSON.parse(fs.readFileSync(".stryker/mutation-report.json", "utf8"));
const count = { detected: 0, undetected: 0, ignored: 0 };
const survivors = [];
for (const [file, { mutants, source }] of Object.entries(report.files)) {
    const lines = source.split("\n");
    for (const m of mutants) {
        if (m.status === "Killed" || m.status === "Timeout") count.detected++;
        else if (m.status === "Survived" || m.status === "NoCoverage") {
            count.undetected++;
            const line = m.location.start.line;
            survivors.push({ file, line, text: `${m.status === "NoCoverage" ? "no test reaches it" : "survived"}: ${m.mutatorName} ${JSON.stringify((m.replacement ?? "").slice(0, 60))} at '${lines[line - 1].trim().slice(0, 80)}'` });
        } else count.ignored++;
    }
}
const score = (100 * count.detected) / (count.detected + count.undetected);
let current = "";
console.log("\nSurviving mutants by file (the tests to add next):");
for (const s of survivors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)) {
    if (s.file !== current) console.log(`  ${(current = s.file)} (${survivors.filter((x) => x.file === s.file).length})`);
    console.log(`    ${s.line}: ${s.text}`);
}
console.log(`\nMutation score of policies/: ${score.toFixed(1)}% (${count.detected} killed or timed out, ${count.undetected} survived or uncovered, ${count.ignored} static or ignored, not counted); goal ${GOAL}%. Run took ${seconds.toFixed(0)} s.`);
process.exitCode = score >= GOAL ? 0 : 1;
