// The first deploy of an environment runs in phases (docs/cicd.md, "From an empty account to the first rotation"):
// `foundation` creates what holds and protects values, a person then sets the first values, and `full` adds what
// consumes or rotates them. Everything here is data, so the stack, the tests and the docs read one list.

/** The deploy phases, in order. `finledger:phase` selects one; a phase re-run is idempotent. */
export const DEPLOY_PHASES = ["foundation", "full"] as const;
/** One of {@link DEPLOY_PHASES}. */
export type DeployPhase = (typeof DEPLOY_PHASES)[number];

/** Parts of the stack that wait for `full`, because they read, rotate or watch a value that must exist first. */
export const FULL_PHASE_PARTS = [
    // Secrets Manager tests a new rotation at once: an empty secret fails testSecret and alarms.
    "rotation-schedules",
    "rotation-functions",
    "secrets-manager-endpoint",
    // MSK refuses (or half-associates) a SCRAM secret without a username and password.
    "kafka-slot-associations",
    // ESO, the stores and the Airflow release need synced values; the release waits for pods that need them.
    "cluster-runtime",
    // PrometheusRule needs prometheus-operator's CRDs and alarms on ESO sync errors of empty secrets.
    "in-cluster-alert-rules",
    // The probe's canary secret is empty until its value is set, and its alarm would fire.
    "latency-probe",
    // The Snowflake provider signs in with the provisioning key, which a person stores in its foundation-made
    // container (`<env>/platform/snowflake-provisioner`) between the phases; the container and the deploy role's read
    // of it stay in foundation.
    "snowflake-layer",
] as const;
/** One of {@link FULL_PHASE_PARTS}. */
export type FullPhasePart = (typeof FULL_PHASE_PARTS)[number];

/** Whether a phase deploys a part that waits for values. */
export function deploys(phase: DeployPhase, part: FullPhasePart): boolean {
    return phase === "full" || !FULL_PHASE_PARTS.includes(part);
}
