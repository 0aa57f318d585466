// The sign job's S3 side and its Signer profile check against moto server. moto implements S3 with versioning and
// Signer's profiles (put, get, cancel), but no signing job: StartSigningJob and DescribeSigningJob are stood in for by
// `copyingSigner` below, which writes the source version to the destination prefix as `<job id>.zip`, where Signer
// writes its signed copy. No signature is made or checked here; that Lambda refuses unsigned code is AWS's `Enforce`.
import { strict as assert } from "assert";
import * as path from "path";
import { CopyObjectCommand, CreateBucketCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, S3Client } from "@aws-sdk/client-s3";
import { CancelSigningProfileCommand, PutSigningProfileCommand, SignerClient } from "@aws-sdk/client-signer";
import { randomUUID } from "crypto";
import { parseSignedManifest, SIGNING_PLATFORM_ID, signedManifestKey, unsignedArtifactKey } from "../../model/code-signing";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { functionArtifactsBucketName, signingProfileName } from "../../model/names";
import { environmentPackages } from "../../tools/signing/environment-packages";
import { awsSigningService, signPackages, SigningService } from "../../tools/signing/sign-packages";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");
const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, "prod"));
const credentials = { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY };

/** Signer's profile calls go to moto; the job calls, which moto lacks, copy the source version where Signer writes. */
function copyingSigner(s3: S3Client, signer: SignerClient): SigningService & { jobs: string[] } {
    const real = awsSigningService(signer, 10, 5000);
    const started = new Map<string, { bucket: string; key: string }>();
    const jobs: string[] = [];
    return {
        jobs,
        activeProfileVersionArn: (name) => real.activeProfileVersionArn(name),
        async startJob(req) {
            const jobId = randomUUID();
            const key = `${req.destinationPrefix}${jobId}.zip`;
            await s3.send(new CopyObjectCommand({ Bucket: req.bucket, Key: key, CopySource: `${req.bucket}/${req.key}?versionId=${req.version}` }));
            started.set(jobId, { bucket: req.bucket, key });
            jobs.push(jobId);
            return jobId;
        },
        async waitForJob(jobId) {
            return started.get(jobId)!;
        },
    };
}

describe("sign job against moto: packages uploaded as versions, signed once, manifests the deploy program can read", function () {
    this.timeout(120_000);
    let moto: MotoServer;
    let s3: S3Client;
    let signer: SignerClient;
    const bucket = functionArtifactsBucketName(config.namePrefix, config.accountId);
    const profileName = signingProfileName(config.namePrefix);
    const packages = environmentPackages(config, PROJECT_DIR);

    before(async () => {
        moto = await startMoto();
        s3 = new S3Client({ endpoint: moto.endpoint, region: config.region, credentials, forcePathStyle: true });
        signer = new SignerClient({ endpoint: moto.endpoint, region: config.region, credentials });
    });
    after(async () => moto?.stop());

    beforeEach(async () => {
        await fetch(`${moto.endpoint}/moto-api/reset`, { method: "POST" });
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
        await signer.send(new PutSigningProfileCommand({ profileName, platformId: SIGNING_PLATFORM_ID }));
    });

    it("signs every package of prod once, from the uploaded version, and writes a manifest that parses for its package", async () => {
        const service = copyingSigner(s3, signer);
        const outcomes = await signPackages(s3, service, { bucket, profileName }, packages);
        assert.equal(outcomes.length, packages.length);
        assert.ok(packages.length >= 6, `prod has ${packages.length} packages`);
        assert.deepEqual(outcomes.map((o) => o.status), packages.map(() => "signed"));
        assert.equal(new Set(service.jobs).size, packages.length);
        for (const pkg of packages) {
            const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: unsignedArtifactKey(pkg.sha256Hex) }));
            assert.equal(versions.Versions?.length, 1, `one uploaded version of ${pkg.name}`);
            const key = signedManifestKey(pkg.sha256Hex);
            const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
            const manifest = parseSignedManifest(body, { bucket, key, packageSha256: pkg.sha256Hex });
            assert.match(manifest.profileVersionArn, new RegExp(`^arn:aws:signer:${config.region}:\\d{12}:/signing-profiles/${profileName}/[0-9a-z]+$`));
            assert.ok(manifest.versionId, "the signed object's version is recorded");
            const signed = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: manifest.key, VersionId: manifest.versionId }))).Body!.transformToByteArray();
            assert.deepEqual(Buffer.from(signed), Buffer.from(pkg.zip), `${pkg.name}: the stand-in's copy is the uploaded zip`);
        }
    });

    it("skips packages that already have a manifest: a second run starts no signing job", async () => {
        await signPackages(s3, copyingSigner(s3, signer), { bucket, profileName }, packages);
        const again = copyingSigner(s3, signer);
        const outcomes = await signPackages(s3, again, { bucket, profileName }, packages);
        assert.deepEqual(outcomes.map((o) => o.status), packages.map(() => "already-signed"));
        assert.deepEqual(again.jobs, []);
    });

    it("refuses an unversioned bucket, since Signer signs object versions", async () => {
        await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } }));
        await assert.rejects(signPackages(s3, copyingSigner(s3, signer), { bucket, profileName }, packages.slice(0, 1)), /returned no version id .* must be versioned/);
    });

    it("refuses to sign with a cancelled profile, before uploading anything (Signer's profile state, from moto)", async () => {
        await signer.send(new CancelSigningProfileCommand({ profileName }));
        const service = copyingSigner(s3, signer);
        await assert.rejects(signPackages(s3, service, { bucket, profileName }, packages.slice(0, 1)), /Signing profile 'fl_prod_functions' is Canceled, not Active/);
        assert.deepEqual(service.jobs, []);
        const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
        assert.equal(versions.Versions?.length ?? 0, 0);
    });
});
