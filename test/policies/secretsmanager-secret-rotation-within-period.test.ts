import { strict as assert } from "assert";
import { rotationPeriodDays, scheduleIntervalDays, secretsmanagerSecretRotationWithinPeriod as rotation } from "../../policies/secretsmanager/secret-rotation-within-period";
import { UNKNOWN_SENTINELS } from "../../policies/inspect/values";
import { ACCOUNTS, assertCompliant, assertViolation, target } from "../support/policy-fixtures";

const UNKNOWN = [...UNKNOWN_SENTINELS][0];
const DAY = 86_400_000;
const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);

function secret(name: string, tags: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const arn = `arn:aws:secretsmanager:us-east-1:${ACCOUNTS.dev}:secret:dev/${name}-AbCdEf`;
    return target("aws:secretsmanager/secret:Secret", `${name}-secret`, {}, { outputs: { id: arn, arn, name: `dev/${name}`, tags, ...extra } });
}
const rotationOf = (s: ReturnType<typeof secret>, rotationRules: unknown, secretId: unknown = s.outputs.arn) =>
    target("aws:secretsmanager/secretRotation:SecretRotation", `${s.name}-rotation`, {}, { outputs: { secretId, rotationRules } });

describe("secretsmanager-secret-rotation-within-period: schedules, tags and expiry", () => {
    it("reads rate() and cron() schedules as the longest gap between runs", () => {
        assert.equal(scheduleIntervalDays("rate(10 days)"), 10);
        assert.equal(scheduleIntervalDays(" rate(1 day) "), 1);
        assert.equal(scheduleIntervalDays("rate(48 hours)"), 2);
        assert.equal(scheduleIntervalDays("rate(12 hour)"), 0.5);
        assert.equal(scheduleIntervalDays("rate(5 minutes)"), undefined);
        assert.equal(scheduleIntervalDays("xrate(5 days)"), undefined);
        assert.equal(scheduleIntervalDays("cron(0 0 * * ? *)"), 1);
        assert.equal(scheduleIntervalDays("cron(0 0 ? * MON *)"), 7);
        assert.equal(scheduleIntervalDays("cron(0 0 1 JAN ? *)"), 365);
        assert.equal(scheduleIntervalDays("cron(0 0 1 * ? *)"), 31);
        assert.equal(scheduleIntervalDays("cron(0 0 1,15 * ? *)"), 17);
        assert.equal(scheduleIntervalDays("cron(0 0 15,1,1 * ? *)"), 17, "order and duplicates do not matter");
        assert.equal(scheduleIntervalDays("cron(0 0 */10 * ? *)"), 10);
        assert.equal(scheduleIntervalDays("cron(0 0 5/10 * ? *)"), 11, "5, 15, 25, then 5 of the next month");
        assert.equal(scheduleIntervalDays("cron(0 0 */0 * ? *)"), undefined);
        assert.equal(scheduleIntervalDays("cron(0 0 40/5 * ? *)"), undefined);
        assert.equal(scheduleIntervalDays("cron(0 0 L * ? *)"), 31);
        assert.equal(scheduleIntervalDays("cron(0 0 1W * ? *)"), undefined);
        assert.equal(scheduleIntervalDays("cron(0 0 * * ?)"), undefined, "five fields");
        assert.equal(scheduleIntervalDays("cron(0 0 1 * ? *) x"), undefined);
    });
    it("reads automaticallyAfterDays first, else the schedule, from an object or a one-element list", () => {
        assert.equal(rotationPeriodDays({ automaticallyAfterDays: 30 }), 30);
        assert.equal(rotationPeriodDays([{ automaticallyAfterDays: 7 }]), 7);
        assert.equal(rotationPeriodDays({ automaticallyAfterDays: 0, scheduleExpression: "rate(3 days)" }), 3);
        assert.equal(rotationPeriodDays({ automaticallyAfterDays: "30" }), undefined);
        assert.equal(rotationPeriodDays({ scheduleExpression: UNKNOWN }), undefined);
        assert.equal(rotationPeriodDays(undefined), undefined);
        assert.equal(rotationPeriodDays("x"), undefined);
    });
    it("matches a rotation to its secret by ARN, id, name or dependency, and reads tags from tagsAll too", async () => {
        const s = secret("app/a", {}, { tagsAll: { criticality: "critical", "rotation-days": "30" } });
        await assertViolation(rotation, [s], /'dev\/app\/a' \(critical\) has no automatic rotation/);
        await assertCompliant(rotation, [s, rotationOf(s, { automaticallyAfterDays: 30 })]);
        await assertCompliant(rotation, [s, rotationOf(s, { automaticallyAfterDays: 30 }, "dev/app/a")]);
        const byDependency = { ...rotationOf(s, { automaticallyAfterDays: 30 }, UNKNOWN), propertyDependencies: { secretId: [s.urn] } };
        await assertCompliant(rotation, [s, byDependency]);
        await assertViolation(rotation, [s, rotationOf(s, { automaticallyAfterDays: 31 })], /\(critical\) rotates every 31 days, more than its limit of 30 days/);
        await assertViolation(rotation, [s, rotationOf(s, { scheduleExpression: "cron(bad)" })], /has a SecretRotation without a readable period/);
        await assertCompliant(rotation, [s, rotationOf(s, UNKNOWN)]); // an unknown schedule is not judged
        await assertViolation(rotation, [s, target("aws:secretsmanager/secretPolicy:SecretPolicy", "p", {}, { outputs: { secretArn: s.outputs.arn } })], /has no automatic rotation/);
    });
    it("judges a non-critical secret by its catalog period, its rotation or its expires-at tag", async () => {
        const high = (tags: Record<string, unknown>) => secret("vendor/x", { criticality: "high", "rotation-days": "90", ...tags });
        await assertCompliant(rotation, [high({ "expires-at": isoDay(60) })]);
        await assertViolation(rotation, [high({ "expires-at": isoDay(120) })], /expires on .*, beyond its 90-day catalog period/);
        await assertViolation(rotation, [high({ "expires-at": isoDay(-2) })], /expired on .*; rotate it now/);
        await assertViolation(rotation, [high({ "expires-at": "soon" })], /has an expires-at tag 'soon' that is not a date/);
        await assertCompliant(rotation, [high({ "expires-at": `${isoDay(30)}T10:00:00Z` })]);
        await assertViolation(rotation, [high({})], /\(high\) has neither automatic rotation nor an expires-at tag/);
        await assertViolation(rotation, [secret("vendor/y", { criticality: "low" })], /has neither rotation nor a rotation-days tag from the catalog/);
        await assertViolation(rotation, [secret("vendor/z", { "rotation-days": "0" })], /\(untagged\) has neither rotation nor a rotation-days tag/);
        const h = high({});
        await assertCompliant(rotation, [h, rotationOf(h, { automaticallyAfterDays: 90 })]);
        await assertViolation(rotation, [h, rotationOf(h, { automaticallyAfterDays: 91 })], /rotates every 91 days, more than its limit of 90 days/);
    });
});
