import { strict as assert } from "assert";
import { keyValuePairs, mayHoldPairs } from "../../../policies/inspect/text-formats";

const PASS = ["pass", "word"].join("");
const V = "Xq7-value";

describe("inspect/text-formats: credential-bearing text read into key/value pairs", () => {
    it("reads a libpq DSN word by word, with quoted values unquoted and escapes resolved", () => {
        assert.deepEqual(keyValuePairs(`host=db port=5432 user=app ${PASS}='a b\\'c' dbname="ledger"`), [
            { key: "host", value: "db" },
            { key: "port", value: "5432" },
            { key: "user", value: "app" },
            { key: PASS, value: "a b'c" },
            { key: "dbname", value: "ledger" },
        ]);
        assert.deepEqual(keyValuePairs(`user = app ${PASS} = ${V}`), [{ key: "user", value: "app" }, { key: PASS, value: V }]);
    });
    it("reads a shell line's assignments, not the DSN form, when the line chains commands", () => {
        assert.deepEqual(keyValuePairs(`env A=1 PGPASSWORD=${V} psql -h db`), [{ key: "A", value: "1" }, { key: "PGPASSWORD", value: V }]);
        assert.deepEqual(keyValuePairs(`A=1; export TOKEN="${V}" && run`), [{ key: "A", value: "1" }, { key: "TOKEN", value: V }]);
        assert.deepEqual(keyValuePairs(`run --x A=1|B=${V}`), [{ key: "A", value: "1" }, { key: "B", value: V }]);
    });
    it("reads properties, INI and .env files line by line, skipping comments, sections and blank lines", () => {
        const text = [`# ${PASS}=commented`, "; ini comment", "! properties comment", "[client]", "", `  spring.datasource.${PASS} = ${V}  `, `export API_TOKEN='${V}'`, `key: ${V}`, "url=jdbc:postgresql://db:5432/x"].join("\n");
        assert.deepEqual(keyValuePairs(text), [
            { key: `spring.datasource.${PASS}`, value: V },
            { key: "API_TOKEN", value: V },
            { key: "key", value: V },
            { key: "url", value: "jdbc:postgresql://db:5432/x" },
        ]);
        assert.deepEqual(keyValuePairs(`set A=1\r\ndeclare -x B=${V}\r\n`), [{ key: "A", value: "1" }, { key: "B", value: V }]);
    });
    it("reads a line whose value has spaces as words, and never a URL's scheme as a key", () => {
        assert.deepEqual(keyValuePairs(`a=1\nCMD=run x=1 ${PASS}=${V}`), [{ key: "a", value: "1" }, { key: "CMD", value: "run" }, { key: "x", value: "1" }, { key: PASS, value: V }]);
        assert.deepEqual(keyValuePairs("https://example.com/a\nb: 2"), [{ key: "b", value: "2" }]);
        assert.deepEqual(keyValuePairs("a=\nb=2"), [{ key: "b", value: "2" }]);
    });
    it("keeps a quoted value that is one quote character as it is", () => {
        assert.deepEqual(keyValuePairs(`a=1 b="`), [{ key: "a", value: "1" }]);
        assert.deepEqual(keyValuePairs(`x\nk='${V}"`), [{ key: "k", value: `'${V}"` }]);
    });
    it("reads HTTP Authorization headers anywhere, under authorization-<scheme>", () => {
        assert.deepEqual(keyValuePairs(`curl -H "Authorization: Bearer ${V}" -H 'proxy-authorization:basic QWxhZGRpbjpvcGVu' https://x`), [
            { key: "authorization-bearer", value: V },
            { key: "authorization-basic", value: "QWxhZGRpbjpvcGVu" },
        ]);
        assert.deepEqual(keyValuePairs(`AUTHORIZATION: Token ${V}`), [{ key: "authorization-token", value: V }]);
    });
    it("skips comment and section lines even when they hold an '=', indented or not", () => {
        const text = ["# password=x1", "  ; token=y2", "! key=z3", "[db=x]", "user=app"].join("\n");
        assert.deepEqual(keyValuePairs(text), [{ key: "user", value: "app" }]);
        assert.deepEqual(keyValuePairs('a=""\nb=c'), [{ key: "a", value: "" }, { key: "b", value: "c" }], "an empty quoted value is empty");
    });
    it("tells cheaply which strings may hold pairs", () => {
        assert.equal(mayHoldPairs("a=1 bb=2"), true);
        assert.equal(mayHoldPairs("a=1\nbb=2"), true);
        assert.equal(mayHoldPairs("key: value\nk2: v"), true);
        assert.equal(mayHoldPairs("Authorization: Bearer x"), true);
        assert.equal(mayHoldPairs("authorization:x"), true);
        assert.equal(mayHoldPairs("a=b"), false, "short");
        assert.equal(mayHoldPairs("=abcdefgh x"), false, "no key before =");
        assert.equal(mayHoldPairs("abcdefgh=ijklmnop"), false, "one word");
        assert.equal(mayHoldPairs("no pairs in this sentence"), false);
        assert.equal(mayHoldPairs(":leading colon\nx"), false);
        assert.equal(mayHoldPairs("one line: with a colon"), false);
        assert.equal(mayHoldPairs(`org.apache.kafka.common.security.scram.ScramLoginModule required username="u" ${PASS}="p";`), false, "JAAS has its own detector");
        assert.equal(mayHoldPairs(`a=1 ${"x".repeat(200_000)}`), false, "too long");
        assert.equal(mayHoldPairs(`a=1 ${"x".repeat(199_996)}`), true, "200,000 characters are still read");
        assert.equal(mayHoldPairs("curl -H 'Authorization : Bearer abc'"), true, "blanks before the header's colon");
        assert.equal(mayHoldPairs("1234567"), false);
        assert.equal(mayHoldPairs("a=12345"), false);
        assert.equal(mayHoldPairs("abc cd=1"), true);
    });
});
