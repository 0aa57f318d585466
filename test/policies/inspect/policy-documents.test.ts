import { strict as assert } from "assert";
import { accountOfArn, conditionValues, findPolicyDocuments, principalValues, statementsOf } from "../../../policies/inspect/policy-documents";
import { actionMatches, expandAction } from "../../../policies/inspect/iam-actions";
import { UNKNOWN_SENTINELS } from "../../../policies/inspect/values";

const UNKNOWN = [...UNKNOWN_SENTINELS][0];
const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });

describe("inspect/policy-documents: IAM documents found and normalised wherever they hide", () => {
    it("normalises a statement: lists, Not* flags, principals and conditions, leaving unknowns out", () => {
        const [s] = statementsOf(
            doc({ Sid: "S1", Effect: "Allow", NotPrincipal: { AWS: ["arn:aws:iam::402817365190:role/a", UNKNOWN, 7] }, NotAction: "s3:*", NotResource: ["r1", UNKNOWN], Condition: { StringEquals: { "aws:PrincipalAccount": ["402817365190", UNKNOWN], n: 5 }, Bool: "x" } }),
        )!;
        assert.deepEqual(s, {
            sid: "S1",
            effect: "Allow",
            principal: { AWS: ["arn:aws:iam::402817365190:role/a"] },
            notPrincipal: true,
            actions: ["s3:*"],
            notAction: true,
            resources: ["r1"],
            notResource: true,
            conditions: { StringEquals: { "aws:PrincipalAccount": ["402817365190"], n: ["5"] }, Bool: {} },
        });
        const [t] = statementsOf(doc({ Sid: 3, Effect: 4, Principal: "*", Action: "a:b", Resource: "*" }))!;
        assert.deepEqual([t.sid, t.effect, t.principal, t.notPrincipal, t.notAction, t.notResource, t.actions, t.resources], [undefined, "", "*", false, false, false, ["a:b"], ["*"]]);
        assert.equal(statementsOf(doc({ Effect: "Allow", Principal: "x" }))![0].principal, undefined, "a principal that is neither * nor a map");
    });
    it("reads documents as objects or JSON text, a single statement as a list, and ignores what is not a document", () => {
        assert.equal(statementsOf(JSON.stringify(doc({ Effect: "Deny" })))![0].effect, "Deny");
        assert.equal(statementsOf({ Statement: { Effect: "Allow" } })!.length, 1);
        assert.deepEqual(statementsOf({ Statement: ["x", null, { Effect: "Allow" }] })!.map((s) => s.effect), ["Allow"]);
        assert.equal(statementsOf({ Version: "2012-10-17" }), undefined);
        assert.equal(statementsOf("not json"), undefined);
        assert.equal(statementsOf(null), undefined);
    });
    it("finds every document with its path and kind: trust, key, resource or identity", () => {
        const props = {
            assumeRolePolicy: JSON.stringify(doc({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" })),
            inlinePolicies: [{ name: "p", policy: JSON.stringify(doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" })) }],
            bucketPolicy: doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }),
            note: "Statement words in a short text",
            short: "Statement",
            list: [[doc({ Effect: "Deny", Action: "*", Resource: "*" })]],
        };
        assert.deepEqual(findPolicyDocuments("aws:iam/role:Role", props).map((d) => `${d.path} ${d.kind} ${d.statements.length}`), ["assumeRolePolicy trust 1", "inlinePolicies[0].policy identity 1", "bucketPolicy resource 1", "list[0][0] identity 1"]);
        assert.deepEqual(findPolicyDocuments("aws:kms/key:Key", { policy: doc({ Effect: "Allow", Principal: { AWS: "x" } }) }).map((d) => d.kind), ["key"]);
        assert.deepEqual(findPolicyDocuments("aws:kms/replicaKey:ReplicaKey", { policy: doc({ Effect: "Allow" }) }).map((d) => d.kind), ["key"]);
        assert.deepEqual(findPolicyDocuments("aws:s3/bucketPolicy:BucketPolicy", { nested: { assumeRolePolicyX: doc({ Effect: "Allow" }) } }).map((d) => `${d.path} ${d.kind}`), ["nested.assumeRolePolicyX identity"]);
        assert.deepEqual(findPolicyDocuments("t", "x"), []);
    });
    it("takes a document as a resource policy when any one statement names a principal, and reads documents down to 32 levels", () => {
        const mixed = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }, { Effect: "Allow", Principal: { AWS: "x" }, Action: "s3:GetObject", Resource: "*" }] };
        assert.deepEqual(findPolicyDocuments("aws:s3/bucketPolicy:BucketPolicy", { policy: mixed }).map((d) => d.kind), ["resource"]);
        const nested = (levels: number) => {
            let value: unknown = doc({ Effect: "Allow" });
            for (let i = 0; i < levels; i++) value = { d: value };
            return value;
        };
        assert.equal(findPolicyDocuments("t", nested(32)).length, 1, "32 levels down");
        assert.equal(findPolicyDocuments("t", nested(33)).length, 0, "33 levels down");
    });
    it("stops at cycles and at 32 levels, and answers again from its memo for the same properties", () => {
        const cyclic: Record<string, unknown> = { p: doc({ Effect: "Allow" }) };
        cyclic.self = cyclic;
        assert.equal(findPolicyDocuments("t", cyclic).length, 1);
        let deep: unknown = doc({ Effect: "Allow" });
        for (let i = 0; i < 40; i++) deep = { d: deep };
        assert.deepEqual(findPolicyDocuments("t", deep), []);
        const props = { policy: doc({ Effect: "Allow" }) };
        const first = findPolicyDocuments("aws:iam/policy:Policy", props);
        assert.equal(findPolicyDocuments("aws:iam/policy:Policy", props), first);
        assert.equal(findPolicyDocuments("aws:kms/key:Key", props)[0].kind, "key", "another type is walked again");
    });
    it("flattens principals and conditions, and reads the account of an ARN", () => {
        const [s] = statementsOf(doc({ Effect: "Allow", Principal: { AWS: ["a", "b"], Service: "c" }, Condition: { StringEquals: { k1: ["v1", "v2"] }, StringLike: { k2: "v3" } } }))!;
        assert.deepEqual(principalValues(s), ["a", "b", "c"]);
        assert.deepEqual(principalValues({ ...s, principal: "*" }), ["*"]);
        assert.deepEqual(principalValues({ ...s, principal: undefined }), []);
        assert.deepEqual(conditionValues(s), [
            { operator: "StringEquals", key: "k1", value: "v1" },
            { operator: "StringEquals", key: "k1", value: "v2" },
            { operator: "StringLike", key: "k2", value: "v3" },
        ]);
        assert.equal(accountOfArn("arn:aws:iam::402817365190:role/x"), "402817365190");
        assert.equal(accountOfArn("arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/x"), "123456789012");
        assert.equal(accountOfArn("arn:aws:s3:::bucket"), undefined);
        assert.equal(accountOfArn("x arn:aws:iam::402817365190:role/x"), undefined);
    });
    it("matches action patterns case-insensitively and expands them within their own service only", () => {
        assert.equal(actionMatches("*", "kms:Decrypt"), true);
        assert.equal(actionMatches("KMS:decrypt", "kms:Decrypt"), true);
        assert.equal(actionMatches("kms:Decrypt", "kms:DecryptX"), false);
        assert.equal(actionMatches("kms:De?rypt", "kms:Decrypt"), true);
        assert.equal(actionMatches("kms:De*", "kms:Decrypt"), true);
        assert.equal(actionMatches("kms:De*", "xkms:Decrypt"), false);
        assert.equal(actionMatches("kms.De*", "kmsxDecrypt"), false, "a dot is a dot");
        assert.deepEqual(expandAction("*:GetSecretValue"), []);
        assert.deepEqual(expandAction("secrets?manager:GetSecretValue"), []);
        assert.deepEqual(expandAction(":x"), []);
        assert.deepEqual(expandAction("nosuchservice:Get*"), []);
        assert.deepEqual(expandAction("Secretsmanager:GetSecretValue"), ["secretsmanager:GetSecretValue"]);
        assert.deepEqual(expandAction("../x:Get*"), []);
    });
});
