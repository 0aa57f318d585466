// Log and credential hygiene of GitHub Actions workflows. The test suite runs these rules over every file in
// .github/workflows; each rule is documented in docs/cicd.md ("Log hygiene") with the reason behind it.
import * as YAML from "yaml";

/** One broken rule: which rule, where, and how to fix it. */
export interface HygieneFinding {
    readonly rule: HygieneRule;
    /** `jobs.<job>.steps[<n>]`, `env`, or similar. */
    readonly at: string;
    readonly message: string;
}

/** The rules, by id. */
export const HYGIENE_RULES = {
    "permissions-minimal": "The workflow sets `permissions` with no write scope at the top; `id-token: write` appears only in jobs that assume an AWS role.",
    "actions-pinned": "Every remote action and reusable workflow is pinned to a full 40-hex commit SHA with a `# vX.Y.Z` comment.",
    "pr-oidc-same-repo": "On pull requests, a job that can mint an OIDC token runs only for branches of this repository; `pull_request_target` is never used.",
    "env-no-secret": "No `env:` block holds a literal credential or a `${{ secrets.* }}` expression, and no `run:` script inlines `${{ secrets.* }}`.",
    "no-xtrace": "No step traces its commands (`set -x`, `bash -x`), since the job's environment carries the cloud session.",
    "no-show-secrets": "Nothing passes `--show-secrets` to Pulumi.",
    "outputs-suppressed": "Pulumi runs with stack outputs suppressed, and no step prints `pulumi stack output`.",
    "mask-derived": "A credential a script derives (a token, a password) is masked with `::add-mask::` before anything else uses it.",
    "checkout-no-persist": "actions/checkout runs with `persist-credentials: false`, so the token is not left in .git/config for later steps.",
    "no-untrusted-expression-in-run": "A `run:` script never expands `${{ github.event.* }}`, `${{ github.head_ref }}` or `${{ inputs.* }}`; such values reach it through `env:`.",
    "scanner-outside-tree": "A secret scanner is never run through `npx` (which resolves packages and `.npmrc` from the working directory) but installed under `$RUNNER_TEMP` and called by absolute path, so the scanned tree cannot replace it.",
    "scan-without-oidc": "A job that scans a build context or an image, or unpacks or runs a built image, has no `id-token: write`.",
    "push-job-isolated": "A job that pushes an image runs no checkout, no npm or npx and no scanner: only the pinned login and the push.",
    "install-no-scripts": "A job that can assume an AWS role installs with `--ignore-scripts`, and when it runs Pulumi it installs the provider plugins in an explicit `pulumi plugin install` step first.",
    "sign-job-main-only": "A job that assumes a signing role (`*-github-signer`) runs only on pushes to main (`if: github.ref == 'refs/heads/main'` in a workflow triggered only by pushes to main), is bound to no GitHub environment, and needs `verify`.",
    "sign-job-isolated": "A job that assumes a signing role assumes no other role and runs no Pulumi, so no deploy run holds signing rights.",
    "sign-before-deploy": "In a workflow with a signing job, every job that runs Pulumi needs that job (directly or through the jobs it needs), so nothing deploys code that was not signed first.",
} as const;

/** A rule id. */
export type HygieneRule = keyof typeof HYGIENE_RULES;

type Mapping = Record<string, any>;

const FULL_SHA_PIN = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$/;
const SECRET_EXPRESSION = /\$\{\{[^}]*\bsecrets\./;
const SECRET_LOOKING_NAME = /(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|credential|auth)/i;
/** Literal credential shapes: AWS key ids, GitHub/npm/Slack tokens, PEM private keys, JWTs. */
const CREDENTIAL_SHAPES = [
    /\b(AKIA|ASIA)[0-9A-Z]{16}\b/,
    /\b(ghp|gho|ghs|ghu|ghr)_[A-Za-z0-9]{30,}\b/,
    /\bgithub_pat_[A-Za-z0-9_]{40,}\b/,
    /\bnpm_[A-Za-z0-9]{30,}\b/,
    /\bxox[abpr]-[A-Za-z0-9-]{10,}\b/,
    /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
    /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
];
const XTRACE = /(^|[;&|\s])(set\s+-[a-wyz]*x[a-z]*\b|set\s+-o\s+xtrace\b|bash\s+-[a-z]*x[a-z]*\b|sh\s+-[a-z]*x[a-z]*\b)/m;
const PULUMI_MUTATING = /\bpulumi\s+(up|update|preview|refresh|destroy)\b/;
/** Secret scanners whose invocation the scanner rules look at. */
const SCANNER = /\b(secretlint|quick-start(\.js)?|gitleaks|trufflehog|trivy|grype)\b/;
/** Commands that unpack or run a built image's content. */
const IMAGE_CONTENT = /\bdocker\s+(export|run|create)\b/;
/** An npm command that installs packages. */
const NPM_INSTALL = /\bnpm\s+(ci|install|i|add)\b/;
/** Commands whose output is a credential. */
const CREDENTIAL_COMMANDS = /(get-authorization-token|get-login-password|get-secret-value|assume-role|get-session-token|get-federation-token|gh\s+auth\s+token|print-access-token|ACTIONS_ID_TOKEN_REQUEST|create-installation-token|vault\s+(read|kv\s+get))/;

function isMapping(value: unknown): value is Mapping {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

function triggers(doc: Mapping): string[] {
    const on = doc.on ?? doc[true as unknown as string]; // YAML 1.1 reads a bare `on` as true in some parsers
    if (typeof on === "string") return [on];
    if (Array.isArray(on)) return on.map(String);
    return isMapping(on) ? Object.keys(on) : [];
}

function grantsWrite(permissions: unknown): boolean {
    if (permissions === undefined) return false;
    if (typeof permissions === "string") return permissions !== "read-all" && permissions !== "{}";
    return isMapping(permissions) && Object.values(permissions).some((v) => v === "write");
}

function checkPermissions(doc: Mapping, jobs: Mapping, out: HygieneFinding[]): void {
    const rule: HygieneRule = "permissions-minimal";
    if (doc.permissions === undefined) {
        out.push({ rule, at: "permissions", message: "The workflow has no top-level `permissions`, so every job gets the repository's default token scopes; add `permissions: {}` and grant each job what it needs." });
    } else if (grantsWrite(doc.permissions) || doc.permissions === "read-all") {
        out.push({ rule, at: "permissions", message: "The top-level `permissions` grant more than nothing; set `permissions: {}` and grant scopes per job." });
    }
    for (const [id, job] of Object.entries(jobs)) {
        if (!isMapping(job)) continue;
        const perms = job.permissions;
        if (perms === "write-all") out.push({ rule, at: `jobs.${id}.permissions`, message: `Job '${id}' asks for write-all; list only the scopes it needs.` });
        if (!isMapping(perms) || perms["id-token"] !== "write") continue;
        const assumesRole = typeof job.uses === "string" || (Array.isArray(job.steps) && job.steps.some((s: Mapping) => typeof s?.uses === "string" && s.uses.startsWith("aws-actions/configure-aws-credentials@")));
        if (!assumesRole) {
            out.push({ rule, at: `jobs.${id}.permissions`, message: `Job '${id}' has id-token: write but assumes no AWS role; remove id-token: write from it.` });
        }
    }
}

function checkPins(text: string, out: HygieneFinding[]): void {
    const lines = text.split("\n");
    lines.forEach((line, i) => {
        const m = /^\s*(-\s+)?uses:\s*["']?([^"'\s#]+)["']?\s*(#\s*(.*))?$/.exec(line);
        if (!m) return;
        const ref = m[2];
        if (ref.startsWith("./")) return;
        const at = `line ${i + 1}`;
        if (ref.startsWith("docker://")) {
            if (!/@sha256:[0-9a-f]{64}$/.test(ref)) out.push({ rule: "actions-pinned", at, message: `'${ref}' is a container image without a digest; pin it as docker://image@sha256:<digest>.` });
            return;
        }
        if (!FULL_SHA_PIN.test(ref)) {
            out.push({ rule: "actions-pinned", at, message: `'${ref}' is not pinned to a full commit SHA; use owner/repo@<40-hex sha> # vX.Y.Z, since tags can be moved to other code.` });
        } else if (!m[4] || !/^v?\d+(\.\d+)*/.test(m[4].trim())) {
            out.push({ rule: "actions-pinned", at, message: `'${ref}' has no version comment; add '# vX.Y.Z' so a reviewer and Dependabot know which release the SHA is.` });
        }
    });
}

function checkPullRequestOidc(doc: Mapping, jobs: Mapping, out: HygieneFinding[]): void {
    const rule: HygieneRule = "pr-oidc-same-repo";
    const on = triggers(doc);
    if (on.includes("pull_request_target")) {
        out.push({ rule, at: "on", message: "pull_request_target runs a fork's changes with this repository's secrets and token; use pull_request." });
    }
    if (!on.includes("pull_request")) return;
    for (const [id, job] of Object.entries(jobs)) {
        if (!isMapping(job) || !isMapping(job.permissions) || job.permissions["id-token"] !== "write") continue;
        const guard = String(job.if ?? "").replace(/\s+/g, " ");
        if (!guard.includes("github.event.pull_request.head.repo.full_name == github.repository")) {
            out.push({ rule, at: `jobs.${id}.if`, message: `Job '${id}' can mint an OIDC token on pull requests but does not check 'github.event.pull_request.head.repo.full_name == github.repository'; add that 'if:'.` });
        }
    }
}

function checkEnvBlock(env: unknown, at: string, out: HygieneFinding[]): void {
    if (!isMapping(env)) return;
    for (const [name, raw] of Object.entries(env)) {
        const value = raw === null || raw === undefined ? "" : String(raw);
        if (SECRET_EXPRESSION.test(value)) {
            out.push({ rule: "env-no-secret", at: `${at}.${name}`, message: `${at}.${name} puts a secret in the environment, where every process of the step sees it; pass it as a 'with:' input of a pinned action or use OIDC.` });
        } else if (CREDENTIAL_SHAPES.some((re) => re.test(value))) {
            out.push({ rule: "env-no-secret", at: `${at}.${name}`, message: `${at}.${name} holds a literal credential; remove it, rotate it, and use OIDC instead.` });
        } else if (SECRET_LOOKING_NAME.test(name) && value.length > 0 && !/^\$\{\{.*\}\}$/.test(value.trim())) {
            out.push({ rule: "env-no-secret", at: `${at}.${name}`, message: `${at}.${name} has a secret-looking name and a literal value; credentials never live in a workflow file.` });
        }
    }
}

function maskProblems(script: string): string[] {
    const problems: string[] = [];
    const lines = script.split("\n");
    lines.forEach((line, i) => {
        const m = /^\s*(?:export\s+|local\s+|readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)=["']?\$\((.*)/.exec(line);
        if (!m || !CREDENTIAL_COMMANDS.test(m[2])) return;
        const name = m[1];
        const use = new RegExp(`\\$\\{?${name}\\b`);
        const next = lines.slice(i + 1).find((l) => use.test(l));
        if (next === undefined) return;
        if (!/::add-mask::/.test(next)) problems.push(`'${name}' holds a credential and its first use is not '::add-mask::'; add echo "::add-mask::\${${name}}" right after the assignment`);
    });
    return problems;
}

function checkSteps(jobs: Mapping, out: HygieneFinding[]): void {
    for (const [id, job] of Object.entries(jobs)) {
        if (!isMapping(job)) continue;
        checkEnvBlock(job.env, `jobs.${id}.env`, out);
        if (!Array.isArray(job.steps)) continue;
        job.steps.forEach((step: unknown, n: number) => {
            if (!isMapping(step)) return;
            const at = `jobs.${id}.steps[${n}]${step.name ? ` (${step.name})` : ""}`;
            checkEnvBlock(step.env, `${at}.env`, out);
            const run = typeof step.run === "string" ? step.run : "";
            const uses = typeof step.uses === "string" ? step.uses : "";
            const withs = isMapping(step.with) ? step.with : {};
            if (SECRET_EXPRESSION.test(run)) out.push({ rule: "env-no-secret", at, message: `${at} inlines a secret in its script, which GitHub writes to a file on the runner; pass it through a pinned action's input or use OIDC.` });
            if (XTRACE.test(run) || /-[a-z]*x/.test(String(step.shell ?? ""))) {
                out.push({ rule: "no-xtrace", at, message: `${at} traces its commands; remove set -x/bash -x, since the job's environment carries credentials and xtrace prints expanded values.` });
            }
            if (/--show-secrets/.test(run) || Object.values(withs).some((v) => /--show-secrets/.test(String(v)))) {
                out.push({ rule: "no-show-secrets", at, message: `${at} passes --show-secrets; never print secret values in CI.` });
            }
            // pulumi/actions without a command only installs the CLI and prints no stack output.
            if (uses.startsWith("pulumi/actions@") && withs.command !== undefined && String(withs["suppress-outputs"]) !== "true") {
                out.push({ rule: "outputs-suppressed", at, message: `${at} runs pulumi/actions without 'suppress-outputs: true'; stack outputs must not reach the log or the PR comment.` });
            }
            if (PULUMI_MUTATING.test(run) && !/--suppress-outputs/.test(run)) {
                out.push({ rule: "outputs-suppressed", at, message: `${at} runs pulumi without --suppress-outputs; add it.` });
            }
            if (/\bpulumi\s+stack\s+output\b/.test(run)) {
                out.push({ rule: "outputs-suppressed", at, message: `${at} prints 'pulumi stack output'; read outputs through the stack's non-secret exports in code, not in the log.` });
            }
            for (const p of maskProblems(run)) out.push({ rule: "mask-derived", at, message: `${at}: ${p}.` });
            const injected = run.match(/\$\{\{\s*(github\.event\.[A-Za-z0-9_.-]+|github\.head_ref|inputs\.[A-Za-z0-9_-]+)/);
            if (injected) {
                out.push({ rule: "no-untrusted-expression-in-run", at, message: `${at} expands \${{ ${injected[1]} }} inside its script, where a crafted branch name or PR title becomes shell code in a job that holds credentials; pass it through env: and quote "$VAR".` });
            }
            if (uses.startsWith("actions/checkout@") && String(withs["persist-credentials"]) !== "false") {
                out.push({ rule: "checkout-no-persist", at, message: `${at} checks out with the token persisted in .git/config; set 'persist-credentials: false'.` });
            }
        });
    }
}

/** Lines of a script that invoke a scanner, and whether each calls it by an absolute path without npx. */
function scannerInvocations(script: string): Array<{ line: string; absolute: boolean }> {
    const found: Array<{ line: string; absolute: boolean }> = [];
    for (const raw of script.split("\n")) {
        const line = raw.trim();
        if (!SCANNER.test(line) || /^(#|echo\b|printf\b|mkdir\b|cd\b)/.test(line) || (NPM_INSTALL.test(line) && !/\bnpx\b/.test(line))) continue;
        const tokens = line.split(/\s+/);
        const command = (tokens[0] === "node" ? tokens[1] ?? "" : tokens[0]).replace(/^["']|["']$/g, "");
        found.push({ line, absolute: !/\bnpx\b/.test(line) && /^(\/|\$RUNNER_TEMP\b|\$\{RUNNER_TEMP\})/.test(command) && SCANNER.test(command) });
    }
    return found;
}

function checkIsolation(jobs: Mapping, out: HygieneFinding[]): void {
    for (const [id, job] of Object.entries(jobs)) {
        if (!isMapping(job) || !Array.isArray(job.steps)) continue;
        const steps = job.steps.filter(isMapping) as Mapping[];
        const runs = steps.map((st) => (typeof st.run === "string" ? st.run : ""));
        const usesOf = steps.map((st) => (typeof st.uses === "string" ? st.uses : ""));
        const oidc = isMapping(job.permissions) && job.permissions["id-token"] === "write";
        let scans = false;
        runs.forEach((run, n) => {
            for (const inv of scannerInvocations(run)) {
                scans = true;
                if (!inv.absolute) {
                    out.push({ rule: "scanner-outside-tree", at: `jobs.${id}.steps[${n}]`, message: `jobs.${id}.steps[${n}] runs '${inv.line}'; install the scanner under $RUNNER_TEMP and call it by absolute path, never through npx or from the scanned tree.` });
                }
            }
            if (IMAGE_CONTENT.test(run)) scans = true;
        });
        if (scans && oidc) {
            out.push({ rule: "scan-without-oidc", at: `jobs.${id}.permissions`, message: `Job '${id}' scans or unpacks untrusted content and holds id-token: write; move the scan to a job without it.` });
        }
        if (runs.some((r) => /\bdocker\s+push\b/.test(r))) {
            const extra = usesOf.some((u) => u.startsWith("actions/checkout@")) || runs.some((r) => /\bnpm\b|\bnpx\b/.test(r) || scannerInvocations(r).length > 0);
            if (extra) out.push({ rule: "push-job-isolated", at: `jobs.${id}`, message: `Job '${id}' pushes an image and also checks out, runs npm/npx or a scanner; push from a job that only loads the scanned image, logs in and pushes.` });
        }
        if (!oidc) continue;
        runs.forEach((run, n) => {
            for (const line of run.split("\n")) {
                if (NPM_INSTALL.test(line) && !/--ignore-scripts\b/.test(line)) {
                    out.push({ rule: "install-no-scripts", at: `jobs.${id}.steps[${n}]`, message: `jobs.${id}.steps[${n}] runs '${line.trim()}' in a job that can assume an AWS role; add --ignore-scripts so no package's install script runs with the session.` });
                }
            }
        });
        const firstPulumi = steps.findIndex((st, n) => usesOf[n].startsWith("pulumi/actions@") && isMapping(st.with) && st.with.command !== undefined);
        if (firstPulumi >= 0 && !runs.slice(0, firstPulumi).some((r) => /\bpulumi\s+plugin\s+install\b/.test(r))) {
            out.push({ rule: "install-no-scripts", at: `jobs.${id}.steps[${firstPulumi}]`, message: `Job '${id}' runs Pulumi without an explicit 'pulumi plugin install' step before it; install the provider plugins package.json pins, since npm ran no install script.` });
        }
    }
}

/** The roles a job assumes, as written in its configure-aws-credentials steps (matrix expressions left as they are). */
function rolesAssumed(job: Mapping): string[] {
    if (!Array.isArray(job.steps)) return [];
    return (job.steps as unknown[])
        .filter((st): st is Mapping => isMapping(st) && typeof st.uses === "string" && st.uses.startsWith("aws-actions/configure-aws-credentials@"))
        .map((st) => String(isMapping(st.with) ? st.with["role-to-assume"] ?? "" : ""));
}

const SIGNER_ROLE = /-github-signer$/;

function runsPulumi(job: Mapping): boolean {
    if (!Array.isArray(job.steps)) return false;
    return (job.steps as unknown[]).some((st) => isMapping(st) && ((typeof st.uses === "string" && st.uses.startsWith("pulumi/actions@") && isMapping(st.with) && st.with.command !== undefined) || (typeof st.run === "string" && PULUMI_MUTATING.test(st.run))));
}

function needsOf(job: Mapping): string[] {
    return typeof job.needs === "string" ? [job.needs] : Array.isArray(job.needs) ? job.needs.map(String) : [];
}

function checkSigning(doc: Mapping, jobs: Mapping, out: HygieneFinding[]): void {
    const signers = Object.entries(jobs).filter(([, job]) => isMapping(job) && rolesAssumed(job).some((r) => SIGNER_ROLE.test(r))).map(([id]) => id);
    const on = isMapping(doc.on) ? doc.on : {};
    const pushOnlyToMain = triggers(doc).length === 1 && triggers(doc)[0] === "push" && isMapping(on.push) && JSON.stringify(on.push) === JSON.stringify({ branches: ["main"] });
    for (const id of signers) {
        const job = jobs[id] as Mapping;
        const problems: string[] = [];
        if (!pushOnlyToMain) problems.push("its workflow runs on more than pushes to main");
        if (String(job.if ?? "").replace(/\s+/g, " ").trim() !== "github.ref == 'refs/heads/main'") problems.push("it lacks `if: github.ref == 'refs/heads/main'`");
        if (job.environment !== undefined) problems.push("it is bound to a GitHub environment, whose token subject the signing role refuses");
        if (!needsOf(job).includes("verify")) problems.push("it does not need `verify`");
        if (problems.length > 0) out.push({ rule: "sign-job-main-only", at: `jobs.${id}`, message: `Job '${id}' assumes a signing role but ${problems.join("; ")}; sign only the verified commit of main, in a job without an environment.` });
        const others = rolesAssumed(job).filter((r) => !SIGNER_ROLE.test(r));
        if (others.length > 0 || runsPulumi(job)) {
            out.push({ rule: "sign-job-isolated", at: `jobs.${id}`, message: `Job '${id}' assumes a signing role and also ${others.length > 0 ? `assumes ${others.join(", ")}` : "runs Pulumi"}; sign in a job of its own, so no deploy run holds signing rights.` });
        }
    }
    if (signers.length === 0) return;
    const upstream = (id: string, seen = new Set<string>()): Set<string> => {
        for (const n of isMapping(jobs[id]) ? needsOf(jobs[id]) : []) if (!seen.has(n)) { seen.add(n); upstream(n, seen); }
        return seen;
    };
    for (const [id, job] of Object.entries(jobs)) {
        if (!isMapping(job) || signers.includes(id) || !runsPulumi(job)) continue;
        const before = upstream(id);
        if (!signers.every((sid) => before.has(sid))) out.push({ rule: "sign-before-deploy", at: `jobs.${id}.needs`, message: `Job '${id}' runs Pulumi without needing the signing job (${signers.join(", ")}); add it to 'needs', so every package it deploys is signed first.` });
    }
}

/** Checks one workflow file's text against every hygiene rule. */
export function checkWorkflow(text: string): HygieneFinding[] {
    const doc = YAML.parse(text) as unknown;
    if (!isMapping(doc)) return [{ rule: "permissions-minimal", at: "(file)", message: "The file is not a workflow mapping." }];
    const jobs = isMapping(doc.jobs) ? doc.jobs : {};
    const out: HygieneFinding[] = [];
    checkPermissions(doc, jobs, out);
    checkPins(text, out);
    checkPullRequestOidc(doc, jobs, out);
    checkEnvBlock(doc.env, "env", out);
    checkSteps(jobs, out);
    checkIsolation(jobs, out);
    checkSigning(doc, jobs, out);
    return out;
}
