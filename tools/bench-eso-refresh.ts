// `npm run bench` (tools/bench.ts runs this): the refresh function's own share of the event bound
// (EVENT_REFRESH_BOUND_SECONDS). The deployed bundle runs in a fresh Node process per sample, as a cold Lambda would:
// load the bundle, read its table, sign an EKS token, and PATCH force-sync on every ExternalSecret of the prod secret
// with the most of them, against a loopback server that answers as the Kubernetes API does. Then warm invocations in
// the same process. Not measured here: Lambda's own cold start, the network to EKS, and ESO's reconcile after the
// annotation change; those use the rest of the bound.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { functionBundle } from "../functions/bundle";
import { loadCatalog } from "../model/catalog";
import { parseEnvironmentConfig, readStackFile } from "../model/config";
import { planEnvironment } from "../model/environment";
import { EVENT_REFRESH_BOUND_SECONDS, TARGETS_FILE } from "../model/event-refresh";
import { planRefreshTargets } from "../stacks/refresh";
import { FAKE_AWS_ENV } from "../test/support/moto";

const projectDir = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_REFRESH_RUNS ?? "11");

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Runs in the child: cold = load + first invocation; then five warm invocations.
const CHILD = `
const t0 = performance.now();
const fn = require(process.env.BUNDLE);
const event = JSON.parse(process.env.EVENT);
(async () => {
  const r = await fn.handler({ ...event, id: "cold" });
  const cold = performance.now() - t0;
  const warm = [];
  for (let i = 0; i < 5; i++) { const s = performance.now(); await fn.handler({ ...event, id: "warm" + i }); warm.push(performance.now() - s); }
  process.stdout.write("RESULT " + JSON.stringify({ cold, warm, patched: r.patched.length }) + "\\n");
})().catch((e) => { console.error(e); process.exit(1); });
`;

async function main(): Promise<void> {
    const model = planEnvironment(parseEnvironmentConfig(readStackFile(projectDir, "prod")), loadCatalog(path.join(projectDir, "catalog")));
    const targets = planRefreshTargets(model.catalog, (n) => model.secretsByName.get(n)?.fullName);
    const [secret, list] = Object.entries(targets).sort((a, b) => b[1].length - a[1].length)[0];
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-eso-refresh-"));
    let patches = 0;
    const server = http.createServer((req, res) => {
        req.resume();
        req.on("end", () => {
            patches++;
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end('{"kind":"ExternalSecret"}');
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
        fs.copyFileSync(functionBundle("eso-refresh").file, path.join(dir, "index.js"));
        fs.writeFileSync(path.join(dir, TARGETS_FILE), JSON.stringify(targets));
        const event = { detail: { additionalEventData: { SecretId: `arn:aws:secretsmanager:${model.config.region}:${model.config.accountId}:secret:${secret}-AbCdEf` }, eventName: "RotationSucceeded" } };
        const env = {
            ...process.env,
            ...FAKE_AWS_ENV,
            BUNDLE: path.join(dir, "index.js"),
            EVENT: JSON.stringify(event),
            CLUSTER_NAME: model.config.cluster.name,
            CLUSTER_ENDPOINT: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
            CLUSTER_CA: "",
        };
        const cold: number[] = [];
        const warm: number[] = [];
        for (let i = 0; i < RUNS; i++) {
            // Asynchronous, so this process's server answers while the child runs.
            const out = await new Promise<string>((resolve, reject) => {
                const child = spawn(process.execPath, ["-e", CHILD], { env, stdio: ["ignore", "pipe", "inherit"] });
                let text = "";
                child.stdout.on("data", (c: Buffer) => (text += c.toString()));
                child.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`the bundle failed (exit ${code})`))));
            });
            const r = JSON.parse(/RESULT (.*)/.exec(out)![1]);
            if (r.patched !== list.length) throw new Error(`the bundle patched ${r.patched} ExternalSecrets, expected ${list.length}`);
            cold.push(r.cold);
            warm.push(...r.warm);
        }
        const node = spawnSync(process.execPath, ["--version"], { encoding: "utf8" }).stdout.trim();
        console.log(`\nEvent-driven ESO refresh, the function's share (bundle on Node ${node}, ${os.cpus().length} cores, loopback Kubernetes API):`);
        console.log(`  secret with the most ExternalSecrets in prod: ${secret} (${list.length})`);
        console.log(`  cold: load bundle + table + EKS token + ${list.length} PATCHes: median ${median(cold).toFixed(1)} ms (n=${cold.length}, min ${Math.min(...cold).toFixed(1)}, max ${Math.max(...cold).toFixed(1)})`);
        console.log(`  warm invocation: median ${median(warm).toFixed(1)} ms (n=${warm.length})`);
        console.log(`  share of the ${EVENT_REFRESH_BOUND_SECONDS} s bound used by the cold path: ${((median(cold) / 1000 / EVENT_REFRESH_BOUND_SECONDS) * 100).toFixed(2)} %`);
        console.log(`  PATCH requests answered: ${patches}`);
    } finally {
        server.close();
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
