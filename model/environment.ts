// The environment model: everything one environment's stack will create, computed from its config and the catalog
// as plain data, with every validation problem, before any resource exists. The stack program only turns this model
// into components; `npm run plan` and `stacks/index.ts` both refuse a model with problems (exit 2, file and key).
import { Catalog, CatalogError, CatalogSecret, catalogForEnvironment, CatalogWorkload } from "./catalog";
import { ConfigError, ConfigProblem, EnvironmentConfig } from "./config";
import { fullSecretName, KAFKA_SLOTS, kafkaSlotSecretName, roleNames, rotationFunctionName, secretNamePrefixes, secretResourceName, TAG } from "./names";
import { graceRuleViolations, RolloutSettings, rolloutSettings } from "./rollout";
import { planSnowflake, SnowflakePlan } from "./snowflake";
import { isLambdaStrategy, LAMBDA_STRATEGIES, LambdaStrategy, STRATEGIES, StrategyRunner } from "./strategies";

/** The catalog secret the latency probe reads; it holds no credential. */
export const CANARY_SECRET = "platform/eso-canary";

/** One Secrets Manager container the stack creates. */
export interface PlannedSecret {
    /** The catalog entry (for an MSK user slot, the entry derived from its client secret). */
    readonly entry: CatalogSecret;
    /** The full Secrets Manager name, such as `prod/airflow/connections/pg_ledger_ro`. */
    readonly fullName: string;
    /** The logical resource name, unique within the stack. */
    readonly resourceName: string;
    /** The tags that carry the catalog entry onto the AWS resource. */
    readonly tags: Readonly<Record<string, string>>;
    /** Whether it is replicated into the environment's replica region (critical secrets). */
    readonly replicated: boolean;
    /** Who replaces its value. */
    readonly runner: StrategyRunner;
    /** For an MSK user slot: the catalog name of the client secret it belongs to. */
    readonly slotOf?: string;
}

/** One workload's IRSA identity and exactly what it reads. */
export interface PlannedIdentity {
    readonly workload: CatalogWorkload;
    readonly roleName: string;
    /** Catalog names of the secrets it reads that the stack creates (RDS-managed ones are not in reach). */
    readonly reads: readonly string[];
}

/** One rotation function and the secrets it rotates. */
export interface PlannedRotation {
    readonly strategy: LambdaStrategy;
    readonly functionName: string;
    readonly roleName: string;
    /** The name prefix of the secrets in its reach. */
    readonly secretNamePrefix: string;
    readonly timeoutSeconds: number;
    /** Catalog names of the secrets it rotates, with their periods. */
    readonly secrets: ReadonlyArray<{ readonly name: string; readonly days: number }>;
}

/** Everything one environment's stack composes, and what is wrong with it. */
export interface EnvironmentModel {
    readonly config: EnvironmentConfig;
    /** The catalog as this environment sees it. */
    readonly catalog: Catalog;
    /** Containers the stack creates, in catalog order, MSK user slots last. */
    readonly secrets: readonly PlannedSecret[];
    /** Containers by catalog name. */
    readonly secretsByName: ReadonlyMap<string, PlannedSecret>;
    /** Secrets RDS creates and rotates itself; the stack creates no container for them. */
    readonly rdsManaged: readonly CatalogSecret[];
    readonly identities: readonly PlannedIdentity[];
    readonly rotations: readonly PlannedRotation[];
    readonly rollout: RolloutSettings;
    /** The environment's Snowflake users, roles, grants, network policy and rotator (model/snowflake.ts). */
    readonly snowflake: SnowflakePlan;
    /** Problems found in the stack config file, with file and key. */
    readonly configProblems: readonly ConfigProblem[];
    /** Problems found in the catalog, each a sentence naming the file and the key. */
    readonly catalogProblems: readonly string[];
}

/** Tags that carry a secret's catalog entry onto the AWS resource, where Config rules, alarms and auditors see it. */
export function secretTags(environment: string, secret: Pick<CatalogSecret, "name" | "kind" | "owner" | "criticality" | "rotation">): Record<string, string> {
    return {
        [TAG.environment]: environment,
        [TAG.owner]: secret.owner,
        [TAG.criticality]: secret.criticality,
        [TAG.kind]: secret.kind,
        [TAG.rotationStrategy]: secret.rotation.strategy,
        [TAG.rotationDays]: String(secret.rotation.days),
        [TAG.catalogName]: secret.name,
        [TAG.managedBy]: "pulumi",
    };
}

/** The catalog-like entries of an MSK client secret's two user slots, written only by the rotation function. */
export function kafkaUserSlots(secret: CatalogSecret): CatalogSecret[] {
    return KAFKA_SLOTS.map((slot) => ({
        ...secret,
        name: kafkaSlotSecretName(secret.name, slot),
        description: `SCRAM user ${slot.toUpperCase()} of ${secret.name}, associated with the MSK cluster; written only by the rotation function.`,
        consumers: [],
    }));
}

/** The stack config file of an environment, as problems name it. */
export function stackFileOf(environment: string): string {
    return `Pulumi.${environment}.yaml`;
}

/** Computes one environment's model from its validated config and the whole validated catalog. Pure; never throws on bad input. */
export function planEnvironment(config: EnvironmentConfig, fullCatalog: Catalog): EnvironmentModel {
    const env = config.environment;
    const catalog = catalogForEnvironment(fullCatalog, env);
    const configProblems: ConfigProblem[] = [];
    const catalogProblems: string[] = [];

    const plan = (entry: CatalogSecret, slotOf?: string): PlannedSecret => ({
        entry,
        fullName: fullSecretName(env, entry.name),
        resourceName: secretResourceName(entry.name),
        tags: secretTags(env, entry),
        replicated: entry.criticality === "critical",
        runner: STRATEGIES[entry.rotation.strategy].runner,
        slotOf,
    });
    const containers = catalog.secrets.filter((s) => STRATEGIES[s.rotation.strategy].runner !== "rds");
    const slots = containers.filter((s) => STRATEGIES[s.rotation.strategy].names === "msk").flatMap((s) => kafkaUserSlots(s).map((slot) => plan(slot, s.name)));
    const secrets = [...containers.map((s) => plan(s)), ...slots];

    // Two catalog names may map to one logical resource name (or one full name); both would be one resource.
    const byResource = new Map<string, PlannedSecret>();
    const secretsByName = new Map<string, PlannedSecret>();
    for (const s of secrets) {
        const clash = byResource.get(s.resourceName) ?? secretsByName.get(s.entry.name);
        if (clash) {
            catalogProblems.push(
                `${s.entry.file}: secret '${s.entry.name}'${s.slotOf ? ` (a user slot of '${s.slotOf}')` : ""} maps to the resource name '${s.resourceName}' of '${clash.entry.name}' (${clash.entry.file}); rename one of them.`,
            );
            continue;
        }
        byResource.set(s.resourceName, s);
        secretsByName.set(s.entry.name, s);
    }

    // What each workload reads, in catalog order, from one pass over the secrets (not one pass per workload).
    const readsOf = new Map<string, string[]>();
    for (const s of catalog.secrets) {
        if (!secretsByName.has(s.name)) continue;
        for (const id of new Set(s.consumers)) {
            const reads = readsOf.get(id);
            if (reads) reads.push(s.name);
            else readsOf.set(id, [s.name]);
        }
    }
    const identities: PlannedIdentity[] = catalog.workloads.map((w) => ({
        workload: w,
        roleName: roleNames.workload(config.namePrefix, w.id),
        reads: readsOf.get(w.id) ?? [],
    }));

    const rotations: PlannedRotation[] = [];
    for (const strategy of LAMBDA_STRATEGIES) {
        const rotated = containers.filter((s) => s.rotation.strategy === strategy);
        if (rotated.length === 0) continue;
        const d = STRATEGIES[strategy];
        rotations.push({
            strategy,
            functionName: rotationFunctionName(config.namePrefix, strategy),
            roleName: roleNames.rotation(config.namePrefix, strategy),
            secretNamePrefix: secretNamePrefixes(env)[d.names],
            timeoutSeconds: ("timeoutSeconds" in d ? d.timeoutSeconds : undefined) ?? 300,
            secrets: rotated.map((s) => ({ name: s.name, days: s.rotation.days })),
        });
    }

    const rollout = rolloutSettings(config);
    const windowHours = config.rotation.windowHours;
    const lambdaRotated = catalog.secrets.filter((s) => isLambdaStrategy(s.rotation.strategy)).map((s) => ({ name: s.name, days: s.rotation.days }));
    for (const violation of graceRuleViolations(rollout, windowHours, lambdaRotated)) {
        configProblems.push({
            file: stackFileOf(env),
            key: "finledger:rotation.rollout / finledger:runtime.refreshInterval",
            found: violation.replace(/;.*$/, ""),
            expected: "the grace rule to hold for every rotated secret: rotate less often, shorten finledger:rotation.windowHours, or lower the refresh interval or task timeout",
        });
    }

    if (!catalog.secrets.some((s) => s.name === CANARY_SECRET)) {
        catalogProblems.push(`catalog/platform.yaml: secrets: no secret '${CANARY_SECRET}' exists in ${env}; the latency probe reads it. Add it for this environment.`);
    }

    // A secret already refused for a name clash is not planned again (its Snowflake user would clash too).
    const snowflake = planSnowflake(config, { ...catalog, secrets: catalog.secrets.filter((s) => s.kind !== "snowflake-keypair" || secretsByName.get(s.name)?.entry === s) }, stackFileOf(env));
    configProblems.push(...snowflake.configProblems);
    catalogProblems.push(...snowflake.catalogProblems);

    return { config, catalog, secrets, secretsByName, rdsManaged: catalog.secrets.filter((s) => STRATEGIES[s.rotation.strategy].runner === "rds"), identities, rotations, rollout, snowflake: snowflake.plan, configProblems, catalogProblems };
}

/**
 * Throws every problem of the model in one error: a ConfigError when all are in the stack config, otherwise a
 * CatalogError that lists the catalog's problems and then the config's. Returns the model when it has none.
 */
export function assertValidModel(model: EnvironmentModel): EnvironmentModel {
    const { configProblems, catalogProblems } = model;
    if (catalogProblems.length === 0 && configProblems.length > 0) throw new ConfigError(configProblems);
    if (catalogProblems.length > 0) {
        throw new CatalogError([...catalogProblems, ...configProblems.map((p) => `${p.file}: key '${p.key}': found ${p.found}; expected ${p.expected}.`)]);
    }
    return model;
}
