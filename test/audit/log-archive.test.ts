// The log-archive option: the stack only references a bucket that a separate account owns, and that account's
// bucket policy (built by the same builder) keeps each environment's trail in its own prefix.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { AuditTrail, buildTrailBucketPolicy, trailArn } from "../../components/audit-trail";
import { PlatformMocks } from "../../tools/plan/mocks";
import { promiseOf } from "../support/pulumi";
import { simulate } from "../support/iam-simulator";
import { ACCOUNTS, DEV } from "../support/accounts";
const PROD = ACCOUNTS.prod;
const STAGING = ACCOUNTS.staging;

// An organisation log-archive account; not an environment.
const ARCHIVE = "990011223344";
const ARCHIVE_BUCKET = "finledger-log-archive-cloudtrail";

describe("audit trail with a separate log-archive account", () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];

    before(async () => {
        class RecordingMocks extends PlatformMocks {
            newResource(args: pulumi.runtime.MockResourceArgs) {
                registered.push(args);
                return super.newResource(args);
            }
        }
        await pulumi.runtime.setMocks(new RecordingMocks({ accountId: PROD, region: "us-east-1" }), "finledger-secrets-platform", "prod", false);
        const trail = new AuditTrail("fl-prod-audit", {
            environment: "prod",
            accountId: PROD,
            region: "us-east-1",
            otherRegions: ["us-west-2"],
            namePrefix: "fl-prod",
            cloudTrailLogsRoleName: "fl-prod-cloudtrail-logs",
            logArchive: { accountId: ARCHIVE, bucketName: ARCHIVE_BUCKET },
        });
        await promiseOf(trail.trailArn);
        await promiseOf(trail.key.arn);
    });

    it("creates no trail bucket, lock or bucket policy of its own and delivers to the archive bucket", () => {
        const trail = registered.find((r) => r.type === "aws:cloudtrail/trail:Trail")!;
        assert.equal(trail.inputs.s3BucketName, ARCHIVE_BUCKET);
        assert.equal(registered.filter((r) => r.type === "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").length, 0);
        const buckets = registered.filter((r) => r.type === "aws:s3/bucket:Bucket").map((r) => r.inputs.bucket);
        assert.deepEqual(buckets, [`fl-prod-audit-query-results-${PROD}`]);
        const policies = registered.filter((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy").map((r) => r.name);
        assert.deepEqual(policies, ["fl-prod-audit-query-results-policy"]);
    });

    it("lets readers of the archive account decrypt CloudTrail logs, and names no other environment", () => {
        const key = registered.find((r) => r.type === "aws:kms/key:Key")!;
        const policy = JSON.parse(key.inputs.policy);
        const readers = policy.Statement.find((s: { Sid: string }) => s.Sid === "LogReadersDecryptCloudTrailLogs");
        assert.deepEqual(readers.Principal.AWS, [`arn:aws:iam::${PROD}:root`, `arn:aws:iam::${ARCHIVE}:root`]);
        assert.ok(!key.inputs.policy.includes(DEV) && !key.inputs.policy.includes(STAGING));
    });

    it("the archive bucket policy keeps each environment's trail in its own AWSLogs prefix", async () => {
        const trails = [
            { accountId: DEV, trailArn: trailArn("us-east-1", DEV, "fl-dev-audit") },
            { accountId: STAGING, trailArn: trailArn("us-east-1", STAGING, "fl-staging-audit") },
            { accountId: PROD, trailArn: trailArn("us-east-1", PROD, "fl-prod-audit") },
        ];
        const policy = buildTrailBucketPolicy({ bucketName: ARCHIVE_BUCKET, trails });
        const deliver = (prefixAccount: string, sourceTrail: string) =>
            simulate({
                principal: "cloudtrail.amazonaws.com",
                action: "s3:PutObject",
                resource: `arn:aws:s3:::${ARCHIVE_BUCKET}/AWSLogs/${prefixAccount}/CloudTrail/us-east-1/2027/01/05/x.json.gz`,
                resourceAccount: ARCHIVE,
                resourcePolicy: policy,
                context: { "aws:SecureTransport": "true", "aws:PrincipalIsAWSService": "true", "aws:SourceArn": sourceTrail, "s3:x-amz-acl": "bucket-owner-full-control" },
            });
        assert.equal(await deliver(PROD, trails[2].trailArn), "Allowed");
        assert.equal(await deliver(DEV, trails[0].trailArn), "Allowed");
        assert.notEqual(await deliver(DEV, trails[2].trailArn), "Allowed", "prod's trail cannot write into dev's prefix");
        const tamper = await simulate({
            principal: `arn:aws:iam::${PROD}:role/fl-prod-github-deploy`,
            action: "s3:DeleteObject",
            resource: `arn:aws:s3:::${ARCHIVE_BUCKET}/AWSLogs/${PROD}/CloudTrail/us-east-1/2027/01/05/x.json.gz`,
            resourceAccount: ARCHIVE,
            identityPolicies: [{ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }],
            resourcePolicy: policy,
            context: { "aws:SecureTransport": "true" },
        });
        assert.equal(tamper, "ExplicitlyDenied");
    });
});
