// The audit layer of an environment: trail and locked bucket, detections and alarms, Config rules, the expiry
// check, the latency probe, the ESO alerts and the break-glass role. Principle 6 of docs/architecture.md.
import * as k8s from "@pulumi/kubernetes";
import { isAirflowTaskWorkload } from "../components/airflow-patterns";
import { AuditAlerts, buildDetectionRules, buildLogAlarms } from "../components/audit-alerts";
import { AuditTrail } from "../components/audit-trail";
import { BreakGlassRole } from "../components/break-glass";
import { SecretsComplianceRules } from "../components/compliance-rules";
import { EsoAlertRules } from "../components/eso-alert-rules";
import { LatencyProbe } from "../components/latency-probe";
import { FunctionCodeSigning } from "../components/function-code";
import { maxTaskFileAgeSeconds, rolloutSettings } from "../model/rollout";
import { roleNames } from "../model/names";
import { SecretExpiryCheck } from "../components/secret-expiry-check";
import { buildSeparationDetectionRules } from "../components/separation-detections";
import { buildTrustAllowance, RoleTrustCheck } from "../components/role-trust-check";
import { buildFunctionAllowance, buildPolicyAllowance } from "./change-allowance";
import { stateBucketName } from "../components/github-deploy";
import { CANARY_SECRET } from "../model/environment";
import { deploys } from "../model/phase";
import { EnvironmentPlatform } from "./platform";
import { deployedLayerOptions } from "./role-boundary";
import { AssistedRotationNotices, assistedNoticeRecipients } from "../components/assisted-rotation-notices";

/** What the audit layer hands back to the stack: non-secret outputs. */
export interface AuditLayer {
    readonly trail: AuditTrail;
    readonly alerts: AuditAlerts;
    readonly breakGlass: BreakGlassRole;
    /** Absent in the foundation phase: its canary secret has no value yet. */
    readonly probe?: LatencyProbe;
}

/** Builds the audit layer for one environment. Pass the cluster's Kubernetes provider once the runtime layer has one. */
export function buildAudit(platform: EnvironmentPlatform, options: { kubernetesProvider?: k8s.Provider; codeSigning: FunctionCodeSigning }): AuditLayer {
    const { config } = platform;
    const prefix = config.namePrefix;
    const opts = deployedLayerOptions(platform);
    // The model refuses an environment without the canary before any resource exists.
    const canary = platform.secrets.get(CANARY_SECRET)!;

    const trail = new AuditTrail(
        `${prefix}-audit`,
        {
            environment: config.environment,
            accountId: config.accountId,
            region: config.region,
            otherRegions: [config.replicaRegion],
            namePrefix: prefix,
            cloudTrailLogsRoleName: roleNames.cloudTrailLogs(prefix),
            logArchive: config.audit.logArchive,
            dataEventBuckets: [stateBucketName(prefix, config.accountId)],
        },
        opts,
    );
    const breakGlass = new BreakGlassRole(
        `${prefix}-break-glass`,
        { environment: config.environment, accountId: config.accountId, roleName: roleNames.breakGlass(prefix), trustedPrincipals: config.audit.breakGlassPrincipals },
        opts,
    );
    const alerts = new AuditAlerts(
        `${prefix}-alerts`,
        {
            environment: config.environment,
            accountId: config.accountId,
            namePrefix: prefix,
            keyArn: trail.key.arn,
            logGroupName: trail.logGroup.name,
            subscriptions: config.audit.alertSubscriptions,
            rules: [
                ...buildDetectionRules({
                    namePrefix: prefix,
                    accountId: config.accountId,
                    deployRoleName: roleNames.githubDeploy(prefix),
                    breakGlassRoleName: breakGlass.roleName,
                }),
                ...buildSeparationDetectionRules({
                    environment: config.environment,
                    accountId: config.accountId,
                    namePrefix: prefix,
                    deployRoleName: roleNames.githubDeploy(prefix),
                    previewRoleName: roleNames.githubPreview(prefix),
                    breakGlassRoleName: breakGlass.roleName,
                    stateBucket: stateBucketName(prefix, config.accountId),
                }),
            ],
            logAlarms: buildLogAlarms({ accountId: config.accountId, breakGlassRoleName: breakGlass.roleName, accessDeniedThreshold: config.audit.accessDeniedThreshold }),
            forwardFrom: { region: config.replicaRegion, provider: platform.replicaProvider, roleName: roleNames.eventForwarder(prefix), homeRegion: config.region },
        },
        opts,
    );
    new SecretsComplianceRules(
        `${prefix}-compliance`,
        {
            namePrefix: prefix,
            secrets: platform.model.secrets.filter((s) => !s.slotOf).map((s) => s.entry),
            keyArns: [platform.key.keyArn, ...(platform.key.replicaKeyArn ? [platform.key.replicaKeyArn] : [])],
        },
        opts,
    );
    new SecretExpiryCheck(
        `${prefix}-expiry-check`,
        {
            environment: config.environment,
            accountId: config.accountId,
            region: config.region,
            namePrefix: prefix,
            roleName: roleNames.expiryCheck(prefix),
            logKeyArn: platform.functionLogKey.keyArn,
            codeSigning: options.codeSigning,
            warningDays: config.audit.expiryWarningDays,
            alarmTopicArn: alerts.topicArn,
        },
        opts,
    );
    new RoleTrustCheck(
        `${prefix}-trust-check`,
        {
            accountId: config.accountId,
            region: config.region,
            namePrefix: prefix,
            allowances: { trust: buildTrustAllowance(config, platform.catalog.workloads), policies: buildPolicyAllowance(platform.model), functions: buildFunctionAllowance(platform.model) },
            logKeyArn: platform.functionLogKey.keyArn,
            codeSigning: options.codeSigning,
            alarmTopicArn: alerts.topicArn,
        },
        opts,
    );
    // The probe and the in-cluster rules wait for the full phase (model/phase.ts).
    if (!deploys(config.phase, "latency-probe") || !deploys(config.phase, "in-cluster-alert-rules")) return { trail, alerts, breakGlass };
    new AssistedRotationNotices(`${prefix}-assisted-notices`, { topicArn: alerts.topicArn, recipients: assistedNoticeRecipients(platform.catalog) }, opts);
    const probe = new LatencyProbe(
        `${prefix}-latency-probe`,
        {
            environment: config.environment,
            accountId: config.accountId,
            region: config.region,
            namePrefix: prefix,
            roleName: roleNames.latencyProbe(prefix),
            logKeyArn: platform.functionLogKey.keyArn,
            codeSigning: options.codeSigning,
            canary,
            alarmTopicArn: alerts.topicArn,
            vpc: config.audit.probeVpc,
        },
        opts,
    );
    const taskNamespaces = [...new Set(platform.catalog.workloads.filter(isAirflowTaskWorkload).map((w) => w.namespace))];
    new EsoAlertRules(
        `${prefix}-eso-alerts`,
        { environment: config.environment, airflowTaskFiles: { namespaces: taskNamespaces, maxFileAgeSeconds: maxTaskFileAgeSeconds(rolloutSettings(config)) } },
        options.kubernetesProvider ? { provider: options.kubernetesProvider } : {},
    );
    return { trail, alerts, breakGlass, probe };
}

/** Non-secret stack outputs of the audit layer. */
export function auditOutputs(layer: AuditLayer) {
    return {
        auditTrailArn: layer.trail.trailArn,
        auditBucket: layer.trail.bucketName,
        auditLogRetentionDays: layer.trail.retentionDays,
        auditQueries: layer.trail.queryNames,
        alertTopicArn: layer.alerts.topicArn,
        breakGlassRoleArn: layer.breakGlass.roleArn,
        latencyProbeRoleArn: layer.probe?.roleArn,
    };
}
