// Each remote action of the workflows is pinned to a commit SHA with its release tag in a comment. This checks that
// the SHA really is what that tag names upstream, with `git ls-remote` (one call per pin, no clone, no token).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** One pinned `uses:` of a workflow: `owner/repo[/path]@<sha> # <tag>`. */
export interface ActionPin {
    /** `owner/repo`, the repository that holds the tag. */
    readonly repository: string;
    readonly sha: string;
    readonly tag: string;
    /** `file:line` of the first place that pins it. */
    readonly at: string;
}

/** What `git ls-remote` says of one pin. */
export interface PinCheck extends ActionPin {
    readonly status: "ok" | "wrong" | "missing" | "unreachable";
    /** The commit the tag names upstream (peeled through an annotated tag), when it exists. */
    readonly tagCommit?: string;
    readonly detail: string;
}

const PIN = /^\s*-?\s*uses:\s*([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+)(?:\/[^@\s]*)?@([0-9a-f]{40})\s*#\s*(\S+)/;

/** The distinct (repository, SHA, tag) pins of the given workflow files, in file order. */
export function collectPins(files: readonly string[]): ActionPin[] {
    const seen = new Map<string, ActionPin>();
    for (const file of files) {
        fs.readFileSync(file, "utf8")
            .split("\n")
            .forEach((line, i) => {
                const m = PIN.exec(line);
                if (!m) return;
                const key = `${m[1]}@${m[2]}#${m[3]}`;
                if (!seen.has(key)) seen.set(key, { repository: m[1]!, sha: m[2]!, tag: m[3]!, at: `${path.basename(file)}:${i + 1}` });
            });
    }
    return [...seen.values()];
}

/**
 * The commit a tag names in `git ls-remote` output for `refs/tags/<tag>` and `refs/tags/<tag>^{}`: the peeled line
 * of an annotated tag wins (its plain line is the tag object, not a commit); undefined when the tag is absent.
 */
export function tagCommitFrom(lsRemoteOutput: string, tag: string): string | undefined {
    const refs = new Map(
        lsRemoteOutput
            .split("\n")
            .map((l) => l.trim().split(/\s+/))
            .filter((p) => p.length === 2)
            .map(([sha, ref]) => [ref!, sha!]),
    );
    return refs.get(`refs/tags/${tag}^{}`) ?? refs.get(`refs/tags/${tag}`);
}

/** Checks one pin against `<remoteBase>/<owner>/<repo>` (https://github.com in CI; a folder of bare repositories in tests). */
export function checkPin(pin: ActionPin, remoteBase: string): PinCheck {
    const remote = `${remoteBase.replace(/\/+$/, "")}/${pin.repository}`;
    let out: string;
    try {
        out = execFileSync("git", ["ls-remote", remote, `refs/tags/${pin.tag}`, `refs/tags/${pin.tag}^{}`], {
            encoding: "utf8",
            timeout: 30_000,
            stdio: ["ignore", "pipe", "pipe"],
            env: { ...process.env, GIT_TERMINAL_PROMPT: "0" },
        });
    } catch (e) {
        const stderr = String((e as { stderr?: unknown }).stderr ?? (e as Error).message).trim().split("\n")[0];
        return { ...pin, status: "unreachable", detail: `git ls-remote ${remote} failed (${stderr}); check the repository name in ${pin.at}` };
    }
    const tagCommit = tagCommitFrom(out, pin.tag);
    if (tagCommit === undefined) return { ...pin, status: "missing", detail: `${pin.repository} has no tag ${pin.tag}; fix the version comment in ${pin.at}` };
    if (tagCommit !== pin.sha) {
        return { ...pin, status: "wrong", tagCommit, detail: `${pin.repository} tag ${pin.tag} is ${tagCommit}, but ${pin.at} pins ${pin.sha}; pin the tag's commit or correct the comment` };
    }
    return { ...pin, status: "ok", tagCommit, detail: `${pin.repository}@${pin.sha} is ${pin.tag}` };
}

/** The workflow files of a repository: every `.yml`/`.yaml` under `.github/workflows`. */
export function workflowFiles(projectDir: string): string[] {
    const dir = path.join(projectDir, ".github", "workflows");
    return fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => path.join(dir, f));
}
