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

    it("attributes a stack-wide violation to the pulumi:pulumi:Stack resource whatever order the engine sends", async () => {
        const stackUrn = "urn:pulumi:dev::finledger-secrets-platform::pulumi:pulumi:Stack::finledger-secrets-platform-dev";
        const resource = (urn: string, type: string, props: Record<string, unknown>) => {
            const r = new analyzerPb.AnalyzerResource();
            r.setUrn(urn);
            r.setType(type);
            r.setName(urn.split("::").pop());
            r.setProperties(Struct.fromJavaScript(props));
            r.setOptions(new analyzerPb.AnalyzerResourceOptions());
            return r;
        };
        const resources = [
            resource(stackUrn, "pulumi:pulumi:Stack", {}),
            resource("urn:pulumi:dev::finledger-secrets-platform::pulumi:providers:aws::a", "pulumi:providers:aws", { allowedAccountIds: '["402817365190"]' }),
            resource("urn:pulumi:dev::finledger-secrets-platform::aws:s3/bucketV2:BucketV2::b", "aws:s3/bucketV2:BucketV2", { bucket: "fl-dev-b" }),
            resource("urn:pulumi:dev::finledger-secrets-platform::aws:kms/key:Key::k", "aws:kms/key:Key", { enableKeyRotation: true }),
        ];
        const urns = new Set<string>();
        for (const order of [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1], [1, 3, 0, 2]]) {
            const req = new analyzerPb.AnalyzeStackRequest();
            req.setResourcesList(order.map((i) => resources[i]));
            const res = await call<any>(client, "analyzeStack", req);
            for (const d of res.getDiagnosticsList()) if (d.getPolicyname() === "cloudtrail-trail-audit-baseline") urns.add(d.getUrn());
        }
        assert.deepEqual([...urns], [stackUrn]);
    });

    it("reads exemptions and enforcement levels from the config the engine passes through Configure, rule by rule", async () => {
        const secretUrn = "urn:pulumi:dev::finledger-secrets-platform::kubernetes:core/v1:Secret::bootstrap";
        const analyze = async () => {
            const req = new analyzerPb.AnalyzeRequest();
            req.setType("kubernetes:core/v1:Secret");
            req.setUrn(secretUrn);
            req.setName("bootstrap");
            req.setProperties(Struct.fromJavaScript({ data: { token: Buffer.from("not-a-credential").toString("base64") } }));
            req.setOptions(new analyzerPb.AnalyzerResourceOptions());
            const res = await call<any>(client, "analyze", req);
            return res.getDiagnosticsList().map((d: any) => `${d.getPolicyname()}:${d.getEnforcementlevel()}`);
        };
        const configure = async (entries: Record<string, { level: number; properties: Record<string, unknown> }>) => {
            const req = new analyzerPb.ConfigureAnalyzerRequest();
            for (const [name, { level, properties }] of Object.entries(entries)) {
                const pc = new analyzerPb.PolicyConfig();
                pc.setEnforcementlevel(level);
                pc.setProperties(Struct.fromJavaScript(properties));
                req.getPolicyconfigMap().set(name, pc);
            }
            await call(client, "configure", req);
        };
        const MANDATORY = analyzerPb.EnforcementLevel.MANDATORY;
        assert.deepEqual(await analyze(), [`kubernetes-secret-no-literal-data:${MANDATORY}`]);
        const exemption = { policy: "kubernetes-secret-no-literal-data", urn: secretUrn, reason: "Bootstrap token reviewed in CHG-1234." };
        await configure({ "kubernetes-secret-no-literal-data": { level: MANDATORY, properties: { exemptions: [exemption] } } });
        assert.deepEqual(await analyze(), []);
        // The same exemption under another rule's entry does not reach this rule: the engine passes each rule its own.
        await configure({ "pack-config-declares-environment": { level: MANDATORY, properties: { exemptions: [exemption] } } });
        assert.deepEqual(await analyze(), [`kubernetes-secret-no-literal-data:${MANDATORY}`]);
        await configure({ "kubernetes-secret-no-literal-data": { level: analyzerPb.EnforcementLevel.ADVISORY, properties: {} } });
        assert.deepEqual(await analyze(), [`kubernetes-secret-no-literal-data:${analyzerPb.EnforcementLevel.ADVISORY}`]);
        await configure({});
    });
});
