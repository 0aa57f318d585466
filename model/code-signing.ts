// Where signed function code lives and how the deploy program finds it. A package (the deterministic zip of one
// function, functions/packages.ts) is named by the SHA-256 of its bytes: the sign job uploads it unsigned under
// `unsigned/<hex>.zip`, AWS Signer writes the signed copy under `signed/<hex>/`, and the sign job then records where in
// `manifests/<hex>.json`. The deploy program reads the manifest of each package it deploys and fails when it is absent.
import { z } from "zod";

/** The Signer platform for Lambda code; the code-signing config trusts profiles of this platform only. */
export const SIGNING_PLATFORM_ID = "AWSLambda-SHA384-ECDSA";

/** How long a signature stays valid. Lambda refuses to create or update a function with expired-signature code. */
export const SIGNATURE_VALIDITY = { value: 5, type: "YEARS" } as const;

/** Key of the unsigned upload of a package. */
export function unsignedArtifactKey(sha256Hex: string): string {
    return `unsigned/${assertHex(sha256Hex)}.zip`;
}

/** Prefix under which Signer writes the signed copy of a package (the object's name is Signer's job id). */
export function signedArtifactPrefix(sha256Hex: string): string {
    return `signed/${assertHex(sha256Hex)}/`;
}

/** Key of the manifest that records where a package's signed copy is. */
export function signedManifestKey(sha256Hex: string): string {
    return `manifests/${assertHex(sha256Hex)}.json`;
}

function assertHex(sha256Hex: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new Error(`'${sha256Hex}' is not a lower-case hex SHA-256; name a package by the hex digest of its zip.`);
    return sha256Hex;
}

const manifestSchema = z
    .object({
        packageSha256: z.string().regex(/^[0-9a-f]{64}$/),
        bucket: z.string().min(3),
        key: z.string().min(1),
        versionId: z.string().min(1).optional(),
        jobId: z.string().min(1),
        profileVersionArn: z.string().startsWith("arn:aws:signer:"),
    })
    .strict();

/** One signed package: where the signed zip is, and which signing job and profile version produced it. */
export type SignedArtifact = z.infer<typeof manifestSchema>;

/**
 * Parses a manifest read from `s3://<bucket>/<key>` and checks it belongs to the package and bucket asked for, and
 * that the signed object sits under the package's signed prefix. Throws one sentence naming the object and the fix.
 */
export function parseSignedManifest(text: string, where: { readonly bucket: string; readonly key: string; readonly packageSha256: string }): SignedArtifact {
    const at = `s3://${where.bucket}/${where.key}`;
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        throw new Error(`The signing manifest ${at} is not JSON; re-run the sign job of deploy.yml for this commit.`);
    }
    const parsed = manifestSchema.safeParse(json);
    if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
        throw new Error(`The signing manifest ${at} is malformed (${problems}); re-run the sign job of deploy.yml for this commit.`);
    }
    const m = parsed.data;
    const problems: string[] = [];
    if (m.packageSha256 !== where.packageSha256) problems.push(`it records package ${m.packageSha256}, not ${where.packageSha256}`);
    if (m.bucket !== where.bucket) problems.push(`it points to bucket '${m.bucket}', not '${where.bucket}'`);
    if (!m.key.startsWith(signedArtifactPrefix(where.packageSha256))) problems.push(`its signed object '${m.key}' is not under '${signedArtifactPrefix(where.packageSha256)}'`);
    if (problems.length > 0) throw new Error(`The signing manifest ${at} does not match its package: ${problems.join("; ")}; re-run the sign job of deploy.yml for this commit.`);
    return m;
}

/** The error of a deploy whose package was never signed: which function, which object is missing, and what to run. */
export function missingSignatureMessage(functionName: string, bucket: string, sha256Hex: string): string {
    return (
        `Function '${functionName}' has no signed code: s3://${bucket}/${signedManifestKey(sha256Hex)} does not exist. ` +
        `Its package (sha256 ${sha256Hex}) is built from this commit and must be signed before it can be deployed: ` +
        `run the 'sign' job of .github/workflows/deploy.yml on main for this commit (docs/cicd.md, "Signed function code").`
    );
}
