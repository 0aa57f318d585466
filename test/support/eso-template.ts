// What External Secrets Operator does with an ExternalSecret, for tests: fetch (`data` / `dataFrom.extract`), then
// render `target.template.data` with the v2 engine. It is a TypeScript rendering of ESO's semantics, not ESO's own
// Go package: Go text/template with missingkey=error over a map of strings, and the functions our views use, with
// Go's and sprig's behaviour (toJson escapes <, > and & like encoding/json; urlquery is url.QueryEscape; nospace
// drops unicode spaces; regexReplaceAll takes (regex, src, repl)). An unknown function or action throws, so a view
// that uses more than this renderer knows fails its test instead of passing untested.

/** The fetched secret data ESO hands to the template: key to string. */
export type EsoData = Record<string, string>;

/** ESO's `dataFrom.extract` of a JSON object: each top-level key; strings as they are, anything else as its JSON. */
export function extractJson(raw: string): EsoData {
    const v = JSON.parse(raw) as Record<string, unknown>;
    if (v === null || typeof v !== "object" || Array.isArray(v)) throw new Error("dataFrom.extract needs a JSON object");
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === "string" ? x : x === null ? "" : JSON.stringify(x)]));
}

function goJson(v: unknown): string {
    return JSON.stringify(v)
        .replace(/</g, "\\u003c")
        .replace(/>/g, "\\u003e")
        .replace(/&/g, "\\u0026")
        .replace(/\u2028/g, "\\u2028")
        .replace(/\u2029/g, "\\u2029");
}

function queryEscape(s: string): string {
    return [...Buffer.from(s, "utf8")]
        .map((b) => {
            const c = String.fromCharCode(b);
            if (/[A-Za-z0-9\-_.~]/.test(c)) return c;
            if (c === " ") return "+";
            return `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
        })
        .join("");
}

type Value = string | boolean | EsoData;

const FUNCTIONS: Record<string, (...args: Value[]) => Value> = {
    toJson: (v) => goJson(v),
    b64enc: (v) => Buffer.from(String(v), "utf8").toString("base64"),
    urlquery: (...vs) => queryEscape(vs.map(String).join("")),
    nospace: (v) => String(v).replace(/[\s\u0085\u00a0]/gu, ""),
    regexReplaceAll: (re, src, repl) => String(src).replace(new RegExp(String(re), "g"), String(repl)),
    replace: (oldS, newS, src) => String(src).split(String(oldS)).join(String(newS)),
    // ESO hands the template a map[string]string; sprig's hasKey takes only map[string]interface{}, so in ESO it fails
    // (tools/eso-render, built from the same packages, shows it). A template must guard optional fields with `index`.
    hasKey: () => {
        throw new Error("wrong type for value; expected map[string]interface {}; got map[string]string");
    },
    // Go's index on a map: the zero value ("") for a missing key, not an error (missingkey=error covers `.field` only).
    index: (m, k) => {
        if (typeof m !== "object") throw new Error(`can't index item of type ${typeof m}`);
        return Object.hasOwn(m, String(k)) ? m[String(k)]! : "";
    },
};

function tokenize(expr: string): string[] {
    const out: string[] = [];
    const re = /\s*("(?:[^"\\]|\\.)*"|`[^`]*`|\||[^\s|]+)/gy;
    let m: RegExpExecArray | null;
    let end = 0;
    while ((m = re.exec(expr)) !== null) {
        out.push(m[1]!);
        end = re.lastIndex;
    }
    if (expr.slice(end).trim() !== "") throw new Error(`cannot parse '${expr}'`);
    return out;
}

function evalPipeline(expr: string, data: EsoData): Value {
    const commands: string[][] = [[]];
    for (const t of tokenize(expr)) {
        if (t === "|") commands.push([]);
        else commands[commands.length - 1]!.push(t);
    }
    let piped: Value | undefined;
    for (const cmd of commands) {
        const [head, ...rest] = cmd;
        if (head === undefined) throw new Error(`empty command in '${expr}'`);
        const args = rest.map((a) => operand(a, data));
        if (piped !== undefined) args.push(piped);
        if (Object.hasOwn(FUNCTIONS, head)) piped = FUNCTIONS[head]!(...args);
        else if (args.length === 0) piped = operand(head, data);
        else throw new Error(`can't give arguments to non-function ${head}`);
    }
    return piped!;
}

function operand(t: string, data: EsoData): Value {
    if (t === ".") return data;
    if (t.startsWith(".")) {
        const key = t.slice(1);
        // ESO executes with Option("missingkey=error").
        if (!Object.hasOwn(data, key)) throw new Error(`map has no entry for key "${key}"`);
        return data[key]!;
    }
    if (t.startsWith('"')) return JSON.parse(t) as string;
    if (t.startsWith("`")) return t.slice(1, -1);
    if (Object.hasOwn(FUNCTIONS, t)) return FUNCTIONS[t]!();
    throw new Error(`function "${t}" not defined`);
}

function truthy(v: Value): boolean {
    return typeof v === "boolean" ? v : typeof v === "string" ? v !== "" : Object.keys(v).length > 0;
}

/** Renders one Go template over ESO's data map. Supports text, pipelines and `if`/`else`/`end`. */
export function renderTemplate(template: string, data: EsoData): string {
    const parts = template.split(/(\{\{-?\s*[\s\S]*?\s*-?\}\})/);
    let out = "";
    const stack: Array<{ active: boolean; parentActive: boolean; taken: boolean }> = [];
    const active = () => stack.every((s) => s.active);
    for (const part of parts) {
        const m = /^\{\{-?\s*([\s\S]*?)\s*-?\}\}$/.exec(part);
        if (!m) {
            if (active()) out += part;
            continue;
        }
        const action = m[1]!;
        if (action.startsWith("if ")) {
            const parentActive = active();
            const cond = parentActive ? truthy(evalPipeline(action.slice(3), data)) : false;
            stack.push({ active: cond, parentActive, taken: cond });
        } else if (action === "else") {
            const top = stack[stack.length - 1];
            if (!top) throw new Error("else without if");
            top.active = top.parentActive && !top.taken;
        } else if (action === "end") {
            if (!stack.pop()) throw new Error("end without if");
        } else if (/^(range|with|define|template|block)\b/.test(action)) {
            throw new Error(`action '${action.split(/\s/)[0]}' is not supported by this renderer`);
        } else if (active()) {
            out += String(evalPipeline(action, data));
        }
    }
    if (stack.length) throw new Error("unclosed if");
    return out;
}

/** The Kubernetes Secret data ESO would write for an ExternalSecret spec, given the remote values by key. */
export function renderExternalSecret(spec: any, remote: (key: string) => string): Record<string, string> {
    const data: EsoData = {};
    for (const d of spec.data ?? []) {
        const raw = remote(d.remoteRef.key);
        data[d.secretKey] = d.remoteRef.property === undefined ? raw : extractJson(raw)[d.remoteRef.property]!;
    }
    for (const f of spec.dataFrom ?? []) {
        if (!f.extract) throw new Error("only dataFrom.extract is supported");
        Object.assign(data, extractJson(remote(f.extract.key)));
    }
    const template = spec.target?.template;
    if (!template) return data;
    if (template.engineVersion !== "v2") throw new Error("only template engine v2 is supported");
    const rendered = Object.fromEntries(Object.entries(template.data ?? {}).map(([k, t]) => [k, renderTemplate(String(t), data)]));
    // mergePolicy Replace (the default): the Secret holds the template's keys only; Merge keeps the fetched keys too.
    return template.mergePolicy === "Merge" ? { ...data, ...rendered } : rendered;
}
