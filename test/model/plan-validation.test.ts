// Every check that used to run while the stack was being built now runs on the model first. Through `npm run plan`
// each one exits 2 with the file and the key, and no stack trace.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { copyProject, runPlanIn } from "../support/plan-cli";

function edit(file: string, from: string, to: string): void {
    const text = fs.readFileSync(file, "utf8");
    assert.ok(text.includes(from), `${file} no longer contains ${JSON.stringify(from)}; update this test`);
    fs.writeFileSync(file, text.replace(from, to));
}

function assertRefused(res: { status: number; stdout: string; stderr: string }, message: RegExp): void {
    assert.strictEqual(res.status, 2, `expected exit 2, got ${res.status}:\n${res.stderr.slice(-2000)}`);
    assert.match(res.stderr, message);
    assert.doesNotMatch(res.stderr, /^\s+at .+:\d+:\d+\)?$/m, "the error printed a stack trace");
    assert.doesNotMatch(res.stdout, /Resources by type/, "the plan went on to build resources");
}

describe("npm run plan refuses an invalid environment model before any resource", function () {
    this.timeout(300_000);
    let dir: string;
    beforeEach(() => (dir = copyProject()));
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("names both catalog entries when two secrets map to one resource name", () => {
        const file = path.join(dir, "catalog", "platform.yaml");
        edit(file, "secrets:\n", "secrets:\n- name: platform/eso/canary\n  kind: api-token\n  description: A look-alike of the canary that maps to its resource name.\n  owner: team-data-platform\n  criticality: standard\n  rotation: { strategy: manual, days: 180 }\n  environments: [dev]\n  consumers: []\n");
        assertRefused(runPlanIn(dir, ["--stack", "dev"]), /catalog\/platform\.yaml: secret '(platform\/eso-canary|platform\/eso\/canary)' maps to the resource name 'platform-eso-canary' of '(platform\/eso\/canary|platform\/eso-canary)'/);
    });

    it("names the stack file and the rollout keys when the grace rule breaks", () => {
        // A week-long task and a weekly rotation: the old credential would expire under a running task.
        edit(path.join(dir, "Pulumi.dev.yaml"), "longestTaskSeconds: 21600", "longestTaskSeconds: 604800");
        edit(path.join(dir, "catalog", "airflow-ledger.yaml"), "    strategy: postgres-alternating-users\n    days: 30", "    strategy: postgres-alternating-users\n    days: 7");
        assertRefused(runPlanIn(dir, ["--stack", "dev"]), /Pulumi\.dev\.yaml: key 'finledger:rotation\.rollout \/ finledger:runtime\.refreshInterval': found Secret '[^']+' rotates every \d+ days/);
    });

    it("names the catalog file when the latency probe's canary is missing in an environment", () => {
        edit(path.join(dir, "catalog", "platform.yaml"), "  environments: [dev, staging, prod]\n  consumers: []\n- name: platform/pagerduty-routing-key", "  environments: [staging, prod]\n  consumers: []\n- name: platform/pagerduty-routing-key");
        assertRefused(runPlanIn(dir, ["--stack", "dev"]), /catalog\/platform\.yaml: secrets: no secret 'platform\/eso-canary' exists in dev; the latency probe reads it/);
    });

    it("names a Kafka user slot that collides with a catalog secret", () => {
        const kafka = fs.readdirSync(path.join(dir, "catalog")).map((f) => path.join(dir, "catalog", f)).find((f) => /name: AmazonMSK_kafka\//.test(fs.readFileSync(f, "utf8")))!;
        const name = /name: (AmazonMSK_kafka\/[^\s]+)/.exec(fs.readFileSync(kafka, "utf8"))![1]!;
        edit(kafka, "secrets:\n", `secrets:\n- name: ${name}/user-a\n  kind: kafka-scram\n  description: A catalog secret named like a user slot of another.\n  owner: team-data-platform\n  criticality: critical\n  rotation: { strategy: kafka-scram-alternating-users, days: 30 }\n  environments: [dev]\n  consumers: []\n`);
        assertRefused(runPlanIn(dir, ["--stack", "dev"]), /secret '[^']+\/user-a'( \(a user slot of '[^']+'\))? maps to the resource name/);
    });
});
