// Every platform function of every environment's plan is deployed from a signed S3 object under the environment's
// code-signing config (Enforce), the packages it deploys are the ones the sign job signs, and a package without a
// signing manifest fails the deployment with the fix, with no fallback to unsigned code (a preview shows a placeholder).
import { strict as assert } from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { PENDING_SIGNATURE, signedLambdaCode } from "../../components/function-code";
import { deterministicZip, functionPackage } from "../../functions/packages";
import { FUNCTION_ENTRIES } from "../../functions/bundle";
import { parseSignedManifest, SIGNING_PLATFORM_ID, signedArtifactPrefix, signedManifestKey } from "../../model/code-signing";
import { ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { functionArtifactsBucketName, signingProfileName } from "../../model/names";
import { PlatformMocks } from "../../tools/plan/mocks";
import type { PlanReport } from "../../tools/plan/report";
import { environmentPackages } from "../../tools/signing/environment-packages";
import { planReport } from "../support/plan-cli";
import { promiseOf } from "../support/pulumi";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");
type Resource = PlanReport["resources"][number];
const inputs = (r: Resource) => r.inputs as Record<string, any>;
const outputs = (r: Resource) => r.outputs as Record<string, any>;

describe("code signing in the plans of dev, staging and prod", () => {
    for (const environment of ENVIRONMENTS) {
        it(`${environment}: one Signer profile (${SIGNING_PLATFORM_ID}) and one Enforce code-signing config trusting only its current version`, () => {
            const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, environment));
            const resources = planReport(environment).resources;
            const profiles = resources.filter((r) => r.type === "aws:signer/signingProfile:SigningProfile");
            const configs = resources.filter((r) => r.type === "aws:lambda/codeSigningConfig:CodeSigningConfig");
            assert.equal(profiles.length, 1);
            assert.equal(configs.length, 1);
            assert.equal(inputs(profiles[0]).name, signingProfileName(config.namePrefix));
            assert.equal(inputs(profiles[0]).platformId, SIGNING_PLATFORM_ID);
            assert.deepEqual(inputs(configs[0]).policies, { untrustedArtifactOnDeployment: "Enforce" });
            assert.deepEqual(inputs(configs[0]).allowedPublishers, { signingProfileVersionArns: [outputs(profiles[0]).versionArn] });
            const versioning = resources.find((r) => r.type === "aws:s3/bucketVersioning:BucketVersioning" && inputs(r).bucket === functionArtifactsBucketName(config.namePrefix, config.accountId));
            assert.equal(versioning && inputs(versioning).versioningConfiguration.status, "Enabled", "the artifacts bucket is versioned, as Signer requires");
        });

        it(`${environment}: every function deploys a signed object of the artifacts bucket under that config, and only packages the sign job signs`, () => {
            const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, environment));
            const resources = planReport(environment).resources;
            const configArn = outputs(resources.find((r) => r.type === "aws:lambda/codeSigningConfig:CodeSigningConfig")!).arn;
            const functions = resources.filter((r) => r.type === "aws:lambda/function:Function");
            assert.ok(functions.length >= 4, `${environment} plans ${functions.length} functions`);
            const signable = new Map(environmentPackages(config, PROJECT_DIR).map((p) => [p.sha256Hex, p.name]));
            for (const f of functions) {
                const i = inputs(f);
                assert.equal(i.codeSigningConfigArn, configArn, `${f.name} carries the environment's code-signing config`);
                assert.equal(i.code, undefined, `${f.name} has no inline code (Enforce refuses it)`);
                assert.equal(i.s3Bucket, functionArtifactsBucketName(config.namePrefix, config.accountId));
                const hex = /^signed\/([0-9a-f]{64})\//.exec(i.s3Key)?.[1];
                assert.ok(hex && i.s3Key.startsWith(signedArtifactPrefix(hex)), `${f.name}: ${i.s3Key} is a signed object`);
                assert.ok(signable.has(hex!), `${f.name}: package ${hex} is one the sign job of ${environment} signs`);
                assert.match(String(i.s3ObjectVersion), /^[0-9a-f]{32}$/, `${f.name} pins the signed object's version`);
            }
        });
    }
});

describe("function packages are deterministic", () => {
    it("the same files give the same zip bytes, whatever their order; a changed byte gives another hash", () => {
        const a = deterministicZip({ "index.js": "exports.handler=1", "targets.json": "{}" });
        const b = deterministicZip({ "targets.json": "{}", "index.js": "exports.handler=1" });
        assert.deepEqual(Buffer.from(a), Buffer.from(b));
        assert.notDeepEqual(Buffer.from(deterministicZip({ "index.js": "exports.handler=2", "targets.json": "{}" })), Buffer.from(a));
        const one = functionPackage("expiry-check");
        assert.equal(functionPackage("expiry-check").sha256Hex, one.sha256Hex);
        assert.throws(() => functionPackage("nope"), /No function named 'nope'/);
        assert.ok(Object.keys(FUNCTION_ENTRIES).includes("expiry-check"));
    });
});

describe("the signed-code lookup (components/function-code.ts) under the plan's mocks", () => {
    const bucket = "fl-prod-function-artifacts-736491028554";
    const signing = { artifactsBucket: bucket, codeSigningConfigArn: "arn:aws:lambda:us-east-1:736491028554:code-signing-config:csc-0123456789abcdef0" };
    const pkg = () => functionPackage("expiry-check");
    const mocks = (signedPackages: "all" | "none", preview: boolean) =>
        pulumi.runtime.setMocks(new PlatformMocks({ accountId: "736491028554", region: "us-east-1", signedPackages }), "finledger-secrets-platform", "prod", preview);

    it("reads the package's manifest and deploys the signed object it names, with its version", async () => {
        await mocks("all", false);
        const code = signedLambdaCode(pkg(), signing, "fl-prod-expiry-check", {});
        const key = await promiseOf(code.s3Key);
        assert.ok(key.startsWith(signedArtifactPrefix(pkg().sha256Hex)) && key !== `${signedArtifactPrefix(pkg().sha256Hex)}${PENDING_SIGNATURE}`);
        assert.match(String(await promiseOf(code.s3ObjectVersion)), /^[0-9a-f]{32}$/);
        assert.equal(code.codeSigningConfigArn, signing.codeSigningConfigArn);
    });

    it("fails a deployment whose package has no manifest, naming the function, the object and the sign job; no unsigned fallback", async () => {
        await mocks("none", false);
        const code = signedLambdaCode(pkg(), signing, "fl-prod-expiry-check", {});
        const failure = new Promise<Error>((resolve) => {
            process.once("unhandledRejection", (e) => resolve(e as Error));
            code.s3Key.apply((k) => resolve(new Error(`resolved to ${k}`)));
        });
        const err = await failure;
        assert.match(err.message, /Function 'fl-prod-expiry-check' has no signed code: s3:\/\/fl-prod-function-artifacts-736491028554\/manifests\/[0-9a-f]{64}\.json does not exist/);
        assert.match(err.message, /run the 'sign' job of \.github\/workflows\/deploy\.yml on main for this commit/);
    });

    it("in a preview (a pull request's code is signed only after it merges) shows a placeholder key, never an unsigned object", async () => {
        await mocks("none", true);
        const code = signedLambdaCode(pkg(), signing, "fl-prod-expiry-check", {});
        assert.equal(await promiseOf(code.s3Key), `${signedArtifactPrefix(pkg().sha256Hex)}${PENDING_SIGNATURE}`);
        assert.equal(await promiseOf(code.s3ObjectVersion), undefined);
    });

    it("refuses a manifest of another package, another bucket or outside the signed prefix", () => {
        const hex = pkg().sha256Hex;
        const good = { packageSha256: hex, bucket, key: `${signedArtifactPrefix(hex)}job.zip`, jobId: "job", profileVersionArn: "arn:aws:signer:us-east-1:736491028554:/signing-profiles/fl_prod_functions/abc" };
        const where = { bucket, key: signedManifestKey(hex), packageSha256: hex };
        assert.deepEqual(parseSignedManifest(JSON.stringify(good), where), good);
        assert.throws(() => parseSignedManifest(JSON.stringify({ ...good, packageSha256: "0".repeat(64) }), where), /records package 0{64}, not/);
        assert.throws(() => parseSignedManifest(JSON.stringify({ ...good, bucket: "elsewhere" }), where), /points to bucket 'elsewhere'/);
        assert.throws(() => parseSignedManifest(JSON.stringify({ ...good, key: "unsigned/x.zip" }), where), /is not under 'signed\//);
        assert.throws(() => parseSignedManifest(JSON.stringify({ ...good, extra: 1 }), where), /malformed/);
        assert.throws(() => parseSignedManifest("not json", where), /is not JSON/);
    });
});
