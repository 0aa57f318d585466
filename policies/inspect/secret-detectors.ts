import { lintSource } from "@secretlint/core";
import { creator as recommendedPreset } from "@secretlint/secretlint-rule-preset-recommend";
import { FoundString } from "./values";

/** One secret-shaped value found in a resource's inputs. The value itself is never kept or printed. */
export interface SecretFinding {
    readonly path: string;
    /** Which detector fired, e.g. `pem-private-key` or `secretlint:@secretlint/secretlint-rule-github`. */
    readonly detector: string;
}

const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/;
// scheme://user:password@host, including jdbc:<db>:// and SQLAlchemy's dialect+driver:// forms.
// The password may hold any character but '@' (which a URI must percent-encode) and whitespace or quotes.
// The user name may be empty (`redis://:<password>@host`).
const URI_WITH_PASSWORD = /\b((?:jdbc:)?[a-z][a-z0-9+.-]*):\/\/([^:/?#\s@"']*):([^\s"'@/]+)@[^\s"'@]+/gi;
const QUERY_PASSWORD = /\b(?:jdbc:[a-z0-9]+:[^\s"']*[?&;]|[?&;])(?:password|pwd|passwd)=([^&;\s"']+)/gi;
const JAAS_PASSWORD = /LoginModule\b[^;]*\bpassword\s*=\s*(?:"([^"]+)"|'([^']+)')/i;
const SECRET_KEY = /(pass(?:word|wd|phrase)?|pwd|secret|token|api[-_.]?key|apikey|private[-_.]?key|credential|fernet|client[-_.]?secret|access[-_.]?key|auth[-_.]?key|signing[-_.]?key|sasl\.password|jaas)/i;
// Keys that name a reference to a secret, not a secret: ARNs, names, paths, refs, prefixes, files.
// A camelCase plural (`readableSecrets`, `grantedSecrets`) is a list of secret names.
const REFERENCE_KEY = /(arn|name|id|ref|path|prefix|file|dir|url|uri|endpoint|backend|kwargs|class|store|provider|version|stage|strategy|days|kind|type|length|enabled|mount|selector|policy|rotation|[a-z]Secrets|[a-z]Tokens)$/i;

// Keys that hold a credential and nothing else: a password of any shape under them is a plaintext credential.
const PASSWORD_KEY = /(?:pass(?:word|wd|phrase)?|pwd)$|(?:^|[-_.])(?:client[-_.]?secret|secret(?:[-_.]key)?|token|api[-_.]?key|apikey|auth[-_.]?token|access[-_.]?token)$/i;
// camelCase keys that hold a credential: `clientSecret`, `authToken`, `slackToken`, `apiKey` (not `secretKey`, ESO's key name).
const CAMEL_PASSWORD_KEY = /[a-z0-9](?:Secret|Token|ApiKey|Password)$|^apiKey$/;

/** True for a key that holds a credential and nothing else. */
export function isCredentialKey(key: string): boolean {
    return PASSWORD_KEY.test(key) || CAMEL_PASSWORD_KEY.test(key);
}
// Keys of digests and checksums (Helm's `checksum/secret` pod annotation): a hex value under them is a hash.
const DIGEST_KEY = /(checksum|digest|hash|sha(?:1|256|512)?|fingerprint|etag|md5)/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PUBLIC_KEY = /^(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-\S+) AAAA|^MII[BCI][A-Za-z0-9+/]{20}|-----BEGIN (?:RSA )?PUBLIC KEY-----/;
// References to a secret rather than the secret: ARNs, Secrets Manager / SSM / Vault references, templating,
// command substitution, file paths and Kubernetes-style names.
const REFERENCE_VALUE = /^(?:arn:aws|\{\{resolve:|resolve:|ref\+|vault:|awssm:|ssm:|secretsmanager:|file:|\/|\.\/|~\/|\$\(|`|@Microsoft\.KeyVault)/i;

/** True for a value that a person would type as a password under a credential key (short human passwords included). */
export function looksLikeTypedCredential(value: string): boolean {
    if (value.length < 6 || value.length > 512 || /\s/.test(value) || isPlaceholder(value) || REFERENCE_VALUE.test(value)) return false;
    if (UUID.test(value) || PUBLIC_KEY.test(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false;
    if (/^(?:true|false|yes|no|null|none|required|optional|disabled|enabled|\d+)$/i.test(value)) return false;
    // Lower-case names with separators are names of Kubernetes Secrets, files or keys, not passwords.
    if (/^[a-z][a-z0-9]*(?:[-_./:][a-z0-9]+)+$/.test(value) && !value.split(/[-_./:]/).some((s) => s.length >= 16)) return false;
    if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value)) return false; // an environment variable's name
    if (/^[a-z]+$/.test(value)) return false; // one lower-case word: a key name such as `password`, not a password
    return true;
}

// Keys of encrypted values: `encryptedSecret`, `encrypted_password`, `ciphertextBlob`.
const ENCRYPTED_KEY = /^encrypted|ciphertext/i;

/** True for a hex digest (sha1, sha256, sha512, md5) under a checksum-like key, or written `sha256:<hex>`. */
export function isDigest(key: string, value: string): boolean {
    if (/^(?:sha(?:1|256|384|512)|md5):[0-9a-f]{32,128}$/i.test(value)) return true;
    return DIGEST_KEY.test(key) && /^[0-9a-f]{32}$|^[0-9a-f]{40}$|^[0-9a-f]{64}$|^[0-9a-f]{96}$|^[0-9a-f]{128}$/i.test(value);
}

function isPlaceholder(value: string): boolean {
    // `$(VAR)` is Kubernetes' expansion of another env var in args and env values. `${...}` and `{{...}}` anywhere
    // in the value are templates (the `includes` below), so the pattern need not list them.
    return /^(\$\([A-Za-z_][A-Za-z0-9_]*\)|%[sd(]|<[^>]+>|\*+|x+|changeme|\[secret\]|\$[A-Z_][A-Z0-9_]*)$/i.test(value) || value.includes("{{") || value.includes("${");
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
    const counts = new Map<string, number>();
    for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    let bits = 0;
    for (const n of counts.values()) {
        const p = n / value.length;
        bits -= p * Math.log2(p);
    }
    return bits;
}

/** True for values that look like a random credential: long enough, mixed, high entropy and not a name or reference. */
export function looksRandom(value: string): boolean {
    if (value.length < 12 || value.length > 4096 || /\s/.test(value) || isPlaceholder(value)) return false;
    if (/^arn:aws/.test(value) || /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false;
    // MSK's SCRAM secrets must be named AmazonMSK_<...>; such a name is a reference.
    if (/^AmazonMSK_[A-Za-z0-9_-]+(\/[A-Za-z0-9_.-]+)+$/.test(value)) return false;
    // Lower-case names and paths with separators, none of whose segments is a long random run; also a comma-separated
    // list of such names (Reloader's annotation names the Kubernetes Secrets to watch, not their values).
    const isName = (v: string) => /^[a-z][a-z0-9]*(?:[-_./:][a-z0-9]+)+$/.test(v) && !v.split(/[-_./:]/).some((s) => s.length >= 16);
    if (value.split(",").every(isName)) return false;
    // Hex keys and tokens: a 16-letter alphabet caps entropy at 4 bits, so judge them by length and spread.
    if (/^[0-9a-f]+$/i.test(value)) return value.length >= 32 && /[0-9]/.test(value) && /[a-f]/i.test(value) && shannonEntropy(value) >= 3.0;
    const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(value)).length;
    if (classes < 2) return false;
    return shannonEntropy(value) >= (value.length >= 32 ? 3.7 : 3.2);
}

/**
 * This estate's own detectors, which the secretlint preset does not cover: PEM private keys (Snowflake key
 * pairs), connection URIs with a password (JDBC, SQLAlchemy, Airflow connections, basic-auth URLs), Kafka JAAS and
 * `sasl.password`, and high-entropy values under secret-like keys.
 */
export function estateDetectors(found: FoundString): string | undefined {
    const { key, value } = found;
    if (value.length < 6) return undefined;
    if (value.includes("PRIVATE KEY") && PEM_PRIVATE_KEY.test(value)) return "pem-private-key";
    if (value.includes("://")) {
        URI_WITH_PASSWORD.lastIndex = 0;
        for (let m = URI_WITH_PASSWORD.exec(value); m; m = URI_WITH_PASSWORD.exec(value)) {
            if (!isPlaceholder(safeDecode(m[3]))) return /^https?$/i.test(m[1]) ? "basic-auth-url" : "connection-uri-password";
        }
    }
    if (/password|pwd/i.test(value) && /[?&;]/.test(value)) {
        QUERY_PASSWORD.lastIndex = 0;
        for (let m = QUERY_PASSWORD.exec(value); m; m = QUERY_PASSWORD.exec(value)) if (!isPlaceholder(m[1])) return "connection-uri-password";
    }
    if (value.includes("LoginModule")) {
        const m = JAAS_PASSWORD.exec(value);
        if (m && !isPlaceholder(m[1] ?? m[2])) return "kafka-jaas-password";
    }
    if (/sasl\.password$/i.test(key) && !isPlaceholder(value) && !REFERENCE_KEY.test(key)) return "kafka-sasl-password";
    if (/^authorization-/.test(key)) return isPlaceholder(value) || REFERENCE_VALUE.test(value) || value.length < 8 ? undefined : "http-authorization-header";
    if (isDigest(key, value)) return undefined;
    // Ciphertext (an access key's PGP-encrypted secret, `encryptedPassword`) is what a credential should become.
    if (ENCRYPTED_KEY.test(key)) return undefined;
    // Container args: `--password=<value>`, `--conf spark.hadoop.fs.s3a.secret.key=<value>`.
    const arg = /^(?:--?|spark\.)?([A-Za-z0-9_.-]+)=(.+)$/.exec(value);
    if (arg && SECRET_KEY.test(arg[1]) && !REFERENCE_KEY.test(arg[1]) && looksRandom(arg[2])) return "secret-argument";
    if (arg && isCredentialKey(arg[1]) && looksLikeTypedCredential(arg[2])) return "secret-argument";
    if (key && SECRET_KEY.test(key) && !REFERENCE_KEY.test(key) && looksRandom(value)) return "high-entropy-secret-key";
    if (key && isCredentialKey(key) && !REFERENCE_KEY.test(key) && looksLikeTypedCredential(value)) return "credential-under-key";
    return undefined;
}

function safeDecode(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}

// secretlint's profiler records a performance mark per rule and per lint; with thousands of resources that is a
// memory leak and a large share of the time, so it is switched off (it is the instance @secretlint/core uses).
try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require("@secretlint/profiler") as { secretLintProfiler?: { setEnabled(enabled: boolean): void } }).secretLintProfiler?.setEnabled(false);
} catch {
    // Without the profiler module there is nothing to switch off.
}

const SECRETLINT_CONFIG = { rules: [{ id: recommendedPreset.meta.id, rule: recommendedPreset }] };
// Strings that cannot hold a credential the preset knows: too short, ARNs, plain lower-case names and paths.
// IAM actions (`secretsmanager:GetSecretValue`, `kms:ReEncrypt*`) and upper-case names with underscores
// (`AIRFLOW__SECRETS__BACKEND_KWARGS`, `SYMMETRIC_DEFAULT`) are names, and policy documents are full of them.
const NOT_A_CANDIDATE = /^(?:arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:\d{0,12}:[A-Za-z0-9/_+=.,@:*-]*|[a-z0-9][a-z0-9._/:-]*|[A-Za-z ,.'()-]*|\d+|true|false|[a-z0-9-]+:[A-Za-z0-9*?]+|[A-Z][A-Z0-9]*(?:__?[A-Z0-9]+)+)$/;

/** True when the secretlint preset could possibly match the string (a cheap filter before the batched lint). */
export function isSecretlintCandidate(value: string): boolean {
    return value.length >= 8 && !NOT_A_CANDIDATE.test(value);
}

/**
 * Runs the secretlint recommended preset once over a batch of strings (joined by newlines) and maps each
 * message back to the string it came from. Returns, per input index, the rule ids that fired.
 */
export async function secretlintBatch(values: readonly string[]): Promise<Map<number, string[]>> {
    const hits = new Map<number, string[]>();
    if (values.length === 0) return hits;
    const starts: number[] = [];
    let content = "";
    for (const v of values) {
        starts.push(content.length);
        content += `${v}\n`;
    }
    const result = await lintSource({
        source: { filePath: "resource-inputs.txt", content, contentType: "text" } as any,
        options: { config: SECRETLINT_CONFIG as any, noPhysicFilePath: true, maskSecrets: true },
    });
    for (const message of result.messages) {
        if ((message as any).type === "info") continue;
        const offset = message.range[0];
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (starts[mid] <= offset) lo = mid;
            else hi = mid - 1;
        }
        const list = hits.get(lo) ?? [];
        if (!list.includes(message.ruleId)) list.push(message.ruleId);
        hits.set(lo, list);
    }
    return hits;
}

const secretlintVerdicts = new Map<string, readonly string[]>();
const SECRETLINT_CACHE_SIZE = 50_000;
/** At most this many characters go into one secretlint call. */
const SECRETLINT_BATCH_CHARS = 1 << 20;

/** Callers waiting for the next batched lint: their strings, and how to hand each its verdicts. */
let lintQueue: Array<{ values: readonly string[]; done: (verdicts: Array<readonly string[]>) => void; fail: (err: unknown) => void }> = [];

/**
 * The preset's verdict (rule ids) for each string. Calls made in the same turn of the event loop are linted together,
 * in as few secretlint calls as their size allows: one call has a fixed cost that, per resource, was most of the rule's
 * time (one call for all of a plan's strings took 3-8 ms, one per resource 75-200 ms, measured on the prod plan). The
 * verdicts are the same: a string's verdict never depends on which batch holds it, only (as before) on the string,
 * since every message maps back to the string it starts in.
 */
function lintSoon(values: readonly string[]): Promise<Array<readonly string[]>> {
    return new Promise((done, fail) => {
        if (lintQueue.length === 0) queueMicrotask(() => void flushLintQueue());
        lintQueue.push({ values, done, fail });
    });
}

async function flushLintQueue(): Promise<void> {
    const waiting = lintQueue;
    lintQueue = [];
    try {
        const distinct = [...new Set(waiting.flatMap((w) => w.values))];
        const verdicts = new Map<string, readonly string[]>();
        for (let start = 0; start < distinct.length; ) {
            let end = start;
            for (let chars = 0; end < distinct.length && (end === start || chars + distinct[end].length <= SECRETLINT_BATCH_CHARS); end++) chars += distinct[end].length + 1;
            const chunk = distinct.slice(start, end);
            const hits = await secretlintBatch(chunk);
            chunk.forEach((v, i) => verdicts.set(v, hits.get(i) ?? []));
            start = end;
        }
        for (const w of waiting) w.done(w.values.map((v) => verdicts.get(v)!));
    } catch (err) {
        for (const w of waiting) w.fail(err);
    }
}

/** Every plaintext secret among a resource's strings: the estate detectors, then the secretlint preset. */
export async function findPlaintextSecrets(strings: readonly FoundString[], useSecretlint = true): Promise<SecretFinding[]> {
    const findings: SecretFinding[] = [];
    const flagged = new Set<string>();
    const candidates: FoundString[] = [];
    for (const s of strings) {
        const hit = estateDetectors(s);
        if (hit) {
            findings.push({ path: s.path, detector: hit });
            flagged.add(s.path);
        } else if (useSecretlint && !s.isJson && isSecretlintCandidate(s.value)) candidates.push(s);
    }
    // The preset's verdict depends on the string alone, so each distinct string is linted once per process: a value
    // an output copies from an input, or that many resources share, costs one lint.
    // Verdicts already known are taken now: while this call waits for its lint, another may clear the bounded cache.
    const verdicts = new Map<string, readonly string[]>();
    const unseen: string[] = [];
    for (const v of new Set(candidates.map((c) => c.value))) {
        const known = secretlintVerdicts.get(v);
        if (known) verdicts.set(v, known);
        else unseen.push(v);
    }
    if (unseen.length > 0) {
        const linted = await lintSoon(unseen);
        if (secretlintVerdicts.size + unseen.length > SECRETLINT_CACHE_SIZE) secretlintVerdicts.clear();
        unseen.forEach((v, i) => {
            secretlintVerdicts.set(v, linted[i]);
            verdicts.set(v, linted[i]);
        });
    }
    for (const c of candidates) {
        const rules = verdicts.get(c.value) ?? [];
        if (rules.length === 0 || flagged.has(c.path)) continue;
        flagged.add(c.path);
        findings.push({ path: c.path, detector: `secretlint:${rules.join(",")}` });
    }
    return findings;
}
