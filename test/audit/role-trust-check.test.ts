// The role-trust check (docs/threat-model.md, path 9), end to end: the allowance the plans ship against every trust
// policy of the three plans, the pure judge against look-alikes, the planned rule in a real EventBridge (moto) against
// CloudTrail-shaped samples, the bundled function against moto (finding routed by the planned detection), and the
// function role's IAM by simulation.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { drainQueue, plannedRule, ruleIntoQueue } from "../support/rule-queues";
import { bootstrapOwnedRoles } from "../../components/role-trust-check";
import { ALLOWANCE_FILE, canonicalTrust, judgeTrustChange, TrustAllowance, TrustChangeEvent, TrustFinding } from "../../functions/trust-check/judge";
import { ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { roleNames } from "../../model/names";
import type { PlanReport } from "../../tools/plan/report";
import { simulate } from "../support/iam-simulator";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";
import { planReport, PROJECT_DIR } from "../support/plan-cli";
import { apiCall, Caller } from "./cloudtrail-samples";
import { shippedCheckPackage } from "../support/shipped-check";
import { deploySessionPrefix } from "../../components/separation-detections";
import { ACCOUNTS, DEV } from "../support/accounts";

const PROD = ACCOUNTS.prod;
const PREFIX = "fl-prod";
type Resource = PlanReport["resources"][number];
type Doc = { Version: string; Statement: Array<Record<string, any>> };
const inputs = (r: Resource) => r.inputs as Record<string, any>;

const shippedPackage = shippedCheckPackage;

/** The allowance shipped in a stack's planned trust-check package. */
function shippedAllowance(environment: string): TrustAllowance {
    return JSON.parse(Buffer.from(shippedPackage(environment).files[ALLOWANCE_FILE]).toString("utf8")) as TrustAllowance;
}

const plannedRoles = (environment: string) =>
    planReport(environment)
        .resources.filter((r) => r.type === "aws:iam/role:Role")
        .map((r) => ({ name: String(inputs(r).name), trust: String(inputs(r).assumeRolePolicy) }));

const sso: Caller = { kind: "role", accountId: PROD, roleName: "AWSReservedSSO_AdministratorAccess_0123456789abcdef" };
const deployRun: Caller = { kind: "role", accountId: PROD, roleName: roleNames.githubDeploy(PREFIX), sessionName: `${deploySessionPrefix("prod")}8812345678` };
/** A CloudTrail record of a trust change, as EventBridge delivers its detail. */
function trustChange(eventName: "CreateRole" | "UpdateAssumeRolePolicy", roleName: string, document: unknown, caller: Caller = deployRun, extra: Record<string, unknown> = {}) {
    const text = typeof document === "string" ? document : JSON.stringify(document);
    const requestParameters = eventName === "CreateRole" ? { roleName, assumeRolePolicyDocument: text, path: "/" } : { roleName, policyDocument: text };
    return apiCall({ accountId: PROD, service: "iam", eventName, caller, requestParameters: { ...requestParameters, ...extra } });
}
const judge = (allowance: TrustAllowance, event: ReturnType<typeof trustChange>) => judgeTrustChange(event.detail as TrustChangeEvent, allowance);

describe("role-trust check: the allowance is exactly the trusts of the plans", () => {
    for (const environment of ENVIRONMENTS) {
        it(`${environment}: every planned role's trust passes, the CI roles' is flagged as bootstrap-owned, and the allowance holds no document the plan does not produce`, () => {
            const allowance = shippedAllowance(environment);
            const prefix = parseEnvironmentConfig(readStackFile(PROJECT_DIR, environment)).namePrefix;
            assert.deepEqual([...allowance.bootstrapOwnedRoles].sort(), bootstrapOwnedRoles(prefix).sort());
            const roles = plannedRoles(environment);
            assert.ok(roles.length > 10, `${environment} plans ${roles.length} roles`);
            const managed = roles.filter((r) => !allowance.bootstrapOwnedRoles.includes(r.name));
            for (const r of managed) {
                assert.ok(r.name.startsWith(`${prefix}-`), `${r.name} is a platform role, inside the rule's prefix`);
                for (const eventName of ["CreateRole", "UpdateAssumeRolePolicy"] as const) {
                    assert.equal(judge(allowance, trustChange(eventName, r.name, r.trust)), undefined, `${environment} ${r.name}: its planned trust passes on ${eventName}`);
                }
            }
            for (const name of allowance.bootstrapOwnedRoles) {
                const planned = roles.find((r) => r.name === name);
                assert.ok(planned, `${name} is in the ${environment} plan`);
                assert.match(judge(allowance, trustChange("UpdateAssumeRolePolicy", name, planned.trust))!.reason, /bootstrap-owned/);
            }
            // Nothing else: the bound roles are planned roles, and every allowed document is one a planned role has.
            for (const name of Object.keys(allowance.roleDocuments)) assert.ok(managed.some((r) => r.name === name), `${name} is a planned role`);
            const boundDocuments = new Set(Object.values(allowance.roleDocuments));
            assert.deepEqual(
                [...new Set(managed.map((r) => canonicalTrust(r.trust)))].sort(),
                [...new Set([...boundDocuments, ...allowance.documents])].sort(),
            );
            assert.ok(allowance.documents.every((d) => !boundDocuments.has(d)), "a bound document is allowed on its own role only");
        });
    }
});

describe("role-trust check: the judge flags look-alikes of the planned trusts", () => {
    let allowance: TrustAllowance;
    let irsa: Doc;
    let lambda: Doc;
    const workloadRole = roleNames.workload(PREFIX, "airflow-payments");
    const rotationRole = roleNames.rotation(PREFIX, "postgres-alternating-users");
    const copy = (d: Doc): Doc => JSON.parse(JSON.stringify(d));
    const withStatement = (d: Doc, change: (s: Record<string, any>) => void): Doc => {
        const c = copy(d);
        change(c.Statement[0]);
        return c;
    };
    const issuerHost = () => String(irsa.Statement[0].Principal.Federated).split(":oidc-provider/")[1];
    const flagged = (roleName: string, document: unknown, principal: string | RegExp): TrustFinding => {
        const finding = judge(allowance, trustChange("UpdateAssumeRolePolicy", roleName, document));
        assert.ok(finding, "flagged");
        assert.equal(finding.roleName, roleName);
        assert.equal(finding.environment, "prod");
        assert.ok(
            finding.principals.some((p) => (typeof principal === "string" ? p === principal : principal.test(p))),
            `the finding names ${principal}: ${JSON.stringify(finding.principals)}`,
        );
        return finding;
    };

    before(() => {
        allowance = shippedAllowance("prod");
        const roles = plannedRoles("prod");
        irsa = JSON.parse(roles.find((r) => r.name === workloadRole)!.trust);
        lambda = JSON.parse(roles.find((r) => r.name === rotationRole)!.trust);
    });

    it("the planned trust passes in another spelling: no Sid, keys reordered, one-element lists for strings", () => {
        const s = irsa.Statement[0];
        const respelled = { Statement: [{ Condition: s.Condition, Action: [s.Action], Principal: { Federated: [s.Principal.Federated] }, Effect: "Allow" }], Version: "2012-10-17" };
        assert.equal(judge(allowance, trustChange("UpdateAssumeRolePolicy", workloadRole, respelled)), undefined);
    });

    it("another account's OIDC provider with the same issuer is flagged", () => {
        const other = String(irsa.Statement[0].Principal.Federated).replace(PROD, DEV);
        flagged(workloadRole, withStatement(irsa, (s) => (s.Principal.Federated = other)), other);
    });

    it("another provider's ARN in this account (another cluster's issuer) is flagged, its condition keys renamed to match", () => {
        const host = issuerHost();
        const otherHost = host.replace(/id\/[0-9A-F]{32}$/, `id/${"A".repeat(32)}`);
        const text = JSON.stringify(irsa).split(host).join(otherHost);
        flagged(workloadRole, text, `arn:aws:iam::${PROD}:oidc-provider/${otherHost}`);
    });

    it("GitHub's provider on a workload role is flagged", () => {
        const github = `arn:aws:iam::${PROD}:oidc-provider/token.actions.githubusercontent.com`;
        flagged(workloadRole, withStatement(irsa, (s) => (s.Principal.Federated = github)), github);
    });

    it("a wildcard sub (StringLike on the service accounts of the namespace) is flagged", () => {
        const host = issuerHost();
        const doc = withStatement(irsa, (s) => {
            s.Condition = { StringEquals: { [`${host}:aud`]: "sts.amazonaws.com" }, StringLike: { [`${host}:sub`]: "system:serviceaccount:airflow:*" } };
        });
        flagged(workloadRole, doc, irsa.Statement[0].Principal.Federated);
    });

    it("a service account the plan never trusts (kube-system:default) is flagged", () => {
        flagged(workloadRole, withStatement(irsa, (s) => (s.Condition.StringEquals[`${issuerHost()}:sub`] = "system:serviceaccount:kube-system:default")), irsa.Statement[0].Principal.Federated);
    });

    it("a missing aud condition is flagged", () => {
        flagged(workloadRole, withStatement(irsa, (s) => delete s.Condition.StringEquals[`${issuerHost()}:aud`]), irsa.Statement[0].Principal.Federated);
    });

    it("no condition at all is flagged", () => {
        flagged(workloadRole, withStatement(irsa, (s) => delete s.Condition), irsa.Statement[0].Principal.Federated);
    });

    it("another workload's planned trust on this workload role is flagged (its pods would get this role's secrets)", () => {
        const other = plannedRoles("prod").find((r) => r.name === roleNames.workload(PREFIX, "dbt-finance-marts"))!;
        const finding = flagged(workloadRole, other.trust, irsa.Statement[0].Principal.Federated);
        assert.match(finding.reason, /gives this trust to another role/);
    });

    it("a workload's trust on a rotation role is flagged", () => {
        assert.match(flagged(rotationRole, irsa, irsa.Statement[0].Principal.Federated).reason, /another role/);
    });

    it("Principal {AWS: another account's root} is flagged", () => {
        const outsider = `arn:aws:iam::${DEV}:root`;
        flagged(workloadRole, { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: outsider }, Action: "sts:AssumeRole" }] }, outsider);
    });

    it('Principal "*" is flagged', () => {
        flagged(rotationRole, { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }] }, "*");
    });

    it("an extra statement beside the planned one is flagged, naming the extra principal", () => {
        const outsider = `arn:aws:iam::${DEV}:role/data-export`;
        const doc = copy(irsa);
        doc.Statement.push({ Effect: "Allow", Principal: { AWS: outsider }, Action: "sts:AssumeRole" });
        const finding = flagged(workloadRole, doc, outsider);
        assert.deepEqual(finding.principals, [outsider], "only the statement outside the plan is named");
    });

    it("two planned statements combined on one role (IRSA and the Lambda service) are flagged", () => {
        const doc = { Version: "2012-10-17", Statement: [...irsa.Statement, ...lambda.Statement] };
        const finding = flagged(workloadRole, doc, "lambda.amazonaws.com");
        assert.match(finding.reason, /not in this combination/);
    });

    it("NotPrincipal is flagged, named as such", () => {
        flagged(rotationRole, { Version: "2012-10-17", Statement: [{ Effect: "Allow", NotPrincipal: { AWS: `arn:aws:iam::${DEV}:root` }, Action: "sts:AssumeRole" }] }, `NotPrincipal: arn:aws:iam::${DEV}:root`);
    });

    it("the Lambda service without SourceAccount is flagged", () => {
        flagged(rotationRole, withStatement(lambda, (s) => delete s.Condition), "lambda.amazonaws.com");
    });

    it("the Lambda service with another account's SourceAccount is flagged", () => {
        flagged(rotationRole, withStatement(lambda, (s) => (s.Condition.StringEquals["aws:SourceAccount"] = DEV)), "lambda.amazonaws.com");
    });

    it("a wider action (sts:* or NotAction) on a planned principal is flagged", () => {
        flagged(rotationRole, withStatement(lambda, (s) => (s.Action = "sts:*")), "lambda.amazonaws.com");
        flagged(rotationRole, withStatement(lambda, (s) => { delete s.Action; s.NotAction = "sts:GetCallerIdentity"; }), "lambda.amazonaws.com");
    });

    it("another service (EC2) in place of Lambda is flagged", () => {
        flagged(rotationRole, withStatement(lambda, (s) => (s.Principal.Service = "ec2.amazonaws.com")), "ec2.amazonaws.com");
    });

    it("an unreadable or missing document is flagged, not skipped", () => {
        flagged(workloadRole, "{not json", "(unreadable document)");
        flagged(workloadRole, { Version: "2012-10-17", Statement: [] }, "(unreadable document)");
        const finding = judgeTrustChange({ eventName: "UpdateAssumeRolePolicy", requestParameters: { roleName: workloadRole } }, allowance);
        assert.deepEqual(finding?.principals, ["(unreadable document)"]);
    });

    it("a repeated key (an outside principal first, the planned one last) is unreadable, not judged by the last value", () => {
        const planned = JSON.stringify(irsa.Statement[0].Principal);
        const text = JSON.stringify(irsa).replace(`"Principal":${planned}`, `"Principal":{"AWS":"arn:aws:iam::${DEV}:root"},"Principal":${planned}`);
        assert.notEqual(text, JSON.stringify(irsa), "the repeated key is in the text");
        assert.equal(canonicalTrust(text), canonicalTrust(irsa), "JSON.parse alone would see the planned trust");
        assert.match(flagged(workloadRole, text, "(unreadable document)").reason, /a key appears twice/);
    });

    it("the finding names the caller, a deploy run included", () => {
        const finding = flagged(workloadRole, { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }] }, "*");
        assert.match(finding.caller, new RegExp(`assumed-role/${roleNames.githubDeploy(PREFIX)}/${deploySessionPrefix("prod")}`));
    });

    it("ignores what it does not judge: roles outside the prefix, failed calls, other IAM calls", () => {
        const star = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }] };
        assert.equal(judge(allowance, trustChange("UpdateAssumeRolePolicy", "data-export", star)), undefined);
        assert.equal(judge(allowance, trustChange("UpdateAssumeRolePolicy", roleNames.workload("fl-dev", "airflow-payments"), star)), undefined);
        assert.equal(judge(allowance, apiCall({ accountId: PROD, service: "iam", eventName: "UpdateAssumeRolePolicy", caller: sso, errorCode: "AccessDenied", requestParameters: { roleName: workloadRole, policyDocument: JSON.stringify(star) } })), undefined);
        assert.equal(judge(allowance, apiCall({ accountId: PROD, service: "iam", eventName: "PutRolePolicy", caller: sso, requestParameters: { roleName: workloadRole, policyDocument: JSON.stringify(star) } })), undefined);
    });
});

describe("role-trust check in moto: the planned rule, the bundled function, the planned detection", function () {
    let moto: MotoServer;
    let events: EventBridgeClient;
    let sqs: SQSClient;
    let savedEnv: NodeJS.ProcessEnv;
    const queues = new Map<string, string>();
    const drain = (ruleName: string) => drainQueue(sqs, queues.get(ruleName)!);

    before(async () => {
        savedEnv = { ...process.env };
        moto = await startMoto();
        const client = { endpoint: moto.endpoint, region: "us-east-1", credentials: { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY } };
        events = new EventBridgeClient(client);
        sqs = new SQSClient(client);
        for (const name of [roleNames.trustCheck(PREFIX), `${PREFIX}-platform-change-outside-plan`]) queues.set(name, await ruleIntoQueue(events, sqs, plannedRule("prod", name)));
    });
    after(async () => {
        events?.destroy();
        sqs?.destroy();
        await moto?.stop();
        process.env = savedEnv;
    });

    it("the planned rule sends CreateRole and UpdateAssumeRolePolicy on platform roles to the function, by any caller, and ignores look-alikes", async () => {
        const star = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }] };
        const workloadRole = roleNames.workload(PREFIX, "airflow-payments");
        const samples: Array<{ label: string; event: ReturnType<typeof apiCall>; match: boolean }> = [
            { label: "a deploy run updates a workload role's trust", event: trustChange("UpdateAssumeRolePolicy", workloadRole, star), match: true },
            { label: "a deploy run creates a rotation role", event: trustChange("CreateRole", roleNames.rotation(PREFIX, "vendor-api"), star), match: true },
            { label: "an SSO admin updates the break-glass role's trust", event: trustChange("UpdateAssumeRolePolicy", roleNames.breakGlass(PREFIX), star, sso), match: true },
            { label: "an SSO admin updates the deploy role's trust", event: trustChange("UpdateAssumeRolePolicy", roleNames.githubDeploy(PREFIX), star, sso), match: true },
            { label: "a refused UpdateAssumeRolePolicy", event: apiCall({ accountId: PROD, service: "iam", eventName: "UpdateAssumeRolePolicy", caller: sso, errorCode: "AccessDenied", requestParameters: { roleName: workloadRole, policyDocument: JSON.stringify(star) } }), match: false },
            { label: "a role outside the platform", event: trustChange("UpdateAssumeRolePolicy", "data-export", star, sso), match: false },
            { label: "a dev platform role's name in prod's account", event: trustChange("CreateRole", roleNames.workload("fl-dev", "airflow-payments"), star), match: false },
            { label: "a name that merely contains the prefix", event: trustChange("CreateRole", `x${workloadRole}`, star), match: false },
            { label: "PutRolePolicy on a platform role (the policy part of the same check, test/audit/platform-change-check.test.ts)", event: apiCall({ accountId: PROD, service: "iam", eventName: "PutRolePolicy", caller: sso, requestParameters: { roleName: workloadRole } }), match: true },
            { label: "GetRole on a platform role", event: apiCall({ accountId: PROD, service: "iam", eventName: "GetRole", caller: sso, requestParameters: { roleName: workloadRole } }), match: false },
            { label: "an sts event named UpdateAssumeRolePolicy", event: { ...trustChange("UpdateAssumeRolePolicy", workloadRole, star), source: "aws.sts" }, match: false },
        ];
        for (let i = 0; i < samples.length; i += 10) {
            const batch = samples.slice(i, i + 10);
            const res = await events.send(
                new PutEventsCommand({ Entries: batch.map((s, j) => ({ Source: s.event.source, DetailType: s.event.detailType, Detail: JSON.stringify({ ...s.event.detail, sampleIndex: i + j }) })) }),
            );
            assert.equal(res.FailedEntryCount ?? 0, 0);
        }
        const got = new Set((await drain(roleNames.trustCheck(PREFIX))).map((m) => samples[m.detail.sampleIndex].label));
        assert.deepEqual(
            samples.filter((s) => got.has(s.label)).map((s) => s.label),
            samples.filter((s) => s.match).map((s) => s.label),
        );
    });

    it("the bundled function sends one finding for a bad trust, which the planned detection delivers naming the role and the principal; a planned trust sends nothing", async () => {
        const pkg = shippedPackage("prod");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trust-check-"));
        for (const [name, bytes] of Object.entries(pkg.files)) fs.writeFileSync(path.join(dir, name), bytes);
        Object.assign(process.env, FAKE_AWS_ENV, { AWS_REGION: "us-east-1", AWS_ENDPOINT_URL: moto.endpoint });
        try {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const bundle = require(path.join(dir, "index.js")) as { handler: (e: unknown) => Promise<{ finding?: TrustFinding }> };
            const workloadRole = roleNames.workload(PREFIX, "airflow-payments");
            const good = plannedRoles("prod").find((r) => r.name === workloadRole)!.trust;
            const outsider = `arn:aws:iam::${DEV}:root`;
            const bad = { Version: "2012-10-17", Statement: [...JSON.parse(good).Statement, { Effect: "Allow", Principal: { AWS: outsider }, Action: "sts:AssumeRole" }] };

            assert.deepEqual(await bundle.handler({ id: "good", detail: trustChange("UpdateAssumeRolePolicy", workloadRole, good).detail }), {});
            assert.deepEqual(await drain(`${PREFIX}-platform-change-outside-plan`), [], "a planned trust sends nothing");

            const result = await bundle.handler({ id: "bad", detail: trustChange("UpdateAssumeRolePolicy", workloadRole, bad).detail });
            assert.ok(result.finding);
            const delivered = await drain(`${PREFIX}-platform-change-outside-plan`);
            assert.equal(delivered.length, 1, "one finding");
            assert.equal(delivered[0].detail.roleName, workloadRole);
            assert.deepEqual(delivered[0].detail.principals, [outsider]);
            assert.deepEqual(delivered[0].resources, [`arn:aws:iam::${PROD}:role/${workloadRole}`]);
            assert.match(delivered[0].detail.caller, new RegExp(`assumed-role/${roleNames.githubDeploy(PREFIX)}/`));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("the planned detection sends its findings to the audit alert topic", () => {
        const report = planReport("prod");
        const topic = report.resources.find((r) => r.type === "aws:sns/topic:Topic" && inputs(r).name === `${PREFIX}-audit-alerts`)!;
        const target = report.resources.find((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget" && inputs(r).rule === `${PREFIX}-platform-change-outside-plan`)!;
        assert.ok(target, "the detection has a target");
        assert.equal(inputs(target).arn, (topic.outputs as Record<string, unknown>).arn);
    });
});

describe("role-trust check: the function's role, by simulation of the planned policies", () => {
    const roleArn = `arn:aws:iam::${PROD}:role/${roleNames.trustCheck(PREFIX)}`;
    const bus = `arn:aws:events:us-east-1:${PROD}:event-bus/default`;
    const policies = () => {
        const resources = planReport("prod").resources;
        const role = resources.find((r) => r.type === "aws:iam/role:Role" && inputs(r).name === roleNames.trustCheck(PREFIX))!;
        const attached = resources.filter((r) => (r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment") && [roleNames.trustCheck(PREFIX), (role.outputs as Record<string, unknown>).id].includes(inputs(r).role));
        assert.deepEqual(attached.map((r) => r.type), ["aws:iam/rolePolicy:RolePolicy"], "one inline policy, no attachment");
        const boundary = resources.find((r) => r.type === "aws:iam/policy:Policy" && (r.outputs as Record<string, unknown>).arn === inputs(role).permissionsBoundary);
        return { identityPolicies: [JSON.parse(inputs(attached[0]).policy)], permissionBoundary: boundary ? JSON.parse(inputs(boundary).policy) : undefined };
    };
    const decide = (action: string, resource: string, context?: Record<string, string | string[]>) => simulate({ principal: roleArn, action, resource, resourceAccount: PROD, ...policies(), context });

    it("may send its own findings to the default bus, and nothing with another source or to another bus", async () => {
        assert.equal(await decide("events:PutEvents", bus, { "events:source": ["finledger.audit"] }), "Allowed");
        assert.equal(await decide("events:PutEvents", bus, { "events:source": ["aws.iam"] }), "ImplicitlyDenied");
        assert.equal(await decide("events:PutEvents", bus, { "events:source": ["finledger.audit", "aws.iam"] }), "ImplicitlyDenied", "one entry with another source refuses the call");
        assert.equal(await decide("events:PutEvents", bus), "ImplicitlyDenied", "a call without a source is refused");
        assert.equal(await decide("events:PutEvents", `arn:aws:events:us-east-1:${PROD}:event-bus/other`, { "events:source": ["finledger.audit"] }), "ImplicitlyDenied");
    });

    it("may write its own log stream and no other", async () => {
        assert.equal(await decide("logs:PutLogEvents", `arn:aws:logs:us-east-1:${PROD}:log-group:/aws/lambda/${roleNames.trustCheck(PREFIX)}:log-stream:x`), "Allowed");
        assert.equal(await decide("logs:PutLogEvents", `arn:aws:logs:us-east-1:${PROD}:log-group:/aws/lambda/${roleNames.latencyProbe(PREFIX)}:log-stream:x`), "ImplicitlyDenied");
    });

    for (const [action, resource] of [
        ["secretsmanager:GetSecretValue", `arn:aws:secretsmanager:us-east-1:${PROD}:secret:prod/dbt/snowflake_key-AbCdEf`],
        ["iam:UpdateAssumeRolePolicy", `arn:aws:iam::${PROD}:role/${roleNames.workload(PREFIX, "airflow-payments")}`],
        ["iam:GetRole", `arn:aws:iam::${PROD}:role/${roleNames.workload(PREFIX, "airflow-payments")}`],
        ["sns:Publish", `arn:aws:sns:us-east-1:${PROD}:${PREFIX}-audit-alerts`],
        ["lambda:UpdateFunctionCode", `arn:aws:lambda:us-east-1:${PROD}:function:${roleNames.trustCheck(PREFIX)}`],
        ["sts:AssumeRole", `arn:aws:iam::${PROD}:role/${roleNames.githubDeploy(PREFIX)}`],
    ]) {
        it(`is refused ${action}`, async () => {
            assert.notEqual(await decide(action, resource), "Allowed");
        });
    }
});
