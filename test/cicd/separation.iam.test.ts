// The escalation paths of docs/threat-model.md, for both CI roles of every environment, under IAM simulation of the
// planned policies: each is denied here, or its detection is tested in test/audit/detections.test.ts.
import { strict as assert } from "assert";
import { passedRoles, platformBoundaryArn, PROGRAM_SECRET_TAG_KEYS } from "../../components/github-deploy";
import { PolicyDocument } from "../../components/iam";
import { roleNames } from "../../model/names";
import { TAG } from "../../model/names";
import { ENVIRONMENTS } from "../../model/config";
import type { PlanReport } from "../../tools/plan/report";
import { planReport } from "../support/plan-cli";
import { decide, Decision, plannedEnvironment, PlanIam, PlannedRole } from "../support/plan-iam";

type Resource = PlanReport["resources"][number];
const inputs = (r: Resource) => r.inputs as Record<string, any>;
const outputs = (r: Resource) => r.outputs as Record<string, any>;

/** The service that takes a role, by the resource type and input that passes it. */
const PASSING_INPUTS: Record<string, { input: string; service: string }> = {
    "aws:lambda/function:Function": { input: "role", service: "lambda.amazonaws.com" },
    "aws:cloudtrail/trail:Trail": { input: "cloudWatchLogsRoleArn", service: "cloudtrail.amazonaws.com" },
    "aws:cloudwatch/eventTarget:EventTarget": { input: "roleArn", service: "events.amazonaws.com" },
};

/** Every role ARN the plan hands to a service, read from the plan; a role-valued input of an unknown type fails. */
function rolesPassedByThePlan(resources: Resource[]): Map<string, string> {
    const passed = new Map<string, string>();
    for (const r of resources) {
        if (r.type.startsWith("aws:iam/")) continue;
        // An EKS access entry (and an access policy associated with it) names the principal the cluster maps to a group
        // or policy; no service takes (or is passed) the role.
        if (r.type === "aws:eks/accessEntry:AccessEntry" || r.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation") continue;
        for (const [key, value] of Object.entries(inputs(r) ?? {})) {
            if (typeof value !== "string" || !/^arn:aws:iam::\d{12}:role\//.test(value)) continue;
            const known = PASSING_INPUTS[r.type];
            assert.ok(known && known.input === key, `${r.type}.${key} passes role ${value}; add the type and its service to PASSING_INPUTS and to passedRoles()`);
            passed.set(value, known.service);
        }
    }
    return passed;
}

interface Setup {
    readonly env: PlanIam;
    readonly resources: Resource[];
    readonly boundary: PolicyDocument;
    readonly boundaryArn: string;
}

const setups = new Map<string, Setup>();
function setup(environment: string): Setup {
    const cached = setups.get(environment);
    if (cached) return cached;
    const env = plannedEnvironment(environment);
    const resources = planReport(environment).resources;
    const prefix = `fl-${environment}`;
    const boundaryArn = platformBoundaryArn(env.accountId, prefix);
    const policy = resources.find((r) => r.type === "aws:iam/policy:Policy" && inputs(r).name === `${prefix}-platform-boundary`);
    assert.ok(policy, `the ${environment} plan creates the boundary policy`);
    const s = { env, resources, boundary: JSON.parse(inputs(policy!).policy) as PolicyDocument, boundaryArn };
    setups.set(environment, s);
    return s;
}

/** A platform role as a hostile deploy run could leave it: its inline policy replaced by Allow * on *, the boundary kept. */
function widened(s: Setup, roleName: string): PlannedRole {
    return {
        name: roleName,
        arn: `arn:aws:iam::${s.env.accountId}:role/${roleName}`,
        trust: { Version: "2012-10-17", Statement: [] },
        identityPolicies: [{ name: "widened", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } }],
    };
}

for (const environment of ENVIRONMENTS) {
    describe(`separation of duties in ${environment}: a hostile deploy run or pull request under IAM simulation`, function () {
        const prefix = `fl-${environment}`;
        const deploy = (action: string, resourceArn: string, context: Record<string, string | string[]> = {}): Promise<Decision> => {
            const { env } = setup(environment);
            return decide({ role: env.deployRole, action, resourceArn, resourceAccount: env.accountId, context });
        };
        const preview = (action: string, resourceArn: string, resourcePolicy?: PolicyDocument): Promise<Decision> => {
            const { env } = setup(environment);
            return decide({ role: env.previewRole, action, resourceArn, resourceAccount: env.accountId, resourcePolicy });
        };
        const role = (name: string) => `arn:aws:iam::${setup(environment).env.accountId}:role/${name}`;

        it("every role the deploy run creates carries the platform boundary; only the CI roles, which it cannot touch, do not", () => {
            const { resources, boundaryArn } = setup(environment);
            const roles = resources.filter((r) => r.type === "aws:iam/role:Role");
            const without = roles.filter((r) => inputs(r).permissionsBoundary !== boundaryArn).map((r) => outputs(r).name).sort();
            assert.deepEqual(without, [roleNames.githubDeploy(prefix), roleNames.githubPreview(prefix), roleNames.githubSigner(prefix)].sort());
            assert.ok(roles.length > 20, `expected the full set of platform roles, found ${roles.length}`);
        });

        it("the deploy role creates or rewrites a platform role only with the boundary on it", async () => {
            const { boundaryArn } = setup(environment);
            const target = role(roleNames.workload(prefix, "airflow-payments"));
            for (const action of ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"]) {
                assert.equal(await deploy(action, target, { "iam:PermissionsBoundary": boundaryArn }), "Allowed", `${action} with the boundary`);
                assert.equal(await deploy(action, target), "ExplicitlyDenied", `${action} without a boundary`);
                assert.equal(await deploy(action, target, { "iam:PermissionsBoundary": `arn:aws:iam::${setup(environment).env.accountId}:policy/${prefix}-wide-open` }), "ExplicitlyDenied", `${action} under another boundary`);
            }
            assert.equal(await deploy("iam:DeleteRolePermissionsBoundary", target), "ExplicitlyDenied");
        });

        it("the deploy role can neither rewrite nor delete the boundary, nor attach it or an AWS managed policy as a grant", async () => {
            const { boundaryArn, env } = setup(environment);
            for (const action of ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion"]) {
                assert.equal(await deploy(action, boundaryArn), "ExplicitlyDenied", action);
            }
            const target = role(roleNames.rotation(prefix, "postgres-alternating-users"));
            for (const policyArn of [boundaryArn, "arn:aws:iam::aws:policy/AdministratorAccess", "arn:aws:iam::aws:policy/SecretsManagerReadWrite"]) {
                assert.equal(await deploy("iam:AttachRolePolicy", target, { "iam:PermissionsBoundary": boundaryArn, "iam:PolicyARN": policyArn }), "ExplicitlyDenied", policyArn);
            }
            assert.equal(
                await deploy("iam:AttachRolePolicy", target, { "iam:PermissionsBoundary": boundaryArn, "iam:PolicyARN": `arn:aws:iam::${env.accountId}:policy/${prefix}-shared-read` }),
                "Allowed",
                "the environment's own managed policy, under the boundary",
            );
        });

        it("the deploy role cannot create or widen an identity provider, nor touch the CI roles", async () => {
            const { env } = setup(environment);
            for (const action of ["iam:CreateOpenIDConnectProvider", "iam:CreateSAMLProvider"]) assert.equal(await deploy(action, "*"), "ExplicitlyDenied", action);
            for (const action of ["iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider"]) {
                assert.equal(await deploy(action, `arn:aws:iam::${env.accountId}:oidc-provider/attacker.example`), "ExplicitlyDenied", action);
            }
            for (const ci of [env.deployRole.arn, env.previewRole.arn]) assert.equal(await deploy("iam:UpdateAssumeRolePolicy", ci), "ExplicitlyDenied", ci);
        });

        it("the deploy role passes exactly the roles the plan passes, each only to the service that takes it", async () => {
            const { resources, boundaryArn } = setup(environment);
            const planned = rolesPassedByThePlan(resources);
            const declared = passedRoles(prefix);
            assert.ok(planned.size >= 5, `the plan passes ${planned.size} roles`);
            for (const [arn, service] of planned) {
                const name = arn.split("/").pop()!;
                assert.ok(declared.some((d) => d.service === service && new RegExp(`^${d.roleName.replace(/\*/g, ".*")}$`).test(name)), `passedRoles() declares ${name} for ${service}`);
                assert.equal(await deploy("iam:PassRole", arn, { "iam:PassedToService": service }), "Allowed", `${name} to ${service}`);
                for (const other of ["ec2.amazonaws.com", "lambda.amazonaws.com", "events.amazonaws.com", "glue.amazonaws.com"].filter((s) => s !== service)) {
                    assert.equal(await deploy("iam:PassRole", arn, { "iam:PassedToService": other }), "ExplicitlyDenied", `${name} to ${other}`);
                }
            }
            const notPassed = resources
                .filter((r) => r.type === "aws:iam/role:Role" && inputs(r).permissionsBoundary === boundaryArn)
                .map((r) => String(outputs(r).arn))
                .filter((arn) => !planned.has(arn));
            assert.ok(notPassed.length > 10);
            for (const arn of notPassed) {
                for (const service of ["lambda.amazonaws.com", "ec2.amazonaws.com"]) {
                    assert.equal(await deploy("iam:PassRole", arn, { "iam:PassedToService": service }), "ExplicitlyDenied", `${arn} to ${service}`);
                }
            }
        });

        it("neither CI role can invoke a function or read a log event", async () => {
            const { resources, env } = setup(environment);
            const functions = resources.filter((r) => r.type === "aws:lambda/function:Function").map((r) => String(outputs(r).arn));
            assert.ok(functions.length >= 4);
            for (const fn of functions) {
                assert.equal(await deploy("lambda:InvokeFunction", fn), "ExplicitlyDenied", fn);
                assert.equal(await preview("lambda:InvokeFunction", fn), "ExplicitlyDenied", fn);
            }
            const groups = resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup").map((r) => String(outputs(r).arn ?? `arn:aws:logs:us-east-1:${env.accountId}:log-group:${inputs(r).name}`));
            assert.ok(groups.some((g) => g.includes("/aws/lambda/")), "the rotation functions' log groups are in the plan");
            // GetLogEvents names a stream; the others name the group.
            const target = (action: string, group: string) => (action === "logs:GetLogEvents" ? `${group.replace(/:\*$/, "")}:log-stream:2026/12/02/[$LATEST]0a1b` : group.replace(/:\*$/, ""));
            for (const group of groups) {
                for (const action of ["logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:PutSubscriptionFilter"]) {
                    assert.equal(await deploy(action, target(action, group)), "ExplicitlyDenied", `deploy ${action} on ${group}`);
                }
                for (const action of ["logs:GetLogEvents", "logs:FilterLogEvents"]) assert.equal(await preview(action, target(action, group)), "ExplicitlyDenied", `preview ${action} on ${group}`);
            }
        });

        it("the deploy role sets only the program's tag keys on secrets, and the access tags only when a secret is created", async () => {
            const { env } = setup(environment);
            const secret = env.secrets[0].arn;
            const existing = { [`aws:ResourceTag/${TAG.environment}`]: environment, [`aws:ResourceTag/${TAG.rotationStrategy}`]: "postgres-alternating-users" };
            const tag = (keys: string[], context: Record<string, string> = existing) => deploy("secretsmanager:TagResource", secret, { "aws:TagKeys": keys, ...context });
            assert.equal(await tag([TAG.owner, TAG.criticality]), "Allowed", "program keys on an existing secret");
            assert.equal(await tag(PROGRAM_SECRET_TAG_KEYS.filter((k) => k !== TAG.environment && k !== TAG.rotationStrategy)), "Allowed", "every non-access program key");
            assert.equal(await tag(["grants"]), "ExplicitlyDenied", "a key the program does not set");
            assert.equal(await tag([TAG.owner, "team-access"]), "ExplicitlyDenied", "a foreign key smuggled with a program key");
            assert.equal(await tag([TAG.rotationStrategy]), "ExplicitlyDenied", "retagging an existing secret's rotation strategy");
            assert.equal(await tag([TAG.environment]), "ExplicitlyDenied", "retagging an existing secret's environment");
            assert.equal(await deploy("secretsmanager:UntagResource", secret, { "aws:TagKeys": [TAG.rotationStrategy], ...existing }), "ExplicitlyDenied", "removing an access tag");
            assert.equal(await tag([TAG.environment, TAG.rotationStrategy, TAG.owner], {}), "Allowed", "access tags on a secret being created (no tag yet)");
        });

        it("the preview role reads objects of the state bucket only", async () => {
            const { env } = setup(environment);
            assert.equal(await preview("s3:GetObject", `arn:aws:s3:::${env.stateBucket.name}/.pulumi/stacks/finledger-secrets-platform/${environment}.json`, env.stateBucket.policy), "Allowed");
            for (const bucket of [`${prefix}-audit-trail-${env.accountId}`, `${prefix}-audit-access-logs-${env.accountId}`, "some-data-lake"]) {
                for (const action of ["s3:GetObject", "s3:GetObjectVersion"]) assert.equal(await preview(action, `arn:aws:s3:::${bucket}/any/object`), "ExplicitlyDenied", `${action} in ${bucket}`);
            }
        });

        it("a platform role whose policy a hostile run widened to everything still reads no other environment's secret, and no value if its purpose needs none", async () => {
            const s = setup(environment);
            const other = ENVIRONMENTS.find((e) => e !== environment)!;
            const secret = s.env.secrets[0].arn;
            const asRole = (name: string, action: string, envTag: string) =>
                decide({ role: widened(s, name), action, resourceArn: secret, resourceAccount: s.env.accountId, boundary: s.boundary, context: { [`aws:ResourceTag/${TAG.environment}`]: envTag } });
            const rotation = roleNames.rotation(prefix, "postgres-alternating-users");
            assert.equal(await asRole(rotation, "secretsmanager:GetSecretValue", environment), "Allowed", "the boundary leaves the role's own environment to its policy");
            assert.equal(await asRole(rotation, "secretsmanager:GetSecretValue", other), "ExplicitlyDenied", "a secret tagged for another environment");
            for (const name of [roleNames.esoController(prefix), roleNames.expiryCheck(prefix), roleNames.eventForwarder(prefix), roleNames.cloudTrailLogs(prefix)]) {
                for (const action of ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]) assert.equal(await asRole(name, action, environment), "ExplicitlyDenied", `${name} ${action}`);
            }
            const workload = roleNames.workload(prefix, "airflow-payments");
            const boundaryAction = (action: string, resourceArn: string) => decide({ role: widened(s, workload), action, resourceArn, resourceAccount: s.env.accountId, boundary: s.boundary });
            assert.equal(await boundaryAction("iam:DeleteRolePermissionsBoundary", role(workload)), "ExplicitlyDenied");
            assert.equal(await boundaryAction("iam:CreatePolicyVersion", s.boundaryArn), "ExplicitlyDenied");
            assert.equal(await boundaryAction("iam:UpdateAssumeRolePolicy", s.env.deployRole.arn), "ExplicitlyDenied");
        });
    });
}
