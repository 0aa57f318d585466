// The Pulumi engine starts a TypeScript policy pack through @pulumi/pulumi's own launcher (cmd/run-policy-pack, run by
// the Node.js language host with PULUMI_NODEJS_TYPESCRIPT=true in the pack's folder). The launcher type-checks the pack
// with ts-node and its own compiler defaults unless the pack's folder has a tsconfig.json; under the real engine the
// pack once failed to start that way (docs/policies.md, "Under the real engine"). This test runs that launcher.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import path from "node:path";

const REPO = path.resolve(__dirname, "..", "..");
const PACK = path.join(REPO, "policies");
const LAUNCHER = path.join(REPO, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");

/** Starts the launcher as the language host does; resolves with the first stdout line, or rejects with stderr. */
function startPack(): Promise<string> {
    return new Promise((resolve, reject) => {
        // The engine address is only dialled when the engine calls the pack; nothing listens on port 1.
        const child = spawn(process.execPath, [LAUNCHER, "127.0.0.1:1", PACK], {
            cwd: PACK, env: { ...process.env, PULUMI_NODEJS_TYPESCRIPT: "true" }, stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => {
            stdout += chunk;
            if (stdout.includes("\n")) {
                child.kill();
                resolve(stdout.split("\n")[0]);
            }
        });
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("exit", (code) => reject(new Error(`the launcher exited (${code}) before the pack served:\n${stderr}`)));
    });
}

describe("the policy pack under the engine's own TypeScript launcher", () => {
    it("type-checks and serves the pack from policies/ (it prints the analyzer's port)", async () => {
        const firstLine = await startPack();
        assert.match(firstLine.trim(), /^\d+$/, `expected the analyzer's port, got: ${firstLine}`);
    });
});
