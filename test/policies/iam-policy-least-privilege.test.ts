import { buildPlatformBoundary } from "../../components/github-deploy/guardrails";
import { PERMISSIONS_BOUNDARY_TAG } from "../../model/names";
import { iamPolicyLeastPrivilege as rule } from "../../policies/iam/policy-least-privilege";
import { ACCOUNTS, assertCompliant, assertViolation, target, withChange } from "../support/policy-fixtures";

const DEV = ACCOUNTS.dev;

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
