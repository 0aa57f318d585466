// The rotation layer: one rotation function per automated strategy, wired to every secret of that strategy in
// the environment, plus what the functions need around them (the Secrets Manager VPC endpoint, the MSK user
// slots and their association). RDS masters rotate through RDS itself and manual secrets through a runbook, so
// neither gets a function.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ManagedSecret, fullSecretName } from "../components/managed-secret";
import { graceRuleViolations, RolloutSettings, rolloutSettings } from "../components/rollout";
import { secretArnPattern, SecretRotation } from "../components/secret-rotation";
import { roleNames } from "../components/naming";
import { functionBundles } from "../functions/bundle";
import { LAMBDA_STRATEGIES, LambdaStrategy } from "../model/strategies";
import { ENV } from "../functions/rotation/runtime";
import { scramSlotSecretName } from "../functions/rotation/strategies/kafka-scram";
import { CatalogSecret } from "../model/catalog";
import { EnvironmentPlatform, secretResourceName } from "./platform";

/** Whether a catalog secret is rotated by one of the platform's Lambda functions. */
export function isLambdaRotated(secret: Pick<CatalogSecret, "rotation">): secret is CatalogSecret & { rotation: { strategy: LambdaStrategy } } {
    return (LAMBDA_STRATEGIES as readonly string[]).includes(secret.rotation.strategy);
}

/** The catalog-like entries of an MSK secret's two user slots (`<name>/user-a`, `<name>/user-b`). */
export function kafkaUserSlots(secret: CatalogSecret): CatalogSecret[] {
    const base = secret.name.split("/").pop()!.replace(/[^A-Za-z0-9]/g, "_");
    return (["a", "b"] as const).map((slot) => ({
        ...secret,
        name: scramSlotSecretName(secret.name, `${base}_${slot}`),
        description: `SCRAM user ${slot.toUpperCase()} of ${secret.name}, associated with the MSK cluster; written only by the rotation function.`,
        consumers: [],
    }));
}

/** Problems with the rollout settings against this environment's schedules (the grace rule); empty when fine. */
export function rotationProblems(secrets: readonly CatalogSecret[], rollout: RolloutSettings, windowHours: number): string[] {
    return graceRuleViolations(rollout, windowHours, secrets.filter(isLambdaRotated).map((s) => ({ name: s.name, days: s.rotation.days })));
}

/** What the rotation layer exports: function ARNs by strategy and how many secrets each rotates. */
export interface RotationLayer {
    readonly rotations: ReadonlyMap<LambdaStrategy, SecretRotation>;
    readonly kafkaUserSlots: ReadonlyMap<string, ManagedSecret>;
}

/** Builds the rotation layer of one environment. */
export function buildRotation(platform: EnvironmentPlatform): RotationLayer {
    const { config, catalog } = platform;
    const rc = config.rotation;
    const problems = rotationProblems(catalog.secrets, rolloutSettings(config), rc.windowHours);
    if (problems.length > 0) throw new Error(`Pulumi.${config.environment}.yaml finledger:rotation / finledger:runtime break the grace rule:\n  - ${problems.join("\n  - ")}`);

    const opts = { provider: platform.provider };
    const prefix = config.namePrefix;
    const endpointUrl = `https://secretsmanager.${config.region}.amazonaws.com`;

    // The functions reach Secrets Manager privately. With private DNS the regional name resolves to the endpoint.
    const dependsOn: pulumi.Resource[] = [];
    if (!rc.vpc.secretsManagerEndpointId) {
        dependsOn.push(
            new aws.ec2.VpcEndpoint(
                `${prefix}-secretsmanager-endpoint`,
                {
                    vpcId: rc.vpc.vpcId,
                    serviceName: `com.amazonaws.${config.region}.secretsmanager`,
                    vpcEndpointType: "Interface",
                    privateDnsEnabled: true,
                    subnetIds: [...rc.vpc.subnetIds],
                    securityGroupIds: [...rc.vpc.securityGroupIds],
                    policy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Sid: "OnlyThisAccount", Effect: "Allow", Principal: "*", Action: "secretsmanager:*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalAccount": config.accountId } } }],
                    }),
                    tags: { environment: config.environment, purpose: "secret-rotation", Name: `${prefix}-secretsmanager` },
                },
                opts,
            ),
        );
    }

    // MSK: two user slots per SCRAM secret, both associated with the cluster.
    const slots = new Map<string, ManagedSecret>();
    for (const s of catalog.secrets.filter((x) => x.rotation.strategy === "kafka-scram-alternating-users")) {
        for (const slot of kafkaUserSlots(s)) {
            slots.set(
                slot.name,
                new ManagedSecret(
                    secretResourceName(slot.name),
                    { environment: config.environment, accountId: config.accountId, secret: slot, key: platform.key, recoveryWindowInDays: config.recoveryWindowDays },
                    opts,
                ),
            );
        }
    }
    if (slots.size > 0) {
        new aws.msk.ScramSecretAssociation(`${prefix}-msk-scram-users`, { clusterArn: rc.kafka.clusterArn, secretArnLists: [...slots.values()].map((s) => s.arn) }, opts);
    }

    const bundles = functionBundles();
    const perStrategy: Record<LambdaStrategy, { readOnly?: string[]; env?: Record<string, string>; timeout?: number; prefixes: string[] }> = {
        "snowflake-key-pair": {
            prefixes: [`${config.environment}/`],
            readOnly: [`${secretArnPattern(config.accountId, config.region, rc.snowflake.rotatorKeyPairName)}`.replace(/\*$/, "-??????")],
            env: { [ENV.snowflakeRotatorSecret]: rc.snowflake.rotatorKeyPairName },
        },
        "postgres-alternating-users": {
            prefixes: [`${config.environment}/`],
            // The RDS-managed master secrets (rds!db-..., rds!cluster-...), which the function logs in with.
            readOnly: [secretArnPattern(config.accountId, config.region, "rds!")],
        },
        "kafka-scram-alternating-users": {
            prefixes: [fullSecretName(config.environment, "AmazonMSK_x").replace(/x$/, "")],
            env: { [ENV.mskPropagationSeconds]: "600" },
            timeout: 900,
        },
        "vendor-api": { prefixes: [`${config.environment}/`] },
    };

    const rotations = new Map<LambdaStrategy, SecretRotation>();
    for (const strategy of LAMBDA_STRATEGIES) {
        const secrets = catalog.secrets.filter((s) => s.rotation.strategy === strategy);
        if (secrets.length === 0) continue;
        const p = perStrategy[strategy];
        rotations.set(
            strategy,
            new SecretRotation(
                `${prefix}-rotation-${strategy}`,
                {
                    environment: config.environment,
                    accountId: config.accountId,
                    region: config.region,
                    strategy,
                    roleName: roleNames.rotation(prefix, strategy),
                    functionName: `${prefix}-rotate-${strategy}`.slice(0, 64),
                    code: bundles.get(strategy)!,
                    keyArn: platform.key.keyArn,
                    secretNamePrefixes: p.prefixes,
                    readOnlySecretArns: p.readOnly,
                    secrets: secrets.map((s) => {
                        const managed = platform.secrets.get(s.name);
                        if (!managed) throw new Error(`Catalog secret '${s.name}' (${s.file}) rotates with ${strategy} but the platform created no container for it.`);
                        return { name: secretResourceName(s.name), secretArn: managed.arn, days: s.rotation.days };
                    }),
                    subnetIds: rc.vpc.subnetIds,
                    securityGroupIds: rc.vpc.securityGroupIds,
                    secretsManagerEndpoint: endpointUrl,
                    windowHours: rc.windowHours,
                    environmentVariables: p.env,
                    timeoutSeconds: p.timeout,
                    dependsOn,
                },
                opts,
            ),
        );
    }
    return { rotations, kafkaUserSlots: slots };
}

/** Stack outputs of the rotation layer (no secret). */
export function rotationOutputs(layer: RotationLayer) {
    return {
        rotationFunctions: pulumi.output(Object.fromEntries([...layer.rotations].map(([s, r]) => [s, r.functionArn]))),
        rotatedSecretCounts: Object.fromEntries([...layer.rotations].map(([s, r]) => [s, r.rotatedSecretCount])),
    };
}
