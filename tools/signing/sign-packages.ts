// The sign job's work for one environment: upload each function package that has no manifest yet to the versioned
// artifacts bucket, have AWS Signer sign that exact version with the environment's profile, and record where the
// signed copy is in the package's manifest (model/code-signing.ts). Idempotent: a signed package is skipped.
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeSigningJobCommand, GetSigningProfileCommand, SignerClient, StartSigningJobCommand } from "@aws-sdk/client-signer";
import { createHash } from "crypto";
import { FunctionPackage } from "../../functions/packages";
import { SignedArtifact, signedArtifactPrefix, signedManifestKey, unsignedArtifactKey } from "../../model/code-signing";

/** The Signer calls the sign job makes. */
export interface SigningService {
    /** The current version ARN of an Active profile; throws when the profile is missing or not Active. */
    activeProfileVersionArn(profileName: string): Promise<string>;
    /** Starts a signing job for one object version; returns the job id. */
    startJob(req: { readonly bucket: string; readonly key: string; readonly version: string; readonly destinationPrefix: string; readonly profileName: string }): Promise<string>;
    /** Waits until the job succeeds and returns the signed object's key; throws with Signer's reason when it fails. */
    waitForJob(jobId: string): Promise<{ readonly bucket: string; readonly key: string }>;
}

/** Signer through the AWS SDK. */
export function awsSigningService(client: SignerClient, pollMs = 2000, timeoutMs = 300_000): SigningService {
    return {
        async activeProfileVersionArn(profileName) {
            const p = await client.send(new GetSigningProfileCommand({ profileName }));
            if (p.status !== "Active" || !p.profileVersionArn) throw new Error(`Signing profile '${profileName}' is ${p.status ?? "unknown"}, not Active; the bootstrap (GithubDeployAccess) creates it, docs/cicd.md.`);
            return p.profileVersionArn;
        },
        async startJob(req) {
            const out = await client.send(
                new StartSigningJobCommand({
                    profileName: req.profileName,
                    source: { s3: { bucketName: req.bucket, key: req.key, version: req.version } },
                    destination: { s3: { bucketName: req.bucket, prefix: req.destinationPrefix } },
                    clientRequestToken: createHash("sha256").update(`${req.bucket}/${req.key}@${req.version}`).digest("hex").slice(0, 64),
                }),
            );
            if (!out.jobId) throw new Error(`Signer started no job for s3://${req.bucket}/${req.key}.`);
            return out.jobId;
        },
        async waitForJob(jobId) {
            const deadline = Date.now() + timeoutMs;
            for (;;) {
                const job = await client.send(new DescribeSigningJobCommand({ jobId }));
                if (job.status === "Succeeded") {
                    const s3 = job.signedObject?.s3;
                    if (!s3?.bucketName || !s3.key) throw new Error(`Signing job ${jobId} succeeded without a signed object.`);
                    return { bucket: s3.bucketName, key: s3.key };
                }
                if (job.status === "Failed") throw new Error(`Signing job ${jobId} failed: ${job.statusReason ?? "no reason given"}.`);
                if (Date.now() > deadline) throw new Error(`Signing job ${jobId} did not finish within ${timeoutMs / 1000} s (status ${job.status}).`);
                await new Promise((r) => setTimeout(r, pollMs));
            }
        },
    };
}

/** Where one environment's packages are signed. */
export interface SigningTarget {
    readonly bucket: string;
    readonly profileName: string;
}

/** What happened to one package. */
export interface SigningOutcome {
    readonly name: string;
    readonly sha256Hex: string;
    readonly status: "signed" | "already-signed";
    readonly manifest: SignedArtifact;
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
    try {
        await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
    } catch (e) {
        const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
        if (status === 404) return false;
        throw e;
    }
}

/** Signs every package that has no manifest yet, one after another, and returns what it did for each. */
export async function signPackages(s3: S3Client, signer: SigningService, target: SigningTarget, packages: readonly FunctionPackage[], log: (line: string) => void = () => undefined): Promise<SigningOutcome[]> {
    const profileVersionArn = await signer.activeProfileVersionArn(target.profileName);
    const outcomes: SigningOutcome[] = [];
    for (const pkg of packages) {
        const manifestKey = signedManifestKey(pkg.sha256Hex);
        if (await exists(s3, target.bucket, manifestKey)) {
            const body = await (await s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: manifestKey }))).Body!.transformToString();
            outcomes.push({ name: pkg.name, sha256Hex: pkg.sha256Hex, status: "already-signed", manifest: JSON.parse(body) as SignedArtifact });
            log(`${pkg.name} ${pkg.sha256Hex}: already signed`);
            continue;
        }
        const key = unsignedArtifactKey(pkg.sha256Hex);
        const put = await s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: pkg.zip, ContentType: "application/zip" }));
        if (!put.VersionId) throw new Error(`s3://${target.bucket} returned no version id for ${key}: Signer signs object versions, so the bucket must be versioned (the bootstrap enables it).`);
        const jobId = await signer.startJob({ bucket: target.bucket, key, version: put.VersionId, destinationPrefix: signedArtifactPrefix(pkg.sha256Hex), profileName: target.profileName });
        const signed = await signer.waitForJob(jobId);
        if (signed.bucket !== target.bucket || !signed.key.startsWith(signedArtifactPrefix(pkg.sha256Hex))) {
            throw new Error(`Signing job ${jobId} wrote s3://${signed.bucket}/${signed.key}, outside s3://${target.bucket}/${signedArtifactPrefix(pkg.sha256Hex)}; check the profile and the job's destination.`);
        }
        const head = await s3.send(new HeadObjectCommand({ Bucket: signed.bucket, Key: signed.key }));
        const manifest: SignedArtifact = { packageSha256: pkg.sha256Hex, bucket: signed.bucket, key: signed.key, ...(head.VersionId ? { versionId: head.VersionId } : {}), jobId, profileVersionArn };
        await s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: manifestKey, Body: JSON.stringify(manifest, null, 2), ContentType: "application/json" }));
        outcomes.push({ name: pkg.name, sha256Hex: pkg.sha256Hex, status: "signed", manifest });
        log(`${pkg.name} ${pkg.sha256Hex}: signed by job ${jobId} as ${signed.key}`);
    }
    return outcomes;
}
