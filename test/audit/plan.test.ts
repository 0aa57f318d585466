// Every environment's plan carries the whole audit layer with the settings that the controls rely on.
import { strict as assert } from "assert";
import { policies } from "../../policies/registry";
import { PlanReport } from "../../tools/plan/report";
import { readStackFile, parseEnvironmentConfig } from "../../model/config";
import { roleNames } from "../../model/names";
import { PROJECT_DIR, planReport } from "../support/plan-cli";

type Resource = { type: string; name: string; parent?: string; inputs: Record<string, any>; outputs: Record<string, any> };

for (const env of ["dev", "staging", "prod"] as const) {
    describe(`${env} plan: audit layer`, () => {
        let report: PlanReport;
        let all: Resource[];
        const ofType = (type: string) => all.filter((r) => r.type === type);
        const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, env));
        const prefix = `fl-${env}`;

        before(() => {
            report = planReport(env);
            all = report.resources as Resource[];
        });

        it("the audit layer causes no policy violation, and the audit baseline rule passes", () => {
            // Other layers' violations (rotation pending merge) are theirs to fix; these are the audit layer's.
            assert.ok(policies.some((p) => p.name === "cloudtrail-trail-audit-baseline"), "the pack runs the audit baseline rule");
            const ours = report.violations.filter((v) => (v.urn ?? "").includes("finledger:audit:") || v.policy === "cloudtrail-trail-audit-baseline");
            assert.deepEqual(ours, []);
        });

        it("has one multi-region trail with log file validation, its own KMS key, read events and data events on the state bucket only", () => {
            const trails = ofType("aws:cloudtrail/trail:Trail");
            assert.equal(trails.length, 1);
            const t = trails[0].inputs;
            assert.equal(t.isMultiRegionTrail, true);
            assert.equal(t.includeGlobalServiceEvents, true);
            assert.equal(t.enableLogFileValidation, true);
            const stateBucket = ofType("aws:s3/bucket:Bucket").find((b) => /-pulumi-state-\d{12}$/.test(String(b.inputs.bucket)));
            assert.ok(stateBucket, "the plan has the Pulumi state bucket");
            // Reads of the state are S3 data events: who read it is in the trail.
            assert.deepEqual(t.eventSelectors, [
                { includeManagementEvents: true, readWriteType: "All", dataResources: [{ type: "AWS::S3::Object", values: [`arn:aws:s3:::${stateBucket!.inputs.bucket}/`] }] },
            ]);
            const auditKey = ofType("aws:kms/key:Key").find((k) => k.outputs.arn === t.kmsKeyId);
            assert.ok(auditKey, "the trail's kmsKeyId is a key of this plan");
            assert.notEqual(auditKey!.inputs.multiRegion, true, "the trail does not use the secrets key");
            assert.match(auditKey!.inputs.description, /^Audit key/);
            assert.equal(auditKey!.inputs.enableKeyRotation, true);
        });

        it("delivers to a versioned bucket locked in COMPLIANCE mode for at least 365 days, encrypted, private and access-logged", () => {
            const bucketName = ofType("aws:cloudtrail/trail:Trail")[0].inputs.s3BucketName;
            const on = (type: string) => ofType(type).filter((r) => r.inputs.bucket === bucketName);
            assert.equal(ofType("aws:s3/bucket:Bucket").find((b) => b.inputs.bucket === bucketName)?.inputs.objectLockEnabled, true);
            const lock = on("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration");
            assert.equal(lock.length, 1);
            assert.equal(lock[0].inputs.rule.defaultRetention.mode, "COMPLIANCE");
            assert.ok(lock[0].inputs.rule.defaultRetention.days >= 365);
            assert.equal(on("aws:s3/bucketVersioning:BucketVersioning")[0].inputs.versioningConfiguration.status, "Enabled");
            const pab = on("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0].inputs;
            assert.deepEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);
            assert.equal(on("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[0].inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
            const logging = on("aws:s3/bucketLogging:BucketLogging");
            assert.equal(logging.length, 1);
            assert.notEqual(logging[0].inputs.targetBucket, bucketName);
            const lifecycle = on("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0].inputs.rules[0];
            assert.deepEqual(lifecycle.transitions.map((t: { storageClass: string }) => t.storageClass), ["STANDARD_IA", "GLACIER_IR"]);
            assert.ok(lifecycle.expiration.days > lock[0].inputs.rule.defaultRetention.days, "nothing expires while still locked");
            const policy = JSON.parse(on("aws:s3/bucketPolicy:BucketPolicy")[0].inputs.policy);
            assert.ok(policy.Statement.some((s: any) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false"));
        });

        it("has the EventBridge detections, the metric-filter alarms, the latency alarm and the expiry-check alarm", () => {
            const rules = ofType("aws:cloudwatch/eventRule:EventRule").map((r) => r.inputs.name).sort();
            for (const id of ["unknown-principal-secret-read", "rotation-failed", "secret-deletion-or-policy-change", "key-disabled-or-deletion-scheduled", "audit-trail-tampering", "break-glass-assumed", "secret-expiry", "platform-change-outside-plan"]) {
                assert.ok(rules.includes(`${prefix}-${id}`), `rule ${id}`);
            }
            const alarms = Object.fromEntries(ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [a.inputs.name, a.inputs]));
            assert.equal(alarms[`${prefix}-access-denied-spike`].threshold, config.audit.accessDeniedThreshold);
            assert.equal(alarms[`${prefix}-break-glass-activity`].threshold, 1);
            assert.equal(alarms[`${prefix}-secret-latency`].threshold, 200);
            assert.equal(alarms[`${prefix}-secret-latency`].statistic, "Average");
            assert.deepEqual(alarms[`${prefix}-secret-latency`].dimensions, { Environment: env, Phase: "cold" });
            assert.ok(alarms[`${prefix}-expiry-check-failed`]);
            const filters = ofType("aws:cloudwatch/logMetricFilter:LogMetricFilter");
            assert.equal(filters.length, 2);
            for (const f of filters) assert.equal(f.inputs.logGroupName, `/finledger/${env}/cloudtrail`);
            const targets = ofType("aws:cloudwatch/eventTarget:EventTarget");
            const topic = ofType("aws:sns/topic:Topic")[0];
            // Schedules, forwards, the event-driven ESO refresh and the trust check (functions; the trust check's findings
            // alert through platform-change-outside-plan) are the rules that notify nobody directly.
            for (const r of rules.filter((n) => !n.endsWith("-schedule") && !n.endsWith("-forward") && n !== `${prefix}-eso-refresh` && n !== roleNames.trustCheck(prefix))) {
                assert.ok(targets.some((t) => t.inputs.rule === r && t.inputs.arn === topic.outputs.arn), `rule ${r} notifies the alert topic`);
            }
            const trustCheck = ofType("aws:lambda/function:Function").find((f) => f.inputs.name === roleNames.trustCheck(prefix))!;
            assert.deepEqual(targets.filter((t) => t.inputs.rule === roleNames.trustCheck(prefix)).map((t) => t.inputs.arn), [trustCheck.outputs.arn], "trust changes go to the trust check only");
            assert.deepEqual(alarms[`${prefix}-trust-check-failed`]?.alarmActions, [topic.outputs.arn], "a failed trust check alarms");
        });

        it("sends alerts to a KMS-encrypted topic with the subscribers of config", () => {
            const topic = ofType("aws:sns/topic:Topic")[0];
            assert.equal(topic.inputs.kmsMasterKeyId, ofType("aws:cloudtrail/trail:Trail")[0].inputs.kmsKeyId);
            // Filtered subscriptions are the owners' assisted-rotation notices (test/audit/assisted-notices.test.ts).
            const subs = ofType("aws:sns/topicSubscription:TopicSubscription").filter((s) => s.inputs.filterPolicy === undefined).map((s) => ({ protocol: s.inputs.protocol, endpoint: s.inputs.endpoint }));
            assert.deepEqual(subs, config.audit.alertSubscriptions);
        });

        it("has the five Secrets Manager Config rules, critical ones at 30 days", () => {
            const rules = ofType("aws:cfg/rule:Rule").map((r) => r.inputs);
            const ids = new Set(rules.map((r) => r.source.sourceIdentifier));
            for (const id of [
                "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
                "SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK",
                "SECRETSMANAGER_USING_CMK",
                "SECRETSMANAGER_SECRET_UNUSED",
                "SECRETSMANAGER_SECRET_PERIODIC_ROTATION",
            ]) {
                assert.ok(ids.has(id), id);
            }
            const critical = rules.find((r) => r.name === `${prefix}-secret-rotation-enabled-critical`)!;
            assert.deepEqual(JSON.parse(critical.inputParameters), { maximumAllowedRotationFrequency: "30" });
            assert.deepEqual(critical.scope.tagValue, "critical");
            const cmk = rules.find((r) => r.source.sourceIdentifier === "SECRETSMANAGER_USING_CMK")!;
            const envKey = ofType("aws:kms/key:Key").find((k) => k.inputs.multiRegion === true)!;
            assert.ok(JSON.parse(cmk.inputParameters).kmsKeyArns.split(",").includes(envKey.outputs.arn));
        });

        it("has the latency probe reading the canary, and the expiry check", () => {
            const fns = Object.fromEntries(ofType("aws:lambda/function:Function").map((f) => [f.inputs.name, f.inputs]));
            assert.equal(fns[`${prefix}-latency-probe`].environment.variables.CANARY_SECRET_ID, `${env}/platform/eso-canary`);
            assert.match(fns[`${prefix}-latency-probe`].role, new RegExp(`:role/${prefix}-latency-probe$`));
            assert.equal(fns[`${prefix}-expiry-check`].environment.variables.WARNING_DAYS, String(config.audit.expiryWarningDays));
        });

        it("replicates every critical secret to the replica region with the replica key", () => {
            const replicaKey = ofType("aws:kms/replicaKey:ReplicaKey")[0];
            const secrets = ofType("aws:secretsmanager/secret:Secret");
            const critical = secrets.filter((s) => s.inputs.tags.criticality === "critical");
            assert.ok(critical.length > 50);
            for (const s of critical) assert.deepEqual(s.inputs.replicas, [{ region: config.replicaRegion, kmsKeyId: replicaKey.outputs.arn }], s.inputs.name);
        });

        it("has a break-glass role with a one-hour session", () => {
            const role = ofType("aws:iam/role:Role").find((r) => r.inputs.name === `${prefix}-break-glass`)!;
            assert.equal(role.inputs.maxSessionDuration, 3600);
        });

        it("has the ESO PrometheusRule for sync errors and not-ready ExternalSecrets", () => {
            // The other PrometheusRule is the Airflow task latency probe's (test/runtime/airflow-task-probe.test.ts).
            const rules = ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").filter((r) => r.inputs.metadata?.name === "finledger-external-secrets");
            assert.equal(rules.length, 1);
            const exprs = rules[0].inputs.spec.groups[0].rules.map((r: { expr: string }) => r.expr).join("\n");
            assert.match(exprs, /externalsecret_sync_calls_error/);
            assert.match(exprs, /externalsecret_status_condition\{condition="Ready",status="False"\}/);
        });
    });
}
