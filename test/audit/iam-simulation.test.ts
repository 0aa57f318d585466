// IAM decisions of the audit layer, proven with iam-simulate on the policies exactly as the prod plan creates them.
import { strict as assert } from "assert";
import { LOG_TAMPERING_ACTIONS } from "../../components/audit-trail";
import { PolicyDocument } from "../../components/iam";
import { buildSecretResourcePolicy } from "../../components/managed-secret";
import { roleNames } from "../../model/names";
import { planReport } from "../support/plan-cli";
import { simulate } from "../support/iam-simulator";
import { ACCOUNTS, DEV } from "../support/accounts";
const PROD = ACCOUNTS.prod;
const STAGING = ACCOUNTS.staging;

const PREFIX = "fl-prod";

type Resource = { type: string; name: string; inputs: Record<string, unknown>; outputs: Record<string, unknown> };
const resources = () => planReport("prod").resources as Resource[];
const parse = (text: unknown) => JSON.parse(String(text)) as PolicyDocument;
const allowAll = (action: string): PolicyDocument => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: action, Resource: "*" }] });

/** Every role the platform creates in an environment, plus the key administrators of config. */
const PLATFORM_ROLES = [
    roleNames.workload(PREFIX, "airflow-payments"),
    roleNames.workload(PREFIX, "dbt-finance-marts"),
    roleNames.rotation(PREFIX, "snowflake-key-pair"),
    roleNames.githubPreview(PREFIX),
    roleNames.githubDeploy(PREFIX),
    roleNames.latencyProbe(PREFIX),
    roleNames.breakGlass(PREFIX),
    roleNames.esoController(PREFIX),
    roleNames.cloudTrailLogs(PREFIX),
    roleNames.expiryCheck(PREFIX),
    roleNames.eventForwarder(PREFIX),
    "fl-prod-platform-key-admin",
];

describe("audit IAM decisions (iam-simulate on the prod plan)", () => {
    describe("trail bucket policy", () => {
        let bucket: string;
        let policy: PolicyDocument;
        let logObject: string;
        before(() => {
            const r = resources().find((x) => x.type === "aws:s3/bucketPolicy:BucketPolicy" && String(x.inputs.bucket).includes("-audit-trail-"))!;
            bucket = String(r.inputs.bucket);
            policy = parse(r.inputs.policy);
            logObject = `arn:aws:s3:::${bucket}/AWSLogs/${PROD}/CloudTrail/us-east-1/2027/01/05/${PROD}_CloudTrail_us-east-1_20270105T0000Z_abc.json.gz`;
        });

        for (const roleName of PLATFORM_ROLES) {
            it(`${roleName} cannot delete, overwrite or unlock a log even with s3:* in its own policy`, async () => {
                for (const action of LOG_TAMPERING_ACTIONS) {
                    const decision = await simulate({
                        principal: `arn:aws:iam::${PROD}:role/${roleName}`,
                        action,
                        resource: logObject,
                        resourceAccount: PROD,
                        identityPolicies: [allowAll("s3:*")],
                        resourcePolicy: policy,
                        context: { "aws:SecureTransport": "true", "aws:PrincipalAccount": PROD },
                    });
                    assert.equal(decision, "ExplicitlyDenied", `${roleName} ${action}`);
                }
            });
        }

        it("the account root cannot delete a log version either", async () => {
            const decision = await simulate({
                principal: `arn:aws:iam::${PROD}:root`,
                action: "s3:DeleteObjectVersion",
                resource: logObject,
                resourceAccount: PROD,
                resourcePolicy: policy,
                context: { "aws:SecureTransport": "true" },
            });
            assert.equal(decision, "ExplicitlyDenied");
        });

        it("a reviewer with s3:GetObject can still read logs (the deny is about tampering only)", async () => {
            const decision = await simulate({
                principal: `arn:aws:iam::${PROD}:role/${roleNames.githubPreview(PREFIX)}`,
                action: "s3:GetObject",
                resource: logObject,
                resourceAccount: PROD,
                identityPolicies: [allowAll("s3:GetObject")],
                resourcePolicy: policy,
                context: { "aws:SecureTransport": "true" },
            });
            assert.equal(decision, "Allowed");
        });

        it("nobody reads logs without TLS", async () => {
            const decision = await simulate({
                principal: `arn:aws:iam::${PROD}:role/${roleNames.githubPreview(PREFIX)}`,
                action: "s3:GetObject",
                resource: logObject,
                resourceAccount: PROD,
                identityPolicies: [allowAll("s3:GetObject")],
                resourcePolicy: policy,
                context: { "aws:SecureTransport": "false" },
            });
            assert.equal(decision, "ExplicitlyDenied");
        });

        it("CloudTrail delivers for this trail only, with bucket-owner-full-control", async () => {
            const deliver = (sourceArn: string, acl: string) =>
                simulate({
                    principal: "cloudtrail.amazonaws.com",
                    action: "s3:PutObject",
                    resource: logObject,
                    resourceAccount: PROD,
                    resourcePolicy: policy,
                    context: { "aws:SecureTransport": "true", "aws:PrincipalIsAWSService": "true", "aws:SourceArn": sourceArn, "s3:x-amz-acl": acl },
                });
            assert.equal(await deliver(`arn:aws:cloudtrail:us-east-1:${PROD}:trail/${PREFIX}-audit`, "bucket-owner-full-control"), "Allowed");
            assert.notEqual(await deliver(`arn:aws:cloudtrail:us-east-1:${DEV}:trail/fl-dev-audit`, "bucket-owner-full-control"), "Allowed");
            assert.notEqual(await deliver(`arn:aws:cloudtrail:us-east-1:${PROD}:trail/${PREFIX}-audit`, "private"), "Allowed");
        });
    });

    describe("audit key policy", () => {
        let policy: PolicyDocument;
        const keyArn = `arn:aws:kms:us-east-1:${PROD}:key/0f0f0f0f-1111-4222-a333-444455556666`;
        before(() => {
            const r = resources().find((x) => x.type === "aws:kms/key:Key" && String(x.inputs.description).startsWith("Audit key"))!;
            policy = parse(r.inputs.policy);
        });

        it("names no account of another environment", () => {
            const text = JSON.stringify(policy);
            assert.ok(!text.includes(DEV) && !text.includes(STAGING), text);
        });

        it("CloudTrail may encrypt only with its own account's trail encryption context", () => {
            const s = policy.Statement.find((x) => x.Sid === "CloudTrailEncryptsThisTrailOnly")!;
            assert.deepEqual(s.Condition?.StringLike, { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${PROD}:trail/*` });
        });

        it("CloudTrail may encrypt for this environment's trail and no other", async () => {
            // iam-simulate 0.1.173 only resolves variable context keys of the form `prefix/name`, so it cannot
            // evaluate `kms:EncryptionContext:aws:cloudtrail:arn`; that condition is checked above, and the
            // simulation runs on the policy without it to prove the aws:SourceArn scoping.
            const simulable: PolicyDocument = {
                ...policy,
                Statement: policy.Statement.map((x) => {
                    if (!x.Condition?.StringLike) return x;
                    const { StringLike: _dropped, ...rest } = x.Condition;
                    return { ...x, Condition: rest };
                }),
            };
            const encrypt = (sourceArn: string) =>
                simulate({
                    principal: "cloudtrail.amazonaws.com",
                    action: "kms:GenerateDataKey",
                    resource: keyArn,
                    resourceAccount: PROD,
                    resourcePolicy: simulable,
                    context: { "aws:PrincipalIsAWSService": "true", "aws:SourceArn": sourceArn },
                });
            assert.equal(await encrypt(`arn:aws:cloudtrail:us-east-1:${PROD}:trail/${PREFIX}-audit`), "Allowed");
            assert.notEqual(await encrypt(`arn:aws:cloudtrail:us-east-1:${PROD}:trail/someone-elses-trail`), "Allowed");
            assert.notEqual(await encrypt(`arn:aws:cloudtrail:us-east-1:${STAGING}:trail/fl-staging-audit`), "Allowed");
        });
    });

    describe("break-glass role trust", () => {
        let trust: PolicyDocument;
        const roleArn = `arn:aws:iam::${PROD}:role/${roleNames.breakGlass(PREFIX)}`;
        const operator = `arn:aws:iam::${PROD}:user/breakglass-operator-a`;
        before(() => {
            const r = resources().find((x) => x.type === "aws:iam/role:Role" && x.inputs.name === roleNames.breakGlass(PREFIX))!;
            trust = parse(r.inputs.assumeRolePolicy);
        });
        const assume = (principal: string, context: Record<string, string>) =>
            simulate({ principal, action: "sts:AssumeRole", resource: roleArn, resourceAccount: PROD, identityPolicies: [allowAll("sts:AssumeRole")], resourcePolicy: trust, context });

        it("a named operator with a fresh MFA sign-in may assume it", async () => {
            assert.equal(await assume(operator, { "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "300" }), "Allowed");
        });
        it("cannot be assumed without MFA context", async () => {
            assert.notEqual(await assume(operator, {}), "Allowed");
        });
        it("cannot be assumed when MFA is reported absent", async () => {
            assert.notEqual(await assume(operator, { "aws:MultiFactorAuthPresent": "false", "aws:MultiFactorAuthAge": "300" }), "Allowed");
        });
        it("cannot be assumed with an MFA sign-in older than an hour", async () => {
            assert.notEqual(await assume(operator, { "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "7200" }), "Allowed");
        });
        it("an admin not named in config cannot assume it, even with MFA", async () => {
            assert.notEqual(await assume(`arn:aws:iam::${PROD}:user/alice`, { "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60" }), "Allowed");
        });
        it("a principal of the dev account cannot assume it, even with MFA", async () => {
            assert.notEqual(await assume(`arn:aws:iam::${DEV}:user/breakglass-operator-a`, { "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60" }), "Allowed");
        });
    });

    describe("break-glass role permissions", () => {
        let identity: PolicyDocument;
        const principal = `arn:aws:iam::${PROD}:role/${roleNames.breakGlass(PREFIX)}`;
        const secret = `arn:aws:secretsmanager:us-east-1:${PROD}:secret:prod/dbt/snowflake_finance-AbCdEf`;
        before(() => {
            identity = parse(resources().find((x) => x.type === "aws:iam/rolePolicy:RolePolicy" && String(x.name).startsWith(`${PREFIX}-break-glass`))!.inputs.policy);
        });
        const act = (action: string, resource: string) => simulate({ principal, action, resource, resourceAccount: PROD, identityPolicies: [identity], context: { "aws:SecureTransport": "true" } });

        it("can restore, rotate and re-replicate a prod secret", async () => {
            for (const action of ["secretsmanager:RestoreSecret", "secretsmanager:RotateSecret", "secretsmanager:ReplicateSecretToRegions"]) assert.equal(await act(action, secret), "Allowed", action);
        });
        it("cannot delete a secret, even in an incident", async () => {
            assert.equal(await act("secretsmanager:DeleteSecret", secret), "ImplicitlyDenied");
        });
        it("cannot touch a secret named for another environment", async () => {
            assert.equal(await act("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${PROD}:secret:dev/dbt/snowflake_finance-AbCdEf`), "ImplicitlyDenied");
        });
    });

    describe("latency probe permissions", () => {
        let identity: PolicyDocument;
        let canaryArn: string;
        let otherArns: string[];
        let keyArn: string;
        let keyPolicy: PolicyDocument;
        const principal = `arn:aws:iam::${PROD}:role/${roleNames.latencyProbe(PREFIX)}`;
        before(() => {
            const all = resources();
            identity = parse(all.find((x) => x.type === "aws:iam/rolePolicy:RolePolicy" && String(x.name).startsWith(`${PREFIX}-latency-probe`))!.inputs.policy);
            const secrets = all.filter((x) => x.type === "aws:secretsmanager/secret:Secret");
            canaryArn = String(secrets.find((s) => s.inputs.name === "prod/platform/eso-canary")!.outputs.arn);
            otherArns = secrets.filter((s) => s.inputs.name !== "prod/platform/eso-canary").map((s) => String(s.outputs.arn));
            const envKey = all.find((x) => x.type === "aws:kms/key:Key" && x.inputs.multiRegion === true)!;
            keyArn = String(envKey.outputs.arn);
            keyPolicy = parse(envKey.inputs.policy);
        });
        const read = (secretArn: string) =>
            simulate({
                principal,
                action: "secretsmanager:GetSecretValue",
                resource: secretArn,
                resourceAccount: PROD,
                identityPolicies: [identity],
                resourcePolicy: buildSecretResourcePolicy(PROD),
                context: { "aws:SecureTransport": "true", "aws:PrincipalAccount": PROD },
            });

        it("reads its canary secret", async () => {
            assert.equal(await read(canaryArn), "Allowed");
        });
        it("reads no other secret of the environment", async () => {
            assert.ok(otherArns.length > 150);
            for (const arn of otherArns) assert.equal(await read(arn), "ImplicitlyDenied", arn);
        });
        it("decrypts with the environment key only through Secrets Manager", async () => {
            const decrypt = (context: Record<string, string>) =>
                simulate({ principal, action: "kms:Decrypt", resource: keyArn, resourceAccount: PROD, identityPolicies: [identity], resourcePolicy: keyPolicy, context });
            assert.equal(await decrypt({ "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" }), "Allowed");
            assert.notEqual(await decrypt({}), "Allowed");
            assert.notEqual(await decrypt({ "kms:ViaService": "s3.us-east-1.amazonaws.com" }), "Allowed");
        });
        it("publishes metrics only in the FinLedger/Secrets namespace", async () => {
            const put = (namespace: string) =>
                simulate({ principal, action: "cloudwatch:PutMetricData", resource: "*", resourceAccount: PROD, identityPolicies: [identity], context: { "cloudwatch:namespace": namespace } });
            assert.equal(await put("FinLedger/Secrets"), "Allowed");
            assert.equal(await put("AWS/Lambda"), "ImplicitlyDenied");
        });
    });

    describe("expiry check role, with its planned inline policy", () => {
        const roleName = roleNames.expiryCheck(PREFIX);
        const bus = `arn:aws:events:us-east-1:${PROD}:event-bus/default`;
        const decide = (context?: Record<string, string | string[]>) => {
            const policy = resources().find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && String(r.name).includes("-expiry-check-"))!;
            assert.ok(policy, "the plan has the expiry check's inline policy");
            return simulate({ principal: `arn:aws:iam::${PROD}:role/${roleName}`, action: "events:PutEvents", resource: bus, resourceAccount: PROD, identityPolicies: [parse(policy.inputs.policy)], context });
        };

        it("may send its findings (events:source, one value per entry) and nothing with another source", async () => {
            assert.equal(await decide({ "events:source": ["finledger.audit"] }), "Allowed");
            assert.equal(await decide({ "events:source": ["finledger.audit", "finledger.audit"] }), "Allowed", "a batch of findings");
            assert.equal(await decide({ "events:source": ["aws.secretsmanager"] }), "ImplicitlyDenied");
            assert.equal(await decide({ "events:source": ["finledger.audit", "aws.iam"] }), "ImplicitlyDenied", "one entry with another source refuses the call");
            assert.equal(await decide(), "ImplicitlyDenied", "a call without a source is refused");
        });
    });
});
