import { strict as assert } from "assert";
import fc from "fast-check";
import { policies } from "../../policies/registry";
import { PolicyTarget, runPolicies } from "../../tools/policy-runner";

const UNKNOWNS = ["04da6b54-80e4-46f7-96ec-b56ff0331ba9", "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", "3eeb2bf0-c639-47a8-9e75-3b44932eb421", "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", "dd056dcd-154b-4c76-9bd3-c8f88648b5ff"];
const TYPES = [
    "aws:secretsmanager/secret:Secret",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:secretsmanager/secretRotation:SecretRotation",
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:kms/key:Key",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketV2:BucketV2",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
    "aws:cloudtrail/trail:Trail",
    "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:helm.sh/v3:Release",
    "kubernetes:external-secrets.io/v1:ExternalSecret",
    "snowflake:index/serviceUser:ServiceUser",
    "snowflake:index/user:User",
    "pulumi:providers:aws",
    "random:index/randomThing:Thing",
];
const KEYS = ["policy", "assumeRolePolicy", "Statement", "Effect", "Principal", "Action", "Resource", "Condition", "kmsKeyId", "replicas", "tags", "data", "stringData", "values", "env", "name", "value", "password", "rsaPublicKey", "rotationRules", "secretId", "s3BucketName", "allowedAccountIds", "enableKeyRotation", "spec", "remoteRef", "key", "AWS", "Federated", "StringEquals", "criticality", "rotation-days", "expires-at"];

/** Values of every awkward kind: unknowns, wrong types, JSON-looking strings, deep nesting and huge strings. */
const leaf = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.constantFrom(...UNKNOWNS),
    fc.constant("[secret]"),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.string(),
    fc.constantFrom("*", "kms:*", "Allow", "Deny", "arn:aws:iam::736491028554:root", "{\"Statement\":", "{\"Statement\":{}}", "{\"Statement\":[null,1,\"x\"]}", "cron(0 0 1 * ? *)", "rate(x days)", "system:serviceaccount:a:*"),
    fc.nat({ max: 3 }).map((n) => "x".repeat(n === 0 ? 100_000 : n * 10)),
    fc.string().map((s) => JSON.stringify({ Statement: [{ Effect: "Allow", Principal: s, Action: s, Resource: s, Condition: { StringEquals: { [s]: s } } }] })),
);
const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, fc.array(tie("value"), { maxLength: 4 }), fc.dictionary(fc.constantFrom(...KEYS), tie("value"), { maxKeys: 5 })),
}));
const deep = fc.nat({ max: 200 }).map((depth) => {
    let v: unknown = "leaf";
    for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { Statement: v } : [v];
    return v;
});
const props = fc.oneof(fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(value, deep), { maxKeys: 8 }), fc.dictionary(fc.string(), value, { maxKeys: 4 }));

const resource = fc.record({ type: fc.constantFrom(...TYPES), name: fc.string({ minLength: 1, maxLength: 12 }), stack: fc.constantFrom("dev", "staging", "prod", "qa", ""), inputs: props, outputs: props });

describe("the pack is robust against whatever a resource holds", function () {
    this.timeout(600_000);

    it("10,000 generated resources: no rule throws and no promise is left unhandled", async () => {
        const unhandled: unknown[] = [];
        const onUnhandled = (reason: unknown) => unhandled.push(reason);
        process.on("unhandledRejection", onUnhandled);
        try {
            let total = 0;
            const batches = fc.sample(fc.array(resource, { minLength: 500, maxLength: 500 }), { numRuns: 20, seed: 20261128 });
            for (const [b, batch] of batches.entries()) {
                const targets: PolicyTarget[] = batch.map((r, i) => ({
                    urn: `urn:pulumi:${r.stack}::finledger-secrets-platform::${r.type}::${r.name}-${b}-${i}`,
                    type: r.type,
                    name: r.name,
                    custom: true,
                    dependencies: [],
                    propertyDependencies: {},
                    protect: false,
                    ignoreChanges: [],
                    inputs: r.inputs as Record<string, unknown>,
                    outputs: r.outputs as Record<string, unknown>,
                    hasUnknowns: i % 2 === 0,
                }));
                total += targets.length;
                const violations = await runPolicies(targets, policies, {});
                const crashes = violations.filter((v) => /The rule failed to run/.test(v.message));
                assert.deepEqual(crashes.slice(0, 3), [], `batch ${b}: a rule threw`);
                for (const v of violations) assert.equal(typeof v.message, "string");
            }
            await new Promise((resolve) => setImmediate(resolve));
            assert.equal(total, 10_000);
            assert.deepEqual(unhandled, []);
        } finally {
            process.off("unhandledRejection", onUnhandled);
        }
    });

    it("a property-based run of single resources never makes a rule throw (shrinks to the smallest failing value)", async () => {
        await fc.assert(
            fc.asyncProperty(resource, async (r) => {
                const t: PolicyTarget = { urn: `urn:pulumi:${r.stack}::p::${r.type}::${r.name}`, type: r.type, name: r.name, custom: true, dependencies: [], propertyDependencies: {}, protect: false, ignoreChanges: [], inputs: r.inputs as Record<string, unknown>, outputs: r.outputs as Record<string, unknown>, hasUnknowns: true };
                const violations = await runPolicies([t], policies, {});
                return !violations.some((v) => /The rule failed to run/.test(v.message));
            }),
            { numRuns: 300, seed: 42 },
        );
    });
});
