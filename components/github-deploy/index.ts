// The GithubDeployAccess component: composes trust, role policies and the Pulumi backend for one environment.
import * as aws from "../aws";
import * as pulumi from "@pulumi/pulumi";
import { PolicyDocument } from "../iam";
import { functionArtifactsBucketName, PERMISSIONS_BOUNDARY_TAG, roleNames, signingProfileName } from "../../model/names";
import { SIGNATURE_VALIDITY, SIGNING_PLATFORM_ID } from "../../model/code-signing";
import { FunctionCodeSigning } from "../function-code";
import { buildArtifactsBucketPolicy, buildSignerPolicy, buildSignerTrustPolicy } from "./code-signing";
import { TYPE } from "../tokens";
import { buildCiAccessEntries } from "./cluster-access";
import { buildPulumiKeyPolicy, buildStateBucketPolicy, pulumiBackendUrl, pulumiSecretsKeyAlias, pulumiSecretsProviderUrl, stateBucketName } from "./backend";
import { buildPlatformBoundary, platformBoundaryName } from "./guardrails";
import { buildDeployPolicy, buildPreviewPolicy, DeployAccessScope, READ_ONLY_POLICY_ARN } from "./policies";
import { buildGithubTrustPolicy, GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, GithubContext, githubOidcProviderArn, githubSubject, GithubRepository } from "./trust";
import { RETAIN_ON_DELETE } from "../retention";

export * from "./backend";
export * from "./cluster-access";
export * from "./code-signing";
export * from "./guardrails";
export * from "./policies";
export * from "./preview-reads";
export * from "./trust";

/** Arguments of {@link GithubDeployAccess}. */
export interface GithubDeployAccessArgs {
    /** Environment name; the deploy role trusts only jobs bound to the GitHub environment of this name. */
    readonly environment: string;
    /** The environment's AWS account id. Every policy names this account only. */
    readonly accountId: string;
    /** Region of the state bucket and the Pulumi key. */
    readonly region: string;
    /** Prefix of resource names, such as `fl-prod`. */
    readonly namePrefix: string;
    /** The repository whose workflows may assume the roles, and its subject claim format. */
    readonly github: GithubRepository;
    /** Role names that administer the Pulumi key. */
    readonly keyAdministrators: readonly string[];
    /** ARN of the environment key (EnvironmentKey); the deploy role may decrypt with it only the Snowflake provisioning key, through Secrets Manager. */
    readonly environmentKeyArn: pulumi.Input<string>;
    /** ARN of an OIDC provider for GitHub that already exists in the account. Default: the component creates one. */
    readonly existingOidcProviderArn?: string;
    /** The environment's EKS cluster: both roles get an access entry on it (cluster-access.ts). Default: no access entries. */
    readonly clusterName?: string;
    /**
     * GitHub environment (with required reviewers) whose jobs alone may assume the preview role, as
     * `model/preview-gate.ts` decides for the environment. Default: the preview role trusts every pull request of
     * the repository (`…:pull_request`).
     */
    readonly previewGithubEnvironment?: string;
    /** Max session length of both roles, in seconds. Default: 3600 (one hour: a prod deploy fits, a leaked session expires soon). */
    readonly maxSessionDuration?: number;
}

/**
 * Deploy-time access for one environment: GitHub's OIDC provider, a preview role for pull requests and a deploy
 * role for the GitHub environment, neither of which can read a secret value (but the deploy role's Snowflake
 * provisioning key, `provisioner-read.ts`), plus the Pulumi state bucket and the
 * `awskms://` secrets-provider key. An administrator creates it once per account (docs/cicd.md, bootstrap); after
 * that the deploy role cannot change it.
 */
export class GithubDeployAccess extends pulumi.ComponentResource {
    /** ARN of the role `pulumi preview` assumes on pull requests. */
    readonly previewRoleArn: pulumi.Output<string>;
    /** ARN of the role `pulumi up` assumes on merge. */
    readonly deployRoleArn: pulumi.Output<string>;
    /** ARN of the GitHub OIDC provider. */
    readonly oidcProviderArn: pulumi.Output<string>;
    /** The state bucket's name. */
    readonly stateBucket: string;
    /** ARN of the Pulumi state and secrets key. */
    readonly pulumiKeyArn: pulumi.Output<string>;
    /** `awskms://alias/<prefix>-pulumi-secrets?region=<region>`. */
    readonly secretsProviderUrl: string;
    /** `s3://<bucket>?region=<region>`. */
    readonly backendUrl: string;
    /** ARN of the role the `sign` job of deploy.yml assumes on main. */
    readonly signerRoleArn: pulumi.Output<string>;
    /** The artifacts bucket and the code-signing config every platform function is deployed with. */
    readonly functionSigning: FunctionCodeSigning;

    constructor(name: string, args: GithubDeployAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.GithubDeployAccess, name, {}, opts);
        const maxSessionDuration = args.maxSessionDuration ?? 3600;

        const problems: string[] = [];
        if (!/^\d{12}$/.test(args.accountId)) problems.push(`accountId '${args.accountId}' is not a 12-digit account id`);
        if (args.keyAdministrators.length === 0) problems.push("keyAdministrators is empty; name at least one role that administers the Pulumi key");
        if (args.github.subjectFormat === "immutable" && (!args.github.ownerId || !args.github.repositoryId)) {
            problems.push("github.subjectFormat is immutable but github.ownerId or github.repositoryId is missing; set both numeric ids");
        }
        if (args.existingOidcProviderArn !== undefined && args.existingOidcProviderArn !== githubOidcProviderArn(args.accountId)) {
            problems.push(`existingOidcProviderArn '${args.existingOidcProviderArn}' is not ${githubOidcProviderArn(args.accountId)}; use the GitHub provider of this account`);
        }
        if (args.previewGithubEnvironment !== undefined && args.previewGithubEnvironment === args.environment) {
            problems.push(`previewGithubEnvironment '${args.previewGithubEnvironment}' is the deploy role's GitHub environment; give previews an environment of their own, such as '${args.environment}-preview'`);
        }
        if (maxSessionDuration < 900 || maxSessionDuration > 3600) problems.push(`maxSessionDuration ${maxSessionDuration} is outside 900..3600 seconds`);
        if (problems.length > 0) throw new pulumi.ResourceError(`GithubDeployAccess ${name}: ${problems.join("; ")}.`, this);

        const tags = { environment: args.environment, purpose: "deploy-access", "managed-by": "pulumi" };
        this.stateBucket = stateBucketName(args.namePrefix, args.accountId);
        this.secretsProviderUrl = pulumiSecretsProviderUrl(args.namePrefix, args.region);
        this.backendUrl = pulumiBackendUrl(args.namePrefix, args.accountId, args.region);

        const pulumiKey = new aws.kms.Key(
            `${name}-pulumi-key`,
            {
                description: `Encrypts the ${args.environment} Pulumi state bucket and the stack's secrets provider`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: JSON.stringify(buildPulumiKeyPolicy(args.accountId, args.keyAdministrators)),
                tags: { ...tags, purpose: "pulumi-state" },
            },
            { parent: this, ...RETAIN_ON_DELETE },
        );
        new aws.kms.Alias(`${name}-pulumi-key-alias`, { name: pulumiSecretsKeyAlias(args.namePrefix), targetKeyId: pulumiKey.keyId }, { parent: this });
        this.pulumiKeyArn = pulumiKey.arn;

        const bucket = new aws.s3.Bucket(`${name}-state`, { bucket: this.stateBucket, forceDestroy: false, tags }, { parent: this, protect: true });
        new aws.s3.BucketOwnershipControls(`${name}-state-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent: this });
        new aws.s3.BucketPublicAccessBlock(
            `${name}-state-public-access`,
            { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { parent: this },
        );
        new aws.s3.BucketVersioning(`${name}-state-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, { parent: this });
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-state-encryption`,
            { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: pulumiKey.arn }, bucketKeyEnabled: true }] },
            { parent: this },
        );
        new aws.s3.BucketPolicy(`${name}-state-policy`, { bucket: bucket.id, policy: JSON.stringify(buildStateBucketPolicy(this.stateBucket, args.accountId)) }, { parent: this });

        this.oidcProviderArn =
            args.existingOidcProviderArn !== undefined
                ? pulumi.output(args.existingOidcProviderArn)
                : new aws.iam.OpenIdConnectProvider(`${name}-github-oidc`, { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_OIDC_AUDIENCE], tags }, { parent: this }).arn;

        // Every role a deploy run creates or changes must carry this boundary; only this bootstrap layer writes it.
        new aws.iam.Policy(
            `${name}-platform-boundary`,
            {
                name: platformBoundaryName(args.namePrefix),
                description: `Permissions boundary of every ${args.environment} platform role; the deploy role can neither change nor remove it`,
                policy: JSON.stringify(buildPlatformBoundary({ accountId: args.accountId, namePrefix: args.namePrefix, environment: args.environment })),
                // The policy pack judges a boundary as a ceiling (its Allow * lets each role's own policy decide).
                tags: { ...tags, [PERMISSIONS_BOUNDARY_TAG.key]: PERMISSIONS_BOUNDARY_TAG.value },
            },
            { parent: this },
        );

        // Code signing: the profile, the Enforce config naming it, the versioned artifacts bucket only the signing role
        // writes, and that role, trusted by deploy.yml on main only (docs/cicd.md, "Signed function code").
        const signingScope = { accountId: args.accountId, region: args.region, namePrefix: args.namePrefix };
        const profile = new aws.signer.SigningProfile(
            `${name}-signing-profile`,
            { name: signingProfileName(args.namePrefix), platformId: SIGNING_PLATFORM_ID, signatureValidityPeriod: { ...SIGNATURE_VALIDITY }, tags: { ...tags, purpose: "code-signing" } },
            { parent: this },
        );
        const codeSigningConfig = new aws.lambda.CodeSigningConfig(
            `${name}-code-signing`,
            {
                description: `${args.environment} platform functions: only code signed with ${signingProfileName(args.namePrefix)}`,
                allowedPublishers: { signingProfileVersionArns: [profile.versionArn] },
                policies: { untrustedArtifactOnDeployment: "Enforce" },
                tags: { ...tags, purpose: "code-signing" },
            },
            { parent: this },
        );
        const artifactsBucketName = functionArtifactsBucketName(args.namePrefix, args.accountId);
        const artifacts = new aws.s3.Bucket(`${name}-artifacts`, { bucket: artifactsBucketName, forceDestroy: false, tags: { ...tags, purpose: "function-artifacts" } }, { parent: this, ...RETAIN_ON_DELETE });
        new aws.s3.BucketOwnershipControls(`${name}-artifacts-ownership`, { bucket: artifacts.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, { parent: this });
        new aws.s3.BucketPublicAccessBlock(
            `${name}-artifacts-public-access`,
            { bucket: artifacts.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
            { parent: this },
        );
        // Signer reads its source by version id: the bucket must be versioned.
        new aws.s3.BucketVersioning(`${name}-artifacts-versioning`, { bucket: artifacts.id, versioningConfiguration: { status: "Enabled" } }, { parent: this });
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-artifacts-encryption`, { bucket: artifacts.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, { parent: this });
        new aws.s3.BucketPolicy(`${name}-artifacts-policy`, { bucket: artifacts.id, policy: JSON.stringify(buildArtifactsBucketPolicy(signingScope)) }, { parent: this });
        this.functionSigning = { artifactsBucket: artifactsBucketName, codeSigningConfigArn: codeSigningConfig.arn };

        const scope = pulumi
            .all([pulumiKey.arn, args.environmentKeyArn, codeSigningConfig.arn])
            .apply(([pulumiKeyArn, environmentKeyArn, codeSigningConfigArn]): DeployAccessScope => ({ accountId: args.accountId, environment: args.environment, namePrefix: args.namePrefix, region: args.region, stateBucket: this.stateBucket, pulumiKeyArn, environmentKeyArn, codeSigningConfigArn }));
        const makeRole = (role: "preview" | "deploy", roleName: string, context: GithubContext, policy: pulumi.Output<PolicyDocument>) => {
            const created = new aws.iam.Role(
                `${name}-${role}`,
                {
                    name: roleName,
                    description: role === "preview" ? `pulumi preview of ${args.environment} on pull requests; no secret value` : `pulumi up of ${args.environment} from its GitHub environment; no secret value but the Snowflake provisioning key`,
                    assumeRolePolicy: this.oidcProviderArn.apply((arn) => JSON.stringify(buildGithubTrustPolicy(arn, githubSubject(args.github, context)))),
                    maxSessionDuration,
                    tags,
                },
                { parent: this },
            );
            // The preview role reads only what preview-reads.ts lists; a pull request's code runs with it.
            if (role === "deploy") new aws.iam.RolePolicyAttachment(`${name}-${role}-read-only`, { role: created.name, policyArn: READ_ONLY_POLICY_ARN }, { parent: this });
            new aws.iam.RolePolicy(`${name}-${role}-policy`, { role: created.name, name: `${roleName}-policy`, policy: policy.apply((p) => JSON.stringify(p)) }, { parent: this });
            return created.arn;
        };
        const previewContext: GithubContext = args.previewGithubEnvironment === undefined ? { kind: "pull_request" } : { kind: "environment", name: args.previewGithubEnvironment };
        this.previewRoleArn = makeRole("preview", roleNames.githubPreview(args.namePrefix), previewContext, scope.apply(buildPreviewPolicy));
        this.deployRoleArn = makeRole("deploy", roleNames.githubDeploy(args.namePrefix), { kind: "environment", name: args.environment }, scope.apply(buildDeployPolicy));

        const signerRoleName = roleNames.githubSigner(args.namePrefix);
        const signer = new aws.iam.Role(
            `${name}-signer`,
            {
                name: signerRoleName,
                description: `Signs ${args.environment}'s function packages from deploy.yml on main; no deploy right, no secret value`,
                assumeRolePolicy: this.oidcProviderArn.apply((arn) => JSON.stringify(buildSignerTrustPolicy(arn, args.github))),
                maxSessionDuration,
                tags,
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(`${name}-signer-policy`, { role: signer.name, name: `${signerRoleName}-policy`, policy: JSON.stringify(buildSignerPolicy(signingScope)) }, { parent: this });
        this.signerRoleArn = signer.arn;

        // Created here, by the bootstrap administrator, after both roles: the deploy role cannot change them.
        if (args.clusterName !== undefined) {
            for (const entry of buildCiAccessEntries(args.accountId, args.namePrefix)) {
                const roleArn = entry.role === "preview" ? this.previewRoleArn : this.deployRoleArn;
                const created = new aws.eks.AccessEntry(
                    `${name}-${entry.role}-eks-access`,
                    { clusterName: args.clusterName, principalArn: roleArn, type: "STANDARD", kubernetesGroups: [...entry.kubernetesGroups], tags },
                    { parent: this },
                );
                entry.policies.forEach((p, i) => {
                    new aws.eks.AccessPolicyAssociation(
                        `${name}-${entry.role}-eks-policy-${i}`,
                        { clusterName: args.clusterName!, principalArn: created.principalArn, policyArn: p.policyArn, accessScope: { type: p.accessScope.type, namespaces: "namespaces" in p.accessScope ? [...p.accessScope.namespaces] : undefined } },
                        { parent: this },
                    );
                });
            }
        }

        this.registerOutputs({
            previewRoleArn: this.previewRoleArn,
            deployRoleArn: this.deployRoleArn,
            oidcProviderArn: this.oidcProviderArn,
            stateBucket: this.stateBucket,
            pulumiKeyArn: this.pulumiKeyArn,
            secretsProviderUrl: this.secretsProviderUrl,
            backendUrl: this.backendUrl,
            signerRoleArn: this.signerRoleArn,
            artifactsBucket: artifactsBucketName,
            codeSigningConfigArn: codeSigningConfig.arn,
        });
    }
}
