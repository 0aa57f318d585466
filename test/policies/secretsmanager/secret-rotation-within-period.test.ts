import { UNKNOWN_SENTINELS } from "../../../policies/inspect/values";
import { rotationPeriodDays, scheduleIntervalDays, secretsmanagerSecretRotationWithinPeriod as rotation } from "../../../policies/secretsmanager/secret-rotation-within-period";
import { ACCOUNTS, assertCompliant, assertViolation, target, withChange } from "../../support/policy-fixtures";
import { strict as assert } from "assert";

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
        const alternating = { "rotation-strategy": "kafka-scram-alternating-users" };
        const parent = managedSecret("kafka/airflow-risk", "critical", 30, alternating);
        const slot = managedSecret("kafka/airflow-risk/user-a", "critical", 30, alternating);
        await assertCompliant(rotation, [parent, slot, rotationOf(parent, { automaticallyAfterDays: 30 })]);
        await assertViolation(rotation, [parent, slot], /'dev\/kafka\/airflow-risk\/user-a' \(critical\) has no automatic rotation/);
        const otherStrategy = withChange(slot, (t) => ((t.outputs.tags as any)["rotation-strategy"] = "manual"));
        await assertViolation(rotation, [parent, otherStrategy, rotationOf(parent, { automaticallyAfterDays: 30 })], /user-a' \(critical\) has no automatic rotation/);
    });

    it("reports a critical secret with a '/' in its name and no rotation-strategy tag, even beside a rotated untagged parent", async () => {
        const untagged = withChange(managedSecret("snowflake/dbt/finance", "critical", 30), (t) => delete (t.outputs.tags as any)["rotation-strategy"]);
        await assertViolation(rotation, [untagged], /'dev\/snowflake\/dbt\/finance' \(critical\) has no automatic rotation/);
        const parent = withChange(managedSecret("snowflake/dbt", "critical", 30), (t) => delete (t.outputs.tags as any)["rotation-strategy"]);
        await assertViolation(rotation, [parent, rotationOf(parent, { automaticallyAfterDays: 30 }), untagged], /'dev\/snowflake\/dbt\/finance' \(critical\) has no automatic rotation/);
    });
    it("does not let a slot-shaped name escape under a strategy that is not alternating-user", async () => {
        const parent = managedSecret("snowflake/dbt", "critical", 30);
        const child = managedSecret("snowflake/dbt/user-a", "critical", 30);
        await assertViolation(rotation, [parent, rotationOf(parent, { automaticallyAfterDays: 30 }), child], /user-a' \(critical\) has no automatic rotation/);
    });

    it("accepts a secret waiting for its first value while the stack attaches no rotation (foundation phase)", async () => {
        const pending = withChange(critical, (t) => ((t.outputs.tags as any)["first-value-pending"] = "true"));
        await assertCompliant(rotation, [pending, manual]);
    });
    it("reports a first-value-pending secret once the stack attaches rotations", async () => {
        const pending = withChange(critical, (t) => ((t.outputs.tags as any)["first-value-pending"] = "true"));
        const other = managedSecret("snowflake/dbt/risk", "critical", 30);
        await assertViolation(rotation, [pending, other, rotationOf(other, { automaticallyAfterDays: 30 })], /tagged first-value-pending while the stack attaches rotations; set finledger:phase to full/);
    });
    it("reads a schedule expression whole: surrounding and repeated blanks are fine, trailing or leading text is not", () => {
        const cases: Array<[string, number | undefined]> = [
            ["rate(10  days)", 10], [" rate(12 hours) ", 0.5], ["rate(10 days) x", undefined],
            [" cron(0 0 */10 * ? *) ", 10], ["cron( 0 0 1,15 * ? * )", 17], ["cron(0  0 1 * ? *)", 31], ["xcron(0 0 1 * ? *)", undefined],
            ["cron(0 0 1 ? * *)", 31], ["cron(0 0 * * ? *)", 1], ["cron(0 0 ? * * *)", 1],
            ["cron(0 0 10/10 * ? *)", 11], ["cron(0 0 1/10x * ? *)", undefined], ["cron(0 0 x1/10 * ? *)", undefined],
            ["cron(0 0 x1,15 * ? *)", undefined], ["cron(0 0 1,15x * ? *)", undefined],
        ];
        for (const [expression, days] of cases) assert.equal(scheduleIntervalDays(expression), days, expression);
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

const UNKNOWN = [...UNKNOWN_SENTINELS][0];
const DAY = 86_400_000;
const isoDayFromNow = (offsetDays: number) => new Date(Date.now() + offsetDays * DAY).toISOString().slice(0, 10);

function secret(name: string, tags: Record<string, unknown>, extra: Record<string, unknown> = {}) {
    const arn = `arn:aws:secretsmanager:us-east-1:${ACCOUNTS.dev}:secret:dev/${name}-AbCdEf`;
    return target("aws:secretsmanager/secret:Secret", `${name}-secret`, {}, { outputs: { id: arn, arn, name: `dev/${name}`, tags, ...extra } });
}
const rotationByOutputs = (s: ReturnType<typeof secret>, rotationRules: unknown, secretId: unknown = s.outputs.arn) =>
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
        await assertCompliant(rotation, [s, rotationByOutputs(s, { automaticallyAfterDays: 30 })]);
        await assertCompliant(rotation, [s, rotationByOutputs(s, { automaticallyAfterDays: 30 }, "dev/app/a")]);
        const byDependency = { ...rotationByOutputs(s, { automaticallyAfterDays: 30 }, UNKNOWN), propertyDependencies: { secretId: [s.urn] } };
        await assertCompliant(rotation, [s, byDependency]);
        await assertViolation(rotation, [s, rotationByOutputs(s, { automaticallyAfterDays: 31 })], /\(critical\) rotates every 31 days, more than its limit of 30 days/);
        await assertViolation(rotation, [s, rotationByOutputs(s, { scheduleExpression: "cron(bad)" })], /has a SecretRotation without a readable period/);
        await assertCompliant(rotation, [s, rotationByOutputs(s, UNKNOWN)]); // an unknown schedule is not judged
        await assertViolation(rotation, [s, target("aws:secretsmanager/secretPolicy:SecretPolicy", "p", {}, { outputs: { secretArn: s.outputs.arn } })], /has no automatic rotation/);
    });
    it("judges a non-critical secret by its catalog period, its rotation or its expires-at tag", async () => {
        const high = (tags: Record<string, unknown>) => secret("vendor/x", { criticality: "high", "rotation-days": "90", ...tags });
        await assertCompliant(rotation, [high({ "expires-at": isoDayFromNow(60) })]);
        await assertViolation(rotation, [high({ "expires-at": isoDayFromNow(120) })], /expires on .*, beyond its 90-day catalog period/);
        await assertViolation(rotation, [high({ "expires-at": isoDayFromNow(-2) })], /expired on .*; rotate it now/);
        await assertViolation(rotation, [high({ "expires-at": "soon" })], /has an expires-at tag 'soon' that is not a date/);
        await assertCompliant(rotation, [high({ "expires-at": `${isoDayFromNow(30)}T10:00:00Z` })]);
        await assertViolation(rotation, [high({})], /\(high\) has neither automatic rotation nor an expires-at tag/);
        await assertViolation(rotation, [secret("vendor/y", { criticality: "low" })], /has neither rotation nor a rotation-days tag from the catalog/);
        await assertViolation(rotation, [secret("vendor/z", { "rotation-days": "0" })], /\(untagged\) has neither rotation nor a rotation-days tag/);
        const h = high({});
        await assertCompliant(rotation, [h, rotationByOutputs(h, { automaticallyAfterDays: 90 })]);
        await assertViolation(rotation, [h, rotationByOutputs(h, { automaticallyAfterDays: 91 })], /rotates every 91 days, more than its limit of 90 days/);
    });
});
