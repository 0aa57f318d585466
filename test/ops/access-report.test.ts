// The access report (`npm run plan -- --access-report`): the matrix is the model's grants, each link points at the
// catalog line that writes the grant, and the page renders in Debian's headless Chromium with working filters and
// no console message.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { loadCatalog } from "../../model/catalog";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { EnvironmentModel, planEnvironment } from "../../model/environment";
import { accessMatrix, grantLine, renderAccessReport } from "../../tools/plan/access-report";
import { PROJECT_DIR, runPlanCli } from "../support/plan-cli";

const CHROMIUM = "/usr/bin/chromium";
const readCatalogFile = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const modelOf = (stack: string): EnvironmentModel => planEnvironment(parseEnvironmentConfig(readStackFile(PROJECT_DIR, stack)), loadCatalog(path.join(PROJECT_DIR, "catalog")));

/** Flags known to work for Chromium here as root on a closed network (no background connections, a fresh profile). */
function chromiumArgs(profile: string): string[] {
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`, "--enable-logging=stderr", "--v=0"];
}

/** Loads a page in headless Chromium; returns the DOM after its scripts ran and every console message it logged. */
function loadInChromium(url: string, dir: string, extra: string[] = []): { dom: string; console: string[]; status: number | null } {
    const profile = fs.mkdtempSync(path.join(dir, "profile-"));
    const res = spawnSync(CHROMIUM, [...chromiumArgs(profile), ...extra, url], { encoding: "utf8", timeout: 120000, maxBuffer: 64 * 1024 * 1024 });
    return { dom: res.stdout, console: res.stderr.split("\n").filter((l) => /:CONSOLE[:(]/.test(l)), status: res.status };
}

const visibleRows = (dom: string) => [...dom.matchAll(/<tr ([^>]*)>/g)].map((m) => m[1]).filter((attrs) => attrs.includes("data-secret=") && !/\shidden(=|\s|$)/.test(attrs));

describe("access report", function () {
    it("finds the catalog line of a grant: the consumer line inside the secret's entry, or its name line", () => {
        const text = ["secrets:", "- name: a/one", "  kind: api-token", "  consumers: [wl-x, wl-y]", "- name: a/two", "  consumers:", "    - wl-y", "    - wl-z", "- name: a/three", "  consumers: []"].join("\n");
        assert.equal(grantLine(text, "a/one", "wl-y"), 4);
        assert.equal(grantLine(text, "a/two", "wl-z"), 8);
        assert.equal(grantLine(text, "a/two", "wl-x"), 5, "a workload not on the entry's lines falls back to the name line, never to the next entry's consumers");
        assert.equal(grantLine(text, "a/three", "wl-y"), 9);
        assert.equal(grantLine(text, "a/four", "wl-y"), undefined);
        const wrapped = ["secrets:", "- name: b/one", "  consumers: [wl-a, wl-b,", "    wl-c, wl-d]", "- name: b/two", "  consumers: [wl-c]"].join("\n");
        assert.equal(grantLine(wrapped, "b/one", "wl-c"), 4, "a flow list wrapped onto a continuation line");
        assert.equal(grantLine(wrapped, "b/one", "wl-a"), 3);
        assert.equal(grantLine(wrapped, "b/two", "wl-c"), 6);
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: the matrix holds exactly each identity's reads, and every link points at a catalog line inside that secret's entry that names the workload`, () => {
            const model = modelOf(stack);
            const { workloads, rows } = accessMatrix(model, readCatalogFile);
            assert.deepEqual(workloads, model.identities.map((i) => i.workload.id));
            const fromMatrix = rows.flatMap((r) => [...r.grants.keys()].map((w) => `${w} ${r.secret}`)).sort();
            const fromModel = model.identities.flatMap((i) => i.reads.map((s) => `${i.workload.id} ${s}`)).sort();
            assert.deepEqual(fromMatrix, fromModel);
            assert.ok(fromModel.length > 50, `${stack} has grants (${fromModel.length})`);
            for (const r of rows) {
                for (const [w, g] of r.grants) {
                    const lines = readCatalogFile(g.file).split("\n");
                    const line = lines[g.line - 1];
                    assert.match(line, new RegExp(`(^|[\\s\\[,-])${w}($|[\\s\\],])`), `${g.file}:${g.line} names ${w} (for ${r.secret}): '${line}'`);
                    const entryStart = lines.slice(0, g.line).map((l, i) => ({ l, i })).filter(({ l }) => /^\s*- name:/.test(l)).pop();
                    assert.ok(entryStart && entryStart.l.includes(r.secret), `${g.file}:${g.line} lies inside the entry of ${r.secret}`);
                }
            }
        });
    }

    it("the page loads nothing from outside: no src, no remote URL, and a Content-Security-Policy that forbids them", () => {
        const html = renderAccessReport(modelOf("prod"), readCatalogFile);
        assert.doesNotMatch(html, /\ssrc=|https?:\/\/|@import|url\(/i);
        assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">/);
    });

    describe("in headless Chromium", function () {
        let dir: string;
        let htmlFile: string;
        before(function () {
            if (!fs.existsSync(CHROMIUM)) {
                // tools/test-env/chromium.sh installs it; it says why when it could not.
                console.log(`      skipped: ${CHROMIUM} is missing (tools/test-env/chromium.sh could not install Debian's chromium)`);
                this.skip();
            }
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "access-report-"));
            htmlFile = path.join(dir, "dev-access.html");
            // The real command, with its contract unchanged.
            const res = runPlanCli(["--stack", "dev", "--access-report", htmlFile]);
            assert.equal(res.status, 0, res.stderr);
            assert.match(res.stdout, /Wrote the access report /);
            assert.ok(res.report, "--json still written alongside");
        });
        after(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

        it("renders every secret row with no console message, and a screenshot is taken", () => {
            const model = modelOf("dev");
            const page = loadInChromium(`file://${htmlFile}`, dir, ["--dump-dom"]);
            assert.equal(page.status, 0);
            assert.deepEqual(page.console, []);
            assert.match(page.dom, /<h1>Who reads what in dev<\/h1>/);
            const expected = model.secrets.filter((s) => !s.slotOf).length;
            assert.equal(visibleRows(page.dom).length, expected);
            assert.match(page.dom, new RegExp(`<span id="shown">${expected}</span> of ${expected} secrets shown`));

            const shot = path.join(dir, "dev-access.png");
            const s = loadInChromium(`file://${htmlFile}`, dir, ["--hide-scrollbars", "--window-size=1600,1000", `--screenshot=${shot}`]);
            assert.equal(s.status, 0);
            assert.deepEqual(s.console, []);
            const png = fs.readFileSync(shot);
            assert.equal(png.subarray(1, 4).toString(), "PNG");
            assert.equal(png.readUInt32BE(16), 1600, "screenshot width");
            assert.ok(png.length > 20000, `a screenshot of a rendered table, not a blank page (${png.length} bytes)`);
        });

        it("filters rows by domain, criticality and kind in the browser (filters from the URL fragment)", () => {
            const model = modelOf("dev");
            const rows = model.secrets.filter((s) => !s.slotOf);
            const domain = rows.find((s) => s.entry.kind === "api-token")!.entry.owner;
            const cases: Array<[string, (s: (typeof rows)[number]) => boolean]> = [
                [`#criticality=critical`, (s) => s.entry.criticality === "critical"],
                [`#kind=api-token&domain=${domain}`, (s) => s.entry.kind === "api-token" && s.entry.owner === domain],
            ];
            for (const [fragment, keep] of cases) {
                const page = loadInChromium(`file://${htmlFile}${fragment}`, dir, ["--dump-dom"]);
                assert.deepEqual(page.console, []);
                const shown = visibleRows(page.dom).map((attrs) => /data-secret="([^"]*)"/.exec(attrs)![1]).sort();
                const want = rows.filter(keep).map((s) => s.entry.name).sort();
                assert.ok(want.length > 0 && want.length < rows.length, `${fragment} selects some rows`);
                assert.deepEqual(shown, want, fragment);
            }
        });

        it("the console check sees a page's script error (so an empty list means none)", () => {
            const bad = path.join(dir, "bad.html");
            fs.writeFileSync(bad, "<!doctype html><p>x</p><script>notDefinedAnywhere();</script>");
            const page = loadInChromium(`file://${bad}`, dir, ["--dump-dom"]);
            assert.equal(page.console.length, 1);
            assert.match(page.console[0], /Uncaught ReferenceError: notDefinedAnywhere is not defined/);
        });
    });
});
