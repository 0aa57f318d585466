// `npx tsx tools/bench-policies.ts [--resources 10000]`
// Prints (1) the pack's recall and false-positive rate per class on the generated corpus (tools/corpus/), in stack
// exports and previews, in one table with the secretlint recommended preset alone and detect-secrets (PyPI, pinned,
// installed on first run into the git-ignored .cache/bench-venv) over the same stack-export text, and (2) the whole
// pack's cost per resource on a synthetic stack export, with the ratio to a plain JSON.parse of the same file and
// the time per rule.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { buildEnvironmentKeyPolicy } from "../components/environment-key";
import { buildSecretResourcePolicy, secretReadStatements } from "../components/managed-secret";
import { secretlintBatch } from "../policies/inspect/secret-detectors";
import { policies } from "../policies/registry";
import { readPolicyInput } from "./check/targets";
import { loadPackConfig } from "./pack-config";
import { runPolicies } from "./policy-runner";
import { asStackExport, buildCorpusCases, CORPUS_CLASSES, CorpusCase } from "./corpus/cases";
import { evaluateCorpus } from "./corpus/evaluate";
import { seededRandom } from "./secret-corpus";

const ACCOUNT = "402817365190";
const REGION = "us-east-1";
const ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/5C8A3F1B2E9D4A7C6B0F1E2D3C4B5A69";
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/mrk-0123456789abcdef0123456789abcdef`;

function median(values: number[]): number {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}

/** Installs detect-secrets (PyPI, pinned) into a git-ignored venv once; returns its CLI, or undefined with the reason. */
function detectSecretsCli(): { cli?: string; why?: string } {
    const venv = path.join(__dirname, "..", ".cache", "bench-venv");
    const cli = path.join(venv, "bin", "detect-secrets");
    if (fs.existsSync(cli)) return { cli };
    const t0 = performance.now();
    const mk = spawnSync("python3", ["-m", "venv", venv], { encoding: "utf8" });
    if (mk.status !== 0) return { why: `python3 -m venv failed: ${mk.stderr.trim().split("\n").pop()}` };
    const pip = spawnSync(path.join(venv, "bin", "pip"), ["install", "--quiet", `detect-secrets==${DETECT_SECRETS_VERSION}`], { encoding: "utf8" });
    if (pip.status !== 0) return { why: `pip install detect-secrets failed: ${pip.stderr.trim().split("\n").pop()}` };
    console.log(`(installed detect-secrets ${DETECT_SECRETS_VERSION} into .cache/bench-venv in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    return { cli };
}

const DETECT_SECRETS_VERSION = "1.5.0";

/** Files detect-secrets flags, scanning every case's stack-export text in one run. */
function detectSecretsHits(cases: readonly CorpusCase[], cli: string): Set<number> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-detect-secrets-"));
    cases.forEach((c, i) => fs.writeFileSync(path.join(dir, `case-${i}.json`), JSON.stringify(asStackExport(c), null, 2)));
    const res = spawnSync(cli, ["scan", "--all-files", "."], { cwd: dir, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    fs.rmSync(dir, { recursive: true, force: true });
    if (res.status !== 0) throw new Error(`detect-secrets scan failed: ${res.stderr}`);
    const results = (JSON.parse(res.stdout).results ?? {}) as Record<string, unknown[]>;
    return new Set(Object.entries(results).filter(([, hits]) => hits.length > 0).map(([file]) => Number(/case-(\d+)\.json/.exec(file)?.[1])));
}

async function detectionQuality(): Promise<void> {
    const cases = buildCorpusCases(3, 2026);
    const packConfig = loadPackConfig(path.resolve(__dirname, ".."));
    const t0 = performance.now();
    const scores = await evaluateCorpus(cases, packConfig);
    const packMs = performance.now() - t0;
    const preset = new Set<number>();
    for (const [i, c] of cases.entries()) if ((await secretlintBatch([JSON.stringify(asStackExport(c), null, 2)])).size > 0) preset.add(i);
    const ds = detectSecretsCli();
    const dsHits = ds.cli ? detectSecretsHits(cases, ds.cli) : undefined;
    const bad = cases.filter((c) => c.bad).length;
    console.log(`Detection quality on a generated corpus: ${bad} bad cases and ${cases.length - bad} clean look-alikes in ${CORPUS_CLASSES.length} classes, every environment pair, built at run time.`);
    console.log("Pack: each case as a stack export and as a preview, its owning rule (clean cases: every resource rule too). Scanners: the stack-export text.");
    if (!dsHits) console.log(`detect-secrets not run: ${ds.why}`);
    const pct = (n: number, d: number) => (d === 0 ? "  n/a" : `${((100 * n) / d).toFixed(0).padStart(4)}%`);
    console.log(`  ${"class".padEnd(26)} ${"owning rule".padEnd(48)} | pack export  | pack preview | secretlint   | detect-secrets`);
    console.log(`  ${"".padEnd(26)} ${"".padEnd(48)} | recall  FP   | recall  FP   | recall  FP   | recall  FP`);
    const total = { pack: [0, 0, 0, 0], preset: [0, 0], ds: [0, 0] };
    for (const { cls, rule } of CORPUS_CLASSES) {
        const e = scores.find((s) => s.cls === cls && s.form === "stack-export")!;
        const p = scores.find((s) => s.cls === cls && s.form === "preview")!;
        const idx = cases.map((c, i) => [c, i] as const).filter(([c]) => c.cls === cls);
        const badIdx = idx.filter(([c]) => c.bad).map(([, i]) => i);
        const cleanIdx = idx.filter(([c]) => !c.bad).map(([, i]) => i);
        const count = (set: Set<number> | undefined, list: number[]) => (set ? list.filter((i) => set.has(i)).length : NaN);
        const sl = [count(preset, badIdx), count(preset, cleanIdx)];
        const dsc = [count(dsHits, badIdx), count(dsHits, cleanIdx)];
        total.pack[0] += e.caught + p.caught;
        total.pack[1] += e.bad + p.bad;
        total.pack[2] += e.flagged + p.flagged;
        total.pack[3] += e.clean + p.clean;
        total.preset[0] += sl[0];
        total.preset[1] += sl[1];
        total.ds[0] += dsc[0];
        total.ds[1] += dsc[1];
        const ds2 = dsHits ? `${pct(dsc[0], badIdx.length)} ${pct(dsc[1], cleanIdx.length)}` : "   -     -";
        console.log(`  ${cls.padEnd(26)} ${rule.padEnd(48)} | ${pct(e.caught, e.bad)} ${pct(e.flagged, e.clean)} | ${pct(p.caught, p.bad)} ${pct(p.flagged, p.clean)} | ${pct(sl[0], badIdx.length)} ${pct(sl[1], cleanIdx.length)} | ${ds2}`);
    }
    const clean = cases.length - bad;
    console.log(`  ${"all classes".padEnd(26)} ${"".padEnd(48)} | recall ${pct(total.pack[0], total.pack[1])}, FP ${pct(total.pack[2], total.pack[3])} (both forms) | secretlint ${pct(total.preset[0], bad)} / ${pct(total.preset[1], clean)} | detect-secrets ${dsHits ? `${pct(total.ds[0], bad)} / ${pct(total.ds[1], clean)}` : "-"}`);
    console.log(`  (pack over the corpus: ${(packMs / 1000).toFixed(1)} s for ${cases.length * 2} small stacks)`);
}

/** A synthetic stack export of about `n` resources shaped like the platform's own. */
export function syntheticExport(n: number): unknown {
    const rnd = seededRandom(99);
    const resources: unknown[] = [];
    const urn = (type: string, name: string) => `urn:pulumi:dev::finledger-secrets-platform::${type}::${name}`;
    const add = (type: string, name: string, inputs: Record<string, unknown>, outputs: Record<string, unknown> = inputs) => resources.push({ urn: urn(type, name), custom: true, type, inputs, outputs, dependencies: [], propertyDependencies: {} });
    add("pulumi:providers:aws", "fl-dev-aws", { allowedAccountIds: JSON.stringify([ACCOUNT]), region: REGION });
    add("aws:kms/key:Key", "fl-dev-secrets-key", { enableKeyRotation: true, customerMasterKeySpec: "SYMMETRIC_DEFAULT", policy: JSON.stringify(buildEnvironmentKeyPolicy({ accountId: ACCOUNT, region: REGION, administratorRoleNames: ["fl-dev-platform-key-admin"] })) });
    add("aws:s3/bucketV2:BucketV2", "audit-logs", { bucket: "fl-dev-audit-logs", objectLockEnabled: true });
    add("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "audit-lock", { bucket: "fl-dev-audit-logs", rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } } });
    add("aws:cloudtrail/trail:Trail", "audit", { isMultiRegionTrail: true, enableLogFileValidation: true, kmsKeyId: KEY_ARN, s3BucketName: "fl-dev-audit-logs" });
    for (let i = 0; resources.length < n; i++) {
        const name = `domain${i}/svc-${Math.floor(rnd() * 1e6)}`;
        const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:dev/${name}-AbCdEf`;
        const tags = { environment: "dev", criticality: i % 3 === 0 ? "critical" : "high", "rotation-strategy": "snowflake-key-pair", "rotation-days": "30", "catalog-name": name, owner: "data-platform", "managed-by": "pulumi" };
        add("aws:secretsmanager/secret:Secret", `s${i}`, { name: `dev/${name}`, description: `Credentials of ${name}`, kmsKeyId: KEY_ARN, recoveryWindowInDays: 7, tags }, { id: arn, arn, name: `dev/${name}`, kmsKeyId: KEY_ARN, tags });
        add("aws:secretsmanager/secretPolicy:SecretPolicy", `s${i}-policy`, { secretArn: arn, policy: JSON.stringify(buildSecretResourcePolicy(ACCOUNT)), blockPublicPolicy: true });
        add("aws:secretsmanager/secretRotation:SecretRotation", `s${i}-rotation`, { secretId: arn, rotationLambdaArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fl-dev-rot-snowflake-key-pair`, rotationRules: { automaticallyAfterDays: 30 } });
        const role = `fl-dev-wl-job-${i}`;
        add("aws:iam/role:Role", role, {
            name: role,
            assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}` }, Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { [`${ISSUER}:sub`]: `system:serviceaccount:dbt:job-${i}`, [`${ISSUER}:aud`]: "sts.amazonaws.com" } } }] }),
        });
        add("aws:iam/rolePolicy:RolePolicy", `${role}-read`, { role, policy: JSON.stringify({ Version: "2012-10-17", Statement: secretReadStatements(arn, KEY_ARN, REGION) }) });
        add("kubernetes:external-secrets.io/v1:ExternalSecret", `es${i}`, { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: `job-${i}`, namespace: "dbt" }, spec: { refreshInterval: "1h", secretStoreRef: { name: "aws-secrets", kind: "SecretStore" }, target: { name: `job-${i}` }, data: [{ secretKey: "private_key", remoteRef: { key: `dev/${name}`, property: "private_key" } }] } });
        if (i % 20 === 0) {
            add("kubernetes:helm.sh/v3:Release", `airflow-${i}`, { chart: "airflow", namespace: `airflow-d${i}`, values: { fernetKeySecretName: "airflow-fernet-key", env: [{ name: "AIRFLOW__SECRETS__BACKEND_KWARGS", value: JSON.stringify({ connections_prefix: "dev/airflow/connections", variables_prefix: "dev/airflow/variables" }) }], workers: { replicas: 2, resources: { requests: { cpu: "500m", memory: "1Gi" } } } } });
        }
    }
    return { version: 3, deployment: { manifest: { time: new Date(0).toISOString(), magic: "0", version: "v3.270.0" }, resources: resources.slice(0, n) } };
}

async function performanceFigures(n: number): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-policies-"));
    const file = path.join(dir, "export.json");
    fs.writeFileSync(file, JSON.stringify(syntheticExport(n)));
    const size = fs.statSync(file).size;
    const packConfig = loadPackConfig(path.resolve(__dirname, ".."));
    const parse: number[] = [];
    for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        JSON.parse(fs.readFileSync(file, "utf8"));
        parse.push(performance.now() - t0);
    }
    const whole: number[] = [];
    let violations = 0;
    for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const input = readPolicyInput(file);
        violations = (await runPolicies(input.targets, policies, packConfig)).length;
        whole.push(performance.now() - t0);
    }
    const targets = readPolicyInput(file).targets;
    const perRule: Array<[string, number]> = [];
    for (const p of policies) {
        const t0 = performance.now();
        await runPolicies(targets, [p], packConfig);
        perRule.push([p.name, performance.now() - t0]);
    }
    const total = median(whole);
    console.log(`\nWhole pack on a synthetic stack export of ${n} resources (${(size / 1e6).toFixed(1)} MB), median of 3 runs:`);
    console.log(`  read + unwrap + all ${policies.length} rules: ${total.toFixed(0)} ms = ${(total / n).toFixed(3)} ms/resource (budget 0.2 ms/resource: ${total / n <= 0.2 ? "met" : "NOT met"}), ${violations} violations`);
    console.log(`  plain JSON.parse of the same file: ${median(parse).toFixed(0)} ms (median of 5); pack / JSON.parse = ${(total / median(parse)).toFixed(1)}x`);
    console.log("  where the time goes (each rule alone, one run):");
    for (const [name, ms] of perRule.sort((a, b) => b[1] - a[1])) console.log(`    ${ms.toFixed(0).padStart(6)} ms  ${(ms / n).toFixed(3)} ms/resource  ${name}`);
    fs.rmSync(dir, { recursive: true, force: true });
}

async function main(): Promise<void> {
    const at = process.argv.indexOf("--resources");
    const n = at > 0 ? Number(process.argv[at + 1]) : 10_000;
    await detectionQuality();
    await performanceFigures(n);
}

// Only when run as a script: the synthetic export is also imported (by the profiler of the pack's hot rules).
if (require.main === module) {
    main().catch((err) => {
        console.error(err);
        process.exit(1);
    });
}
