import { strict as assert } from "assert";
import { ENVIRONMENTS } from "../../model/config";
import { callsOf, DEPLOY_OPERATIONS, operationsOf, PlannedResource } from "../support/deploy-operations";
import { contradictions, describeContradictions, expectedCalls, isBootstrapOwned, SELF_LOCKED_CALLS, sufficiencyScope, unknownTypes } from "../support/deploy-sufficiency";

describe("GitHub deploy roles are sufficient for the plan they deploy (IAM simulation: the deploy role with AWS's ReadOnlyAccess, the preview role with its own read list)", function () {
    for (const environment of ENVIRONMENTS) {
        it(`every resource type of the ${environment} plan has its calls in the operations table`, () => {
            const scope = sufficiencyScope(environment);
            assert.deepEqual(unknownTypes(scope), [], "add these types to DEPLOY_OPERATIONS in test/support/deploy-operations.ts");
            assert.ok(scope.resources.some(isBootstrapOwned), "the plan has bootstrap-owned resources to protect");
        });

        it(`${environment} deploy role may make every call of create, update, delete, tag and refresh, and no write to bootstrap-owned resources`, async () => {
            const scope = sufficiencyScope(environment);
            const { checked, wrong, locked } = await contradictions(scope, "deploy");
            assert.ok(checked > 1000, `expected thousands of calls for the ${environment} plan, got ${checked}`);
            assert.equal(wrong.length, 0, `the deploy role of ${environment} contradicts the plan:\n${describeContradictions(wrong)}`);
            // Only the audit bucket's lock is denied by a policy of the platform's own, and only for the three actions named.
            assert.deepEqual([...new Set(locked.map((l) => l.action))].sort(), SELF_LOCKED_CALLS.map((l) => l.action).sort());
            const denied = expectedCalls(scope, "deploy").filter((c) => c.expect === "denied");
            for (const action of ["iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteOpenIDConnectProvider", "kms:PutKeyPolicy", "kms:UpdateAlias", "s3:PutBucketPolicy", "eks:CreateAccessEntry", "eks:AssociateAccessPolicy"]) {
                assert.ok(denied.some((c) => c.action === action), `the table asks that ${action} on a bootstrap-owned resource be denied`);
            }
        });

        it(`${environment} preview role may make every read of preview and refresh, and no write at all`, async () => {
            const scope = sufficiencyScope(environment);
            const { checked, wrong } = await contradictions(scope, "preview");
            assert.ok(checked > 1000, `expected thousands of calls for the ${environment} plan, got ${checked}`);
            assert.equal(wrong.length, 0, `the preview role of ${environment} contradicts the plan:\n${describeContradictions(wrong)}`);
        });
    }

    it("fails on a resource type the table does not know, naming the type and the file to extend", () => {
        const unknown = { urn: "urn:x", type: "aws:rds/instance:Instance", name: "db", parent: undefined, inputs: {}, outputs: {} } as unknown as PlannedResource;
        assert.equal(operationsOf(unknown.type), undefined);
        assert.throws(() => callsOf(unknown, "create", { accountId: "111122223333", region: "us-east-1", clusterName: "c", keyArnById: new Map() }), /aws:rds\/instance:Instance.*DEPLOY_OPERATIONS.*test\/support\/deploy-operations\.ts/);
    });

    it("treats components, Kubernetes and Snowflake objects as outside IAM, and every AWS type as calls on ARNs", () => {
        assert.equal(operationsOf("finledger:secrets:ManagedSecret")?.kind, "none");
        assert.equal(operationsOf("kubernetes:core/v1:Namespace")?.kind, "none");
        // Snowflake resources need no AWS action: the deploy role is granted none for them, and none is missing.
        for (const type of ["snowflake:index/serviceUser:ServiceUser", "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole", "pulumi:providers:snowflake"]) {
            assert.deepEqual(operationsOf(type), { kind: "none", why: (operationsOf(type) as { why: string }).why }, type);
            assert.match((operationsOf(type) as { why: string }).why, /makes no AWS call/);
        }
        assert.equal(operationsOf("snowflakeish:index/x:X"), undefined, "only the snowflake package is exempt");
        for (const [type, ops] of Object.entries(DEPLOY_OPERATIONS)) assert.equal(ops.kind, "aws", type);
    });
});
