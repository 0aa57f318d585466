import { cloudtrailTrailAuditBaseline as audit, recordsReadManagementEvents, retentionDays } from "../../../policies/cloudtrail/trail-audit-baseline";
import { UNKNOWN_SENTINELS } from "../../../policies/inspect/values";
import { ACCOUNTS, assertCompliant, assertViolation, target, withChange } from "../../support/policy-fixtures";
import { strict as assert } from "assert";

const DEV = ACCOUNTS.dev;

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

const UNKNOWN = [...UNKNOWN_SENTINELS][0];
const BUCKET = "fl-dev-audit-logs";
const bucket = (outputs: Record<string, unknown> = {}) => target("aws:s3/bucketV2:BucketV2", "audit-logs", {}, { outputs: { bucket: BUCKET, objectLockEnabled: true, ...outputs } });
const lock = (outputs: Record<string, unknown> = {}) => target("aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", "audit-lock", {}, { outputs: { bucket: BUCKET, rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } }, ...outputs } });
const trail = (outputs: Record<string, unknown> = {}, name = "audit") =>
    target("aws:cloudtrail/trail:Trail", name, {}, { outputs: { isMultiRegionTrail: true, enableLogFileValidation: "true", kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNTS.dev}:key/k`, s3BucketName: BUCKET, ...outputs } });

describe("cloudtrail-trail-audit-baseline: selectors, retention, bucket links and unknowns", () => {
    it("reads management events from advanced selectors: the category must be Management and readOnly, if set, must include true", () => {
        const adv = (...fieldSelectors: unknown[]) => ({ advancedEventSelectors: [{ fieldSelectors }] });
        assert.equal(recordsReadManagementEvents(adv({ field: "eventCategory", equals: ["Management"] })), true);
        assert.equal(recordsReadManagementEvents(adv({ field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["true"] })), true);
        assert.equal(recordsReadManagementEvents(adv({ field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["false"] })), false);
        assert.equal(recordsReadManagementEvents(adv({ field: "eventCategory", equals: ["Data"] })), false);
        assert.equal(recordsReadManagementEvents(adv({ field: "resources.type", equals: ["Management"] })), false);
        assert.equal(recordsReadManagementEvents({ advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Data"] }] }, { fieldSelectors: [{ field: "eventCategory", equals: "Management" }] }] }), true, "any selector will do");
        assert.equal(recordsReadManagementEvents({ advancedEventSelectors: [{ fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }] }], eventSelectors: [{ includeManagementEvents: false }] }), true, "advanced selectors win");
    });
    it("reads classic selectors: none means everything, management events on, read or all", () => {
        assert.equal(recordsReadManagementEvents({}), true);
        assert.equal(recordsReadManagementEvents({ eventSelectors: [{ includeManagementEvents: false }] }), false);
        assert.equal(recordsReadManagementEvents({ eventSelectors: [{ includeManagementEvents: "false" }] }), false);
        assert.equal(recordsReadManagementEvents({ eventSelectors: [{ readWriteType: "WriteOnly" }] }), false);
        assert.equal(recordsReadManagementEvents({ eventSelectors: [{ readWriteType: "ReadOnly" }] }), true);
        assert.equal(recordsReadManagementEvents({ eventSelectors: [{ readWriteType: "WriteOnly" }, { readWriteType: "All" }] }), true);
    });
    it("reads retention in days or years, from rule or rules, and zero when absent or not a number", () => {
        assert.equal(retentionDays({ rule: { defaultRetention: { days: 400 } } }), 400);
        assert.equal(retentionDays({ rules: [{ defaultRetention: [{ years: 2 }] }] }), 730);
        assert.equal(retentionDays({ rule: { defaultRetention: { days: 10, years: 1 } } }), 365);
        assert.equal(retentionDays({ rule: { defaultRetention: { days: "x" } } }), 0);
        assert.equal(retentionDays({ rule: {} }), 0);
        assert.equal(retentionDays({}), 0);
    });
    it("reports each missing setting of a trail, all in one message", async () => {
        await assertViolation(audit, [bucket(), lock(), trail({ isMultiRegionTrail: false, enableLogFileValidation: "false", kmsKeyId: "", eventSelectors: [{ includeManagementEvents: false }] })], /Trail 'audit' is not multi-region \(isMultiRegionTrail\); has no log file validation \(enableLogFileValidation\); is not encrypted with a KMS key \(kmsKeyId\); does not record read management events/);
    });
    it("does not decide on values unknown during preview", async () => {
        await assertCompliant(audit, [bucket(), lock(), trail({ isMultiRegionTrail: UNKNOWN, enableLogFileValidation: UNKNOWN, kmsKeyId: UNKNOWN })]);
        await assertCompliant(audit, [trail({ s3BucketName: UNKNOWN })]);
        await assertCompliant(audit, [bucket({ objectLockEnabled: UNKNOWN }), lock(), trail()]);
        await assertCompliant(audit, [bucket({ objectLockEnabled: false }), lock({ rule: UNKNOWN }), trail()]);
    });
    it("finds the bucket by name or by property dependency, and its lock configuration likewise", async () => {
        await assertViolation(audit, [trail()], /delivers to bucket 'fl-dev-audit-logs', which is not in this stack/);
        await assertViolation(audit, [bucket({ bucket: "other" }), lock(), trail()], /not in this stack/);
        const byDependency = withChange(trail({ s3BucketName: "computed-name" }), (t) => ((t as any).propertyDependencies = { s3BucketName: [bucket({ bucket: "computed-name-2" }).urn] }));
        await assertViolation(audit, [bucket({ bucket: "computed-name-2" }), byDependency], /whose Object Lock default retention is 0 days/);
        const lockByDependency = withChange(lock({ bucket: "unresolved" }), (t) => ((t as any).propertyDependencies = { bucket: [bucket().urn] }));
        await assertCompliant(audit, [bucket(), lockByDependency, trail()]);
    });
    it("takes Object Lock and retention from the bucket's own configuration too", async () => {
        const inline = bucket({ objectLockEnabled: undefined, objectLockConfiguration: [{ objectLockEnabled: "Enabled", rule: { defaultRetention: { days: 365 } } }] });
        await assertCompliant(audit, [inline, trail()]);
        await assertViolation(audit, [bucket({ objectLockEnabled: "false" }), lock(), trail()], /which does not have Object Lock enabled/);
        await assertViolation(audit, [bucket(), lock({ rule: { defaultRetention: { days: 364 } } }), trail()], /retention is 364 days, less than 365/);
    });
    it("is satisfied by one sound trail among several, and names every trail when none is sound", async () => {
        await assertCompliant(audit, [bucket(), lock(), trail({ isMultiRegionTrail: false }, "regional"), trail()]);
        const violations = await assertViolation(audit, [bucket(), lock(), trail({ isMultiRegionTrail: false }, "a"), trail({ kmsKeyId: undefined }, "b")], /Trail 'a' is not multi-region/);
        assert.deepEqual(violations.map((v) => v.message.split(". Fix")[0]), ["Trail 'a' is not multi-region (isMultiRegionTrail)", "Trail 'b' is not encrypted with a KMS key (kmsKeyId)"]);
    });
});
