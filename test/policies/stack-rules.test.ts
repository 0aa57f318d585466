import { strict as assert } from "assert";
import { cloudtrailTrailAuditBaseline as audit } from "../../policies/cloudtrail/trail-audit-baseline";
import { packConfigDeclaresEnvironment as packRule } from "../../policies/pack/config-declares-environment";
import { rotationPeriodDays, scheduleIntervalDays, secretsmanagerSecretRotationWithinPeriod as rotation } from "../../policies/secretsmanager/secret-rotation-within-period";
import { ACCOUNTS, assertCompliant, assertViolation, target, violationsOf, withChange } from "../support/policy-fixtures";

const DEV = ACCOUNTS.dev;
const day = 86_400_000;
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * day).toISOString().slice(0, 10);

function managedSecret(name: string, criticality: string, rotationDays: number, extraTags: Record<string, string> = {}) {
    const arn = `arn:aws:secretsmanager:us-east-1:${DEV}:secret:dev/${name}-AbCdEf`;
    return target("aws:secretsmanager/secret:Secret", `${name}-secret`, {}, {
        outputs: { id: arn, arn, name: `dev/${name}`, tags: { criticality, "rotation-days": String(rotationDays), "rotation-strategy": "snowflake-key-pair", "catalog-name": name, ...extraTags } },
    });
}

function rotationOf(secret: ReturnType<typeof managedSecret>, rules: Record<string, unknown>) {
    return target("aws:secretsmanager/secretRotation:SecretRotation", `${secret.name}-rotation`, {}, { outputs: { secretId: secret.outputs.arn, rotationLambdaArn: `arn:aws:lambda:us-east-1:${DEV}:function:fl-dev-rot-snowflake-key-pair`, rotationRules: rules } });
}

describe("secretsmanager-secret-rotation-within-period", () => {
    const critical = managedSecret("snowflake/dbt/finance", "critical", 30);
    const manual = managedSecret("vendor/zendesk", "standard", 90, { "expires-at": isoDay(60) });

    it("stays quiet when the critical secret rotates every 30 days and the manual one carries an expiry inside its period", async () => {
        await assertCompliant(rotation, [critical, rotationOf(critical, { automaticallyAfterDays: 30 }), manual]);
    });
    it("accepts a schedule expression of at most 30 days", async () => {
        await assertCompliant(rotation, [critical, rotationOf(critical, { scheduleExpression: "rate(14 days)" })]);
        await assertCompliant(rotation, [critical, rotationOf(critical, { scheduleExpression: "cron(0 4 1,15 * ? *)" })]);
    });
    it("reports a critical secret without rotation", async () => {
        await assertViolation(rotation, [critical, manual], /'dev\/snowflake\/dbt\/finance' \(critical\) has no automatic rotation.*Fix: attach the rotation component/);
    });
    it("reports a critical secret rotating every 45 days", async () => {
        await assertViolation(rotation, [critical, rotationOf(critical, { automaticallyAfterDays: 45 })], /rotates every 45 days, more than its limit of 30 days/);
    });
    it("reports a monthly cron, which can leave 31 days between rotations", async () => {
        await assertViolation(rotation, [critical, rotationOf(critical, { scheduleExpression: "cron(0 4 1 * ? *)" })], /rotates every 31 days/);
    });
    it("reports a non-critical secret without rotation or expiry tag", async () => {
        await assertViolation(rotation, [withChange(manual, (t) => delete (t.outputs.tags as any)["expires-at"])], /neither automatic rotation nor an expires-at tag/);
    });
    it("reports an expiry beyond the catalog period", async () => {
        await assertViolation(rotation, [withChange(manual, (t) => ((t.outputs.tags as any)["expires-at"] = isoDay(200)))], /beyond its 90-day catalog period/);
    });
    it("accepts a critical assisted secret whose alarmed expires-at is within 30 days, and reports one beyond or without it", async () => {
        const assisted = managedSecret("airflow/connections/stripe_api", "critical", 30, { "rotation-strategy": "assisted", "expires-at": isoDay(20) });
        await assertCompliant(rotation, [assisted]);
        await assertViolation(rotation, [withChange(assisted, (t) => ((t.outputs.tags as any)["expires-at"] = isoDay(45)))], /\(critical\) expires on .*beyond its 30-day catalog period/);
        await assertViolation(rotation, [withChange(assisted, (t) => delete (t.outputs.tags as any)["expires-at"])], /\(critical\) has neither automatic rotation nor an expires-at tag/);
        await assertViolation(rotation, [withChange(assisted, (t) => ((t.outputs.tags as any)["rotation-strategy"] = "manual"))], /\(critical\) has no automatic rotation/);
    });
    it("reports an expired secret", async () => {
        await assertViolation(rotation, [withChange(manual, (t) => ((t.outputs.tags as any)["expires-at"] = isoDay(-2)))], /expired on/);
    });
    it("links a rotation by dependency when the secret id is unknown during preview", async () => {
        const rot = rotationOf(critical, { automaticallyAfterDays: 30 });
        const previewRot = { ...rot, outputs: { ...rot.outputs, secretId: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, propertyDependencies: { secretId: [critical.urn] }, hasUnknowns: true };
        await assertCompliant(rotation, [critical, previewRot]);
    });
    it("counts alternating-user slot secrets as rotated by their parent's rotation of the same strategy", async () => {
        const parent = managedSecret("kafka/airflow-risk", "critical", 30);
        const slot = managedSecret("kafka/airflow-risk/user-a", "critical", 30);
        await assertCompliant(rotation, [parent, slot, rotationOf(parent, { automaticallyAfterDays: 30 })]);
        await assertViolation(rotation, [parent, slot], /'dev\/kafka\/airflow-risk\/user-a' \(critical\) has no automatic rotation/);
        const otherStrategy = withChange(slot, (t) => ((t.outputs.tags as any)["rotation-strategy"] = "manual"));
        await assertViolation(rotation, [parent, otherStrategy, rotationOf(parent, { automaticallyAfterDays: 30 })], /user-a' \(critical\) has no automatic rotation/);
    });

    it("reads schedule expressions", () => {
        assert.equal(scheduleIntervalDays("rate(30 days)"), 30);
        assert.equal(scheduleIntervalDays("rate(12 hours)"), 0.5);
        assert.equal(scheduleIntervalDays("cron(0 0 ? * MON *)"), 7);
        assert.equal(scheduleIntervalDays("cron(0 0 */10 * ? *)"), 10);
        assert.equal(scheduleIntervalDays("cron(0 0 1 1 ? *)"), 365);
        assert.equal(scheduleIntervalDays("every day"), undefined);
        assert.equal(rotationPeriodDays([{ automaticallyAfterDays: 7 }]), 7);
    });
});

describe("cloudtrail-trail-audit-baseline", () => {
    const bucket = target("aws:s3/bucketV2:BucketV2", "audit-logs", {}, { outputs: { bucket: "fl-dev-audit-logs", objectLockEnabled: true } });
    const lock = target("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "audit-lock", {}, { outputs: { bucket: "fl-dev-audit-logs", rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } } } });
    const trail = target("aws:cloudtrail/trail:Trail", "audit", {}, {
        outputs: {
            isMultiRegionTrail: true,
            enableLogFileValidation: true,
            kmsKeyId: `arn:aws:kms:us-east-1:${DEV}:key/mrk-0123456789abcdef0123456789abcdef`,
            s3BucketName: "fl-dev-audit-logs",
            eventSelectors: [{ includeManagementEvents: true, readWriteType: "All" }],
        },
    });
    const change = (f: (o: any) => void) => withChange(trail, (t) => f(t.outputs));

    it("stays quiet on the audit baseline", async () => {
        await assertCompliant(audit, [bucket, lock, trail]);
    });
    it("accepts one year of retention and advanced selectors for management events", async () => {
        await assertCompliant(audit, [bucket, withChange(lock, (t) => ((t.outputs.rule as any).defaultRetention = { mode: "COMPLIANCE", years: 1 })), change((o) => {
            delete o.eventSelectors;
            o.advancedEventSelectors = [{ name: "management", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }];
        })]);
    });
    it("reports a stack without a trail", async () => {
        await assertViolation(audit, [bucket, lock], /no CloudTrail trail.*Fix: build the audit layer/);
    });
    it("reports a single-region trail", async () => {
        await assertViolation(audit, [bucket, lock, change((o) => (o.isMultiRegionTrail = false))], /is not multi-region/);
    });
    it("reports missing log file validation", async () => {
        await assertViolation(audit, [bucket, lock, change((o) => (o.enableLogFileValidation = false))], /no log file validation/);
    });
    it("reports a trail without KMS", async () => {
        await assertViolation(audit, [bucket, lock, change((o) => delete o.kmsKeyId)], /not encrypted with a KMS key/);
    });
    it("reports write-only management events", async () => {
        await assertViolation(audit, [bucket, lock, change((o) => (o.eventSelectors[0].readWriteType = "WriteOnly"))], /does not record read management events/);
    });
    it("reports retention under 365 days", async () => {
        await assertViolation(audit, [bucket, withChange(lock, (t) => ((t.outputs.rule as any).defaultRetention.days = 90)), trail], /retention is 90 days, less than 365/);
    });
    it("reports a bucket without Object Lock", async () => {
        await assertViolation(audit, [withChange(bucket, (t) => (t.outputs.objectLockEnabled = false)), lock, trail], /does not have Object Lock enabled/);
    });
});

describe("pack-config-declares-environment", () => {
    const provider = target("pulumi:providers:aws", "fl-dev-aws", {}, { outputs: { allowedAccountIds: JSON.stringify([DEV]), region: "us-east-1" } });

    it("stays quiet on a declared environment with a pinned provider", async () => {
        await assertCompliant(packRule, [provider]);
    });
    it("reports a provider allowed into another account", async () => {
        await assertViolation(packRule, [withChange(provider, (t) => (t.outputs.allowedAccountIds = JSON.stringify([ACCOUNTS.prod])))], /allows account\(s\) 736491028554, but dev is account 402817365190/);
    });
    it("reports an unpinned provider", async () => {
        await assertViolation(packRule, [withChange(provider, (t) => delete t.outputs.allowedAccountIds)], /does not pin allowedAccountIds/);
    });
    it("reports a stack that is not a declared environment", async () => {
        await assertViolation(packRule, [target("pulumi:providers:aws", "p", {}, { stack: "qa", outputs: { allowedAccountIds: JSON.stringify([DEV]) } })], /Stack 'qa' is not a declared environment/);
    });
    it("reports an exemption without a reason, and an expired one", async () => {
        const config = { [packRule.name]: { exemptions: [{ policy: "kubernetes-secret-no-literal-data", urn: "urn:pulumi:dev::*", reason: "" }, { policy: "x", urn: "y", reason: "Reviewed in CHG-1234 by platform.", expires: "2020-01-31" }] } };
        const violations = await violationsOf(packRule, [provider], config);
        assert.equal(violations.length, 2);
        assert.match(violations[0].message, /exemptions\[0\]\.reason is missing or too short/);
        assert.match(violations[1].message, /exemptions\[1\] for x expired on 2020-01-31/);
    });
});
