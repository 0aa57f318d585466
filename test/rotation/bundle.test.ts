// The rotation bundles are deterministic: building the same sources twice gives byte-identical code (the same
// hash, so a deploy without a code change never updates a function), and a change in a source changes the hash.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { bundleHash, bundleInputsHash, buildFunctionBundles, FUNCTION_ENTRIES, functionBundles, LAMBDA_RUNTIME } from "../../functions/bundle";
import { LAMBDA_STRATEGIES } from "../../model/strategies";
import { PROJECT_DIR } from "../support/plan-cli";

describe("function bundles", function () {
    this.timeout(300_000);

    it("builds the same code, and so the same hash, from the same sources", () => {
        const a = buildFunctionBundles(PROJECT_DIR, ["postgres-alternating-users", "vendor-api"]);
        const b = buildFunctionBundles(PROJECT_DIR, ["postgres-alternating-users", "vendor-api"]);
        for (const s of ["postgres-alternating-users", "vendor-api"] as const) {
            assert.ok(a.get(s)!.length > 10_000, `${s} bundle is suspiciously small`);
            assert.strictEqual(bundleHash(a.get(s)!), bundleHash(b.get(s)!), `${s} differs between two builds`);
            assert.ok(!a.get(s)!.includes(PROJECT_DIR), `${s} embeds the machine path ${PROJECT_DIR}`);
        }
    });

    it("gives a different input hash and bundle when a function source changes", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-"));
        try {
            fs.cpSync(path.join(PROJECT_DIR, "functions"), path.join(dir, "functions"), { recursive: true });
            fs.cpSync(path.join(PROJECT_DIR, "model"), path.join(dir, "model"), { recursive: true });
            fs.copyFileSync(path.join(PROJECT_DIR, "package-lock.json"), path.join(dir, "package-lock.json"));
            fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"));
            assert.strictEqual(bundleInputsHash(dir), bundleInputsHash(PROJECT_DIR), "a copy of the same sources hashes differently");
            const before = buildFunctionBundles(dir, ["postgres-alternating-users"]).get("postgres-alternating-users")!;
            const file = path.join(dir, "functions", "rotation", "strategies", "alternating-users.ts");
            fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("randomBytes(24)", "randomBytes(32)"));
            assert.notStrictEqual(bundleInputsHash(dir), bundleInputsHash(PROJECT_DIR));
            const after = buildFunctionBundles(dir, ["postgres-alternating-users"]).get("postgres-alternating-users")!;
            assert.notStrictEqual(bundleHash(after), bundleHash(before));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("serves every strategy from the cache with the hash of the file it points to", () => {
        for (const b of functionBundles(PROJECT_DIR).values()) {
            assert.strictEqual(bundleHash(fs.readFileSync(b.file, "utf8")), b.sha256, `${b.name}: cached hash does not match ${b.file}`);
        }
    });

    it("bundles every Lambda strategy and both audit functions, for one maintained Node.js runtime", () => {
        for (const s of LAMBDA_STRATEGIES) assert.ok(FUNCTION_ENTRIES[s], `strategy ${s} has no bundle entry`);
        assert.ok(FUNCTION_ENTRIES["expiry-check"] && FUNCTION_ENTRIES["latency-probe"]);
        for (const entry of Object.values(FUNCTION_ENTRIES)) assert.ok(fs.existsSync(path.join(PROJECT_DIR, entry)), `${entry} does not exist`);
        const major = Number(/^nodejs(\d+)\.x$/.exec(LAMBDA_RUNTIME)?.[1]);
        assert.ok(major >= 22, `${LAMBDA_RUNTIME} is not a maintained LTS runtime (Node 20 reached end of life in April 2026)`);
    });
});
