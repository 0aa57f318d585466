import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { parseCatalog } from "../../model/catalog";
import { parseYamlDocument } from "../../model/yaml";
import { PROJECT_DIR } from "../support/plan-cli";

/** Every YAML input the model parses: the catalog files and the stack files. */
function repositoryInputs(): Array<{ file: string; text: string }> {
    const catalog = fs
        .readdirSync(path.join(PROJECT_DIR, "catalog"))
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => path.join("catalog", f));
    const stacks = fs.readdirSync(PROJECT_DIR).filter((f) => /^Pulumi\.[a-z]+\.yaml$/.test(f));
    return [...catalog, ...stacks].map((file) => ({ file, text: fs.readFileSync(path.join(PROJECT_DIR, file), "utf8") }));
}

/** Untagged scalars in every form YAML 1.2's core schema gives a meaning to, and look-alikes it keeps as strings. */
const SCALARS = [
    "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL", "~", "",
    "yes", "no", "on", "off", "y", "n",
    "0", "-0", "+1", "012", "00", "0755", "0o17", "0o8", "0o", "0x1F", "+0x1F", "-0x1", "0xG", "0x", "0b101", "1_000", "1,000",
    "123456789012345678901234567890",
    "1e3", "1E+2", "1e", "1.5", "-1.5e-3", ".5", "-.5", "5.", "0.0", "-0.0", "1.0e+3", "+-1", "0.1.2",
    ".inf", "-.inf", "+.inf", ".Inf", ".NaN", ".nan",
    "2026-01-01", "2026-01-01T00:00:00Z", "12:30", "1:20:30",
    "'q'", '"d"', '"\\u00e9"', '"a\\tb"', "'it''s'", "foo bar", "=", "<<",
    "[a, 1, true]", "{a: 1, b: null}", "|\n  line one\n  line two\n", ">-\n  folded\n  text\n",
];

describe("YAML inputs (model/yaml.ts)", () => {
    it("parses every catalog and stack file of the repository exactly as the yaml package does", () => {
        const inputs = repositoryInputs();
        assert.ok(inputs.length >= 10, `expected the catalog and three stack files, found ${inputs.length}`);
        for (const { file, text } of inputs) assert.deepStrictEqual(parseYamlDocument(text), YAML.parse(text), file);
    });

    it("reads every untagged scalar form as YAML 1.2's core schema does (the yaml package's reading)", () => {
        for (const scalar of SCALARS) {
            const text = `k: ${scalar}\n`;
            assert.deepStrictEqual(parseYamlDocument(text), YAML.parse(text), JSON.stringify(scalar));
        }
        // The forms js-yaml's own core schema reads differently, pinned: strings in YAML 1.2.
        assert.deepStrictEqual(parseYamlDocument("a: 0b101\nb: -0x1\nc: -.5\n"), { a: "0b101", b: "-0x1", c: -0.5 });
    });

    it("reads scalar mapping keys and nested structures alike", () => {
        const text = "1: a\ntrue: b\n1.5: c\nlist:\n  - x: [1, 2]\n    y: {z: ~}\n  - - nested\n# a comment\nquoted: 'k: v'\n";
        assert.deepStrictEqual(parseYamlDocument(text), YAML.parse(text));
    });

    it("refuses aliases of mappings and lists, which js-yaml would not bound", () => {
        const laughs = ["a: &a [x, x]", "b: &b [*a, *a]", "c: &c [*b, *b]", "d: [*c, *c]"].join("\n");
        assert.throws(() => parseYamlDocument(laughs), /anchors and aliases/);
        assert.throws(() => parseYamlDocument("base: &base {x: 1}\nother: *base\n"), /anchors and aliases/);
        assert.deepStrictEqual(parseYamlDocument("a: '&notAnAnchor'\nb: '*notAnAlias'\n"), { a: "&notAnAnchor", b: "*notAnAlias" });
        // An alias of a plain scalar is a copy of its text, as the yaml package reads it.
        assert.deepStrictEqual(parseYamlDocument("a: &v text\nb: *v\n"), YAML.parse("a: &v text\nb: *v\n"));
    });

    it("says where a syntax error, a duplicated key or a second document is", () => {
        assert.throws(() => parseYamlDocument("secrets: [\n"), /\(2:1\)/);
        assert.throws(() => parseYamlDocument("a: 1\na: 2\n"), /duplicated mapping key \(2:1\)/);
        assert.throws(() => parseYamlDocument("a: 1\n---\nb: 2\n"), /single document/);
    });

    it("a catalog file with an alias is a catalog problem naming the file", () => {
        const text = "teams:\n  - &t {id: data, slack: '#data'}\n  - *t\n";
        assert.throws(() => parseCatalog([{ file: "catalog/aliases.yaml", text }]), /catalog\/aliases\.yaml: invalid YAML: anchors and aliases/);
    });
});
