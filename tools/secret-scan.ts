// `npx tsx tools/secret-scan.ts [--dir <path>] [--diff <base-ref>]`
// Scans files for credentials with secretlint's recommended rules, from the versions package-lock.json pins, so the
// PR check needs no third-party action and no network. Findings print with the value masked.
// - default: every file git tracks in the repository (or every file under --dir, for a build context or an
//   unpacked image filesystem);
// - --diff <base>: also the patch of every commit between <base> and HEAD, so a secret added and removed again
//   inside a pull request is still caught.
// Exit status: 0 with no finding, 1 with a finding, 2 for bad usage.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** One credential found: where it is and which rule saw it. The value itself is never printed. */
export interface SecretFinding {
    readonly file: string;
    readonly line: number;
    readonly ruleId: string;
    readonly message: string;
}

/** Tracked paths the repository's own scan test allowlists too (test/foundation/repo-secret-scan.test.ts); each needs a reason in its README. */
const TRACKED_ALLOWLIST = ["test/fixtures/scanner-allowlisted/"];
/** PEM private key blocks, which secretlint's preset does not report on their own. */
const PEM_PRIVATE_KEY = /-----BEGIN (?:RSA |EC |DSA |ENCRYPTED |OPENSSH )?PRIVATE KEY-----/;

/** Files larger than this are skipped (lock files and data dumps are not where credentials hide in this repo). */
const MAX_FILE_BYTES = 2 * 1024 * 1024;
/** Directories that never belong to a build context or the repository's own sources. */
const SKIPPED_DIRS = new Set([".git", "node_modules", ".venv-test", ".test-runtime", "proc", "sys", "dev"]);

function looksBinary(buffer: Buffer): boolean {
    return buffer.subarray(0, 8000).includes(0);
}

async function loadSecretlint() {
    // Both packages are ES modules; a dynamic import works from this CommonJS tool.
    const core = await import("@secretlint/core");
    const preset = await import("@secretlint/secretlint-rule-preset-recommend");
    return { lintSource: core.lintSource, creator: preset.creator };
}

/** Scans in-memory sources (name to text) and returns every finding, values masked. */
export async function scanSources(sources: ReadonlyArray<{ name: string; content: string }>): Promise<SecretFinding[]> {
    const { lintSource, creator } = await loadSecretlint();
    const findings: SecretFinding[] = [];
    for (const source of sources) {
        const result = await lintSource({
            source: { filePath: source.name, content: source.content, contentType: "text" },
            options: { config: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: creator as any }] }, maskSecrets: true, noPhysicFilePath: true },
        });
        const pem = PEM_PRIVATE_KEY.exec(source.content);
        if (pem) findings.push({ file: source.name, line: source.content.slice(0, pem.index).split("\n").length, ruleId: "pem-private-key", message: "found a PEM private key block" });
        for (const m of result.messages) {
            if (m.type !== "message") continue;
            findings.push({ file: source.name, line: m.loc.start.line, ruleId: m.ruleId, message: m.message });
        }
    }
    return findings;
}

/** The text files under a directory, relative paths, skipping binaries, huge files and dependency folders. */
export function filesUnder(root: string): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                if (!SKIPPED_DIRS.has(entry.name)) walk(full);
            } else if (entry.isFile()) {
                out.push(path.relative(root, full));
            }
        }
    };
    walk(root);
    return out.sort();
}

function readText(root: string, file: string): string | undefined {
    const full = path.join(root, file);
    const stat = fs.statSync(full);
    if (stat.size > MAX_FILE_BYTES) return undefined;
    const buffer = fs.readFileSync(full);
    return looksBinary(buffer) ? undefined : buffer.toString("utf8");
}

/** Scans files (relative to root) and returns the findings. */
export async function scanFiles(root: string, files: readonly string[]): Promise<SecretFinding[]> {
    const sources: Array<{ name: string; content: string }> = [];
    for (const file of files) {
        const content = readText(root, file);
        if (content !== undefined) sources.push({ name: file, content });
    }
    return scanSources(sources);
}

function gitTrackedFiles(root: string): string[] {
    return execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
        .split("\0")
        .filter((f) => f.length > 0 && !TRACKED_ALLOWLIST.some((prefix) => f.startsWith(prefix)) && fs.existsSync(path.join(root, f)) && fs.statSync(path.join(root, f)).isFile());
}

function commitPatches(root: string, base: string): string {
    return execFileSync("git", ["log", "--no-color", "--patch", "--unified=0", `${base}..HEAD`], { cwd: root, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

async function main(argv: string[]): Promise<number> {
    let dir: string | undefined;
    let diffBase: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--dir" && argv[i + 1]) dir = argv[++i];
        else if (argv[i] === "--diff" && argv[i + 1]) diffBase = argv[++i];
        else {
            console.error(`Unknown argument '${argv[i]}'.\nUsage: npx tsx tools/secret-scan.ts [--dir <path>] [--diff <base-ref>]`);
            return 2;
        }
    }
    const root = path.resolve(dir ?? path.join(__dirname, ".."));
    const files = dir ? filesUnder(root) : gitTrackedFiles(root);
    const findings = await scanFiles(root, files);
    if (diffBase) findings.push(...(await scanSources([{ name: `commits ${diffBase}..HEAD (patch)`, content: commitPatches(root, diffBase) }])));
    for (const f of findings) console.log(`${f.file}:${f.line}: [${f.ruleId}] ${f.message}`);
    console.log(findings.length === 0 ? `Secret scan: no finding in ${files.length} files.` : `Secret scan: ${findings.length} finding(s). Remove the credential, rotate it, and keep it in Secrets Manager.`);
    return findings.length === 0 ? 0 : 1;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err) => {
            console.error(`secret-scan failed: ${(err as Error)?.stack ?? err}`);
            process.exit(2);
        },
    );
}
