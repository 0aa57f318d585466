/**
 * Names of the IAM roles the platform creates in an environment's account. Alarms ("a read by an unknown
 * principal"), policies and tests recognise the platform's own principals by these names, so every component
 * takes its role name from here.
 */
export const roleNames = {
    /** IRSA role of one workload (an Airflow domain, an Airflow component, a dbt job, a Spark app). */
    workload: (prefix: string, workloadId: string) => `${prefix}-wl-${workloadId}`.slice(0, 64),
    /** Execution role of one rotation function. */
    rotation: (prefix: string, strategy: string) => `${prefix}-rot-${strategy}`.slice(0, 64),
    /** GitHub Actions role for `pulumi preview` on pull requests (read-only, no secret values). */
    githubPreview: (prefix: string) => `${prefix}-github-preview`,
    /** GitHub Actions role for `pulumi up` on merge (manages resources, no secret values). */
    githubDeploy: (prefix: string) => `${prefix}-github-deploy`,
    /** The latency probe's role; it reads only its canary secret. */
    latencyProbe: (prefix: string) => `${prefix}-latency-probe`,
    /** The break-glass role, assumable only with MFA. */
    breakGlass: (prefix: string) => `${prefix}-break-glass`,
    /** CloudTrail's role that delivers the trail to its CloudWatch Logs group. */
    cloudTrailLogs: (prefix: string) => `${prefix}-cloudtrail-logs`,
    /** The daily `expires-at` check; it lists secret metadata and reads no value. */
    expiryCheck: (prefix: string) => `${prefix}-expiry-check`,
    /** EventBridge's role that forwards the replica region's audit events to the home region. */
    eventForwarder: (prefix: string) => `${prefix}-event-forwarder`,
    /** The External Secrets Operator controller's own role (it gets no secret read). */
    esoController: (prefix: string) => `${prefix}-eso-controller`,
} as const;

/** All platform role names share this prefix pattern, so an IAM condition can match them with one wildcard. */
export function platformRolePattern(prefix: string): string {
    return `${prefix}-*`;
}
