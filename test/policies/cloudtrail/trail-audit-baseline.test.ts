import { cloudtrailTrailAuditBaseline as audit } from "../../../policies/cloudtrail/trail-audit-baseline";
import { ACCOUNTS, assertCompliant, assertViolation, target, withChange } from "../../support/policy-fixtures";

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
