import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { filesUnder, scanFiles } from "../../tools/secret-scan";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

// Fake credentials, assembled at run time so that no credential-shaped string is ever in the repository.
const fakeAwsSecret = () => ["q8Hn3Lk2Vw9Zt4Rb7Yc1", "Mx6Pd0Fg5Js8Ua2Ne4Ki"].join("");
const fakeGithubToken = () => ["ghp", "_", "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"].join("");
const fakeNpmToken = () => ["npm", "_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"].join("");

function tempContext(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scan-"));
    for (const [name, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), content);
    }
    return dir;
}

function runScan(args: string[]): { status: number; stdout: string } {
    const res = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "tools", "secret-scan.ts"), ...args], { cwd: PROJECT_DIR, encoding: "utf8" });
    return { status: res.status ?? -1, stdout: res.stdout + res.stderr };
}

describe("secret scan (tools/secret-scan.ts, secretlint from the lock file)", () => {
    it("finds credentials in a build context, dotfiles included, and never prints their values", async () => {
        const dir = tempContext({
            ".env": `AWS_SECRET_ACCESS_KEY=${fakeAwsSecret()}\n`,
            "config/.npmrc": `//registry.npmjs.org/:_authToken=${fakeNpmToken()}\n`,
            "src/app.py": `GITHUB = "${fakeGithubToken()}"\n`,
            "README.md": "nothing to see\n",
            "keys/deploy": `${["-----BEGIN", "OPENSSH PRIVATE KEY-----"].join(" ")}\nb3BlbnNzaC1rZXktdjEAAAAA\n`,
        });
        try {
            const findings = await scanFiles(dir, filesUnder(dir));
            assert.deepEqual([...new Set(findings.map((f) => f.file))].sort(), [".env", "config/.npmrc", "keys/deploy", "src/app.py"]);
            const res = runScan(["--dir", dir]);
            assert.equal(res.status, 1);
            assert.match(res.stdout, new RegExp(`${findings.length} finding\\(s\\)`));
            for (const value of [fakeAwsSecret(), fakeGithubToken(), fakeNpmToken()]) assert.ok(!res.stdout.includes(value), "the value is masked");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("passes a clean directory with exit 0", () => {
        const dir = tempContext({ "src/app.py": "print('hello')\n" });
        try {
            const res = runScan(["--dir", dir]);
            assert.equal(res.status, 0, res.stdout);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("this repository's tracked files hold no credential", () => {
        const res = runScan([]);
        assert.equal(res.status, 0, res.stdout);
        assert.match(res.stdout, /no finding in \d+ files/);
    });

    it("the .dockerignore template excludes every pattern the build workflow requires", () => {
        const template = fs.readFileSync(path.join(PROJECT_DIR, "examples", "build-time", ".dockerignore"), "utf8").split("\n").map((l) => l.trim());
        const workflow = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, ".github", "workflows", "build-image.yml"), "utf8"));
        // The check runs in whichever job scans the build context; find it by name, not by job.
        const steps = Object.values(workflow.jobs as Record<string, { steps?: Array<{ name?: string; run?: string }> }>).flatMap((j) => j.steps ?? []);
        const check = steps.find((s) => s.name?.startsWith("Require a .dockerignore"))!.run as string;
        const required = [...check.matchAll(/'([^']+)'/g)].map((m) => m[1]).filter((p) => !p.includes("$"));
        assert.ok(required.includes(".env*") && required.includes("**/.env*"));
        for (const pattern of required) assert.ok(template.includes(pattern), `template excludes ${pattern}`);
    });
});
