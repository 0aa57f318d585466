// The stack program: one environment per stack. It reads the stack's config and the catalog, validates both
// before creating anything, then composes the environment. `npm run plan` runs this same file under mocks.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { loadCatalog, scaleCatalog } from "../model/catalog";
import { assertValidModel, planEnvironment } from "../model/environment";
import { parseEnvironmentConfig, rawConfigFromRuntime } from "../model/config";
import { assertOwnSnowflakeAccount } from "../model/snowflake-accounts";
import { SNOWFLAKE_IDENTITY_ENV, snowflakeCiIdentity } from "../model/snowflake-ci-identity";
import { deploys } from "../model/phase";
import { auditOutputs, buildAudit } from "./audit";
import { buildDeployAccess, deployAccessOutputs } from "./deploy";
import { buildEnvironmentPlatform, platformOutputs } from "./platform";
import { buildRotation, rotationOutputs } from "./rotation";
import { assertConsumerBindings } from "./consumer-bindings";
import { buildRuntimeAccess, runtimeOutputs } from "./runtime";
import { buildEventRefresh } from "./refresh";
import { buildSnowflake, snowflakeOutputs } from "./snowflake";
import { yieldToEventLoop } from "./pacing";

/**
 * The program: Pulumi calls the exported function and exports what it returns as the stack's outputs. It is
 * asynchronous so that each layer lets the registrations it made progress before the next is built (stacks/pacing.ts);
 * nothing in it waits for a resource to be created.
 */
async function environmentStack() {
    const stack = pulumi.getStack();
    const secretKeys = new Set<string>(JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]"));
    const config = parseEnvironmentConfig(rawConfigFromRuntime(pulumi.runtime.allConfig(), (k) => secretKeys.has(k), stack));
    assertOwnSnowflakeAccount(path.join(__dirname, ".."), config);
    // The CI job chooses who the Snowflake provider signs in as: the provisioner (deploy) or the previewer (PR preview).
    const snowflakeIdentity = snowflakeCiIdentity(process.env[SNOWFLAKE_IDENTITY_ENV]);

    // FINLEDGER_CATALOG_SCALE multiplies the catalog synthetically. Only `npm run bench` and the size-limit tests set it.
    const scale = Number(process.env.FINLEDGER_CATALOG_SCALE ?? "1");
    const loaded = loadCatalog(path.join(__dirname, "..", "catalog"));
    assertConsumerBindings(loaded);
    const catalog = scaleCatalog(loaded, scale);

    // Every validation runs here, on plain data, before the first resource is registered: a problem stops the program
    // with the file and key, never halfway through building the environment.
    const model = assertValidModel(planEnvironment(config, catalog));
    const platform = await buildEnvironmentPlatform(model);

    // Deploy access comes first: it holds the code-signing config and artifacts bucket every function is deployed from.
    const deployAccess = buildDeployAccess(platform);
    const codeSigning = deployAccess.functionSigning;
    await yieldToEventLoop();

    const rotation = await buildRotation(platform, codeSigning);
    // The Snowflake provider needs the provisioning key, set by a person after the foundation phase (model/phase.ts).
    const snowflakeLayer = deploys(config.phase, "snowflake-layer") ? await buildSnowflake(platform, snowflakeIdentity) : undefined;

    // The foundation phase stops before the cluster: nothing there may consume a value that is not set yet (model/phase.ts).
    const runtime = deploys(config.phase, "cluster-runtime") ? await buildRuntimeAccess(platform) : undefined;
    // A new current version reaches synced consumers within a minute instead of at ESO's next poll (stacks/refresh.ts).
    const esoRefreshRoleArn = runtime ? buildEventRefresh(platform, runtime, codeSigning).roleArn : undefined;
    await yieldToEventLoop();

    const audit = buildAudit(platform, { kubernetesProvider: runtime?.kubernetesProvider, codeSigning });
    const snowflake: Partial<ReturnType<typeof snowflakeOutputs>> = snowflakeLayer ? snowflakeOutputs(snowflakeLayer) : {};
    const runtimeExports: Partial<ReturnType<typeof runtimeOutputs>> = runtime ? runtimeOutputs(runtime) : {};
    return {
        ...platformOutputs(platform),
        ...deployAccessOutputs(deployAccess),
        ...rotationOutputs(rotation),
        snowflakeServiceUsers: snowflake.snowflakeServiceUsers,
        snowflakeRotatorUser: snowflake.snowflakeRotatorUser,
        workloadRoleArns: runtimeExports.workloadRoleArns,
        esoControllerRoleArn: runtimeExports.esoControllerRoleArn,
        secretStoreRegion: runtimeExports.secretStoreRegion,
        esoRefreshRoleArn,
        ...auditOutputs(audit),
    };
}

export = environmentStack;
