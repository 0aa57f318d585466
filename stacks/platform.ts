import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentKey } from "../components/environment-key";
import { ManagedSecret } from "../components/managed-secret";
import { Catalog, CatalogSecret, catalogForEnvironment } from "../model/catalog";
import { EnvironmentConfig } from "../model/config";

/** Secrets that RDS creates and rotates itself (`manageMasterUserPassword`); the stack never creates a container for them. */
export function isRdsManaged(secret: Pick<CatalogSecret, "rotation">): boolean {
    return secret.rotation.strategy === "rds-managed";
}

/** A logical resource name for a catalog secret, unique within the stack. */
export function secretResourceName(catalogName: string): string {
    return catalogName.replace(/^AmazonMSK_/, "msk-").replace(/[^A-Za-z0-9_-]+/g, "-");
}

/** Everything one environment's stack composes. Later layers (identities, rotation, audit, CI roles) build on it. */
export interface EnvironmentPlatform {
    readonly config: EnvironmentConfig;
    /** The catalog as this environment sees it. */
    readonly catalog: Catalog;
    readonly provider: aws.Provider;
    readonly replicaProvider: aws.Provider;
    readonly key: EnvironmentKey;
    /** Managed secrets by catalog name. RDS-managed entries are absent: RDS owns those containers. */
    readonly secrets: ReadonlyMap<string, ManagedSecret>;
}

/** Composes the environment key and one managed secret per catalog entry of this environment. */
export function buildEnvironmentPlatform(config: EnvironmentConfig, fullCatalog: Catalog): EnvironmentPlatform {
    const catalog = catalogForEnvironment(fullCatalog, config.environment);
    const defaultTags = { tags: { environment: config.environment, project: "finledger-secrets-platform", "managed-by": "pulumi" } };
    // Explicit providers pinned to the environment's account: a deploy with another account's credentials fails
    // before it changes anything.
    const provider = new aws.Provider(`${config.namePrefix}-aws`, {
        region: config.region as aws.Region,
        allowedAccountIds: [config.accountId],
        defaultTags,
    });
    const replicaProvider = new aws.Provider(`${config.namePrefix}-aws-replica`, {
        region: config.replicaRegion as aws.Region,
        allowedAccountIds: [config.accountId],
        defaultTags,
    });

    const key = new EnvironmentKey(
        `${config.namePrefix}-secrets`,
        {
            environment: config.environment,
            accountId: config.accountId,
            region: config.region,
            namePrefix: config.namePrefix,
            administratorRoleNames: config.keyAdministrators,
            replicaRegion: config.replicaRegion,
            replicaProvider,
        },
        { provider },
    );

    const secrets = new Map<string, ManagedSecret>();
    const logicalNames = new Map<string, string>();
    for (const entry of catalog.secrets) {
        if (isRdsManaged(entry)) continue;
        const logical = secretResourceName(entry.name);
        const clash = logicalNames.get(logical);
        if (clash) throw new Error(`Catalog secrets '${clash}' and '${entry.name}' map to the same resource name '${logical}'; rename one of them.`);
        logicalNames.set(logical, entry.name);
        secrets.set(
            entry.name,
            new ManagedSecret(
                logical,
                { environment: config.environment, accountId: config.accountId, secret: entry, key, recoveryWindowInDays: config.recoveryWindowDays },
                { provider },
            ),
        );
    }
    return { config, catalog, provider, replicaProvider, key, secrets };
}

/** Stack outputs that carry no secret: ARNs, names and counts for the deploy log and for other stacks. */
export function platformOutputs(platform: EnvironmentPlatform) {
    return {
        environment: platform.config.environment,
        accountId: platform.config.accountId,
        keyArn: platform.key.keyArn,
        replicaKeyArn: platform.key.replicaKeyArn,
        secretCount: platform.secrets.size,
        rdsManagedSecrets: platform.catalog.secrets.filter(isRdsManaged).map((s) => s.name),
        secretArns: pulumi.output(Object.fromEntries([...platform.secrets].map(([name, s]) => [name, s.arn]))),
    };
}
