// The rotation layer: one rotation function per automated strategy, wired to every secret of that strategy in
// the environment, plus what the functions need around them (the Secrets Manager VPC endpoint, the MSK user
// slots and their association). RDS masters rotate through RDS itself and manual secrets through a runbook, so
// neither gets a function.
import * as aws from "../components/aws";
import * as pulumi from "@pulumi/pulumi";
import { ManagedSecret } from "../components/managed-secret";
import { secretArnPattern, SecretRotation } from "../components/secret-rotation";
import { FunctionCodeSigning } from "../components/function-code";
import { ENV } from "../functions/rotation/env";
import { deploys } from "../model/phase";
import { exactSecretArnPattern } from "../model/names";
import { EnvironmentConfig } from "../model/config";
import { LambdaStrategy } from "../model/strategies";
import { EnvironmentPlatform } from "./platform";
import { buildPaced } from "./pacing";
import { deployedLayerOptions } from "./role-boundary";

/** What the rotation layer exports: function ARNs by strategy and how many secrets each rotates. */
export interface RotationLayer {
    readonly rotations: ReadonlyMap<LambdaStrategy, SecretRotation>;
    readonly kafkaUserSlots: ReadonlyMap<string, ManagedSecret>;
}

/** The regional Secrets Manager endpoint the rotation functions call (with private DNS it resolves to the VPC endpoint). */
export function secretsManagerEndpointUrl(config: EnvironmentConfig): string {
    return `https://secretsmanager.${config.region}.amazonaws.com`;
}

/**
 * What differs per Lambda strategy beyond its descriptor: secrets it only reads and its environment. A Record over
 * LambdaStrategy, so a strategy added to model/strategies.ts without an entry here does not compile.
 */
export function strategyExtras(config: EnvironmentConfig): Record<LambdaStrategy, { readOnly?: string[]; env?: Record<string, string> }> {
    const rc = config.rotation;
    return {
        "snowflake-key-pair": {
            readOnly: [exactSecretArnPattern(config.accountId, rc.snowflake.rotatorKeyPairName, config.region)],
            env: { [ENV.snowflakeRotatorSecret]: rc.snowflake.rotatorKeyPairName },
        },
        "postgres-alternating-users": {
            // The RDS-managed master secrets (rds!db-..., rds!cluster-...), which the function logs in with.
            readOnly: [secretArnPattern(config.accountId, config.region, "rds!")],
        },
        "kafka-scram-alternating-users": { env: { [ENV.mskPropagationSeconds]: "600" } },
        "vendor-api": {},
    };
}

/** Builds the rotation layer of one environment. */
export async function buildRotation(platform: EnvironmentPlatform, codeSigning: FunctionCodeSigning): Promise<RotationLayer> {
    const { config, model } = platform;
    const rc = config.rotation;

    const opts = deployedLayerOptions(platform);
    const prefix = config.namePrefix;
    const endpointUrl = secretsManagerEndpointUrl(config);

    // The functions reach Secrets Manager privately. With private DNS the regional name resolves to the endpoint.
    const dependsOn: pulumi.Resource[] = [];
    if (!rc.vpc.secretsManagerEndpointId && deploys(config.phase, "secrets-manager-endpoint")) {
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

    // MSK: two user slots per SCRAM secret (created with the platform's containers), each associated on its own: the
    // cluster's other SCRAM users (not ours) are never touched, as a cluster-wide ScramSecretAssociation would remove
    // them. The associations, the rotation functions and their schedules wait for the full phase, after the first
    // values are set (model/phase.ts).
    const slots = new Map<string, ManagedSecret>(model.secrets.filter((s) => s.slotOf).map((s) => [s.entry.name, platform.secrets.get(s.entry.name)!]));
    if (!deploys(config.phase, "kafka-slot-associations")) return { rotations: new Map(), kafkaUserSlots: slots };
    await buildPaced(model.secrets.filter((s) => s.slotOf), (planned) => {
        new aws.msk.SingleScramSecretAssociation(`${prefix}-msk-${planned.resourceName}`, { clusterArn: rc.kafka.clusterArn, secretArn: slots.get(planned.entry.name)!.arn }, opts);
    });

    const perStrategy = strategyExtras(config);

    const rotations = new Map<LambdaStrategy, SecretRotation>();
    // One function per strategy, each with a rotation schedule per secret: pace between them.
    await buildPaced(model.rotations, (planned) => {
        const p = perStrategy[planned.strategy];
        rotations.set(
            planned.strategy,
            new SecretRotation(
                `${prefix}-rotation-${planned.strategy}`,
                {
                    environment: config.environment,
                    accountId: config.accountId,
                    region: config.region,
                    strategy: planned.strategy,
                    roleName: planned.roleName,
                    functionName: planned.functionName,
                    code: planned.strategy,
                    codeSigning,
                    keyArn: platform.key.keyArn,
                    logKeyArn: platform.functionLogKey.keyArn,
                    secretNamePrefixes: [planned.secretNamePrefix],
                    readOnlySecretArns: p.readOnly,
                    secrets: planned.secrets.map((s) => {
                        const secret = model.secretsByName.get(s.name)!;
                        return { name: secret.resourceName, secretArn: platform.secrets.get(s.name)!.arn, days: s.days };
                    }),
                    subnetIds: rc.vpc.subnetIds,
                    securityGroupIds: rc.vpc.securityGroupIds,
                    secretsManagerEndpoint: endpointUrl,
                    windowHours: rc.windowHours,
                    environmentVariables: p.env,
                    timeoutSeconds: planned.timeoutSeconds,
                    dependsOn,
                },
                opts,
            ),
        );
    }, 1);
    return { rotations, kafkaUserSlots: slots };
}

/** Stack outputs of the rotation layer (no secret). */
export function rotationOutputs(layer: RotationLayer) {
    return {
        rotationFunctions: pulumi.output(Object.fromEntries([...layer.rotations].map(([s, r]) => [s, r.functionArn]))),
        rotatedSecretCounts: Object.fromEntries([...layer.rotations].map(([s, r]) => [s, r.rotatedSecretCount])),
    };
}
