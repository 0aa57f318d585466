// `npm run mutation`: StrykerJS over two areas, one after the other, each with its own fast in-process tests, its
// own incremental file (a rerun only tests what changed) and its own report, concurrency 1 for a shared machine:
// - policies/: stryker.config.json as it stands (policies/**, the per-rule policy tests);
// - the rotation protocol core: functions/rotation/{protocol,repair,runtime,values}.ts and the strategies' pure
//   parts, with the unit tests in test/rotation/unit/ (in-memory Secrets Manager; the moto suites are too slow to
//   run per mutant and stay the proof against the real API).
// Prints each area's score and its surviving mutants by file; exits 1 when an area is under its goal. Not part of
// `npm test`. `--policies` or `--rotation` runs one area; `--force` retests every mutant.
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

/** The areas under mutation: options on top of stryker.config.json (arrays replace, objects merge). */
const AREAS = [
    { name: "policies/", flag: "--policies", goal: 85, report: ".stryker/mutation-report.json", options: {} },
    {
        name: "rotation protocol core",
        flag: "--rotation",
        goal: 85,
        report: ".stryker/rotation/mutation-report.json",
        options: {
            // The strategies whose logic runs in process (over Secrets Manager, a key-slot admin or a vendor
            // adapter interface). Not here: postgres.ts and snowflake-sdk-admin.ts (drivers against a real server)
            // and the Datadog/SendGrid/Twilio adapters (HTTP against fake vendor servers), which the PostgreSQL and
            // fake-vendor suites prove and which are too slow to run per mutant.
            mutate: [
                "functions/rotation/protocol.ts",
                "functions/rotation/repair.ts",
                "functions/rotation/runtime.ts",
                "functions/rotation/values.ts",
                "functions/rotation/strategies/alternating-users.ts",
                "functions/rotation/strategies/kafka-scram.ts",
                "functions/rotation/strategies/snowflake.ts",
                "functions/rotation/strategies/snowflake-statements.ts",
                "functions/rotation/strategies/vendor-api.ts",
                "functions/rotation/strategies/vendor-http.ts",
            ],
            mochaOptions: { spec: ["test/rotation/unit/**/*.test.ts"], ignore: [] },
            incrementalFile: ".stryker/rotation/incremental.json",
        },
    },
];

const chosen = AREAS.filter((a) => process.argv.includes(a.flag));
const results = [];
for (const area of chosen.length ? chosen : AREAS) {
    const started = performance.now();
    // `--force` retests every mutant: an incremental report carried over from another checkout can keep results
    // that the current tests would change.
    await new Stryker({ configFile: "stryker.config.json", ...area.options, jsonReporter: { fileName: area.report }, force: process.argv.includes("--force") }).runMutationTest();
    results.push({ area, seconds: (performance.now() - started) / 1000, ...summarise(JSON.parse(fs.readFileSync(area.report, "utf8"))) });
}

for (const r of results) {
    console.log(`\nSurviving mutants of ${r.area.name} by file (the tests to add next):`);
    for (const [file, list] of r.survivors) {
        console.log(`  ${file} (${list.length}; file score ${r.perFile.get(file).toFixed(1)}%)`);
        for (const s of list) console.log(`    ${s}`);
    }
}
console.log("");
for (const r of results) {
    const { detected, undetected, ignored } = r.count;
    console.log(
        `Mutation score of ${r.area.name}: ${r.score.toFixed(1)}% (${detected} killed or timed out, ${undetected} survived or uncovered, ${ignored} static or ignored, not counted); goal ${r.area.goal}%. Run took ${r.seconds.toFixed(0)} s.`,
    );
}
process.exitCode = results.every((r) => r.score >= r.area.goal) ? 0 : 1;

/** Counts, score, per-file scores and survivors (by file, in line order) of one Stryker JSON report. */
function summarise(report) {
    const count = { detected: 0, undetected: 0, ignored: 0 };
    const survivors = new Map();
    const perFile = new Map();
    for (const [file, { mutants, source }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
        const lines = source.split("\n");
        const here = { detected: 0, undetected: 0 };
        const list = [];
        for (const m of [...mutants].sort((a, b) => a.location.start.line - b.location.start.line)) {
            if (m.status === "Killed" || m.status === "Timeout") here.detected++;
            else if (m.status === "Survived" || m.status === "NoCoverage") {
                here.undetected++;
                const line = m.location.start.line;
                list.push(`${line}: ${m.status === "NoCoverage" ? "no test reaches it" : "survived"}: ${m.mutatorName} ${JSON.stringify((m.replacement ?? "").slice(0, 60))} at '${lines[line - 1].trim().slice(0, 80)}'`);
            } else count.ignored++;
        }
        count.detected += here.detected;
        count.undetected += here.undetected;
        if (list.length) survivors.set(file, list);
        if (here.detected + here.undetected) perFile.set(file, (100 * here.detected) / (here.detected + here.undetected));
    }
    return { count, survivors, perFile, score: (100 * count.detected) / (count.detected + count.undetected) };
}
