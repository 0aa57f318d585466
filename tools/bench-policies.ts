// `npx tsx tools/bench-policies.ts [--resources 10000]`
// Prints (1) detection quality of the plaintext-secret rule against a corpus generated at run time, next to the
// secretlint recommended preset alone, and (2) the whole pack's cost per resource on a synthetic stack export,
// with the ratio to a plain JSON.parse of the same file and the time per rule.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { buildEnvironmentKeyPolicy } from "../components/environment-key";
import { buildSecretResourcePolicy, secretReadStatements } from "../components/managed-secret";
import { findPlaintextSecrets, secretlintBatch } from "../policies/inspect/secret-detectors";
import { collectStrings } from "../policies/inspect/values";
import { policies } from "../policies/registry";
import { readPolicyInput } from "./check/targets";
import { loadPackConfig } from "./pack-config";
import { runPolicies } from "./policy-runner";
import { buildCorpus, seededRandom } from "./secret-corpus";

const ACCOUNT = "402817365190";
const REGION = "us-east-1";
const ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/5C8A3F1B2E9D4A7C6B0F1E2D3C4B5A69";
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/mrk-0123456789abcdef0123456789abcdef`;

function median(values: number[]): number {
    const s = [...values].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
}

async function detectionQuality(): Promise<void> {
    const corpus = buildCorpus(200, 2026);
    const count = { tp: 0, fn: 0, fp: 0, tn: 0, presetTp: 0, presetFp: 0 };
    for (const e of corpus) {
        const pack = (await findPlaintextSecrets(collectStrings({ [e.key]: e.value }))).length > 0;
        const preset = (await secretlintBatch([e.value])).size > 0;
        if (e.secret) {
            if (pack) count.tp++;
            else count.fn++;
            if (preset) count.presetTp++;
        } else {
            if (pack) count.fp++;
            else count.tn++;
            if (preset) count.presetFp++;
        }
    }
    const positives = count.tp + count.fn;
    const negatives = count.fp + count.tn;
    console.log(`Detection quality (${positives} secret-shaped values of 17 kinds, ${negatives} benign platform values of 20 kinds, generated at run time):`);
    console.log(`  pack (secretlint preset + estate detectors): recall ${((100 * count.tp) / positives).toFixed(1)}%, false-positive rate ${((100 * count.fp) / negatives).toFixed(2)}%`);
    console.log(`  secretlint recommended preset alone:         recall ${((100 * count.presetTp) / positives).toFixed(1)}%, false-positive rate ${((100 * count.presetFp) / negatives).toFixed(2)}%`);
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
    console.log(`  read + unwrap + all ${policies.length} rules: ${total.toFixed(0)} ms = ${(total / n).toFixed(3)} ms/resource (target <= 1 ms), ${violations} violations`);
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

main().catch((err) => {
    console.error(err);
    process.exit(1);
});
