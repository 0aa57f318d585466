// docs/rotation.md lists every critical secret with its strategy and period; the table must match the catalog.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadCatalog } from "../../model/catalog";
import { PROJECT_DIR } from "../support/plan-cli";

describe("docs/rotation.md critical-secret table", () => {
    it("lists exactly the catalog's critical secrets, with their environments, strategy and period", () => {
        const doc = fs.readFileSync(path.join(PROJECT_DIR, "docs", "rotation.md"), "utf8");
        const section = doc.slice(doc.indexOf("## Every critical secret"), doc.indexOf("## Not done"));
        const rows = section
            .split("\n")
            .filter((l) => l.startsWith("| `"))
            .map((l) => l.split("|").map((c) => c.trim()))
            .map((c) => `${c[1]!.replace(/`/g, "")} | ${c[2]} | ${c[3]} | ${c[4]}`)
            .sort();
        const expected = loadCatalog(path.join(PROJECT_DIR, "catalog"))
            .secrets.filter((s) => s.criticality === "critical")
            .map((s) => `${s.name} | ${s.environments.join(", ")} | ${s.rotation.strategy} | ${s.rotation.days}`)
            .sort();
        assert.ok(expected.length > 0);
        assert.deepStrictEqual(rows, expected);
    });
});
