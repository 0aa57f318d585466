// `npm run bench` (tools/bench.ts runs this): what secret retrieval adds to an Airflow task start. Real Airflow 2.11
// from the test venv, one fresh Python process per task start (as the KubernetesExecutor runs each task), round-robin
// over three variants so that machine load hits them alike:
//   none  - Airflow starts (import, settings, ORM mappers) and reads nothing;
//   old   - then one connection and one variable through SecretsManagerBackend with the IRSA web-identity chain,
//           against moto on loopback (STS + Secrets Manager);
//   files - then the same connection and variable from ESO-rendered files through FinLedgerFileBackend.
// It prints medians, n and the ratio, and a modelled AWS figure for the old path with its assumptions.
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildAirflowBackendEnv, buildAirflowBackendKwargs } from "../components/airflow";
import { airflowConnectionFromSecret } from "../components/airflow-connections";
import { buildAirflowLocalSettings, buildSecretsBackendModule, SECRETS_MODULE_FILE } from "../components/airflow-local-settings";
import { buildTaskConfigEnv, SECRET_FILES_DIR } from "../components/airflow-task-pod";
import { FAKE_AWS_ENV, startMoto, VENV } from "../test/support/moto";

const projectDir = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_TASK_RUNS ?? "10");
const CONN = "pg_bench_ro";
const VAR = "bench_flag";
/** Planning values for the network the old path adds in AWS; the probe replaces them with measured ones. */
const AWS_ASSUMPTIONS = {
    stsAssumeRoleWithWebIdentityMs: [60, 100],
    tlsHandshakeToSecretsManagerMs: [20, 40],
    getSecretValueMs: [15, 30],
} as const;

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Sample {
    wallMs: number;
    startupMs: number;
    retrievalMs: number;
}

function runTask(env: NodeJS.ProcessEnv, lookups: boolean): Sample {
    const input = { phase: "bench", connections: lookups ? [CONN] : [], variables: lookups ? [VAR] : [] };
    const started = performance.now();
    const res = spawnSync(path.join(VENV, "bin", "python"), [path.join(projectDir, "test", "python", "airflow_task.py")], { env: { ...env, TASK_INPUT: JSON.stringify(input) }, encoding: "utf8", timeout: 120_000 });
    const wallMs = performance.now() - started;
    if (res.status !== 0) throw new Error(`airflow_task.py failed:\n${res.stderr.slice(-3000)}`);
    const out = JSON.parse(res.stdout.trim().split("\n").pop()!);
    if (out.failed.length > 0) throw new Error(`lookups failed: ${out.failed.join(", ")}\n${out.log.join("\n")}`);
    return { wallMs, startupMs: out.startupMs, retrievalMs: out.retrievalMs };
}

async function main(): Promise<void> {
    if (!fs.existsSync(path.join(VENV, "bin", "python"))) throw new Error(`${VENV} is missing; run bash tools/test-env/setup.sh.`);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "bench-task-start-"));
    const moto = await startMoto();
    try {
        const password = randomBytes(18).toString("base64url");
        const stored = { host: "db.internal.example", port: 5432, dbname: "app", username: "bench_a", password, masterarn: "arn:aws:secretsmanager:us-east-1:000000000000:secret:m" };
        const flag = randomBytes(8).toString("hex");
        const roleArn = "arn:aws:iam::000000000000:role/fl-dev-wl-airflow-bench";

        // Old path: the secrets in moto, read as the role the task would assume.
        const fake = { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY };
        const sts = new STSClient({ endpoint: moto.endpoint, region: "us-east-1", credentials: fake });
        const c = (await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: "seed", WebIdentityToken: "seed.token.x" }))).Credentials!;
        const sm = new SecretsManagerClient({ endpoint: moto.endpoint, region: "us-east-1", credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken } });
        await sm.send(new CreateSecretCommand({ Name: `dev/airflow/connections/${CONN}`, SecretString: JSON.stringify(airflowConnectionFromSecret("postgres-password", stored)) }));
        await sm.send(new CreateSecretCommand({ Name: `dev/airflow/variables/${VAR}`, SecretString: flag }));
        const tokenFile = path.join(home, "token");
        fs.writeFileSync(tokenFile, ["eyJhbGciOiJSUzI1NiJ9", Buffer.from(JSON.stringify({ sub: "system:serviceaccount:airflow-bench:bench-tasks" })).toString("base64url"), "sig"].join("."));

        // New path: the files ESO would render, where the task's backend reads them.
        const filesRoot = path.join(home, "secrets");
        const write = (rel: string, body: string) => {
            fs.mkdirSync(path.dirname(path.join(filesRoot, rel)), { recursive: true });
            fs.writeFileSync(path.join(filesRoot, rel), body, { mode: 0o440 });
        };
        const now = String(Math.floor(Date.now() / 1000));
        write(`connections/${CONN}.json`, JSON.stringify({ [CONN]: airflowConnectionFromSecret("postgres-password", stored) }));
        write(`connections/${CONN}.synced-at`, now);
        write(`variables/${VAR}.json`, JSON.stringify({ [VAR]: flag }));
        write(`variables/${VAR}.synced-at`, now);

        fs.mkdirSync(path.join(home, "config"));
        const group = { workloadId: "airflow-bench", namespace: "airflow-bench", serviceAccount: "bench-tasks", podOverride: {} };
        fs.writeFileSync(path.join(home, "config", "airflow_local_settings.py"), buildAirflowLocalSettings({ domains: {}, defaultGroup: group }));
        fs.writeFileSync(path.join(home, "config", SECRETS_MODULE_FILE), buildSecretsBackendModule());
        const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_") && !k.startsWith("AIRFLOW")));
        const common = { ...inherited, AIRFLOW_CONN_BENCH_WARMUP: "generic://warmup@warmup.example", AIRFLOW_HOME: home, AIRFLOW__CORE__LOAD_EXAMPLES: "False", AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(home, "airflow.db")}` };
        const filesEnv: Record<string, string> = { ...common, ...buildTaskConfigEnv({ connections: [CONN], variables: [VAR], maxFileAgeSeconds: 3600 }) };
        filesEnv.AIRFLOW__SECRETS__BACKEND_KWARGS = filesEnv.AIRFLOW__SECRETS__BACKEND_KWARGS.replace(SECRET_FILES_DIR, filesRoot);
        filesEnv.PYTHONPATH = path.join(home, "config");
        const kwargs = buildAirflowBackendKwargs({ environment: "dev", region: "us-east-1", connections: [CONN], variables: [VAR] });
        const oldEnv = {
            ...common,
            ...buildAirflowBackendEnv(kwargs),
            AIRFLOW__FINLEDGER__MANAGED_CONNECTIONS_PATTERN: kwargs.connections_lookup_pattern!,
            AIRFLOW__FINLEDGER__MANAGED_VARIABLES_PATTERN: kwargs.variables_lookup_pattern!,
            AWS_ROLE_ARN: roleArn,
            AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
            AWS_ROLE_SESSION_NAME: "bench",
            AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
            AWS_ENDPOINT_URL_STS: moto.endpoint,
            AWS_DEFAULT_REGION: "us-east-1",
        };

        const variants: [string, NodeJS.ProcessEnv, boolean][] = [
            ["none", filesEnv, false],
            ["old", oldEnv, true],
            ["files", filesEnv, true],
        ];
        runTask(filesEnv, true); // warm the OS file cache and Python's bytecode cache once, uncounted
        runTask(oldEnv, true);
        const samples = new Map<string, Sample[]>(variants.map(([n]) => [n, []]));
        for (let i = 0; i < RUNS; i++) for (const [name, env, lookups] of variants) samples.get(name)!.push(runTask(env, lookups));

        const m = (name: string, f: (s: Sample) => number) => median(samples.get(name)!.map(f));
        console.log(`task-start benchmark: Airflow 2.11 (.venv-test), fresh process per task, round-robin, n=${RUNS} per variant, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)}`);
        for (const [name] of variants) {
            console.log(
                `  ${name.padEnd(5)}  retrieval median ${m(name, (s) => s.retrievalMs).toFixed(1).padStart(7)} ms   Airflow start-up median ${m(name, (s) => s.startupMs).toFixed(0).padStart(5)} ms   whole process median ${m(name, (s) => s.wallMs).toFixed(0).padStart(5)} ms`,
            );
        }
        const oldMs = m("old", (s) => s.retrievalMs);
        const filesMs = m("files", (s) => s.retrievalMs);
        console.log(`  retrieval added at task start (1 connection + 1 variable): old ${oldMs.toFixed(1)} ms, files ${filesMs.toFixed(1)} ms, ratio old/files x${(oldMs / filesMs).toFixed(1)}`);
        console.log(
            `  whole process vs no lookup: old +${(m("old", (s) => s.wallMs) - m("none", (s) => s.wallMs)).toFixed(0)} ms, files +${(m("files", (s) => s.wallMs) - m("none", (s) => s.wallMs)).toFixed(0)} ms (noisier: includes start-up jitter)`,
        );
        console.log(`  target: files path adds at most 50 ms on average -> ${filesMs <= 50 ? "met" : "NOT met"} (${filesMs.toFixed(1)} ms median)`);
        const a = AWS_ASSUMPTIONS;
        const lo = oldMs + a.stsAssumeRoleWithWebIdentityMs[0] + a.tlsHandshakeToSecretsManagerMs[0] + 2 * a.getSecretValueMs[0];
        const hi = oldMs + a.stsAssumeRoleWithWebIdentityMs[1] + a.tlsHandshakeToSecretsManagerMs[1] + 2 * a.getSecretValueMs[1];
        console.log(
            `  modelled in AWS: old ${lo.toFixed(0)}-${hi.toFixed(0)} ms = measured ${oldMs.toFixed(0)} ms (boto3 import, client build, loopback calls) + assumed STS AssumeRoleWithWebIdentity ${a.stsAssumeRoleWithWebIdentityMs.join("-")} ms ` +
                `+ TLS handshake ${a.tlsHandshakeToSecretsManagerMs.join("-")} ms + 2 x GetSecretValue ${a.getSecretValueMs.join("-")} ms (planning values, not measured); files: unchanged, no network call.`,
        );
    } finally {
        await moto.stop();
        fs.rmSync(home, { recursive: true, force: true });
    }
}

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
