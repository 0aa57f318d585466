import { PolicyResource } from "@pulumi/policy";
import { propsOf, stackRule, stackUrnOf } from "../define";
import { asList, asRecord, display, isUnknown, knownString, toNumber } from "../inspect/values";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC7.2", "CC7.3", "CC4.1"], pciDss: ["10.2.1", "10.3.2", "10.3.3", "10.5.1"] };

/** Days of Object Lock retention the audit bucket must have: access logs are kept for a year. */
export const MIN_RETENTION_DAYS = 365;

const TRAIL = "aws:cloudtrail/trail:Trail";
const BUCKETS = new Set(["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"]);
const LOCK_CONFIGS = new Set(["aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"]);

function truthy(value: unknown): boolean {
    return value === true || value === "true";
}

/** Whether a trail records read and write management events, with classic or advanced event selectors. */
export function recordsReadManagementEvents(trail: Record<string, unknown>): boolean {
    const advanced = asList(trail.advancedEventSelectors).map(asRecord).filter(Boolean) as Record<string, unknown>[];
    if (advanced.length > 0) {
        return advanced.some((sel) => {
            const fields = asList(sel.fieldSelectors).map(asRecord).filter(Boolean) as Record<string, unknown>[];
            const category = fields.find((f) => f.field === "eventCategory");
            const readOnly = fields.find((f) => f.field === "readOnly");
            return category !== undefined && asList(category.equals).includes("Management") && (readOnly === undefined || asList(readOnly.equals).includes("true"));
        });
    }
    const classic = asList(trail.eventSelectors).map(asRecord).filter(Boolean) as Record<string, unknown>[];
    // Without selectors a trail logs all management events, read and write.
    if (classic.length === 0) return true;
    return classic.some((sel) => sel.includeManagementEvents !== false && sel.includeManagementEvents !== "false" && (sel.readWriteType === undefined || sel.readWriteType === "All" || sel.readWriteType === "ReadOnly"));
}

/** The Object Lock default retention of a lock configuration, in days. */
export function retentionDays(lockConfig: Record<string, unknown>): number {
    const rule = asRecord(asList(lockConfig.rule ?? lockConfig.rules)[0]);
    const retention = asRecord(asList(rule?.defaultRetention)[0]);
    if (!retention) return 0;
    const days = toNumber(retention.days ?? 0);
    const years = toNumber(retention.years ?? 0);
    return Math.max(Number.isFinite(days) ? days : 0, Number.isFinite(years) ? years * 365 : 0);
}

function trailProblems(trail: PolicyResource, resources: readonly PolicyResource[]): string[] {
    const p = propsOf(trail);
    const problems: string[] = [];
    if (!isUnknown(p.isMultiRegionTrail) && !truthy(p.isMultiRegionTrail)) problems.push("is not multi-region (isMultiRegionTrail)");
    if (!isUnknown(p.enableLogFileValidation) && !truthy(p.enableLogFileValidation)) problems.push("has no log file validation (enableLogFileValidation)");
    if (!isUnknown(p.kmsKeyId) && !knownString(p.kmsKeyId)) problems.push("is not encrypted with a KMS key (kmsKeyId)");
    if (!recordsReadManagementEvents(p)) problems.push("does not record read management events");
    const bucketName = p.s3BucketName;
    if (isUnknown(bucketName)) return problems;
    const linked = (r: PolicyResource, value: unknown) => (typeof value === "string" && value === bucketName) || (trail.propertyDependencies?.s3BucketName ?? []).some((d) => d?.urn === r.urn);
    const bucket = resources.find((r) => BUCKETS.has(r.type) && linked(r, propsOf(r).bucket));
    if (!bucket) {
        problems.push(`delivers to bucket '${display(bucketName)}', which is not in this stack, so its Object Lock cannot be checked`);
        return problems;
    }
    const lock = resources.find((r) => LOCK_CONFIGS.has(r.type) && (propsOf(r).bucket === propsOf(bucket).bucket || (r.propertyDependencies?.bucket ?? []).some((d) => d?.urn === bucket.urn)));
    const bucketLocked = truthy(propsOf(bucket).objectLockEnabled) || asRecord(asList(propsOf(bucket).objectLockConfiguration)[0])?.objectLockEnabled === "Enabled";
    const days = Math.max(lock ? retentionDays(propsOf(lock)) : 0, retentionDays(asRecord(asList(propsOf(bucket).objectLockConfiguration)[0]) ?? {}));
    // During preview the lock's settings may be unknown; like the engine, do not decide on unknown values.
    if (lock && (isUnknown(propsOf(lock).rule) || isUnknown(propsOf(bucket).objectLockEnabled))) return problems;
    if (!bucketLocked) problems.push(`delivers to bucket '${display(bucketName)}', which does not have Object Lock enabled`);
    if (days < MIN_RETENTION_DAYS) problems.push(`delivers to bucket '${display(bucketName)}' whose Object Lock default retention is ${days} days, less than ${MIN_RETENTION_DAYS}`);
    return problems;
}

/**
 * Every environment has a CloudTrail trail that is multi-region, validates log files, is KMS-encrypted, records
 * read management events, and delivers to a bucket with Object Lock retention of at least 365 days.
 */
export const cloudtrailTrailAuditBaseline = stackRule(
    {
        name: "cloudtrail-trail-audit-baseline",
        description: "Each environment needs a multi-region, KMS-encrypted CloudTrail trail with log file validation and read management events, delivered to an Object Lock bucket retaining logs for 365 days or more.",
        severity: "high",
        controls,
        remediation:
            "build the audit layer (stacks/audit.ts): aws.cloudtrail.Trail with isMultiRegionTrail, enableLogFileValidation, kmsKeyId and management events (ReadWriteType All), delivering to an S3 bucket with objectLockEnabled and a BucketObjectLockConfiguration of mode COMPLIANCE for at least 365 days.",
    },
    ({ args, report }) => {
        const trails = args.resources.filter((r) => r.type === TRAIL);
        if (trails.length === 0) {
            report("The stack has no CloudTrail trail, so secret access is not recorded", stackUrnOf(args.resources));
            return;
        }
        const withProblems = trails.map((t) => ({ trail: t, problems: trailProblems(t, args.resources) }));
        if (withProblems.some((t) => t.problems.length === 0)) return;
        for (const { trail, problems } of withProblems) report(`Trail '${trail.name}' ${problems.join("; ")}`, trail.urn);
    },
);

export default cloudtrailTrailAuditBaseline;
