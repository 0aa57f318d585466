import { strict as assert } from "assert";
import { asList, asRecord, collectStrings, display, isUnknown, knownString, parseJsonish, parseYamlish, SECRET_PLACEHOLDER, stringsOf, toNumber, UNKNOWN_SENTINELS } from "../../../policies/inspect/values";

const UNKNOWN = [...UNKNOWN_SENTINELS][2];
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const brief = (props: unknown) => collectStrings(props).map((f) => `${f.path}|${f.key}|${f.value}${f.isJson ? "|container" : ""}`);

describe("inspect/values: every known string of a resource, with its path and key", () => {
    it("walks nested objects and arrays, naming each string by path and nearest key", () => {
        assert.deepEqual(brief({ a: { b: ["x1", { c: "y2" }] }, n: 3, t: true, z: null }), ["a.b[0]|b|x1", "a.b[1].c|c|y2"]);
        assert.deepEqual(brief(["p", "q"]), ["[0]||p", "[1]||q"]);
        assert.deepEqual(collectStrings({ a: "xy" }, "root").map((f) => f.path), ["root.a"]);
    });
    it("reports a {name, value} pair's value under its name, and a {key, value} pair too", () => {
        assert.deepEqual(brief({ env: [{ name: "DB_PASSWORD", value: "v1" }, { key: "API_KEY", defaultValue: "v2" }, { name: 3, value: "v3" }] }), [
            "env[0].name|name|DB_PASSWORD",
            "env[0].value|DB_PASSWORD|v1",
            "env[1].key|key|API_KEY",
            "env[1].defaultValue|API_KEY|v2",
            "env[2].value|value|v3",
        ]);
    });
    it("reads a flag's value from the next list item, but only after a flag", () => {
        assert.deepEqual(brief({ args: ["--password", "v1", "-t", "v2", "plain", "v3"] }), [
            "args[0]|args|--password",
            "args[1]|password|v1",
            "args[2]|args|-t",
            "args[3]|t|v2",
            "args[4]|args|plain",
            "args[5]|args|v3",
        ]);
        assert.deepEqual(brief({ args: [1, "v"] }), ["args[1]|args|v"]);
    });
    it("skips unknowns, the secret placeholder, empty strings, assets, archives and bundled function code", () => {
        assert.deepEqual(brief({ a: UNKNOWN, b: SECRET_PLACEHOLDER, c: "", d: "k" }), ["d|d|k"]);
        assert.deepEqual(brief({ code: { assets: { "index.js": "x1" } }, archive: { "4dabf18193072939515e22adb298388d": "0def7320c3a5731c473e5ecbe6d01bc7", path: "/x" }, other: { assets: "not an object" } }), ["other.assets|assets|not an object"]);
        assert.deepEqual(brief({ nested: { code: "kept" } }), ["nested.code|code|kept"]);
        assert.deepEqual(brief({ code: { text: "x1" }, nested: { code: { text: "x2" } } }), ["nested.code.text|text|x2"], "only the resource's own top-level code is bundled function code");
    });
    it("parses JSON and YAML inside strings and reports the container once, then its strings", () => {
        assert.deepEqual(brief({ p: JSON.stringify({ k: "v1" }) }), ['p|p|{"k":"v1"}|container', "p<json>.k|k|v1"]);
        assert.deepEqual(brief({ v: "a: v1\nb:\n  - v2\n" }), ["v|v|a: v1\nb:\n  - v2\n|container", "v<yaml>.a|a|v1", "v<yaml>.b[0]|b|v2"]);
        assert.deepEqual(brief({ s: "[1, 2]" }), ["s|s|[1, 2]|container"]);
        assert.deepEqual(brief({ s: "{not json" }), ["s|s|{not json"]);
    });
    it("reads one YAML document found twice in a resource at both places, and never shares a parse between callers", () => {
        const doc = "user: app\nhosts:\n  - db1\n";
        assert.deepEqual(brief({ a: doc, b: { c: doc } }), [
            `a|a|${doc}|container`, "a<yaml>.user|user|app", "a<yaml>.hosts[0]|hosts|db1",
            `b.c|c|${doc}|container`, "b.c<yaml>.user|user|app", "b.c<yaml>.hosts[0]|hosts|db1",
        ]);
        const first = parseYamlish(doc) as { hosts: string[] };
        first.hosts.push("changed by a caller");
        assert.deepEqual(parseYamlish(doc), { user: "app", hosts: ["db1"] });
    });
    it("decodes base64 of text and reads the text, but keeps short decodes and binary as they are", () => {
        assert.deepEqual(brief({ u: b64("API_TOKEN=v1\nX=2\n") }), [`u|u|${b64("API_TOKEN=v1\nX=2\n")}`, "u<base64>|u|API_TOKEN=v1\nX=2\n|container", "u<base64><API_TOKEN>|API_TOKEN|v1", "u<base64><X>|X|2"]);
        assert.deepEqual(brief({ u: "YWJjZGVmZ2hpams=" }), ["u|u|YWJjZGVmZ2hpams=", "u<base64>|u|abcdefghijk"]);
    });
    it("reads text formats into pairs, skipping unknown and empty values", () => {
        assert.deepEqual(brief({ dsn: `host=db user=${UNKNOWN} dbname=x` }), [`dsn|dsn|host=db user=${UNKNOWN} dbname=x|container`, "dsn<host>|host|db", "dsn<dbname>|dbname|x"]);
        assert.deepEqual(brief({ t: "plain words here" }), ["t|t|plain words here"]);
    });
    it("stops at cycles and at 64 levels, and never walks a string deeper than that", () => {
        const cyclic: Record<string, unknown> = { a: "v" };
        cyclic.self = cyclic;
        assert.deepEqual(brief(cyclic), ["a|a|v"]);
        let deep: unknown = "bottom";
        for (let i = 0; i < 70; i++) deep = { d: deep };
        assert.deepEqual(brief(deep), []);
        let shallow: unknown = JSON.stringify({ k: "v" });
        for (let i = 0; i < 63; i++) shallow = [shallow];
        assert.equal(brief(shallow).length, 1, "at the limit a string is reported as it is, not parsed");
    });
    it("walks a resource's properties once and shares the result", () => {
        const props = { a: "v1" };
        const first = stringsOf(props);
        assert.equal(stringsOf(props), first);
        assert.notEqual(stringsOf({ a: "v1" }), first);
        assert.deepEqual(first.map((f) => f.value), ["v1"]);
    });
});

describe("inspect/values: small helpers never throw and say what they got", () => {
    it("parses only JSON objects and arrays", () => {
        assert.deepEqual(parseJsonish('  {"a":1}'), { a: 1 });
        assert.deepEqual(parseJsonish("[1]"), [1]);
        assert.equal(parseJsonish("1"), undefined);
        assert.equal(parseJsonish("x{}"), undefined);
        assert.equal(parseJsonish("{bad"), undefined);
        assert.deepEqual(parseJsonish("  [1]"), [1], "an indented array");
        assert.equal(parseJsonish("null"), undefined);
    });
    it("parses only multi-line YAML mappings and lists of a sane size", () => {
        assert.deepEqual(parseYamlish("a: 1\nb: 2"), { a: 1, b: 2 });
        assert.deepEqual(parseYamlish("- a\n- b"), ["a", "b"]);
        assert.equal(parseYamlish("a: 1"), undefined, "one line");
        assert.equal(parseYamlish("plain\ntext"), undefined);
        assert.equal(parseYamlish("a: [1\nb: 2"), undefined, "invalid");
        assert.equal(parseYamlish("a: 1\n" + "x".repeat(200_001)), undefined, "too long");
        assert.equal((parseYamlish("- 1\n".repeat(50_000)) as unknown[]).length, 50_000, "200,000 characters are still read");
        assert.deepEqual(parseYamlish("\na: 1"), { a: 1 }, "a leading blank line");
        assert.deepEqual(parseYamlish("  a: 1\n  b: 2"), { a: 1, b: 2 }, "an indented mapping");
        assert.equal(parseYamlish('"a: b"\n'), undefined, "a quoted scalar is not a mapping");
        const aliases = (n: number) => `a: &a [x]\nb: [${Array(n).fill("*a").join(", ")}]\n`;
        assert.equal(parseYamlish(aliases(60)), undefined, "more than 50 aliases: an alias bomb is refused");
        assert.deepEqual(parseYamlish(aliases(40)), { a: ["x"], b: Array(40).fill(["x"]) });
    });
    it("knows unknowns, known strings, records and lists", () => {
        assert.equal(isUnknown(UNKNOWN), true);
        assert.equal(isUnknown("x"), false);
        assert.equal(isUnknown(5), false);
        assert.equal(knownString("x"), "x");
        assert.equal(knownString(""), undefined);
        assert.equal(knownString(UNKNOWN), undefined);
        assert.equal(knownString(1), undefined);
        assert.deepEqual(asRecord({ a: 1 }), { a: 1 });
        assert.equal(asRecord([1]), undefined);
        assert.equal(asRecord(null), undefined);
        assert.equal(asRecord("x"), undefined);
        assert.deepEqual(asList(undefined), []);
        assert.deepEqual(asList(null), []);
        assert.deepEqual(asList("a"), ["a"]);
        assert.deepEqual(asList(["a"]), ["a"]);
        assert.deepEqual(asList(0), [0]);
    });
    it("displays any value and reads numbers without throwing", () => {
        assert.equal(display("x"), "x");
        assert.equal(display({ a: 1 }), '{"a":1}');
        assert.equal(display(undefined), "undefined");
        assert.equal(display(Object.create(null)), "{}");
        const cyclic: Record<string, unknown> = {};
        cyclic.c = cyclic;
        assert.equal(display(cyclic), "[object Object]");
        assert.equal(toNumber(3), 3);
        assert.equal(toNumber("30"), 30);
        assert.ok(Number.isNaN(toNumber(" ")));
        assert.ok(Number.isNaN(toNumber({})));
        assert.ok(Number.isNaN(toNumber("x")));
    });
});
