// The platform change check's policy and function parts (docs/threat-model.md, paths 7 and 2), end to end: the
// allowances the plans ship against every inline policy and function of the three plans (both ways), the pure judges
// against look-alikes, the planned rule in a real EventBridge (moto) against CloudTrail-shaped samples, the bundled
// function against moto (IAM for a policy case, Lambda's GetFunctionConfiguration for a configuration case, findings
// routed by the planned detection), and the function role's new read by simulation.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { zipSync } from "fflate";
import { SQSClient } from "@aws-sdk/client-sqs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { drainQueue, plannedRule, ruleIntoQueue } from "../support/rule-queues";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, LambdaClient, UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { deploySessionPrefix } from "../../components/separation-detections";
import { changedPlatformFunction, FUNCTION_ALLOWANCE_FILE, FunctionAllowance, FunctionChangeEvent, FunctionConfigurationRead, judgeFunctionConfiguration } from "../../functions/trust-check/function-judge";
import { judgePolicyChange, patternCovers, POLICY_ALLOWANCE_FILE, PolicyAllowance, PolicyChangeEvent, PolicyFinding } from "../../functions/trust-check/policy-judge";
import { LAMBDA_RUNTIME } from "../../functions/bundle";
import { ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { functionNames, roleNames, rotationFunctionName } from "../../model/names";
import type { PlanReport } from "../../tools/plan/report";
import { ACCOUNTS, DEV } from "../support/accounts";
import { simulate } from "../support/iam-simulator";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";
import { planReport, PROJECT_DIR } from "../support/plan-cli";
import { shippedCheckFile, shippedCheckPackage } from "../support/shipped-check";
import { apiCall, Caller } from "./cloudtrail-samples";

const PROD = ACCOUNTS.prod;
const PREFIX = "fl-prod";
type Resource = PlanReport["resources"][number];
type Doc = { Version: string; Statement: Array<Record<string, any>> };
const inputs = (r: Resource) => r.inputs as Record<string, any>;
const outputs = (r: Resource) => r.outputs as Record<string, any>;
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** Every inline policy of a plan: role, name (as AWS will hold it) and document. */
const plannedPolicies = (environment: string) =>
    planReport(environment)
        .resources.filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy")
        .map((r) => ({ role: String(inputs(r).role), name: String(outputs(r).name), document: String(inputs(r).policy) }));
const plannedFunctions = (environment: string) => planReport(environment).resources.filter((r) => r.type === "aws:lambda/function:Function").map(inputs);

const sso: Caller = { kind: "role", accountId: PROD, roleName: "AWSReservedSSO_AdministratorAccess_0123456789abcdef" };
const deployRun: Caller = { kind: "role", accountId: PROD, roleName: roleNames.githubDeploy(PREFIX), sessionName: `${deploySessionPrefix("prod")}8812345678` };

/** A CloudTrail record of PutRolePolicy, as EventBridge delivers its detail. */
function putRolePolicy(roleName: string, policyName: string, document: unknown, caller: Caller = deployRun) {
    const policyDocument = typeof document === "string" ? document : JSON.stringify(document);
    return apiCall({ accountId: PROD, service: "iam", eventName: "PutRolePolicy", caller, requestParameters: { roleName, policyName, policyDocument } });
}
const attachRolePolicy = (roleName: string, policyArn: string, caller: Caller = deployRun) => apiCall({ accountId: PROD, service: "iam", eventName: "AttachRolePolicy", caller, requestParameters: { roleName, policyArn } });
const lambdaChange = (functionName: string, extra: Record<string, unknown> = {}, eventName = "UpdateFunctionConfiguration20150331v2", caller: Caller = deployRun) =>
    apiCall({ accountId: PROD, service: "lambda", eventName, caller, requestParameters: { functionName, ...extra } });

describe("platform change check: the policy allowance is exactly the plans' policies", () => {
    for (const environment of ENVIRONMENTS) {
        it(`${environment}: every planned inline policy passes, the CI roles' are flagged as bootstrap-owned, and the allowance holds no policy, statement or pattern the plan does not produce`, () => {
            const allowance = shippedCheckFile<PolicyAllowance>(environment, POLICY_ALLOWANCE_FILE);
            const prefix = parseEnvironmentConfig(readStackFile(PROJECT_DIR, environment)).namePrefix;
            const policies = plannedPolicies(environment);
            assert.ok(policies.length > 20, `${environment} plans ${policies.length} inline policies`);
            const judge = (p: (typeof policies)[number]) => judgePolicyChange(putRolePolicy(p.role, p.name, p.document).detail as PolicyChangeEvent, allowance);
            for (const p of policies) {
                assert.ok(p.role.startsWith(`${prefix}-`), `${p.role} is inside the rule's prefix`);
                if (allowance.bootstrapOwnedRoles.includes(p.role)) assert.match(judge(p)!.reason, /bootstrap-owned/, p.role);
                else assert.equal(judge(p), undefined, `${environment} ${p.role}/${p.name}: its planned policy passes`);
            }
            // Attachments: the plan attaches managed policies to the CI roles only.
            const attachments = planReport(environment).resources.filter((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment");
            for (const a of attachments) {
                const f = judgePolicyChange(attachRolePolicy(String(inputs(a).role), String(inputs(a).policyArn)).detail as PolicyChangeEvent, allowance);
                if (allowance.bootstrapOwnedRoles.includes(String(inputs(a).role))) assert.match(f!.reason, /bootstrap-owned/);
                else assert.equal(f, undefined, `${inputs(a).role} ${inputs(a).policyArn}`);
            }

            // The other way: the same roles and names, and every allowed pair is one a planned statement has.
            const managed = policies.filter((p) => !allowance.bootstrapOwnedRoles.includes(p.role));
            const plannedRoles = planReport(environment).resources.filter((r) => r.type === "aws:iam/role:Role").map((r) => String(inputs(r).name)).filter((n) => !allowance.bootstrapOwnedRoles.includes(n));
            assert.deepEqual(Object.keys(allowance.roles).sort(), [...plannedRoles].sort(), "the allowance judges exactly the planned platform roles");
            for (const [role, allowed] of Object.entries(allowance.roles)) {
                assert.deepEqual(Object.keys(allowed.inline).sort(), managed.filter((p) => p.role === role).map((p) => p.name).sort(), `${role}: the planned policy names`);
                assert.deepEqual(allowed.attached, [], `${role}: no planned attachment`);
                for (const [name, doc] of Object.entries(allowed.inline)) {
                    const plan = JSON.parse(managed.find((p) => p.role === role && p.name === name)!.document) as Doc;
                    assert.equal(doc.Statement.length, plan.Statement.length, `${role}/${name}: as many statements as the plan`);
                    for (const s of doc.Statement) {
                        const matching = plan.Statement.filter((q) => q.Effect === s.Effect && JSON.stringify(q.Condition ?? null) === JSON.stringify(s.Condition ?? null));
                        for (const action of list(s.Action ?? s.NotAction)) {
                            for (const resource of list(s.Resource ?? s.NotResource)) {
                                assert.ok(
                                    matching.some((q) => list(q.Action ?? q.NotAction).includes(action) && list(q.Resource ?? q.NotResource).some((r) => patternCovers(resource, r))),
                                    `${role}/${name}: allowed ${action} on ${resource} is in the plan`,
                                );
                            }
                        }
                    }
                }
            }
        });
    }
});

describe("platform change check: the policy judge flags look-alikes of the planned policies", () => {
    let allowance: PolicyAllowance;
    const workloadRole = roleNames.workload(PREFIX, "airflow-payments");
    const rotationRole = roleNames.rotation(PREFIX, "postgres-alternating-users");
    const refreshRole = roleNames.esoRefresh(PREFIX);
    let workload: Doc;
    let rotation: Doc;
    let refresh: Doc;
    const copy = (d: Doc): Doc => JSON.parse(JSON.stringify(d));
    const withStatement = (d: Doc, index: number, change: (s: Record<string, any>) => void): Doc => {
        const c = copy(d);
        change(c.Statement[index]);
        return c;
    };
    const judgePut = (roleName: string, policyName: string, document: unknown, caller?: Caller) => judgePolicyChange(putRolePolicy(roleName, policyName, document, caller).detail as PolicyChangeEvent, allowance);
    const flagged = (roleName: string, policyName: string, document: unknown, outside: RegExp): PolicyFinding => {
        const finding = judgePut(roleName, policyName, document);
        assert.ok(finding, "flagged");
        assert.equal(finding.roleName, roleName);
        assert.equal(finding.environment, "prod");
        assert.ok(finding.outside.some((o) => outside.test(o)), `the finding names ${outside}: ${JSON.stringify(finding.outside)}`);
        return finding;
    };
    const secretStatement = (d: Doc) => d.Statement.findIndex((s) => list(s.Action).includes("secretsmanager:GetSecretValue"));
    const payments = () => list(workload.Statement[secretStatement(workload)].Resource);

    before(() => {
        allowance = shippedCheckFile<PolicyAllowance>("prod", POLICY_ALLOWANCE_FILE);
        const policies = plannedPolicies("prod");
        workload = JSON.parse(policies.find((p) => p.role === workloadRole)!.document);
        rotation = JSON.parse(policies.find((p) => p.role === rotationRole)!.document);
        refresh = JSON.parse(policies.find((p) => p.role === refreshRole)!.document);
    });

    it("a narrower or respelled planned policy passes: one secret fewer, statements split, a Sid added, a condition added, lists for strings", () => {
        assert.equal(judgePut(workloadRole, "read-catalog-secrets", withStatement(workload, secretStatement(workload), (s) => (s.Resource = list(s.Resource).slice(1)))), undefined);
        const i = secretStatement(workload);
        const split = copy(workload);
        split.Statement.splice(i, 1, ...list(workload.Statement[i].Resource).map((r) => ({ Sid: "One", Effect: "Allow", Action: workload.Statement[i].Action, Resource: [r] })));
        assert.equal(judgePut(workloadRole, "read-catalog-secrets", split), undefined);
        const narrower = withStatement(rotation, 0, (s) => (s.Condition.StringEquals["aws:ResourceTag/owner"] = "payments"));
        assert.equal(judgePut(rotationRole, "rotation", narrower), undefined);
    });

    it("a workload role that now reads every secret of its environment is flagged", () => {
        const every = `arn:aws:secretsmanager:us-east-1:${PROD}:secret:prod/*`;
        flagged(workloadRole, "read-catalog-secrets", withStatement(workload, secretStatement(workload), (s) => (s.Resource = [...list(s.Resource), every])), new RegExp(`GetSecretValue on ${every.replace(/[*]/g, "\\*")}`));
    });

    it("another workload's secret is flagged", () => {
        const other = JSON.parse(plannedPolicies("prod").find((p) => p.role === roleNames.workload(PREFIX, "spark-cdc-ledger-mirror"))!.document) as Doc;
        const theirs = list(other.Statement[secretStatement(other)].Resource).find((r) => !payments().includes(r))!;
        assert.ok(theirs, "a secret airflow-payments does not read");
        flagged(workloadRole, "read-catalog-secrets", withStatement(workload, secretStatement(workload), (s) => (s.Resource = [...list(s.Resource), theirs])), new RegExp(theirs.replace(/[/.*?]/g, "\\$&")));
    });

    it("another environment's secret (same account, staging name; and dev's account) is flagged", () => {
        const mine = payments()[0];
        for (const other of [mine.replace(":secret:prod/", ":secret:staging/").replace(":secret:AmazonMSK_prod/", ":secret:AmazonMSK_staging/"), mine.replace(`:${PROD}:`, `:${DEV}:`)]) {
            assert.notEqual(other, mine);
            flagged(workloadRole, "read-catalog-secrets", withStatement(workload, secretStatement(workload), (s) => (s.Resource = [...list(s.Resource), other])), /GetSecretValue on/);
        }
    });

    it("a wider action (secretsmanager:* or PutSecretValue) on the workload's own secret is flagged", () => {
        flagged(workloadRole, "read-catalog-secrets", withStatement(workload, secretStatement(workload), (s) => (s.Action = "secretsmanager:*")), /secretsmanager:\* on/);
        flagged(workloadRole, "read-catalog-secrets", withStatement(workload, secretStatement(workload), (s) => (s.Action = [...list(s.Action), "secretsmanager:PutSecretValue"])), /PutSecretValue on/);
    });

    it("a wildcard resource, NotResource and NotAction are flagged", () => {
        flagged(workloadRole, "read-catalog-secrets", withStatement(workload, secretStatement(workload), (s) => (s.Resource = "*")), /GetSecretValue on \*/);
        flagged(workloadRole, "read-catalog-secrets", withStatement(workload, secretStatement(workload), (s) => { s.NotResource = s.Resource; delete s.Resource; }), /^statement .*NotResource/);
        flagged(workloadRole, "read-catalog-secrets", withStatement(workload, secretStatement(workload), (s) => { s.NotAction = "iam:*"; delete s.Action; }), /^statement .*NotAction/);
    });

    it("a new statement is flagged", () => {
        const doc = copy(workload);
        doc.Statement.push({ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${PREFIX}-pulumi-state-${PROD}/*` });
        flagged(workloadRole, "read-catalog-secrets", doc, /s3:GetObject on/);
    });

    it("the kms:ViaService condition dropped from the key statement is flagged", () => {
        const kms = workload.Statement.findIndex((s) => list(s.Action).includes("kms:Decrypt"));
        flagged(workloadRole, "read-catalog-secrets", withStatement(workload, kms, (s) => delete s.Condition), /kms:Decrypt on .*\(no condition\)/);
    });

    it("a rotation role given more: its tag condition dropped, another strategy's tag, another environment's tag, or the Snowflake admin key", () => {
        flagged(rotationRole, "rotation", withStatement(rotation, 0, (s) => delete s.Condition), /PutSecretValue on/);
        flagged(rotationRole, "rotation", withStatement(rotation, 0, (s) => (s.Condition.StringEquals["aws:ResourceTag/rotation-strategy"] = "snowflake-key-pair")), /GetSecretValue on/);
        flagged(rotationRole, "rotation", withStatement(rotation, 0, (s) => (s.Condition.StringEquals["aws:ResourceTag/environment"] = "staging")), /GetSecretValue on/);
        const admin = `arn:aws:secretsmanager:us-east-1:${PROD}:secret:prod/platform/snowflake-rotation-admin-??????`;
        const doc = copy(rotation);
        doc.Statement.push({ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: admin });
        flagged(rotationRole, "rotation", doc, /snowflake-rotation-admin/);
    });

    it("a planned deny removed (the refresh role's NeverReadsSecrets) is flagged", () => {
        const doc = copy(refresh);
        doc.Statement = doc.Statement.filter((s) => s.Effect !== "Deny");
        flagged(refreshRole, "eso-refresh", doc, /planned deny missing/);
    });

    it("another Version is flagged", () => {
        flagged(workloadRole, "read-catalog-secrets", { ...copy(workload), Version: "2008-10-17" }, /Version/);
    });

    it("a policy name the plan does not give the role is flagged, even with the planned document", () => {
        assert.match(flagged(workloadRole, "extra-reads", workload, /extra-reads/).reason, /only read-catalog-secrets/);
        assert.match(flagged(rotationRole, "read-catalog-secrets", workload, /read-catalog-secrets/).reason, /only rotation/);
    });

    it("a platform role the plan does not manage is flagged", () => {
        assert.match(flagged(`${PREFIX}-data-export`, "anything", workload, /anything/).reason, /no inline policy/);
    });

    it("any policy change to a CI role is flagged as bootstrap-owned", () => {
        assert.match(judgePut(roleNames.githubDeploy(PREFIX), `${roleNames.githubDeploy(PREFIX)}-policy`, workload, sso)!.reason, /bootstrap-owned/);
        assert.match(judgePolicyChange(attachRolePolicy(roleNames.githubPreview(PREFIX), "arn:aws:iam::aws:policy/ReadOnlyAccess").detail as PolicyChangeEvent, allowance)!.reason, /bootstrap-owned/);
    });

    it("AttachRolePolicy of the environment's own managed policy or an AWS managed policy is flagged", () => {
        for (const arn of [`arn:aws:iam::${PROD}:policy/${PREFIX}-shared-read`, "arn:aws:iam::aws:policy/SecretsManagerReadWrite"]) {
            const finding = judgePolicyChange(attachRolePolicy(rotationRole, arn).detail as PolicyChangeEvent, allowance);
            assert.deepEqual(finding?.outside, [arn]);
            assert.match(finding!.reason, /attaches no policy/);
        }
    });

    it("a document recorded URL-encoded (IAM's query form) is judged like its decoded text", () => {
        assert.equal(judgePut(workloadRole, "read-catalog-secrets", encodeURIComponent(JSON.stringify(workload))), undefined);
        flagged(workloadRole, "read-catalog-secrets", encodeURIComponent(JSON.stringify(withStatement(workload, secretStatement(workload), (s) => (s.Resource = "*")))), /GetSecretValue on \*/);
    });

    it("an unreadable, missing or key-repeating document is flagged, not skipped", () => {
        flagged(workloadRole, "read-catalog-secrets", "{not json", /unreadable/);
        flagged(workloadRole, "read-catalog-secrets", { Version: "2012-10-17", Statement: [] }, /unreadable/);
        const text = JSON.stringify(workload).replace('"Effect":"Allow"', '"Effect":"Allow","Resource":"*"');
        flagged(workloadRole, "read-catalog-secrets", text, /unreadable/);
        const none = judgePolicyChange({ eventName: "PutRolePolicy", requestParameters: { roleName: workloadRole, policyName: "read-catalog-secrets" } }, allowance);
        assert.deepEqual(none?.outside, ["(unreadable document)"]);
    });

    it("the finding names the caller, a deploy run included", () => {
        const finding = flagged(workloadRole, "read-catalog-secrets", withStatement(workload, secretStatement(workload), (s) => (s.Resource = "*")), /on \*/);
        assert.match(finding.caller, new RegExp(`assumed-role/${roleNames.githubDeploy(PREFIX)}/${deploySessionPrefix("prod")}`));
    });

    it("ignores what it does not judge: roles outside the prefix, failed calls, deletes and detaches (they narrow)", () => {
        const star = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
        assert.equal(judgePut("data-export", "x", star), undefined);
        assert.equal(judgePut(roleNames.workload("fl-dev", "airflow-payments"), "x", star), undefined);
        const failed = apiCall({ accountId: PROD, service: "iam", eventName: "PutRolePolicy", caller: sso, errorCode: "AccessDenied", requestParameters: { roleName: workloadRole, policyName: "x", policyDocument: JSON.stringify(star) } });
        assert.equal(judgePolicyChange(failed.detail as PolicyChangeEvent, allowance), undefined);
        for (const eventName of ["DeleteRolePolicy", "DetachRolePolicy"]) {
            assert.equal(judgePolicyChange(apiCall({ accountId: PROD, service: "iam", eventName, caller: sso, requestParameters: { roleName: workloadRole, policyName: "read-catalog-secrets" } }).detail as PolicyChangeEvent, allowance), undefined);
        }
    });

    it("patternCovers: a wildcard is covered only by a wildcard at least as wide", () => {
        assert.ok(patternCovers("a:secret:prod/x-??????", "a:secret:prod/x-AbCdEf"));
        assert.ok(patternCovers("a:secret:prod/x-??????", "a:secret:prod/x-??????"));
        assert.ok(!patternCovers("a:secret:prod/x-??????", "a:secret:prod/x-*"));
        assert.ok(!patternCovers("a:secret:prod/x-??????", "a:secret:prod/x-AbCdEfG"));
        assert.ok(patternCovers("a:secret:prod/*", "a:secret:prod/x-?????*"));
        assert.ok(!patternCovers("a:secret:prod/x-AbCdEf", "a:secret:prod/x-??????"));
        assert.ok(!patternCovers("kms:generatedatakey", "kms:generatedatakey*"));
        assert.ok(patternCovers("kms:generatedatakey*", "kms:generatedatakeywithoutplaintext"));
    });
});

describe("platform change check: the function allowance is exactly the plans' functions", () => {
    for (const environment of ENVIRONMENTS) {
        it(`${environment}: every planned function's configuration passes, read back or as recorded, and the allowance holds exactly the planned functions, keys and static values`, () => {
            const allowance = shippedCheckFile<FunctionAllowance>(environment, FUNCTION_ALLOWANCE_FILE);
            const functions = plannedFunctions(environment);
            assert.ok(functions.length >= 5, `${environment} plans ${functions.length} functions`);
            assert.deepEqual(Object.keys(allowance.functions).sort(), functions.map((f) => String(f.name)).sort());
            for (const f of functions) {
                const variables = (f.environment?.variables ?? {}) as Record<string, string>;
                const configuration: FunctionConfigurationRead = { FunctionName: f.name, Handler: f.handler, Runtime: f.runtime, Role: f.role, Environment: { Variables: variables } };
                const request = { functionName: f.name, handler: f.handler, runtime: f.runtime, role: f.role, environment: { variables } };
                const detail = lambdaChange(f.name, request).detail as FunctionChangeEvent;
                assert.equal(changedPlatformFunction(detail, allowance), f.name);
                assert.equal(judgeFunctionConfiguration(detail, f.name, configuration, allowance), undefined, `${environment} ${f.name}`);
                const planned = allowance.functions[f.name];
                assert.equal(planned.runtime, LAMBDA_RUNTIME);
                assert.deepEqual(Object.keys(planned.variables).sort(), Object.keys(variables).sort(), `${f.name}: the planned keys`);
                for (const [key, value] of Object.entries(planned.variables)) if (value !== null) assert.equal(value, variables[key], `${f.name}: ${key}`);
                assert.deepEqual(planned.layers, [], `${f.name}: the plan gives no layer`);
                assert.equal(f.layers, undefined, `${f.name}: the plan gives no layer`);
            }
        });
    }
});

describe("platform change check: the function judge flags look-alikes of the planned configurations", () => {
    let allowance: FunctionAllowance;
    const rotation = rotationFunctionName(PREFIX, "postgres-alternating-users");
    let planned: FunctionConfigurationRead;
    const judge = (configuration: FunctionConfigurationRead, request: Record<string, unknown> = {}) =>
        judgeFunctionConfiguration(lambdaChange(rotation, request).detail as FunctionChangeEvent, rotation, configuration, allowance);
    const withVariables = (extra: Record<string, string>, drop: string[] = []): FunctionConfigurationRead => {
        const variables = { ...planned.Environment!.Variables!, ...extra };
        for (const key of drop) delete variables[key];
        return { ...planned, Environment: { Variables: variables } };
    };
    const flagged = (configuration: FunctionConfigurationRead, outside: RegExp, request?: Record<string, unknown>) => {
        const finding = judge(configuration, request);
        assert.ok(finding, "flagged");
        assert.equal(finding.functionName, rotation);
        assert.ok(finding.outside.some((o) => outside.test(o)), `the finding names ${outside}: ${JSON.stringify(finding.outside)}`);
        return finding;
    };

    before(() => {
        allowance = shippedCheckFile<FunctionAllowance>("prod", FUNCTION_ALLOWANCE_FILE);
        const f = plannedFunctions("prod").find((x) => x.name === rotation)!;
        planned = { FunctionName: f.name, Handler: f.handler, Runtime: f.runtime, Role: f.role, Environment: { Variables: f.environment.variables } };
        assert.equal(judge(planned), undefined, "the planned configuration passes");
    });

    it("NODE_OPTIONS added is flagged, naming the key and never its value", () => {
        const value = ["--require", "/tmp/x.js"].join(" ");
        const finding = flagged(withVariables({ NODE_OPTIONS: value }), /variable NODE_OPTIONS is not planned/);
        assert.ok(!JSON.stringify(finding).includes(value), "the value stays out of the finding");
    });

    it("AWS_LAMBDA_EXEC_WRAPPER added is flagged", () => {
        flagged(withVariables({ AWS_LAMBDA_EXEC_WRAPPER: "/opt/wrapper" }), /AWS_LAMBDA_EXEC_WRAPPER/);
    });

    it("a layer is flagged, read back or recorded in the request", () => {
        const layer = `arn:aws:lambda:us-east-1:${DEV}:layer:tools:3`;
        flagged({ ...planned, Layers: [{ Arn: layer }] }, /configuration: layer/);
        flagged(planned, /request: layer/, { layers: [layer] });
    });

    it("another handler, another runtime, another role are flagged", () => {
        flagged({ ...planned, Handler: "other.handler" }, /handler "other.handler"/);
        flagged({ ...planned, Runtime: "nodejs20.x" }, /runtime "nodejs20.x"/);
        const other = `arn:aws:iam::${PROD}:role/${roleNames.rotation(PREFIX, "snowflake-key-pair")}`;
        flagged({ ...planned, Role: other }, /role/);
        flagged(planned, /request: role/, { role: other });
    });

    it("a changed planned value and a removed planned variable are flagged", () => {
        flagged(withVariables({ SECRETS_MANAGER_ENDPOINT: "https://secretsmanager.example.internal" }), /SECRETS_MANAGER_ENDPOINT differs/);
        flagged(withVariables({}, ["SECRETS_MANAGER_ENDPOINT"]), /planned variable SECRETS_MANAGER_ENDPOINT is missing/);
    });

    it("a variable the request recorded is flagged even when the configuration read back is the planned one again", () => {
        flagged(planned, /request: variable NODE_OPTIONS/, { environment: { variables: { NODE_OPTIONS: "--x" } } });
    });

    it("a deploy-time value (the refresh function's cluster endpoint) may differ, its key may not be missing", () => {
        const refresh = roleNames.esoRefresh(PREFIX);
        const f = plannedFunctions("prod").find((x) => x.name === refresh)!;
        const variables = { ...f.environment.variables, CLUSTER_ENDPOINT: "https://another.eks.example" };
        const read = { Handler: f.handler, Runtime: f.runtime, Role: f.role, Environment: { Variables: variables } };
        assert.equal(judgeFunctionConfiguration(lambdaChange(refresh).detail as FunctionChangeEvent, refresh, read, allowance), undefined);
        delete (variables as Record<string, string>).CLUSTER_ENDPOINT;
        assert.ok(judgeFunctionConfiguration(lambdaChange(refresh).detail as FunctionChangeEvent, refresh, read, allowance));
    });

    it("a platform-named function the plan does not have is flagged", () => {
        const name = `${PREFIX}-shadow`;
        assert.match(judgeFunctionConfiguration(lambdaChange(name, {}, "CreateFunction20150331").detail as FunctionChangeEvent, name, planned, allowance)!.reason, /has no function/);
    });

    it("resolves names, ARNs and partial ARNs of this account and region only, and ignores failed calls and other events", () => {
        const of = (ref: string, eventName?: string, errorCode?: string) =>
            changedPlatformFunction({ ...(lambdaChange(ref, {}, eventName).detail as FunctionChangeEvent), ...(errorCode ? { errorCode } : {}) }, allowance);
        assert.equal(of(rotation), rotation);
        assert.equal(of(`arn:aws:lambda:us-east-1:${PROD}:function:${rotation}`), rotation);
        assert.equal(of(`${PROD}:function:${rotation}`), rotation);
        assert.equal(of(`${PROD}:${rotation}`), rotation);
        assert.equal(of(rotation, "CreateFunction20150331"), rotation);
        assert.equal(of(`arn:aws:lambda:us-east-1:${DEV}:function:${rotation}`), undefined, "another account");
        assert.equal(of(`arn:aws:lambda:us-west-2:${PROD}:function:${rotation}`), undefined, "another region");
        assert.equal(of(rotationFunctionName("fl-dev", "postgres-alternating-users")), undefined, "another prefix");
        assert.equal(of(rotation, "UpdateFunctionCode20150331v2"), undefined, "code changes are path 2's signing, not this");
        assert.equal(of(rotation, undefined, "AccessDeniedException"), undefined, "a refused call");
    });
});

describe("platform change check in moto: the planned rule, the bundled function, the planned detection", function () {
    let moto: MotoServer;
    let events: EventBridgeClient;
    let sqs: SQSClient;
    let savedEnv: NodeJS.ProcessEnv;
    const queues = new Map<string, string>();
    // moto answers in the account of the caller's access key: a key moto issues to a user of the prod account makes
    // every call of the test and of the bundled function land there, as the planned ARNs (role, function) require.
    let credentials = { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY };
    const client = () => ({ endpoint: moto.endpoint, region: "us-east-1", credentials });
    const asProdAccount = () => Object.assign(process.env, { AWS_REGION: "us-east-1", AWS_ENDPOINT_URL: moto.endpoint, AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey });
    const drain = (ruleName: string) => drainQueue(sqs, queues.get(ruleName)!);
    const bundle = (): { handler: (e: unknown) => Promise<{ finding?: unknown }>; dir: string } => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "change-check-"));
        for (const [name, bytes] of Object.entries(shippedCheckPackage("prod").files)) fs.writeFileSync(path.join(dir, name), bytes);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        return { handler: (require(path.join(dir, "index.js")) as { handler: (e: unknown) => Promise<{ finding?: unknown }> }).handler, dir };
    };

    before(async () => {
        savedEnv = { ...process.env };
        moto = await startMoto();
        const admin = new IAMClient(client());
        admin.middlewareStack.add((next) => async (args) => {
            (args.request as { headers: Record<string, string> }).headers["x-moto-account-id"] = PROD;
            return next(args);
        }, { step: "build" });
        await admin.send(new CreateUserCommand({ UserName: "platform-change-check-test" }));
        const key = (await admin.send(new CreateAccessKeyCommand({ UserName: "platform-change-check-test" }))).AccessKey!;
        admin.destroy();
        credentials = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
        events = new EventBridgeClient(client());
        sqs = new SQSClient(client());
        for (const name of [roleNames.trustCheck(PREFIX), `${PREFIX}-platform-change-outside-plan`]) queues.set(name, await ruleIntoQueue(events, sqs, plannedRule("prod", name)));
    });
    after(async () => {
        events?.destroy();
        sqs?.destroy();
        await moto?.stop();
        process.env = savedEnv;
    });

    it("the planned rule sends policy changes of platform roles and configuration changes of platform functions to the check, by any caller, and ignores look-alikes", async () => {
        const workloadRole = roleNames.workload(PREFIX, "airflow-payments");
        const rotation = rotationFunctionName(PREFIX, "postgres-alternating-users");
        const doc = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
        const samples: Array<{ label: string; event: ReturnType<typeof apiCall>; match: boolean }> = [
            { label: "a deploy run puts a workload role's inline policy", event: putRolePolicy(workloadRole, "read-catalog-secrets", doc), match: true },
            { label: "an SSO admin puts a rotation role's inline policy", event: putRolePolicy(roleNames.rotation(PREFIX, "vendor-api"), "rotation", doc, sso), match: true },
            { label: "a deploy run attaches a managed policy to a rotation role", event: attachRolePolicy(roleNames.rotation(PREFIX, "vendor-api"), `arn:aws:iam::${PROD}:policy/${PREFIX}-shared-read`), match: true },
            { label: "a deploy run updates a function's configuration by name", event: lambdaChange(rotation, { environment: {} }), match: true },
            { label: "a deploy run updates a function's configuration by ARN", event: lambdaChange(`arn:aws:lambda:us-east-1:${PROD}:function:${rotation}`), match: true },
            { label: "an SSO admin updates a function's configuration by partial ARN", event: lambdaChange(`${PROD}:function:${functionNames.expiryCheck(PREFIX)}`, {}, undefined, sso), match: true },
            { label: "a deploy run creates a platform function", event: lambdaChange(functionNames.latencyProbe(PREFIX), {}, "CreateFunction20150331"), match: true },
            { label: "a refused PutRolePolicy", event: apiCall({ accountId: PROD, service: "iam", eventName: "PutRolePolicy", caller: sso, errorCode: "AccessDenied", requestParameters: { roleName: workloadRole, policyName: "x" } }), match: false },
            { label: "DeleteRolePolicy on a platform role (it narrows)", event: apiCall({ accountId: PROD, service: "iam", eventName: "DeleteRolePolicy", caller: deployRun, requestParameters: { roleName: workloadRole, policyName: "read-catalog-secrets" } }), match: false },
            { label: "DetachRolePolicy on a platform role (it narrows)", event: apiCall({ accountId: PROD, service: "iam", eventName: "DetachRolePolicy", caller: deployRun, requestParameters: { roleName: workloadRole, policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" } }), match: false },
            { label: "PutRolePolicy on a role outside the platform", event: putRolePolicy("data-export", "x", doc, sso), match: false },
            { label: "a function outside the platform", event: lambdaChange("data-export-job"), match: false },
            { label: "a platform function's name in another account's ARN", event: lambdaChange(`arn:aws:lambda:us-east-1:${DEV}:function:${rotation}`), match: false },
            { label: "a dev function's name", event: lambdaChange(rotationFunctionName("fl-dev", "vendor-api")), match: false },
            { label: "UpdateFunctionCode (code signing's concern)", event: lambdaChange(rotation, {}, "UpdateFunctionCode20150331v2"), match: false },
            { label: "GetFunctionConfiguration", event: lambdaChange(rotation, {}, "GetFunctionConfiguration20150331v2"), match: false },
            { label: "a refused UpdateFunctionConfiguration", event: apiCall({ accountId: PROD, service: "lambda", eventName: "UpdateFunctionConfiguration20150331v2", caller: deployRun, errorCode: "AccessDeniedException", requestParameters: { functionName: rotation } }), match: false },
            { label: "a Lambda call named PutRolePolicy", event: apiCall({ accountId: PROD, service: "lambda", eventName: "PutRolePolicy", caller: deployRun, requestParameters: { roleName: workloadRole, functionName: rotation } }), match: false },
        ];
        for (let i = 0; i < samples.length; i += 10) {
            const batch = samples.slice(i, i + 10);
            const res = await events.send(new PutEventsCommand({ Entries: batch.map((s, j) => ({ Source: s.event.source, DetailType: s.event.detailType, Detail: JSON.stringify({ ...s.event.detail, sampleIndex: i + j }) })) }));
            assert.equal(res.FailedEntryCount ?? 0, 0);
        }
        const got = new Set((await drain(roleNames.trustCheck(PREFIX))).map((m) => samples[m.detail.sampleIndex].label));
        assert.deepEqual(samples.filter((s) => got.has(s.label)).map((s) => s.label), samples.filter((s) => s.match).map((s) => s.label));
    });

    it("a policy case: the bundled function judges the document CloudTrail recorded (the one put into IAM in moto) and sends one finding, delivered by the planned detection; the planned document sends nothing", async () => {
        const { handler, dir } = bundle();
        asProdAccount();
        const iam = new IAMClient(client());
        try {
            const workloadRole = roleNames.workload(PREFIX, "airflow-payments");
            const plannedDoc = plannedPolicies("prod").find((p) => p.role === workloadRole)!.document;
            const every = `arn:aws:secretsmanager:us-east-1:${PROD}:secret:prod/*`;
            const wide = JSON.parse(plannedDoc) as Doc;
            wide.Statement[0].Resource = [...list(wide.Statement[0].Resource), every];
            await iam.send(new CreateRoleCommand({ RoleName: workloadRole, AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [] }) }));
            for (const [document, expectFinding] of [[plannedDoc, false], [JSON.stringify(wide), true]] as const) {
                await iam.send(new PutRolePolicyCommand({ RoleName: workloadRole, PolicyName: "read-catalog-secrets", PolicyDocument: document }));
                const result = await handler({ id: "policy", detail: putRolePolicy(workloadRole, "read-catalog-secrets", document).detail });
                const delivered = await drain(`${PREFIX}-platform-change-outside-plan`);
                if (!expectFinding) {
                    assert.deepEqual([result, delivered], [{}, []], "the planned document sends nothing");
                    continue;
                }
                assert.equal(delivered.length, 1, "one finding");
                assert.equal(delivered[0]["detail-type"], "Platform Role Policy Outside Plan");
                assert.equal(delivered[0].detail.roleName, workloadRole);
                assert.ok(delivered[0].detail.outside.some((o: string) => o.includes(every)), JSON.stringify(delivered[0].detail.outside));
                assert.deepEqual(delivered[0].resources, [`arn:aws:iam::${PROD}:role/${workloadRole}`]);
            }
        } finally {
            iam.destroy();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("a configuration case: the bundled function reads the function's configuration from Lambda (moto) and sends one finding for NODE_OPTIONS; the planned configuration sends nothing", async () => {
        const { handler, dir } = bundle();
        asProdAccount();
        const iam = new IAMClient(client());
        const lambda = new LambdaClient(client());
        try {
            const name = functionNames.expiryCheck(PREFIX);
            const f = plannedFunctions("prod").find((x) => x.name === name)!;
            await iam.send(new CreateRoleCommand({ RoleName: roleNames.expiryCheck(PREFIX), AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }));
            await lambda.send(
                new CreateFunctionCommand({
                    FunctionName: name,
                    Runtime: f.runtime,
                    Handler: f.handler,
                    Role: f.role,
                    Code: { ZipFile: zipSync({ "index.js": new TextEncoder().encode("exports.handler = async () => ({});") }) },
                    Environment: { Variables: f.environment.variables },
                }),
            );
            assert.deepEqual(await handler({ id: "planned", detail: lambdaChange(name, {}, "CreateFunction20150331").detail }), {});
            assert.deepEqual(await drain(`${PREFIX}-platform-change-outside-plan`), [], "the planned configuration sends nothing");

            const value = ["--require", "/tmp/other.js"].join(" ");
            await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, Environment: { Variables: { ...f.environment.variables, NODE_OPTIONS: value } } }));
            // CloudTrail may record the request without the variables; the function reads them back from Lambda.
            const result = await handler({ id: "changed", detail: lambdaChange(name, { environment: {} }).detail });
            assert.ok(result.finding);
            const delivered = await drain(`${PREFIX}-platform-change-outside-plan`);
            assert.equal(delivered.length, 1, "one finding");
            assert.equal(delivered[0]["detail-type"], "Platform Function Configuration Outside Plan");
            assert.equal(delivered[0].detail.functionName, name);
            assert.deepEqual(delivered[0].detail.outside, ["configuration: variable NODE_OPTIONS is not planned"]);
            assert.deepEqual(delivered[0].resources, [`arn:aws:lambda:us-east-1:${PROD}:function:${name}`]);
            assert.ok(!JSON.stringify(delivered[0]).includes(value), "the variable's value is not in the alert");
        } finally {
            iam.destroy();
            lambda.destroy();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("platform change check: the function's new read, by simulation of the planned policies", () => {
    const roleArn = `arn:aws:iam::${PROD}:role/${roleNames.trustCheck(PREFIX)}`;
    const fn = (name: string) => `arn:aws:lambda:us-east-1:${PROD}:function:${name}`;
    const policies = () => {
        const resources = planReport("prod").resources;
        const role = resources.find((r) => r.type === "aws:iam/role:Role" && inputs(r).name === roleNames.trustCheck(PREFIX))!;
        const policy = resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && inputs(r).role === roleNames.trustCheck(PREFIX))!;
        const boundary = resources.find((r) => r.type === "aws:iam/policy:Policy" && outputs(r).arn === inputs(role).permissionsBoundary);
        return { identityPolicies: [JSON.parse(inputs(policy).policy)], permissionBoundary: boundary ? JSON.parse(inputs(boundary).policy) : undefined };
    };
    const decide = (action: string, resource: string) => simulate({ principal: roleArn, action, resource, resourceAccount: PROD, ...policies() });

    it("may read the configuration of every planned function of its environment", async () => {
        for (const f of plannedFunctions("prod")) assert.equal(await decide("lambda:GetFunctionConfiguration", fn(f.name)), "Allowed", f.name);
    });

    it("may not read another function's configuration, any function's code, or change one", async () => {
        assert.equal(await decide("lambda:GetFunctionConfiguration", fn("data-export-job")), "ImplicitlyDenied");
        assert.equal(await decide("lambda:GetFunctionConfiguration", fn(rotationFunctionName("fl-dev", "vendor-api"))), "ImplicitlyDenied");
        assert.equal(await decide("lambda:GetFunctionConfiguration", `arn:aws:lambda:us-west-2:${PROD}:function:${functionNames.expiryCheck(PREFIX)}`), "ImplicitlyDenied");
        const rotation = fn(rotationFunctionName(PREFIX, "postgres-alternating-users"));
        for (const action of ["lambda:GetFunction", "lambda:UpdateFunctionConfiguration", "lambda:InvokeFunction"]) assert.notEqual(await decide(action, rotation), "Allowed", action);
    });

    it("may not read a role's policies or a secret value", async () => {
        const workloadRole = `arn:aws:iam::${PROD}:role/${roleNames.workload(PREFIX, "airflow-payments")}`;
        for (const action of ["iam:GetRolePolicy", "iam:ListRolePolicies", "iam:PutRolePolicy"]) assert.notEqual(await decide(action, workloadRole), "Allowed", action);
        assert.notEqual(await decide("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${PROD}:secret:prod/airflow/metadata-db-AbCdEf`), "Allowed");
    });
});
