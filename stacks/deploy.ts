// Deploy-time access of one environment: the GitHub OIDC roles, the Pulumi state bucket and the secrets-provider
// key. An administrator applies this layer once per account (docs/cicd.md, "Bootstrap"); CI then runs as its roles.
import { GithubDeployAccess, githubOidcProviderArn } from "../components/github-deploy";
import { previewGithubEnvironment } from "../model/preview-gate";
import { EnvironmentPlatform } from "./platform";

/** Creates the environment's {@link GithubDeployAccess} from the stack config. */
export function buildDeployAccess(platform: EnvironmentPlatform): GithubDeployAccess {
    const { config } = platform;
    return new GithubDeployAccess(
        `${config.namePrefix}-deploy-access`,
        {
            environment: config.environment,
            accountId: config.accountId,
            region: config.region,
            namePrefix: config.namePrefix,
            github: config.github,
            keyAdministrators: config.keyAdministrators,
            clusterName: config.cluster.name,
            previewGithubEnvironment: previewGithubEnvironment(config.environment),
            environmentKeyArn: platform.key.keyArn,
            existingOidcProviderArn: config.github.reuseOidcProvider ? githubOidcProviderArn(config.accountId) : undefined,
        },
        { provider: platform.provider },
    );
}

/** Stack outputs that carry no secret: the role ARNs the workflows assume and where the state lives. */
export function deployAccessOutputs(access: GithubDeployAccess) {
    return {
        githubPreviewRoleArn: access.previewRoleArn,
        githubDeployRoleArn: access.deployRoleArn,
        githubSignerRoleArn: access.signerRoleArn,
        pulumiStateBucket: access.stateBucket,
        pulumiSecretsProvider: access.secretsProviderUrl,
    };
}
