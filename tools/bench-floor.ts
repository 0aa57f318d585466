// `npm run bench` (part): the plan against its floor. The floor is a bare program that registers the same custom
// resources with the same inputs under the same Pulumi mocks (tools/bench/floor-program.ts); the difference is what
// the product adds: loading and validating the catalog and config, the model, components, bundling, the policy pack
// and the report. Both run the way `npm run plan` runs, from a cached bundle (tools/run-bundled.cjs), so neither pays
// a TypeScript loader the other does not. Figures are CPU seconds (user + system) and peak RSS per process, medians
// of runs interleaved round-robin so that load on the machine hits both alike.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PACE_EVERY } from "../stacks/pacing";

const projectDir = path.resolve(__dirname, "..");
const launcher = path.join(projectDir, "tools", "run-bundled.cjs");
const { bundledEntry } = require(launcher) as { bundledEntry(entry: string): Promise<string> };
const PLAN_ENTRY = path.join("tools", "plan.ts");
const FLOOR_ENTRY = path.join("tools", "bench", "floor-program.ts");

interface Run {
    readonly cpuS: number;
    readonly rssMiB: number;
    /** The plan's own CPU split (PLAN_TIMINGS), absent for the floor. */
    readonly phases?: { startup: number; program: number; policies: number; report: number };
}

/**
 * The Node options `npm run plan` starts with (between `node` and the launcher in package.json's `plan` script); plan
 * and floors all run with them. The plan and the issue's floor also run with V8's defaults, and the ratio divides by
 * the floor's cheaper figure, so an option can only help the ratio by making the plan cheaper. BENCH_NODE_FLAGS
 * overrides the options.
 */
function planNodeFlags(): string[] {
    if (process.env.BENCH_NODE_FLAGS !== undefined) return process.env.BENCH_NODE_FLAGS.split(/\s+/).filter(Boolean);
    const script = String(JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")).scripts.plan);
    const m = /^node((?:\s+--[\w-]+(?:=\S+)?)*)\s+tools\/run-bundled\.cjs\s/.exec(script);
    if (!m) throw new Error(`package.json's plan script '${script}' is not 'node [--flags] tools/run-bundled.cjs ...'; the bench runs plan and floor the same way.`);
    return m[1]!.split(/\s+/).filter(Boolean);
}
const NODE_FLAGS = planNodeFlags();

function timed(args: string[], nodeFlags: readonly string[] = NODE_FLAGS): Run {
    const res = spawnSync("/usr/bin/time", ["-f", "BENCH_TIME %U %S %M", process.execPath, ...nodeFlags, launcher, ...args], {
        cwd: projectDir,
        encoding: "utf8",
        maxBuffer: 512 * 1024 * 1024,
        env: { ...process.env, FINLEDGER_PLAN_TIMINGS: "1" },
    });
    const m = /BENCH_TIME ([\d.]+) ([\d.]+) (\d+)/.exec(res.stderr);
    if (!m || (res.status !== 0 && res.status !== 1)) throw new Error(`${args.join(" ")} failed (${res.status}):\n${res.stderr.slice(-3000)}`);
    const timings = /PLAN_TIMINGS (\{.*\})/.exec(res.stderr);
    return { cpuS: Number(m[1]) + Number(m[2]), rssMiB: Number(m[3]) / 1024, phases: timings ? JSON.parse(timings[1]!).cpuS : undefined };
}

const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function compare(scale: number, runs: number): void {
    const report = path.join(os.tmpdir(), `bench-floor-${process.pid}-x${scale}.json`);
    const planArgs = [PLAN_ENTRY, "--stack", "prod", "--scale", String(scale), "--json", report];
    timed(planArgs); // writes the report the floor replays, and warms the Lambda bundle cache
    const resources = JSON.parse(fs.readFileSync(report, "utf8")).resources as Array<{ type: string }>;
    const custom = resources.filter((r) => !r.type.startsWith("pulumi:") && !r.type.startsWith("finledger:")).length;
    const plan: Run[] = [];
    const planDefault: Run[] = [];
    const floor: Run[] = [];
    const floorDefault: Run[] = [];
    const pacedFloor: Run[] = [];
    const typedFloor: Run[] = [];
    const floorArgs = [FLOOR_ENTRY, report, "prod"];
    for (let i = 0; i < runs; i++) {
        floor.push(timed(floorArgs));
        plan.push(timed(planArgs));
        if (NODE_FLAGS.length > 0) {
            floorDefault.push(timed(floorArgs, []));
            planDefault.push(timed(planArgs, []));
        }
        pacedFloor.push(timed([...floorArgs, "--paced"]));
        typedFloor.push(timed([...floorArgs, "--typed"]));
    }
    fs.rmSync(report, { force: true });
    const mediansOf = (runs: Run[]) => ({ cpu: median(runs.map((r) => r.cpuS)), rss: median(runs.map((r) => r.rssMiB)) });
    const p = mediansOf(plan);
    // The floor at its best: with the plan's Node options or with V8's defaults, whichever costs it less CPU, so that
    // an option the plan runs with can lower the ratio only by making the plan cheaper, never by slowing the floor.
    const fFlags = mediansOf(floor);
    const fDefault = floorDefault.length > 0 ? mediansOf(floorDefault) : undefined;
    const f = fDefault && fDefault.cpu < fFlags.cpu ? fDefault : fFlags;
    const pf = mediansOf(pacedFloor);
    const tf = mediansOf(typedFloor);
    // Each round runs plan and floors back to back; the spread of the per-round ratios shows how far the machine's
    // speed moved between rounds (against the floor with the plan's options, which every round has).
    const roundRatios = plan.map((r, i) => r.cpuS / floor[i]!.cpuS);
    console.log(
        `  prod x${String(scale).padEnd(3)} ${String(custom).padStart(6)} custom resources (${resources.length} in all), n=${runs}: ` +
            `plan ${p.cpu.toFixed(2)} s CPU / ${p.rss.toFixed(0)} MiB, floor ${f.cpu.toFixed(2)} s CPU / ${f.rss.toFixed(0)} MiB -> ` +
            `CPU ratio ${(p.cpu / f.cpu).toFixed(2)}x (target <= 1.5x: ${p.cpu / f.cpu <= 1.5 ? "met" : "NOT met"}), peak RSS ${(p.rss / 1024).toFixed(2)} GiB` +
            (scale >= 10 ? ` (target < 1.5 GiB: ${p.rss < 1536 ? "met" : "NOT met"})` : ""),
    );
    console.log(
        `      per round, plan against the floor with the same options: median ${median(roundRatios).toFixed(2)}x, from ${Math.min(...roundRatios).toFixed(2)}x to ${Math.max(...roundRatios).toFixed(2)}x ` +
            `(plan ${plan.map((r) => r.cpuS.toFixed(2)).join("/")} s, floor ${floor.map((r) => r.cpuS.toFixed(2)).join("/")} s)`,
    );
    if (fDefault) {
        const pd = median(planDefault.map((r) => r.cpuS));
        console.log(
            `      Node options ${NODE_FLAGS.join(" ")} (the plan script's) against V8's defaults: plan ${p.cpu.toFixed(2)} s vs ${pd.toFixed(2)} s CPU (${(p.cpu / pd).toFixed(2)}x), ` +
                `floor ${fFlags.cpu.toFixed(2)} s vs ${fDefault.cpu.toFixed(2)} s; the ratio above divides by the floor's smaller figure (${f === fDefault ? "V8's defaults" : "the plan's options"}); ` +
                `plan and floor both with V8's defaults: ${(pd / fDefault.cpu).toFixed(2)}x`,
        );
    }
    console.log(
        `      the paced floor (the same registrations, yielding every ${PACE_EVERY} as the stack program does): ${pf.cpu.toFixed(2)} s CPU / ${pf.rss.toFixed(0)} MiB -> ` +
            `plan against it ${(p.cpu / pf.cpu).toFixed(2)}x CPU, ${(p.rss / pf.rss).toFixed(2)}x peak RSS (no target; it shows what pacing alone gives the bare program)`,
    );
    console.log(
        `      the typed floor (paced, each resource with its package's class, as the components register them): ${tf.cpu.toFixed(2)} s CPU / ${tf.rss.toFixed(0)} MiB -> ` +
            `plan against it ${(p.cpu / tf.cpu).toFixed(2)}x CPU; typed classes over bare ones, both paced: ${(tf.cpu - pf.cpu).toFixed(2)} s (no target; what is left is the model, components, pack and report)`,
    );
    const phase = (k: "startup" | "program" | "policies" | "report") => median(plan.map((r) => r.phases?.[k] ?? NaN));
    console.log(
        `      where the plan's CPU goes: start-up and module loading ${phase("startup").toFixed(2)} s, program under mocks ${phase("program").toFixed(2)} s ` +
            `(model, components, the floor's registrations), policy pack ${phase("policies").toFixed(2)} s, report ${phase("report").toFixed(2)} s; ` +
            `the floor's whole process is ${f.cpu.toFixed(2)} s`,
    );
}

async function main(): Promise<void> {
    // Build both bundles before any timed run (each is rebuilt only when a source changed).
    await bundledEntry(PLAN_ENTRY);
    await bundledEntry(FLOOR_ENTRY);
    const runs = Number(process.env.BENCH_RUNS ?? "3");
    console.log(`plan vs floor (same custom resources and inputs, same mocks), ${os.cpus().length} cores, node ${process.version}${NODE_FLAGS.length ? ` ${NODE_FLAGS.join(" ")}` : ""}, medians`);
    compare(1, runs);
    compare(10, Math.max(1, Math.ceil(runs / 2)));
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
