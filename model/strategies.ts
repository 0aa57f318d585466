// One description per rotation strategy. The catalog's allowed strategies per kind, the set that counts as
// automated, the list of Lambda bundles and the typed `strategy` of the rotation component are all derived from
// this table, so a strategy is added in one place (plus the steps `docs/rotation.md` "Add a strategy" lists, which
// test/model/strategies.test.ts checks).
import type { SecretKind } from "./catalog";

/**
 * Who replaces the value: a platform Lambda, RDS itself, a person through the runbook, or a person driven by the
 * platform (assisted: a scheduled check opens the window, notifies the owner, and alarms on the due date; the
 * hand-over command verifies and promotes the value).
 */
export type StrategyRunner = "lambda" | "rds" | "person" | "assisted";

/** What one strategy is and how it runs. */
export interface StrategyDescriptor {
    /** One sentence: how the value is replaced. */
    readonly description: string;
    /** The secret kinds it can rotate. */
    readonly kinds: readonly SecretKind[];
    readonly runner: StrategyRunner;
    /**
     * Which of the environment's name prefixes its secrets live under (`standard` = `<env>/`, `msk` =
     * `AmazonMSK_<env>/`); a Lambda's policy is scoped to it.
     */
    readonly names: "standard" | "msk";
    /** Lambda timeout in seconds (Lambda strategies only). Default: 300. */
    readonly timeoutSeconds?: number;
}

/** Every rotation strategy. The key is the id used in the catalog, in tags and in resource names. */
export const STRATEGIES = {
    "snowflake-key-pair": {
        description: "A Lambda writes a new RSA key pair into the Snowflake user's free key slot, so the previous key stays valid until the next rotation.",
        kinds: ["snowflake-keypair"],
        runner: "lambda",
        names: "standard",
    },
    "kafka-scram-alternating-users": {
        description: "A Lambda resets the password of the idle one of two SCRAM users and switches clients to it after MSK has propagated it.",
        kinds: ["kafka-scram"],
        runner: "lambda",
        names: "msk",
        timeoutSeconds: 900,
    },
    "postgres-alternating-users": {
        description: "A Lambda resets the password of the idle one of two database users and switches clients to it.",
        kinds: ["postgres-password"],
        runner: "lambda",
        names: "standard",
    },
    "rds-managed": {
        description: "RDS creates and rotates the master user's secret itself (manageMasterUserPassword); the stack creates no container.",
        kinds: ["rds-master-password"],
        runner: "rds",
        names: "standard",
    },
    "vendor-api": {
        description: "A Lambda issues a new token through the vendor's API, verifies it, and revokes the previous one after the grace period.",
        kinds: ["api-token"],
        runner: "lambda",
        names: "standard",
    },
    assisted: {
        description: "The daily check notifies the owner before the due date with a ticket-ready message; the owner rolls the key in the vendor's console and hands it over (npm run rotation:assisted), which verifies, promotes and records it; a missed due date alarms.",
        kinds: ["api-token"],
        runner: "assisted",
        names: "standard",
    },
    manual: {
        description: "A person sets a new value through the runbook and moves the expires-at tag; the expiry check alerts before it passes.",
        kinds: ["postgres-password", "api-token", "ssh-private-key", "pgp-private-key", "basic-auth", "airflow-fernet-key", "airflow-webserver-secret-key", "snowflake-keypair"],
        runner: "person",
        names: "standard",
    },
} as const satisfies Record<string, StrategyDescriptor>;

/** A rotation strategy id. */
export type RotationStrategy = keyof typeof STRATEGIES;

/** A strategy that runs as one of the platform's Lambda functions. */
export type LambdaStrategy = { [K in RotationStrategy]: (typeof STRATEGIES)[K]["runner"] extends "lambda" ? K : never }[RotationStrategy];

/** Every strategy id, in table order. */
export const ROTATION_STRATEGIES = Object.keys(STRATEGIES) as [RotationStrategy, ...RotationStrategy[]];

/** The descriptor of one strategy. */
export function strategyOf(id: RotationStrategy): StrategyDescriptor {
    return STRATEGIES[id];
}

/** Strategies run by a platform Lambda; each has a handler at `functions/rotation/handlers/<id>.ts`. */
export const LAMBDA_STRATEGIES = ROTATION_STRATEGIES.filter((s): s is LambdaStrategy => STRATEGIES[s].runner === "lambda");

/** Whether a strategy runs as a platform Lambda. */
export function isLambdaStrategy(id: string): id is LambdaStrategy {
    return (LAMBDA_STRATEGIES as readonly string[]).includes(id);
}

/** Strategies that rotate without a person, through Secrets Manager rotation (a Lambda) or RDS. */
export const AUTOMATED_STRATEGIES: ReadonlySet<RotationStrategy> = new Set(ROTATION_STRATEGIES.filter((s) => STRATEGIES[s].runner === "lambda" || STRATEGIES[s].runner === "rds"));

/**
 * Strategies that satisfy "critical rotates every 30 days with no code change": the automated ones, and assisted
 * rotation, whose due date is alarmed (the catalog loader also demands an owner with a contact for it).
 */
export const CRITICAL_STRATEGIES: ReadonlySet<RotationStrategy> = new Set(ROTATION_STRATEGIES.filter((s) => AUTOMATED_STRATEGIES.has(s) || STRATEGIES[s].runner === "assisted"));

/** Whether a strategy's due date is an `expires-at` tag that the daily check watches (a person replaces the value). */
export function hasExpiryTag(id: RotationStrategy): boolean {
    return STRATEGIES[id].runner === "person" || STRATEGIES[id].runner === "assisted";
}

/** Whether a strategy id (as a tag holds it) is run by a person driven by the platform. */
export function isAssistedStrategy(id: string | undefined): boolean {
    return id !== undefined && Object.hasOwn(STRATEGIES, id) && STRATEGIES[id as RotationStrategy].runner === "assisted";
}

/** The strategies that fit a kind. */
export function strategiesForKind(kind: SecretKind): RotationStrategy[] {
    return ROTATION_STRATEGIES.filter((s) => (STRATEGIES[s].kinds as readonly string[]).includes(kind));
}

/** The handler file of a Lambda strategy, relative to the repository root. */
export function lambdaHandlerPath(id: LambdaStrategy): string {
    return `functions/rotation/handlers/${id}.ts`;
}
