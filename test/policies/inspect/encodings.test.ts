import { strict as assert } from "assert";
import { decodeBase64Text, decodeKnownBase64, mayBeBase64Text } from "../../../policies/inspect/encodings";

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const PASS = ["pass", "word"].join("");

describe("inspect/encodings: base64 decoded where it holds text", () => {
    it("decodes base64 of text, tabs and line breaks included, and wrapped at 76 columns", () => {
        assert.equal(decodeBase64Text(b64("a\tb\r\nc")), "a\tb\r\nc");
        const long = `#!/bin/bash\nexport ${PASS.toUpperCase()}=x\n${"echo hello world\n".repeat(8)}`;
        const wrapped = b64(long).replace(/(.{76})/g, "$1\n");
        assert.equal(decodeBase64Text(wrapped), long);
        assert.equal(decodeBase64Text("YWJj"), "abc");
    });
    it("refuses what is not base64 of text: wrong length, other characters, binary, control characters, too short", () => {
        assert.equal(decodeBase64Text("YWJjZ"), undefined, "length not a multiple of 4");
        assert.equal(decodeBase64Text("YW!j"), undefined);
        assert.equal(decodeBase64Text("YQ=="), "a");
        assert.equal(decodeBase64Text("YQ"), undefined, "too short");
        assert.equal(decodeBase64Text(Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString("base64")), undefined, "binary");
        assert.equal(decodeBase64Text(b64("a\u0001b")), undefined, "control character");
        assert.equal(decodeBase64Text(b64("a\u007fb")), undefined, "DEL");
        assert.equal(decodeBase64Text(b64("ab\u001f")), undefined);
        assert.equal(decodeBase64Text(b64(" ")), " ");
        assert.equal(decodeBase64Text(`${b64("short")} x`), undefined, "spaces in a short value");
    });
    it("tells cheaply which strings may be base64 of text", () => {
        assert.equal(mayBeBase64Text("QUJDREVGR0hJSktMTU5P"), true);
        assert.equal(mayBeBase64Text("QUJDREVGR0hJSktM"), true, "16 characters");
        assert.equal(mayBeBase64Text("QUJDREVGR0hJSk"), false, "under 16");
        assert.equal(mayBeBase64Text("QUJDREVGR0hJSktMTU5PU"), false, "not a multiple of 4");
        assert.equal(mayBeBase64Text("QUJDREVGR0hJSk-MTU5P"), false);
        assert.equal(mayBeBase64Text("QUJDREVGR0hJSktMTU5PUA=="), true);
    });
    it("decodes the fields each type holds as base64, and leaves other types and binary values alone", () => {
        const secret = { apiVersion: "v1", data: { [PASS]: b64("Winter2024!"), bin: Buffer.from([0, 1, 2, 255]).toString("base64"), n: 3 } };
        const decoded = decodeKnownBase64("kubernetes:core/v1:Secret", secret);
        assert.deepEqual(decoded.data, { [PASS]: "Winter2024!", bin: secret.data.bin, n: 3 });
        assert.equal(decoded.apiVersion, "v1");
        assert.equal(secret.data[PASS], b64("Winter2024!"), "the input is not changed");
        assert.deepEqual(decodeKnownBase64("kubernetes:core/v1:SecretPatch", { data: { a: b64("abcd") } }).data, { a: "abcd" });
        assert.deepEqual(decodeKnownBase64("kubernetes:core/v1:ConfigMap", { binaryData: { a: b64("abcd") }, data: { b: b64("abcd") } }), { binaryData: { a: "abcd" }, data: { b: b64("abcd") } });
        assert.deepEqual(decodeKnownBase64("kubernetes:core/v1:ConfigMapPatch", { binaryData: { a: b64("abcd") } }).binaryData, { a: "abcd" });
        assert.equal(decodeKnownBase64("aws:ec2/launchTemplate:LaunchTemplate", { userData: b64("#!/bin/sh\n") }).userData, "#!/bin/sh\n");
        for (const type of ["aws:ec2/instance:Instance", "aws:ec2/launchConfiguration:LaunchConfiguration", "aws:ec2/spotInstanceRequest:SpotInstanceRequest"]) {
            assert.equal(decodeKnownBase64(type, { userDataBase64: b64("#!/bin/sh\n") }).userDataBase64, "#!/bin/sh\n", type);
        }
        assert.equal(decodeKnownBase64("aws:ec2/launchTemplate:LaunchTemplate", { userData: "not base64!" }).userData, "not base64!");
        assert.equal(decodeKnownBase64("aws:ec2/launchTemplate:LaunchTemplate", { userData: 5 }).userData, 5);
        const other = { data: { a: b64("abcd") } };
        assert.equal(decodeKnownBase64("kubernetes:core/v1:Pod", other), other, "other types are returned as they are");
        for (const data of [null, "text", ["a"]]) assert.deepEqual(decodeKnownBase64("kubernetes:core/v1:Secret", { data }).data, data);
    });
});
