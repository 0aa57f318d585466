// `npm run bench`: figures, not pass/fail. It measures `plan` for prod at the real scale and at 10x the catalog
// (wall time and peak RSS of the whole process, with a breakdown of where the time goes), then runs every other
// benchmark script in tools/ (tools/bench-*.ts), each of which prints its own figures.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const projectDir = path.resolve(__dirname, "..");

interface Sample {
    wallMs: number;
    peakRssMiB: number;
    phases: { startupMs: number; programMs: number; policiesMs: number; reportMs: number; resources: number };
}

function runPlan(scale: number): Sample {
    const out = path.join(os.tmpdir(), `bench-plan-${process.pid}.json`);
    const started = performance.now();
    const res = spawnSync(
        "/usr/bin/time",
        ["-f", "PEAK_RSS_KB %M", process.execPath, path.join(projectDir, "tools", "run-bundled.cjs"), path.join("tools", "plan.ts"), "--stack", "prod", "--scale", String(scale), "--json", out],
        { cwd: projectDir, encoding: "utf8", env: { ...process.env, FINLEDGER_PLAN_TIMINGS: "1" }, maxBuffer: 256 * 1024 * 1024 },
    );
    const wallMs = performance.now() - started;
    fs.rmSync(out, { force: true });
    if (res.status !== 0 && res.status !== 1) throw new Error(`plan --scale ${scale} failed (${res.status}):\n${res.stderr}`);
    const rss = /PEAK_RSS_KB (\d+)/.exec(res.stderr);
    const timings = /PLAN_TIMINGS (\{.*\})/.exec(res.stderr);
    if (!rss || !timings) throw new Error(`plan printed no timings:\n${res.stderr.slice(-2000)}`);
    return { wallMs, peakRssMiB: Number(rss[1]) / 1024, phases: JSON.parse(timings[1]) };
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function benchPlan(scale: number, runs: number) {
    const samples = Array.from({ length: runs }, () => runPlan(scale));
    const m = (f: (s: Sample) => number) => median(samples.map(f));
    return {
        scale,
        runs,
        resources: samples[0].phases.resources,
        wallMs: m((s) => s.wallMs),
        peakRssMiB: m((s) => s.peakRssMiB),
        startupMs: m((s) => s.phases.startupMs),
        programMs: m((s) => s.phases.programMs),
        policiesMs: m((s) => s.phases.policiesMs),
        reportMs: m((s) => s.phases.reportMs),
    };
}

function main(): void {
    const runs = Number(process.env.BENCH_RUNS ?? "3");
    console.log(`plan benchmark on ${os.cpus().length} cores, node ${process.version}, median of ${runs} runs (10x: median of ${Math.max(1, Math.ceil(runs / 2))})`);
    const one = benchPlan(1, runs);
    const ten = benchPlan(10, Math.max(1, Math.ceil(runs / 2)));
    const row = (r: ReturnType<typeof benchPlan>) =>
        `  prod x${String(r.scale).padEnd(3)} ${String(r.resources).padStart(6)} resources  wall ${(r.wallMs / 1000).toFixed(2)} s  peak RSS ${r.peakRssMiB.toFixed(0)} MiB  ` +
        `(startup+compile ${(r.startupMs / 1000).toFixed(2)} s, program under mocks ${(r.programMs / 1000).toFixed(2)} s, policies ${(r.policiesMs / 1000).toFixed(2)} s, report ${(r.reportMs / 1000).toFixed(2)} s)`;
    console.log(row(one));
    console.log(row(ten));
    const variable = (r: ReturnType<typeof benchPlan>) => r.wallMs - r.startupMs;
    console.log(
        `  growth x10: resources x${(ten.resources / one.resources).toFixed(1)}, wall x${(ten.wallMs / one.wallMs).toFixed(2)}, ` +
            `wall after startup x${(variable(ten) / variable(one)).toFixed(2)}, peak RSS x${(ten.peakRssMiB / one.peakRssMiB).toFixed(2)}`,
    );
    console.log(`  targets: prod x1 within 10 s and 1.5 GiB -> ${one.wallMs <= 10000 && one.peakRssMiB <= 1536 ? "met" : "NOT met"}; x10 no faster than linear -> ${variable(ten) / variable(one) <= 10 * 1.1 ? "met" : "NOT met"}`);

    const others = fs.readdirSync(__dirname).filter((f) => /^bench-.+\.ts$/.test(f)).sort();
    for (const script of others) {
        console.log(`\n== ${script} ==`);
        const res = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, script)], { cwd: projectDir, stdio: "inherit" });
        if (res.status !== 0) {
            console.error(`${script} failed with status ${res.status}`);
            process.exitCode = 1;
        }
    }
}

main();
