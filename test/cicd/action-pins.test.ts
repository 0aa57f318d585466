import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { collectPins, tagCommitFrom, workflowFiles } from "../../tools/action-pins";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");
const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", ["-c", "user.name=pin-test", "-c", "user.email=pin-test@example.invalid", "-c", "init.defaultBranch=main", ...args], { cwd, encoding: "utf8" }).trim();

/** Runs the checker as CI does, on a project folder, against a folder of bare repositories standing in for GitHub. */
function runCheck(project: string, remoteBase: string) {
    const res = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "tools", "check-action-pins.ts"), "--project", project, "--remote-base", remoteBase], {
        encoding: "utf8",
        cwd: PROJECT_DIR,
    });
    return { status: res.status, out: `${res.stdout}${res.stderr}` };
}

describe("pinned action SHAs are checked against their tags with git ls-remote", function () {
    let tmp: string;
    let base: string;
    let first: string;
    let second: string;

    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "action-pins-"));
        // The stand-in for github.com: <base>/acme/deploy-action is a bare repository with an annotated and a lightweight tag.
        base = path.join(tmp, "remote");
        const work = path.join(tmp, "work");
        fs.mkdirSync(work);
        git(work, "init", "-q");
        fs.writeFileSync(path.join(work, "action.yml"), "runs:\n  using: node24\n");
        git(work, "add", ".");
        git(work, "commit", "-q", "-m", "first release");
        first = git(work, "rev-parse", "HEAD");
        git(work, "tag", "-a", "v1.0.0", "-m", "v1.0.0");
        fs.writeFileSync(path.join(work, "README.md"), "second\n");
        git(work, "add", ".");
        git(work, "commit", "-q", "-m", "second release");
        second = git(work, "rev-parse", "HEAD");
        git(work, "tag", "v1.1.0");
        fs.mkdirSync(path.join(base, "acme"), { recursive: true });
        git(tmp, "clone", "-q", "--bare", work, path.join(base, "acme", "deploy-action"));
    });
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    function project(name: string, uses: string[]): string {
        const dir = path.join(tmp, name);
        fs.mkdirSync(path.join(dir, ".github", "workflows"), { recursive: true });
        const steps = uses.map((u) => `      - uses: ${u}\n`).join("");
        fs.writeFileSync(path.join(dir, ".github", "workflows", "ci.yml"), `on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n${steps}`);
        return dir;
    }

    it("reads an annotated tag's commit from its peeled line, not the tag object", () => {
        const out = `1111111111111111111111111111111111111111\trefs/tags/v2.0.0\n2222222222222222222222222222222222222222\trefs/tags/v2.0.0^{}\n`;
        assert.equal(tagCommitFrom(out, "v2.0.0"), "2222222222222222222222222222222222222222");
        assert.equal(tagCommitFrom("3333333333333333333333333333333333333333\trefs/tags/v2.0.0\n", "v2.0.0"), "3333333333333333333333333333333333333333");
        assert.equal(tagCommitFrom("", "v2.0.0"), undefined);
    });

    it("passes when every SHA is its tag's commit, annotated or lightweight, action in a subfolder included", () => {
        const dir = project("good", [`acme/deploy-action@${first} # v1.0.0`, `acme/deploy-action/setup@${second} # v1.1.0`]);
        const { status, out } = runCheck(dir, base);
        assert.equal(status, 0, out);
        assert.match(out, /2 of 2 pins match their tags/);
    });

    it("fails on a SHA that is not its tag's commit, naming the tag's real commit and the file and line", () => {
        const dir = project("moved", [`acme/deploy-action@${first} # v1.1.0`]);
        const { status, out } = runCheck(dir, base);
        assert.equal(status, 1, out);
        assert.match(out, new RegExp(`WRONG .*tag v1\\.1\\.0 is ${second}, but ci\\.yml:6 pins ${first}`));
    });

    it("fails on a tag that does not exist and on a repository that cannot be reached", () => {
        const dir = project("absent", [`acme/deploy-action@${second} # v9.9.9`, `acme/no-such-action@${first} # v1.0.0`]);
        const { status, out } = runCheck(dir, base);
        assert.equal(status, 1, out);
        assert.match(out, /MISSING .*acme\/deploy-action has no tag v9\.9\.9/);
        assert.match(out, /UNREACHABLE .*acme\/no-such-action/);
        assert.match(out, /0 of 2 pins match their tags/);
    });

    it("finds every remote action pinned in this repository's workflows, each with a release tag", () => {
        const files = workflowFiles(PROJECT_DIR);
        const pins = collectPins(files);
        const remoteUses = files.flatMap((f) => fs.readFileSync(f, "utf8").split("\n")).filter((l) => /^\s*-?\s*uses:\s*[A-Za-z0-9]/.test(l));
        const pinnedLines = remoteUses.filter((l) => pins.some((p) => l.includes(`${p.repository}`) && l.includes(`@${p.sha}`) && l.includes(`# ${p.tag}`)));
        assert.equal(pinnedLines.length, remoteUses.length, "a remote `uses:` line escapes the pin check");
        assert.deepEqual(
            [...new Set(pins.map((p) => p.repository))].sort(),
            ["actions/checkout", "actions/download-artifact", "actions/setup-node", "actions/upload-artifact", "aws-actions/configure-aws-credentials", "pulumi/actions"],
        );
        for (const p of pins) assert.match(p.tag, /^v\d+\.\d+\.\d+$/, `${p.repository} at ${p.at}`);
        // One version per action: two pins of one action would mean one of them was left behind in a bump.
        assert.equal(new Set(pins.map((p) => p.repository)).size, pins.length);
    });

    it("the PR workflow's verify job runs the check right after installing, before the tests", () => {
        const steps: Array<{ run?: string }> = YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, ".github", "workflows", "pr.yml"), "utf8")).jobs.verify.steps;
        const at = steps.findIndex((s) => s.run === "npx tsx tools/check-action-pins.ts");
        assert.ok(at > 0, "verify runs tools/check-action-pins.ts");
        assert.match(String(steps[at - 1]!.run), /^npm ci /);
        assert.ok(steps.findIndex((s) => s.run === "npm test") > at);
    });
});
