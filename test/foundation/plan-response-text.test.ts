// The plan's monitor wrapper gives each registration response a constant text (tools/plan/engine.ts withConstantText),
// so the SDK's eagerly formatted debug message no longer serialises the whole response.
import { strict as assert } from "assert";
import { withConstantText } from "../../tools/plan/engine";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const resourcePb = require("@pulumi/pulumi/proto/resource_pb");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structPb = require("google-protobuf/google/protobuf/struct_pb");

function response(marker: string) {
    const resp = new resourcePb.RegisterResourceResponse();
    resp.setUrn("urn:pulumi:prod::p::aws:s3/bucket:Bucket::b");
    resp.setId("b-1");
    resp.setObject(structPb.Struct.fromJavaScript({ bucket: marker, tags: { owner: marker } }));
    return resp;
}

describe("plan engine: registration responses", () => {
    it("format as a constant text and keep every field", () => {
        const marker = ["planned", "output", "value"].join("-");
        const plain = response(marker);
        // What the SDK's debug message would hold without it: the whole response, outputs included.
        assert.ok(`resp: ${plain}`.includes(marker));
        const resp = response(marker);
        assert.equal(withConstantText(resp), resp);
        assert.equal(`resp: ${resp}`, "resp: [RegisterResourceResponse]");
        assert.equal(resp.getUrn(), plain.getUrn());
        assert.equal(resp.getId(), "b-1");
        assert.deepEqual(resp.getObject().toJavaScript(), { bucket: marker, tags: { owner: marker } });
        assert.deepEqual(resp.toObject(), plain.toObject());
        assert.ok(!Object.keys(resp).includes("toString"));
    });
});
