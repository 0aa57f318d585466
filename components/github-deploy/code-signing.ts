// Code signing of the platform functions (docs/cicd.md, "Signed function code"): the signing role that only the
// `sign` job of deploy.yml on main can assume, the artifacts bucket that only it writes, and the deploy role's denies
// that keep signing, artifacts and code-signing configs out of its reach. The bootstrap creates all of it.
import { functionArtifactsBucketName, roleNames, signingProfileName } from "../../model/names";
import { signedArtifactPrefix, signedManifestKey, unsignedArtifactKey } from "../../model/code-signing";
import { denyPrincipalsOutsideAccount, denyWithoutTls, PolicyDocument, policyDocument, PolicyStatement, roleArn } from "../iam";
import { bucketArns } from "./backend";
import { AUD_KEY, GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, githubSubject, GithubRepository, SUB_KEY } from "./trust";

/** The only workflow whose jobs may sign, and the only branch. */
export const SIGNING_WORKFLOW_PATH = ".github/workflows/deploy.yml";
/** The branch whose pushes are signed. */
export const SIGNING_BRANCH = "main";
/**
 * STS condition key of the token's `job_workflow_ref` claim (AWS STS validates GitHub's provider-specific claims in
 * trust policies since January 2026: https://aws.amazon.com/about-aws/whats-new/2026/01/aws-sts-supports-validation-identity-provider-claims/).
 */
export const JOB_WORKFLOW_REF_KEY = `${GITHUB_OIDC_HOST}:job_workflow_ref`;

/** The `job_workflow_ref` claim of a job of deploy.yml run from main: `<org>/<repo>/.github/workflows/deploy.yml@refs/heads/main`. */
export function signingJobWorkflowRef(github: Pick<GithubRepository, "org" | "repo">): string {
    return `${github.org}/${github.repo}/${SIGNING_WORKFLOW_PATH}@refs/heads/${SIGNING_BRANCH}`;
}

/**
 * Trust of the signing role: GitHub's OIDC tokens whose subject is a push to main (`…:ref:refs/heads/main`, so neither a
 * pull request, another branch nor a job bound to a GitHub environment) and whose job comes from deploy.yml on main.
 */
export function buildSignerTrustPolicy(oidcProviderArn: string, github: GithubRepository): PolicyDocument {
    return policyDocument([
        {
            Sid: "OnlyDeployYmlOnMain",
            Effect: "Allow",
            Principal: { Federated: oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: {
                    [AUD_KEY]: GITHUB_OIDC_AUDIENCE,
                    [SUB_KEY]: githubSubject(github, { kind: "branch", name: SIGNING_BRANCH }),
                    [JOB_WORKFLOW_REF_KEY]: signingJobWorkflowRef(github),
                },
            },
        },
    ]);
}

/** What the signing and deploy policies need to know about one environment. */
export interface SigningScope {
    readonly accountId: string;
    readonly region: string;
    readonly namePrefix: string;
}

/** The ARN of the environment's Signer profile (StartSigningJob names it). */
export function signingProfileArn(scope: SigningScope): string {
    return `arn:aws:signer:${scope.region}:${scope.accountId}:/signing-profiles/${signingProfileName(scope.namePrefix)}`;
}

/** Object ARN patterns by purpose, all in the environment's artifacts bucket. */
function artifactObjects(scope: SigningScope) {
    const bucket = functionArtifactsBucketName(scope.namePrefix, scope.accountId);
    const x = "0".repeat(64);
    const pattern = (key: string) => `arn:aws:s3:::${bucket}/${key.replace(x, "*")}`;
    return { bucket, unsigned: pattern(unsignedArtifactKey(x)), signed: `arn:aws:s3:::${bucket}/${signedArtifactPrefix(x).replace(x, "*")}*`, manifests: pattern(signedManifestKey(x)) };
}

/**
 * The signing role's only policy: upload unsigned packages, start signing jobs with the environment's profile (Signer
 * reads the source version and writes the signed copy with this role's rights), and write the manifests.
 */
export function buildSignerPolicy(scope: SigningScope): PolicyDocument {
    const o = artifactObjects(scope);
    return policyDocument([
        { Sid: "UploadPackagesAndManifests", Effect: "Allow", Action: "s3:PutObject", Resource: [o.unsigned, o.signed, o.manifests] },
        { Sid: "ReadArtifacts", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `arn:aws:s3:::${o.bucket}/*` },
        { Sid: "ListArtifacts", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketVersioning"], Resource: `arn:aws:s3:::${o.bucket}` },
        { Sid: "SignWithTheEnvironmentsProfile", Effect: "Allow", Action: ["signer:StartSigningJob", "signer:GetSigningProfile"], Resource: signingProfileArn(scope) },
        { Sid: "FollowSigningJobs", Effect: "Allow", Action: "signer:DescribeSigningJob", Resource: `arn:aws:signer:${scope.region}:${scope.accountId}:/signing-jobs/*` },
    ]);
}

/** Writes to the artifacts bucket's objects; only the signing role may make them. */
export const ARTIFACT_WRITE_ACTIONS = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectTagging", "s3:PutObjectAcl", "s3:RestoreObject"];

/**
 * The artifacts bucket's policy: TLS only, nobody outside the account, and no principal but the signing role writes
 * or deletes an object, whatever its own policies say (the deploy role's `s3:*` on `fl-<env>-*` buckets included).
 */
export function buildArtifactsBucketPolicy(scope: SigningScope): PolicyDocument {
    const { bucket } = artifactObjects(scope);
    return policyDocument([
        denyWithoutTls("s3:*", bucketArns(bucket)),
        denyPrincipalsOutsideAccount(scope.accountId, "s3:*", bucketArns(bucket)),
        {
            Sid: "OnlyTheSigningRoleWritesArtifacts",
            Effect: "Deny",
            Principal: "*",
            Action: ARTIFACT_WRITE_ACTIONS,
            Resource: `arn:aws:s3:::${bucket}/*`,
            Condition: { ArnNotEquals: { "aws:PrincipalArn": roleArn(scope.accountId, roleNames.githubSigner(scope.namePrefix)) } },
        },
    ]);
}

/** Every Signer call that signs, revokes, or changes a profile or its permissions (all but reads); the deploy role makes none. */
export const SIGNER_WRITE_ACTIONS = [
    "signer:AddProfilePermission",
    "signer:CancelSigningProfile",
    "signer:PutSigningProfile",
    "signer:RemoveProfilePermission",
    "signer:RevokeSignature",
    "signer:RevokeSigningProfile",
    "signer:SignPayload",
    "signer:StartSigningJob",
    "signer:TagResource",
    "signer:UntagResource",
];

/** Lambda calls that create, change or detach a code-signing config; only the bootstrap administrator makes them. */
export const CODE_SIGNING_CONFIG_WRITE_ACTIONS = ["lambda:CreateCodeSigningConfig", "lambda:UpdateCodeSigningConfig", "lambda:DeleteCodeSigningConfig", "lambda:DeleteFunctionCodeSigningConfig"];

/**
 * The deploy role's denies for code signing: no Signer call but reads, no write to the artifacts bucket or its settings,
 * no code-signing config change, and a function created (or given a config) only with the environment's config,
 * through the `lambda:CodeSigningConfigArn` key. With that config's `Enforce`, Lambda refuses any code but the
 * packages the signing role had signed.
 */
export function buildCodeSigningDenies(scope: SigningScope & { readonly codeSigningConfigArn: string }): PolicyStatement[] {
    const { bucket } = artifactObjects(scope);
    return [
        // Reads stay: `refresh` reads the profile. A test keeps this list equal to Signer's non-read actions.
        { Sid: "NeverSign", Effect: "Deny", Action: SIGNER_WRITE_ACTIONS, Resource: "*" },
        { Sid: "NeverWriteFunctionArtifacts", Effect: "Deny", NotAction: ["s3:Get*", "s3:List*"], Resource: bucketArns(bucket) },
        { Sid: "CodeSigningConfigsOnlyFromTheBootstrap", Effect: "Deny", Action: CODE_SIGNING_CONFIG_WRITE_ACTIONS, Resource: "*" },
        { Sid: "NoTagChangesOnCodeSigningConfigs", Effect: "Deny", Action: ["lambda:TagResource", "lambda:UntagResource"], Resource: `arn:aws:lambda:*:${scope.accountId}:code-signing-config:*` },
        // The key is absent when a function is created without a config, and ArnNotEquals then matches: denied too.
        {
            Sid: "FunctionsOnlyWithTheEnvironmentsSigningConfig",
            Effect: "Deny",
            Action: ["lambda:CreateFunction", "lambda:PutFunctionCodeSigningConfig"],
            Resource: "*",
            Condition: { ArnNotEquals: { "lambda:CodeSigningConfigArn": scope.codeSigningConfigArn } },
        },
    ];
}

/** The object ARN pattern of the signing manifests, which the preview role may read. */
export function signingManifestObjects(scope: SigningScope): string {
    return artifactObjects(scope).manifests;
}
