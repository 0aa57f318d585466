import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildEnvironmentKeyPolicy } from "../../components/environment-key";
import { InputFileError, readPolicyInput } from "../../tools/check/targets";
import { PolicyTarget, runPolicies } from "../../tools/policy-runner";
import { PROJECT_DIR } from "../support/plan-cli";
import { ACCOUNTS, stackExportOf, target } from "../support/policy-fixtures";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET_ENVELOPE = () => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "djE6Y2lwaGVydGV4dA==" });
const DEV = ACCOUNTS.dev;
const KEY_ARN = `arn:aws:kms:us-east-1:${DEV}:key/mrk-0123456789abcdef0123456789abcdef`;

function runCheck(args: string[]) {
    const res = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "tools", "policy-check.ts"), ...args], { cwd: PROJECT_DIR, encoding: "utf8" });
    return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** A small dev stack that satisfies every rule: pinned provider, key, secret with rotation, audit trail. */
function compliantStack(): PolicyTarget[] {
    const secretArn = `arn:aws:secretsmanager:us-east-1:${DEV}:secret:dev/snowflake/dbt/finance-AbCdEf`;
    const provider = target("pulumi:providers:aws", "fl-dev-aws", { allowedAccountIds: JSON.stringify([DEV]), region: "us-east-1" });
    const key = target("aws:kms/key:Key", "fl-dev-secrets-key", {
        enableKeyRotation: true,
        customerMasterKeySpec: "SYMMETRIC_DEFAULT",
        policy: JSON.stringify(buildEnvironmentKeyPolicy({ accountId: DEV, region: "us-east-1", administratorRoleNames: ["fl-dev-platform-key-admin"] })),
    }, { outputs: { arn: KEY_ARN, id: "mrk-0123456789abcdef0123456789abcdef" } });
    const tags = { criticality: "critical", "rotation-days": "30", "rotation-strategy": "snowflake-key-pair", "catalog-name": "snowflake/dbt/finance" };
    const secret = target("aws:secretsmanager/secret:Secret", "finance-secret", { name: "dev/snowflake/dbt/finance", kmsKeyId: KEY_ARN, tags }, { outputs: { id: secretArn, arn: secretArn, name: "dev/snowflake/dbt/finance", kmsKeyId: KEY_ARN, tags } });
    const rotation = target("aws:secretsmanager/secretRotation:SecretRotation", "finance-rotation", { secretId: secretArn, rotationRules: { automaticallyAfterDays: 30 } });
    const bucket = target("aws:s3/bucketV2:BucketV2", "audit-logs", { bucket: "fl-dev-audit-logs", objectLockEnabled: true });
    const lock = target("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "audit-lock", { bucket: "fl-dev-audit-logs", rule: { defaultRetention: { mode: "COMPLIANCE", days: 400 } } });
    const trail = target("aws:cloudtrail/trail:Trail", "audit", { isMultiRegionTrail: true, enableLogFileValidation: true, kmsKeyId: KEY_ARN, s3BucketName: "fl-dev-audit-logs" });
    for (const t of [key, secret, rotation, bucket, lock, trail]) (t as any).provider = `${provider.urn}::fl-dev-aws-4ccf3d62`;
    return [provider, key, secret, rotation, bucket, lock, trail];
}

describe("npm run policy:check", function () {
    this.timeout(120_000);
    let dir: string;
    before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-"))));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, content: unknown) => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
        return file;
    };

    it("exits 0 on a compliant stack export and writes the plan's report shape", () => {
        const file = write("ok.json", stackExportOf(compliantStack()));
        const out = path.join(dir, "ok-report.json");
        const res = runCheck([file, "--json", out]);
        assert.equal(res.status, 0, res.stdout + res.stderr);
        const report = JSON.parse(fs.readFileSync(out, "utf8"));
        assert.deepEqual(Object.keys(report).sort(), ["resources", "stack", "summary", "violations"]);
        assert.equal(report.summary.secretCount, 1);
        assert.match(res.stdout, /Policy violations: none/);
    });

    it("puts a stack-wide violation on the stack resource in every resource order, and honours an exemption for it given with --policy-pack-config", () => {
        const stack = target("pulumi:pulumi:Stack", "finledger-secrets-platform-dev", {});
        const withoutTrail = [stack, ...compliantStack().filter((t) => t.type !== "aws:cloudtrail/trail:Trail")];
        const orders = [withoutTrail, [...withoutTrail].reverse(), [withoutTrail[3], withoutTrail[0], ...withoutTrail.slice(4), withoutTrail[1], withoutTrail[2]]];
        for (const [i, order] of orders.entries()) {
            const out = path.join(dir, `order-${i}.json`);
            const res = runCheck([write(`order-${i}-export.json`, stackExportOf(order)), "--json", out]);
            assert.equal(res.status, 1, res.stdout + res.stderr);
            const report = JSON.parse(fs.readFileSync(out, "utf8"));
            assert.deepEqual(report.violations.map((v: any) => [v.policy, v.urn]), [["cloudtrail-trail-audit-baseline", stack.urn]]);
        }
        const config = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "policies", "pack-config.json"), "utf8"));
        config["cloudtrail-trail-audit-baseline"] = { exemptions: [{ policy: "cloudtrail-trail-audit-baseline", urn: stack.urn, reason: "The trail lives in the audit account's stack (CHG-2001)." }] };
        const configFile = write("pack-config.json", config);
        for (const [i, order] of orders.entries()) {
            const res = runCheck([write(`order-${i}-export.json`, stackExportOf(order)), "--policy-pack-config", configFile]);
            assert.equal(res.status, 0, res.stdout + res.stderr);
        }
        const missing = runCheck([write("x.json", stackExportOf(withoutTrail)), "--policy-pack-config", path.join(dir, "absent.json")]);
        assert.equal(missing.status, 2);
        assert.match(missing.stderr, /Cannot read the pack-config file .*absent\.json/);
    });

    it("exits 2 with a message naming the file for malformed JSON", () => {
        const file = write("broken.json", "{ \"deployment\": ");
        const res = runCheck([file]);
        assert.equal(res.status, 2);
        assert.match(res.stderr, /broken\.json is not valid JSON/);
    });

    it("exits 2 with usage when no file is given", () => {
        const res = runCheck([]);
        assert.equal(res.status, 2);
        assert.match(res.stderr, /Usage: npm run policy:check/);
    });

    it("reads a preview: unknowns are not violations, secrets become the placeholder, deletions are skipped", async () => {
        const [provider, key, secret] = compliantStack();
        const steps = [
            { op: "same", urn: provider.urn, newState: { urn: provider.urn, type: provider.type, custom: true, inputs: provider.inputs, outputs: provider.outputs } },
            { op: "create", urn: key.urn, newState: { urn: key.urn, type: key.type, custom: true, inputs: { ...key.inputs, policy: UNKNOWN }, outputs: {} } },
            { op: "create", urn: secret.urn, newState: { urn: secret.urn, type: secret.type, custom: true, inputs: { ...secret.inputs, kmsKeyId: UNKNOWN }, outputs: {} } },
            { op: "create", urn: secret.urn.replace("finance-secret", "cm"), newState: { urn: secret.urn.replace("aws:secretsmanager/secret:Secret::finance-secret", "kubernetes:core/v1:ConfigMap::cm"), type: "kubernetes:core/v1:ConfigMap", custom: true, inputs: { data: { password: SECRET_ENVELOPE() } }, outputs: {} } },
            { op: "delete", urn: "urn:pulumi:dev::finledger-secrets-platform::kubernetes:core/v1:Secret::old", oldState: { urn: "urn:pulumi:dev::finledger-secrets-platform::kubernetes:core/v1:Secret::old", type: "kubernetes:core/v1:Secret", inputs: { stringData: { a: "b" } } } },
        ];
        const input = readPolicyInput(write("preview.json", { steps, diagnostics: [], changeSummary: { create: 3, same: 1, delete: 1 } }));
        assert.equal(input.format, "preview");
        assert.equal(input.stack, "dev");
        assert.equal(input.targets.length, 4);
        const cm = input.targets.find((t) => t.type === "kubernetes:core/v1:ConfigMap")!;
        assert.deepEqual(cm.inputs, { data: { password: "[secret]" } });
        assert.equal(input.targets.find((t) => t.type === "aws:kms/key:Key")!.hasUnknowns, true);
    });

    it("handles a rule that reads an unknown value as the engine does: an advisory note, never a failure", async () => {
        const reader = { name: "test-reads-kms-key", description: "Reads kmsKeyId.", enforcementLevel: "mandatory" as const, validateResource: (args: any, report: (m: string) => void) => {
            if (args.props.kmsKeyId === "") report("empty");
        } };
        const t = { ...target("aws:secretsmanager/secret:Secret", "s", { kmsKeyId: UNKNOWN }), hasUnknowns: true };
        const violations = await runPolicies([t], [reader]);
        assert.deepEqual(violations.map((v) => [v.level, v.message]), [["advisory", "can't run policy 'test-reads-kms-key' during preview: string value at .kmsKeyId can't be known during preview"]]);
    });

    it("rejects malformed documents with a message that names the file and the place", () => {
        const cases: Array<[unknown, RegExp]> = [
            [[1, 2], /is not a JSON object/],
            [{ hello: 1 }, /neither 'deployment' .* nor 'steps'/],
            [{ version: 2, deployment: { resources: [] } }, /version 2; policy:check reads version 3/],
            [{ version: 3, deployment: { resources: {} } }, /deployment\.resources is not an array/],
            [{ version: 3, deployment: { resources: [{ type: "aws:s3/bucketV2:BucketV2" }] } }, /deployment\.resources\[0\] has no valid urn/],
            [{ version: 3, deployment: { resources: [{ urn: "urn:pulumi:dev::p::t::n" }] } }, /has no type/],
            [{ version: 3, deployment: { resources: [{ urn: "urn:pulumi:dev::p::t::n", type: "t", inputs: [] }] } }, /inputs that are not an object/],
            [{ steps: [{ op: "create", newState: "x" }] }, /steps\[0\]\.newState is not an object/],
            [{ version: 3, deployment: { resources: [{ urn: "urn:pulumi:dev::p::t::a", type: "t" }, { urn: "urn:pulumi:prod::p::t::b", type: "t" }] } }, /mixes resources of stacks dev, prod/],
        ];
        cases.forEach(([doc, message], i) => {
            const file = write(`bad-${i}.json`, doc);
            assert.throws(() => readPolicyInput(file), (err: Error) => err instanceof InputFileError && message.test(err.message) && err.message.includes(`bad-${i}.json`), `case ${i}`);
        });
        assert.throws(() => readPolicyInput(path.join(dir, "missing.json")), /Cannot read .*missing\.json: ENOENT/);
    });
});
