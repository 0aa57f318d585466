// tools/eso-render runs External Secrets Operator's own template engine with the controller's fetch and merge rules.
// These tests pin the ESO behaviours our views and tests rely on, where a look-alike renderer would differ.
import { strict as assert } from "assert";
import { renderExternalSecret } from "../support/eso-template";
import { runEsoRender } from "../support/eso-render";

/** An ExternalSecret spec reading one JSON secret with dataFrom.extract, with an optional v2 template. */
const spec = (data?: Record<string, string>, mergePolicy?: string) => ({
    dataFrom: [{ extract: { key: "k" } }],
    target: { creationPolicy: "Owner", ...(data ? { template: { engineVersion: "v2", data, ...(mergePolicy ? { mergePolicy } : {}) } } : {}) },
});

describe("ESO's template engine (tools/eso-render)", () => {
    it("dataFrom.extract gives a string field its text and any other value its raw JSON, spacing kept, as ESO's AWS provider does", () => {
        const raw = '{"s":"a\\"b","n":5432,"o":{"k": 1},"z":null,"t":true}';
        assert.deepEqual(renderExternalSecret(spec(), () => raw), { s: 'a"b', n: "5432", o: '{"k": 1}', z: "", t: "true" });
    });

    it("a template reading an absent field fails with ESO's missingkey=error, naming the key", () => {
        assert.throws(() => renderExternalSecret(spec({ f: "{{ .user }}/{{ .absent }}" }), () => '{"user":"u"}'), /executing "f" at <\.absent>: map has no entry for key "absent"/);
    });

    it("mergePolicy Replace keeps only the rendered keys, Merge keeps the fetched ones too, and no template copies the fetched data", () => {
        const raw = '{"user":"u","pass":"p"}';
        assert.deepEqual(renderExternalSecret(spec({ line: "{{ .user }}:{{ .pass }}" }), () => raw), { line: "u:p" });
        assert.deepEqual(renderExternalSecret(spec({ line: "{{ .user }}:{{ .pass }}" }, "Merge"), () => raw), { line: "u:p", user: "u", pass: "p" });
        assert.deepEqual(renderExternalSecret(spec(), () => raw), { user: "u", pass: "p" });
    });

    it("a whole-string secret read through data reaches the template under its secretKey", () => {
        const out = renderExternalSecret({ data: [{ secretKey: "value", remoteRef: { key: "fernet" } }], target: { template: { engineVersion: "v2", data: { "fernet-key": "{{ .value }}" } } } }, (key) => `${key}-value`);
        assert.deepEqual(out, { "fernet-key": "fernet-value" });
    });

    it("Sprig as ESO ships it: toJson escapes <, > and & like encoding/json, urlquery is QueryEscape, and hasKey refuses ESO's map[string]string", () => {
        const out = runEsoRender({ data: [{ secretKey: "v", value: "a<b>&c d/é" }], template: { data: { j: "{{ .v | toJson }}", q: "{{ .v | urlquery }}" } } });
        assert.deepEqual(out, { j: '"a\\u003cb\\u003e\\u0026c d/é"', q: "a%3Cb%3E%26c+d%2F%C3%A9" });
        // Why model/secret-kinds.ts guards optional fields with `index`, never `hasKey`.
        assert.throws(() => runEsoRender({ data: [{ secretKey: "v", value: "x" }], template: { data: { h: '{{ hasKey . "v" }}' } } }), /wrong type for value; expected map\[string\]interface \{\}; got map\[string\]string/);
        assert.deepEqual(runEsoRender({ data: [{ secretKey: "v", value: "x" }], template: { data: { i: '[{{ index . "v" }}][{{ index . "absent" }}]' } } }), { i: "[x][]" });
    });

    it("refuses, by name, the ExternalSecret features the renderer does not carry instead of rendering them wrongly", () => {
        assert.throws(() => renderExternalSecret({ data: [{ secretKey: "p", remoteRef: { key: "k", property: "password" } }] }, () => "{}"), /does not carry data\[0\]\.remoteRef\.property/);
        assert.throws(() => renderExternalSecret({ ...spec({ a: "x" }), target: { template: { engineVersion: "v2", templateFrom: [{}] } } }, () => "{}"), /template\.templateFrom/);
    });
});
