import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { policies } from "../../policies/registry";
import { PROJECT_DIR } from "../support/plan-cli";

// The real analyzer: the pack entry runs as `pulumi preview --policy-pack` would start it, and this test speaks
// its gRPC protocol, so the rules are proven to load and run inside @pulumi/policy's own server.
/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = require("@grpc/grpc-js");
const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

function call<T>(client: any, method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](request, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
}

describe("the policy pack entry (policies/index.ts) under @pulumi/policy's analyzer server", function () {
    this.timeout(120_000);
    let child: ChildProcess;
    let client: any;

    before(async () => {
        child = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "policies", "index.ts")], { cwd: PROJECT_DIR, stdio: ["ignore", "pipe", "pipe"] });
        const port = await new Promise<string>((resolve, reject) => {
            let out = "";
            let err = "";
            child.stdout!.on("data", (d) => {
                out += d;
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) resolve(m[1]);
            });
            child.stderr!.on("data", (d) => (err += d));
            child.on("exit", (code) => reject(new Error(`the pack exited with ${code}: ${err}`)));
        });
        client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        if (child && child.exitCode === null) child.kill("SIGTERM");
    });

    it("registers every rule of the registry as mandatory, with the shared settings schema", async () => {
        const info = await call<any>(client, "getAnalyzerInfo", new Empty());
        assert.equal(info.getName(), "finledger-secrets-guardrails");
        const registered = info.getPoliciesList().map((p: any) => p.getName());
        assert.deepEqual(registered, policies.map((p) => p.name));
        for (const p of info.getPoliciesList()) {
            assert.equal(p.getEnforcementlevel(), analyzerPb.EnforcementLevel.MANDATORY, p.getName());
            const schema = p.getConfigschema().getProperties().toJavaScript();
            assert.ok(Array.isArray(schema.environments.default) && schema.environments.default.length === 3, p.getName());
        }
    });

    it("reports a secret on aws/secretsmanager through Analyze, and stays quiet when the key is unknown during preview", async () => {
        const request = (kmsKeyId: string) => {
            const req = new analyzerPb.AnalyzeRequest();
            req.setType("aws:secretsmanager/secret:Secret");
            req.setUrn("urn:pulumi:dev::finledger-secrets-platform::aws:secretsmanager/secret:Secret::s");
            req.setName("s");
            req.setProperties(Struct.fromJavaScript({ name: "dev/x", kmsKeyId }));
            req.setOptions(new analyzerPb.AnalyzerResourceOptions());
            return req;
        };
        const bad = await call<any>(client, "analyze", request("alias/aws/secretsmanager"));
        const diagnostics = bad.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), message: d.getMessage() }));
        assert.deepEqual(diagnostics.map((d: any) => d.policy), ["secretsmanager-secret-uses-environment-cmk"]);
        assert.match(diagnostics[0].message, /aws\/secretsmanager key.*Fix: set kmsKeyId/);
        const unknown = await call<any>(client, "analyze", request("04da6b54-80e4-46f7-96ec-b56ff0331ba9"));
        assert.deepEqual(unknown.getDiagnosticsList().map((d: any) => d.getPolicyname()), []);
    });
});
