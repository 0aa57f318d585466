import * as jsYaml from "js-yaml";

/**
 * Parses one YAML document of this repository's own inputs (catalog files, `Pulumi.<stack>.yaml`) with the YAML 1.2
 * core schema: `true`/`false`, `null`/`~`, integers and floats; a date or `yes` stays a string. Throws an Error whose
 * first line says what is wrong and where (line:column) for a syntax error, a duplicated key or more than one
 * document.
 *
 * js-yaml, not the `yaml` package the policy pack uses: on the catalog it parses in about a fifth of the CPU (measured
 * in docs/benchmarks.md), and `plan` parses the catalog on every run. The two agree on every file of this repository
 * and on every untagged scalar form (test/foundation/yaml.test.ts compares them); they may differ on explicit tags
 * (`!!float 1`) and a null mapping key, which no input of this repository uses.
 *
 * An alias of a mapping or list is refused (an alias of a plain scalar is only a copy of a short text). js-yaml gives
 * such an alias the anchored object itself, so a document of nested aliases (a "billion laughs") parses small but
 * would be walked exponentially by the schema checks after it; the `yaml` package guards with an alias budget,
 * js-yaml has none. No input of this repository needs them.
 */
export function parseYamlDocument(text: string): unknown {
    const doc = jsYaml.load(text, { schema: CORE_SCHEMA });
    assertNoSharedNodes(doc);
    return doc;
}

/**
 * The integers of the YAML 1.2 core schema: decimal with an optional sign, `0o` octal and `0x` hexadecimal, nothing
 * else. js-yaml's own CORE_SCHEMA is its JSON schema and also reads `0b101` and `-0x1` as numbers, which YAML 1.2 (and
 * the `yaml` package) keeps as strings.
 */
const CORE_INT = new jsYaml.Type("tag:yaml.org,2002:int", {
    kind: "scalar",
    resolve: (data: unknown) => typeof data === "string" && /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/.test(data),
    construct: (data: string) => (data.startsWith("0o") ? parseInt(data.slice(2), 8) : data.startsWith("0x") ? parseInt(data.slice(2), 16) : Number(data)),
});

/** The floats of the YAML 1.2 core schema (js-yaml's own float type refuses `-.5`). */
const CORE_FLOAT = new jsYaml.Type("tag:yaml.org,2002:float", {
    kind: "scalar",
    resolve: (data: unknown) =>
        typeof data === "string" && /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/.test(data),
    construct: (data: string) => {
        const special = /^([-+]?)\.(inf|Inf|INF|nan|NaN|NAN)$/.exec(data);
        if (!special) return Number(data);
        if (special[2].toLowerCase() === "nan") return NaN;
        return special[1] === "-" ? -Infinity : Infinity;
    },
});

/** The nulls of the YAML 1.2 core schema: `~`, `null` in three spellings, and an empty value. */
const CORE_NULL = new jsYaml.Type("tag:yaml.org,2002:null", {
    kind: "scalar",
    resolve: (data: unknown) => data === null || (typeof data === "string" && /^(?:~|null|Null|NULL|)$/.test(data)),
    construct: () => null,
});

/** The booleans of the YAML 1.2 core schema: `true` and `false` in three spellings each (`yes` stays a string). */
const CORE_BOOL = new jsYaml.Type("tag:yaml.org,2002:bool", {
    kind: "scalar",
    resolve: (data: unknown) => typeof data === "string" && /^(?:true|True|TRUE|false|False|FALSE)$/.test(data),
    construct: (data: string) => data.toLowerCase() === "true",
});

/** YAML 1.2's core schema: the nulls, booleans, integers and floats above, every other plain scalar a string. */
const CORE_SCHEMA = jsYaml.FAILSAFE_SCHEMA.extend({ implicit: [CORE_NULL, CORE_BOOL, CORE_INT, CORE_FLOAT] });

/** Throws when a mapping or list appears twice in a parsed document, which only an alias makes happen. */
function assertNoSharedNodes(doc: unknown): void {
    const seen = new Set<object>();
    const stack: unknown[] = [doc];
    while (stack.length > 0) {
        const value = stack.pop();
        if (value === null || typeof value !== "object") continue;
        if (seen.has(value)) throw new Error("anchors and aliases (&name, *name) of mappings and lists are not accepted; write the value out in full");
        seen.add(value);
        for (const child of Array.isArray(value) ? value : Object.values(value)) stack.push(child);
    }
}
