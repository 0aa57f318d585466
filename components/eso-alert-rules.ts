import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { TYPE } from "./tokens";

/** One Prometheus alerting rule. */
export interface PrometheusAlert {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly labels: Record<string, string>;
    readonly annotations: Record<string, string>;
}

/**
 * The ESO alerts of an environment: sync calls that error, and ExternalSecrets whose Ready condition is False. The
 * metric names are those External Secrets Operator exports from its controller's /metrics endpoint.
 */
export function buildEsoAlerts(environment: string): PrometheusAlert[] {
    const runbook = "docs/runbooks/misconfigured-permissions.md";
    return [
        {
            alert: "ExternalSecretSyncErrors",
            expr: "sum by (namespace, name) (increase(externalsecret_sync_calls_error[15m])) > 0",
            for: "10m",
            labels: { severity: "warning", environment },
            annotations: {
                summary: "ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} fails to sync from Secrets Manager.",
                description: "ESO could not read the secret for 10 minutes. Pods keep the last synced value, but a rotation will not reach them. Check AccessDenied in CloudTrail and the store's region.",
                runbook_url: runbook,
            },
        },
        {
            alert: "ExternalSecretNotReady",
            expr: 'max by (namespace, name) (externalsecret_status_condition{condition="Ready",status="False"}) == 1',
            for: "15m",
            labels: { severity: "critical", environment },
            annotations: {
                summary: "ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} is not Ready.",
                description: "The Kubernetes Secret is missing or stale; new pods of this workload may fail to start. See the runbook for outages and permission errors.",
                runbook_url: runbook,
            },
        },
    ];
}

/**
 * Alerts per Airflow task namespace (domain) on the ExternalSecrets that render its task files: not Ready, and no
 * successful sync within the age a task still accepts (`maxFileAgeSeconds`), after which its tasks refuse the files.
 * ESO exports no last-success timestamp, so "stale" is "every sync call in the window failed, or none ran".
 */
export function buildAirflowFileAlerts(environment: string, namespaces: readonly string[], maxFileAgeSeconds: number): PrometheusAlert[] {
    if (namespaces.length === 0) return [];
    const runbook = "docs/runbooks/secrets-manager-or-kms-outage.md";
    const selector = `namespace=~"${[...namespaces].sort().join("|")}"`;
    const window = `${maxFileAgeSeconds}s`;
    const syncs = `sum by (namespace, name) (increase(externalsecret_sync_calls_total{${selector}}[${window}]))`;
    const errors = `sum by (namespace, name) (increase(externalsecret_sync_calls_error{${selector}}[${window}]))`;
    return [
        {
            alert: "AirflowTaskSecretNotReady",
            expr: `max by (namespace, name) (externalsecret_status_condition{condition="Ready",status="False",${selector}}) == 1`,
            for: "5m",
            labels: { severity: "critical", environment },
            annotations: {
                summary: "Airflow domain {{ $labels.namespace }}: ExternalSecret {{ $labels.name }} is not Ready.",
                description: `Tasks keep reading the last rendered file, and refuse it once its sync stamp is older than ${maxFileAgeSeconds} s; fix the sync before then.`,
                runbook_url: runbook,
            },
        },
        {
            alert: "AirflowTaskSecretStale",
            // ESO creates an ExternalSecret's error counter only at its first error: `or total * 0` keeps one that never
            // erred (and then stopped syncing) in the subtraction instead of dropping it (test/audit/eso-alert-rules.test.ts).
            expr: `(${syncs} - (${errors} or ${syncs} * 0)) < 1`,
            for: "5m",
            labels: { severity: "critical", environment },
            annotations: {
                summary: "Airflow domain {{ $labels.namespace }}: ExternalSecret {{ $labels.name }} has not synced successfully for " + `${maxFileAgeSeconds} s.`,
                description: "New tasks of this domain now refuse this connection or variable (stale file). See the runbook for outages and permission errors.",
                runbook_url: runbook,
            },
        },
    ];
}

/** Arguments of {@link EsoAlertRules}. */
export interface EsoAlertRulesArgs {
    readonly environment: string;
    /** Airflow task namespaces and the file age their tasks accept, for the per-domain alerts. Default: none. */
    readonly airflowTaskFiles?: { readonly namespaces: readonly string[]; readonly maxFileAgeSeconds: number };
    /** Namespace of the PrometheusRule. Default: `external-secrets`. */
    readonly namespace?: string;
    /** Labels that the cluster's Prometheus `ruleSelector` selects. Default: `app.kubernetes.io/part-of: finledger-secrets-platform`. */
    readonly labels?: Record<string, string>;
}

/** A `PrometheusRule` (monitoring.coreos.com/v1) with the ESO alerts. */
export class EsoAlertRules extends pulumi.ComponentResource {
    readonly ruleName: string;

    constructor(name: string, args: EsoAlertRulesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.EsoAlertRules, name, {}, opts);
        const namespace = args.namespace ?? "external-secrets";
        const labels = args.labels ?? { "app.kubernetes.io/part-of": "finledger-secrets-platform" };
        this.ruleName = "finledger-external-secrets";
        new k8s.apiextensions.CustomResource(
            `${name}-rule`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: this.ruleName, namespace, labels },
                spec: { groups: [{ name: "external-secrets", rules: [...buildEsoAlerts(args.environment), ...(args.airflowTaskFiles ? buildAirflowFileAlerts(args.environment, args.airflowTaskFiles.namespaces, args.airflowTaskFiles.maxFileAgeSeconds) : [])] }] },
            },
            { parent: this },
        );
        this.registerOutputs({ ruleName: this.ruleName, namespace });
    }
}
