// Credential-bearing text formats read into key/value pairs, so each value is judged by its key's meaning: libpq
// key=value DSNs, Java properties, INI and .env blobs, shell `export` lines and userData scripts, and HTTP
// Authorization headers inside commands.

/** One key/value pair read from a text blob. */
export interface TextPair {
    readonly key: string;
    readonly value: string;
}

function unquote(raw: string): string {
    const v = raw.trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1).replace(/\\(.)/g, "$1");
    return v;
}

// `export KEY=value`, `KEY=value`, `key = value` (INI), `key: value` and `key=value` (Java properties); comments and
// `[section]` headers are skipped. A value runs to the end of the line.
const LINE = /^\s*(?:export\s+|set\s+|declare\s+(?:-x\s+)?)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*(?:=|:(?!\/\/))\s*(.*?)\s*$/;
// libpq key=value connection strings: `host=db port=5432 user=app password='x y' dbname=ledger`.
const DSN_PAIR = /(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)\s*=\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s'"]+)/g;
// `Authorization: Bearer <token>` (also Basic, Token) anywhere in a string, such as a curl command.
const AUTH_HEADER = /\b(?:proxy-)?authorization\s*:\s*(bearer|basic|token|apikey)\s+([^\s"'\\]+)/gi;
// `KEY=value` words of a shell line (`env A=1 PGPASSWORD=x psql ...`, `export A=1; run`).
const SHELL_ASSIGN = /(?:^|[\s;&|])(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s'";&|]+)/g;

/** True when the text may hold key/value pairs worth reading (cheap test before {@link keyValuePairs}). */
export function mayHoldPairs(text: string): boolean {
    // JAAS lines have their own detector, which names the format.
    if (text.length < 8 || text.length > 200_000 || text.includes("LoginModule")) return false;
    const eq = text.indexOf("=");
    if (eq > 0 && (text.indexOf("\n") >= 0 || /\s/.test(text))) return true;
    return /authorization\s*:/i.test(text) || (text.indexOf("\n") >= 0 && text.indexOf(":") > 0);
}

/**
 * Every key/value pair a text blob holds: one per line for properties, INI, .env and scripts, every `k=v` word of
 * a libpq DSN or a shell line, and the credential of each HTTP Authorization header (under the key
 * `authorization`).
 */
export function keyValuePairs(text: string): TextPair[] {
    const out: TextPair[] = [];
    AUTH_HEADER.lastIndex = 0;
    for (let m = AUTH_HEADER.exec(text); m; m = AUTH_HEADER.exec(text)) out.push({ key: `authorization-${m[1].toLowerCase()}`, value: m[2] });
    const multiLine = text.indexOf("\n") >= 0;
    if (multiLine) {
        for (const line of text.split(/\r?\n/)) {
            const trimmed = line.trim();
            if (trimmed === "" || trimmed[0] === "#" || trimmed[0] === ";" || trimmed[0] === "!" || trimmed[0] === "[") continue;
            const m = LINE.exec(line);
            if (m && !/\s/.test(unquote(m[2])) && m[2] !== "") out.push({ key: m[1], value: unquote(m[2]) });
            else if (trimmed.includes("=")) pairsOfWords(trimmed, out);
        }
        return out;
    }
    pairsOfWords(text, out);
    return out;
}

function pairsOfWords(text: string, out: TextPair[]): void {
    const re = /^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(text.trim()) && !/[;&|]/.test(text) ? DSN_PAIR : SHELL_ASSIGN;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) out.push({ key: m[1], value: unquote(m[2]) });
}
