// `npm run plan -- --stack <env> --access-report <file.html>`: who reads what, as one static page computed from the
// environment model. A workload x secret matrix with the rotation columns, filterable by domain (the owning team),
// criticality and kind with inline script; each granted cell links to the catalog line that grants it. No external
// script, style, font or image: the page's Content-Security-Policy forbids them.
import * as fs from "fs";
import * as path from "path";
import { EnvironmentModel } from "../../model/environment";

/** Where one grant is written: the catalog file and the 1-based line. */
export interface GrantSource {
    readonly file: string;
    readonly line: number;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The line of a catalog YAML text that grants `workloadId` the secret `secretName`: the line inside that secret's
 * entry that names the workload (in `consumers`), or the entry's `name:` line when the id is not on a line of its own.
 * Undefined when the text has no such entry.
 */
export function grantLine(yamlText: string, secretName: string, workloadId: string): number | undefined {
    const lines = yamlText.split(/\r?\n/);
    const nameLine = new RegExp(`^(\\s*)(- )?name:\\s*["']?${escapeRegExp(secretName)}["']?\\s*(#.*)?$`);
    const start = lines.findIndex((l) => nameLine.test(l));
    if (start < 0) return undefined;
    const indent = /^(\s*)/.exec(lines[start])![1].length;
    const id = new RegExp(`(^|[\\s\\[,'"-])${escapeRegExp(workloadId)}($|[\\s\\],'"#])`);
    const indentOf = (l: string) => /^(\s*)/.exec(l)![1].length;
    const meaningful = (l: string) => l.trim() !== "" && !l.trim().startsWith("#");
    for (let i = start + 1; i < lines.length; i++) {
        const l = lines[i];
        // The entry ends at the next list item (or key) at the entry's own indentation.
        if (meaningful(l) && indentOf(l) <= indent && /^\s*(- |[A-Za-z_]+:)/.test(l)) break;
        const key = /^(\s*)consumers:/.exec(l);
        if (!key) continue;
        // The consumers value: the key's line and every following line indented deeper (block items or a wrapped flow list).
        for (let j = i; j < lines.length; j++) {
            if (j > i && meaningful(lines[j]) && indentOf(lines[j]) <= key[1].length && !/^\s*- /.test(lines[j])) break;
            if (j > i && meaningful(lines[j]) && indentOf(lines[j]) < key[1].length) break;
            const value = (j === i ? lines[j].replace(/^\s*consumers:/, "") : lines[j]).replace(/#.*$/, "");
            if (id.test(value)) return j + 1;
        }
        break;
    }
    return start + 1;
}

/** One row of the matrix. */
export interface AccessRow {
    readonly secret: string;
    readonly fullName: string;
    readonly kind: string;
    readonly criticality: string;
    readonly domain: string;
    readonly strategy: string;
    readonly days: number;
    /** Workload id to where the grant is written. */
    readonly grants: ReadonlyMap<string, GrantSource>;
}

/** The matrix of one environment: every planned secret (MSK user slots excluded: no workload reads them) and every workload. */
export function accessMatrix(model: EnvironmentModel, readCatalogFile: (file: string) => string): { workloads: string[]; rows: AccessRow[] } {
    const texts = new Map<string, string>();
    const text = (file: string) => {
        if (!texts.has(file)) texts.set(file, readCatalogFile(file));
        return texts.get(file)!;
    };
    const workloads = model.identities.map((i) => i.workload.id);
    const readers = new Map<string, string[]>();
    for (const identity of model.identities) for (const s of identity.reads) readers.set(s, [...(readers.get(s) ?? []), identity.workload.id]);
    const rows = model.secrets
        .filter((s) => !s.slotOf)
        .map((s) => {
            const grants = new Map<string, GrantSource>();
            for (const w of readers.get(s.entry.name) ?? []) grants.set(w, { file: s.entry.file, line: grantLine(text(s.entry.file), s.entry.name, w) ?? 1 });
            return { secret: s.entry.name, fullName: s.fullName, kind: s.entry.kind, criticality: s.entry.criticality, domain: s.entry.owner, strategy: s.entry.rotation.strategy, days: s.entry.rotation.days, grants };
        });
    return { workloads, rows };
}

const SCRIPT = `
(function () {
  var keys = ["domain", "criticality", "kind"];
  function apply() {
    var want = {};
    keys.forEach(function (k) { want[k] = document.getElementById("f-" + k).value; });
    var rows = document.querySelectorAll("tbody tr");
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var r = rows[i];
      var ok = keys.every(function (k) { return !want[k] || r.getAttribute("data-" + k) === want[k]; });
      r.hidden = !ok;
      if (ok) shown++;
    }
    document.getElementById("shown").textContent = String(shown);
    var h = keys.filter(function (k) { return want[k]; }).map(function (k) { return k + "=" + encodeURIComponent(want[k]); }).join("&");
    if (("#" + h) !== location.hash && !(h === "" && location.hash === "")) history.replaceState(null, "", h ? "#" + h : location.pathname);
  }
  function fromHash() {
    location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var kv = pair.split("=");
      var el = document.getElementById("f-" + kv[0]);
      if (el && kv.length === 2) el.value = decodeURIComponent(kv[1]);
    });
  }
  keys.forEach(function (k) { document.getElementById("f-" + k).addEventListener("change", apply); });
  fromHash();
  apply();
})();
`;

/** The whole page for one environment's model. `repoLink` turns a catalog file and line into a link (default: a repository-relative path with `#L<line>`). */
export function renderAccessReport(model: EnvironmentModel, readCatalogFile: (file: string) => string, repoLink: (s: GrantSource) => string = (s) => `${s.file}#L${s.line}`): string {
    const env = model.config.environment;
    const { workloads, rows } = accessMatrix(model, readCatalogFile);
    const options = (values: string[]) => ["", ...[...new Set(values)].sort()].map((v) => `<option value="${escapeHtml(v)}">${v ? escapeHtml(v) : "all"}</option>`).join("");
    const select = (key: string, label: string, values: string[]) => `<label>${label} <select id="f-${key}">${options(values)}</select></label>`;
    const head = ["secret", "kind", "criticality", "domain", "rotation", "every"].map((h) => `<th scope="col">${h}</th>`).join("") + workloads.map((w) => `<th scope="col" class="wl"><span>${escapeHtml(w)}</span></th>`).join("");
    const body = rows
        .map((r) => {
            const cells = workloads
                .map((w) => {
                    const g = r.grants.get(w);
                    if (!g) return `<td></td>`;
                    const where = `${g.file}:${g.line}`;
                    return `<td class="g"><a href="${escapeHtml(repoLink(g))}" title="${escapeHtml(`${w} reads ${r.fullName}: granted at ${where}`)}" data-workload="${escapeHtml(w)}" data-source="${escapeHtml(where)}">&#9679;</a></td>`;
                })
                .join("");
            return `<tr data-domain="${escapeHtml(r.domain)}" data-criticality="${escapeHtml(r.criticality)}" data-kind="${escapeHtml(r.kind)}" data-secret="${escapeHtml(r.secret)}"><th scope="row">${escapeHtml(r.fullName)}</th><td>${escapeHtml(r.kind)}</td><td class="c-${escapeHtml(r.criticality)}">${escapeHtml(r.criticality)}</td><td>${escapeHtml(r.domain)}</td><td>${escapeHtml(r.strategy)}</td><td>${r.days}d</td>${cells}</tr>`;
        })
        .join("\n");
    const grants = rows.reduce((n, r) => n + r.grants.size, 0);
    return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>Who reads what: ${escapeHtml(env)}</title>
<style>
body { font: 13px system-ui, sans-serif; margin: 1em; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ccc; padding: 2px 6px; white-space: nowrap; }
th.wl { vertical-align: bottom; } th.wl span { writing-mode: vertical-rl; transform: rotate(180deg); }
td.g { text-align: center; } td.g a { color: #0645ad; text-decoration: none; }
.c-critical { color: #b00; font-weight: bold; } .c-high { color: #a60; }
tbody th { text-align: left; font-weight: normal; }
</style>
</head>
<body>
<h1>Who reads what in ${escapeHtml(env)}</h1>
<p>Computed from the catalog by the environment model (${rows.length} secrets, ${workloads.length} workloads, ${grants} grants; MSK user slots and RDS-managed secrets are not listed: no workload identity reads them). Each &#9679; is one grant and links to the catalog line that writes it.</p>
<form id="filters">${select("domain", "domain", rows.map((r) => r.domain))} ${select("criticality", "criticality", rows.map((r) => r.criticality))} ${select("kind", "kind", rows.map((r) => r.kind))} <output><span id="shown">${rows.length}</span> of ${rows.length} secrets shown</output></form>
<table>
<thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody>
</table>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** Writes the access report of a model to `outFile`, reading catalog files relative to `projectDir`. */
export function writeAccessReport(model: EnvironmentModel, projectDir: string, outFile: string): void {
    const html = renderAccessReport(model, (file) => fs.readFileSync(path.resolve(projectDir, file), "utf8"));
    fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
    fs.writeFileSync(outFile, html);
}
