import { parse as parseYaml } from "yaml";
import { decodeBase64Text, mayBeBase64Text } from "./encodings";
import { keyValuePairs, mayHoldPairs } from "./text-formats";

/** The engine's sentinels for values unknown during preview (`@pulumi/policy` proxy.js). */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",
    "030794c1-ac77-496b-92df-f27374a8bd58",
    "e48ece36-62e2-4504-bad9-02848725956a",
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",
]);

/** What the plan and the checker put where a Pulumi secret was. */
export const SECRET_PLACEHOLDER = "[secret]";

/** True for a value that is not known yet (preview). */
export function isUnknown(value: unknown): boolean {
    return typeof value === "string" && UNKNOWN_SENTINELS.has(value);
}

/** A known, non-empty string, or undefined. */
export function knownString(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" && !UNKNOWN_SENTINELS.has(value) ? value : undefined;
}

/** A plain object, or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** A value as a list: arrays as they are, a single value as a one-element list, nothing as empty. */
export function asList(value: unknown): unknown[] {
    return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

/** Parses a string that looks like a JSON object or array; anything else (or invalid JSON) gives undefined. */
export function parseJsonish(text: string): unknown {
    const first = text.charCodeAt(0);
    if (first !== 123 /* { */ && first !== 91 /* [ */) {
        const trimmed = text.trimStart();
        if (trimmed[0] !== "{" && trimmed[0] !== "[") return undefined;
    }
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";

// The same documents recur across resources (one Airflow settings file in every domain's ConfigMap and in the Helm
// values): each distinct text is parsed once per process. Bounded, so a huge stack cannot grow it without limit.
const yamlishByText = new Map<string, { readonly parsed: unknown }>();
const YAMLISH_CACHE_LIMIT = 1_000;

/** Parses a multi-line string that is a YAML mapping or list (Helm values passed as text); anything else gives undefined. */
export function parseYamlish(text: string): unknown {
    if (text.length > 200_000 || text.indexOf("\n") < 0 || !/^\s*(-\s|[A-Za-z0-9_."'-]+:\s)/m.test(text)) return undefined;
    let known = yamlishByText.get(text);
    if (!known) {
        let parsed: unknown;
        try {
            parsed = parseYaml(text, { maxAliasCount: 50 });
        } catch {
            parsed = undefined;
        }
        known = { parsed: parsed !== null && typeof parsed === "object" ? parsed : undefined };
        if (yamlishByText.size >= YAMLISH_CACHE_LIMIT) yamlishByText.clear();
        yamlishByText.set(text, known);
    }
    // A fresh copy per call, as a parse gives: callers walk it with identity-based cycle checks.
    return known.parsed === undefined ? undefined : structuredClone(known.parsed);
}

/** A string found in a resource's inputs, with the path to it and the key it sits under. */
export interface FoundString {
    readonly path: string;
    /** The nearest key: the property name, or the `name` of a `{name, value}` pair (env vars, Spark conf lists). */
    readonly key: string;
    readonly value: string;
    /**
     * True when the string is a container whose own strings are reported separately: JSON or YAML (`<json>`,
     * `<yaml>` in their path), base64 of text (`<base64>`), or a text blob read into pairs (`<KEY>`).
     */
    readonly isJson?: boolean;
}

// A list item that is a command-line flag, whose value is the next item: `["--password", "<value>"]`.
const FLAG_ITEM = /^--?([A-Za-z][A-Za-z0-9_.-]*)$/;

const MAX_DEPTH = 64;

/**
 * Every known string in a value, depth first, with JSON inside strings parsed and walked too (policy documents,
 * Helm values, ECS container definitions). `{name, value}` pairs report the value under the pair's name.
 * Unknowns, the secret placeholder, cycles and anything deeper than 64 levels are skipped.
 */
export function collectStrings(root: unknown, rootPath = "", out: FoundString[] = []): FoundString[] {
    const seen = new Set<object>();
    const visit = (value: unknown, path: string, key: string, depth: number): void => {
        if (typeof value === "string") {
            if (value === "" || UNKNOWN_SENTINELS.has(value) || value === SECRET_PLACEHOLDER) return;
            if (value.length < 2 || depth >= MAX_DEPTH) {
                out.push({ path, key, value });
                return;
            }
            // parseJsonish gives only objects, arrays or undefined.
            const parsed = parseJsonish(value) as object | undefined;
            const yaml = parsed === undefined ? parseYamlish(value) : undefined;
            if (parsed !== undefined || yaml !== undefined) {
                out.push({ path, key, value, isJson: true });
                if (parsed !== undefined) visit(parsed, `${path}<json>`, key, depth + 1);
                else visit(yaml, `${path}<yaml>`, key, depth + 1);
                return;
            }
            // Base64 that decodes to text (a script, JSON, a config blob, a password) is judged decoded.
            const decoded = mayBeBase64Text(value) ? decodeBase64Text(value) : undefined;
            // mayBeBase64Text asks for 16 characters, so a decode holds at least 10 bytes: never a trivially short text.
            if (decoded !== undefined) {
                out.push({ path, key, value });
                visit(decoded, `${path}<base64>`, key, depth + 1);
                return;
            }
            // Text formats (DSNs, properties, INI, .env, scripts, commands with headers) are read into pairs.
            const pairs = mayHoldPairs(value) ? keyValuePairs(value) : [];
            out.push(pairs.length > 0 ? { path, key, value, isJson: true } : { path, key, value });
            for (const pair of pairs) if (pair.value !== "" && !UNKNOWN_SENTINELS.has(pair.value)) out.push({ path: `${path}<${pair.key}>`, key: pair.key, value: pair.value });
            return;
        }
        if (value === null || typeof value !== "object" || depth >= MAX_DEPTH || seen.has(value)) return;
        seen.add(value);
        if (Array.isArray(value)) {
            for (let i = 0; i < value.length; i++) {
                const flag = i > 0 && typeof value[i - 1] === "string" ? FLAG_ITEM.exec(value[i - 1] as string) : null;
                visit(value[i], `${path}[${i}]`, flag ? flag[1] : key, depth + 1);
            }
            return;
        }
        const obj = value as Record<string, unknown>;
        // Assets, archives (bundled function code) and resource references are not configuration values.
        if (SIG_KEY in obj || ("assets" in obj && typeof obj.assets === "object") || (key === "code" && path.split(".").length === 1)) return;
        const pairName = typeof obj.name === "string" ? obj.name : typeof obj.key === "string" ? obj.key : undefined;
        for (const k of Object.keys(obj)) {
            const childKey = pairName !== undefined && (k === "value" || k === "defaultValue") ? pairName : k;
            visit(obj[k], path === "" ? k : `${path}.${k}`, childKey, depth + 1);
        }
    };
    visit(root, rootPath, "", 0);
    return out;
}

const stringsByProps = new WeakMap<object, readonly FoundString[]>();

/**
 * {@link collectStrings} of a resource's properties, computed once per properties object: the engine hands every
 * rule the same object for one resource, so the rules that read all strings (plaintext, cross-environment) share
 * one walk, one JSON/YAML parse of each embedded document and one base64 decode.
 */
export function stringsOf(props: Record<string, unknown>): readonly FoundString[] {
    const cached = stringsByProps.get(props);
    if (cached) return cached;
    const found = collectStrings(props);
    stringsByProps.set(props, found);
    return found;
}

/** Any value as short readable text, without ever throwing (objects without a prototype cannot be converted by String()). */
export function display(value: unknown): string {
    if (typeof value === "string") return value;
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return Object.prototype.toString.call(value);
    }
}

/** A finite number from a number or numeric string; NaN for anything else (never throws, unlike Number(object)). */
export function toNumber(value: unknown): number {
    if (typeof value === "number") return value;
    if (typeof value === "string" && value.trim() !== "") return Number(value);
    return NaN;
}
