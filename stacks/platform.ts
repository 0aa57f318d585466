import * as aws from "../components/aws";
import * as pulumi from "@pulumi/pulumi";
import { EnvironmentKey } from "../components/environment-key";
import { FunctionLogKey } from "../components/function-log-key";
import { KAFKA_SERVICE_PRINCIPAL, ManagedSecret } from "../components/managed-secret";
import { Catalog } from "../model/catalog";
import { EnvironmentConfig } from "../model/config";
import { EnvironmentModel } from "../model/environment";
import { buildPaced } from "./pacing";

/** Everything one environment's stack composes. Later layers (identities, rotation, audit, CI roles) build on it. */
export interface EnvironmentPlatform {
    readonly config: EnvironmentConfig;
    /** The environment model the stack is built from. */
    readonly model: EnvironmentModel;
    /** The catalog as this environment sees it. */
    readonly catalog: Catalog;
    readonly provider: aws.Provider;
    readonly replicaProvider: aws.Provider;
    readonly key: EnvironmentKey;
    /** Encrypts every platform function's log group; the deploy role cannot decrypt with it. */
    readonly functionLogKey: FunctionLogKey;
    /** Managed secrets by catalog name, MSK user slots included. RDS-managed entries are absent: RDS owns those containers. */
    readonly secrets: ReadonlyMap<string, ManagedSecret>;
}

/** Composes the environment key and one managed secret per container of the (validated) environment model. */
export async function buildEnvironmentPlatform(model: EnvironmentModel): Promise<EnvironmentPlatform> {
    const { config, catalog } = model;
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

    const functionLogKey = new FunctionLogKey(
        `${config.namePrefix}-function-logs`,
        { environment: config.environment, accountId: config.accountId, region: config.region, namePrefix: config.namePrefix },
        { provider },
    );

    const secrets = new Map<string, ManagedSecret>();
    await buildPaced(model.secrets, (planned) => {
        secrets.set(
            planned.entry.name,
            new ManagedSecret(
                planned.resourceName,
                { environment: config.environment, accountId: config.accountId, secret: planned.entry, key, recoveryWindowInDays: config.recoveryWindowDays, replicate: planned.replicated, firstValuePending: config.phase === "foundation", serviceReaders: planned.slotOf ? [KAFKA_SERVICE_PRINCIPAL] : undefined },
                { provider },
            ),
        );
    });
    return { config, model, catalog, provider, replicaProvider, key, functionLogKey, secrets };
}

/** Stack outputs that carry no secret: ARNs, names and counts for the deploy log and for other stacks. */
export function platformOutputs(platform: EnvironmentPlatform) {
    return {
        environment: platform.config.environment,
        accountId: platform.config.accountId,
        keyArn: platform.key.keyArn,
        replicaKeyArn: platform.key.replicaKeyArn,
        secretCount: platform.model.secrets.filter((s) => !s.slotOf).length,
        rdsManagedSecrets: platform.model.rdsManaged.map((s) => s.name),
        secretArns: pulumi.output(Object.fromEntries(platform.model.secrets.filter((s) => !s.slotOf).map((s) => [s.entry.name, platform.secrets.get(s.entry.name)!.arn]))),
    };
}
