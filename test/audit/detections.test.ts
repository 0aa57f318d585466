// Every detection pattern, exactly as the prod plan creates it, put into a real EventBridge implementation (moto in
// server mode) with an SQS queue as target. Sample CloudTrail events go in with PutEvents; what arrives in each
// queue is what the rule matches.
import { strict as assert } from "assert";
import { SQSClient } from "@aws-sdk/client-sqs";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { drainQueue, ruleIntoQueue } from "../support/rule-queues";
import { buildDetectionRules } from "../../components/audit-alerts";
import { stateBucketName } from "../../components/github-deploy";
import { roleNames } from "../../model/names";
import { buildSeparationDetectionRules, deploySessionPrefix } from "../../components/separation-detections";
import { FUNCTION_FINDING_DETAIL_TYPE } from "../../functions/trust-check/function-judge";
import { TRUST_FINDING_DETAIL_TYPE, TRUST_FINDING_SOURCE } from "../../functions/trust-check/judge";
import { POLICY_FINDING_DETAIL_TYPE } from "../../functions/trust-check/policy-judge";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";
import { planReport } from "../support/plan-cli";
import { apiCall, Caller, secretsManagerServiceEvent } from "./cloudtrail-samples";
import { ACCOUNTS, DEV } from "../support/accounts";
const PROD: string = ACCOUNTS.prod;

const PREFIX = "fl-prod";
const secretArn = (name: string) => `arn:aws:secretsmanager:us-east-1:${PROD}:secret:${name}-AbCdEf`;
const role = (roleName: string, accountId = PROD): Caller => ({ kind: "role", accountId, roleName });
const breakGlassArn = `arn:aws:iam::${PROD}:role/${roleNames.breakGlass(PREFIX)}`;
const STATE_BUCKET = stateBucketName(PREFIX, PROD);
/** The deploy role in a prod deploy run: its session name carries the run id, as deploy.yml sets it. */
const deployRun = (): Caller => ({ kind: "role", accountId: PROD, roleName: roleNames.githubDeploy(PREFIX), sessionName: `${deploySessionPrefix("prod")}8812345678` });
const iamCall = (eventName: string, caller: Caller, requestParameters: Record<string, unknown>) => apiCall({ accountId: PROD, service: "iam", eventName, caller, requestParameters });
const lambdaCall = (eventName: string, caller: Caller) =>
    apiCall({ accountId: PROD, service: "lambda", eventName, caller, requestParameters: { functionName: `${PREFIX}-rotate-postgres-alternating-users` } });
const tagCall = (eventName: "TagResource" | "UntagResource", caller: Caller, keys: string[]) =>
    apiCall({
        accountId: PROD,
        service: "secretsmanager",
        eventName,
        caller,
        requestParameters: eventName === "TagResource" ? { secretId: "prod/dbt/snowflake_key", tags: keys.map((key) => ({ key, value: "x" })) } : { secretId: "prod/dbt/snowflake_key", tagKeys: keys },
    });
const stateRead = (caller: Caller, eventName = "GetObject", bucketName = STATE_BUCKET) =>
    apiCall({ accountId: PROD, service: "s3", eventName, caller, dataEvent: true, requestParameters: { bucketName, key: ".pulumi/stacks/finledger-secrets-platform/prod.json" } });
const sso = role("AWSReservedSSO_AdministratorAccess_0123456789abcdef");
const workloadRole = roleNames.workload(PREFIX, "airflow-payments");

interface Sample {
    readonly label: string;
    readonly event: { source: string; detailType: string; detail: Record<string, unknown> };
    /** Rule ids (without the prefix) that must match; every other rule must ignore the event. */
    readonly expect: string[];
}

const read = (caller: Caller, eventName = "GetSecretValue") =>
    apiCall({ accountId: PROD, service: "secretsmanager", eventName, caller, requestParameters: { secretId: "prod/airflow/connections/snowflake_payments" } });

const SAMPLES: Sample[] = [
    // Reads of a secret value.
    { label: "a workload role reads its secret", event: read(role(roleNames.workload(PREFIX, "airflow-payments"))), expect: [] },
    { label: "the latency probe reads the canary", event: read(role(roleNames.latencyProbe(PREFIX))), expect: [] },
    { label: "an IAM user reads a secret", event: read({ kind: "user", accountId: PROD, userName: "alice" }), expect: ["unknown-principal-secret-read"] },
    { label: "the root user reads a secret", event: read({ kind: "root", accountId: PROD }), expect: ["unknown-principal-secret-read"] },
    { label: "an SSO admin role reads a secret", event: read(role("AWSReservedSSO_AdministratorAccess_0123456789abcdef")), expect: ["unknown-principal-secret-read"] },
    { label: "a dev role name reads a prod secret", event: read(role(roleNames.workload("fl-dev", "airflow-payments"))), expect: ["unknown-principal-secret-read"] },
    { label: "a look-alike prod role name from another account reads", event: read(role(roleNames.latencyProbe(PREFIX), DEV)), expect: ["unknown-principal-secret-read"] },
    { label: "an unknown role batch-reads secrets", event: read(role("data-export"), "BatchGetSecretValue"), expect: ["unknown-principal-secret-read"] },
    { label: "Secrets Manager itself reads for replication", event: read({ kind: "service", service: "secretsmanager.amazonaws.com" }), expect: [] },
    { label: "an IAM user only describes a secret (metadata, no value)", event: read({ kind: "user", accountId: PROD, userName: "alice" }, "DescribeSecret"), expect: [] },
    // Rotation.
    ...["RotationFailed", "RotationAbandoned", "TestRotationFailed"].map((eventName) => ({
        label: `Secrets Manager reports ${eventName}`,
        event: secretsManagerServiceEvent({ accountId: PROD, eventName, secretArn: secretArn("prod/dbt/snowflake_key") }),
        expect: ["rotation-failed"],
    })),
    ...["RotationSucceeded", "RotationStarted", "TestRotationSucceeded"].map((eventName) => ({
        label: `Secrets Manager reports ${eventName}`,
        event: secretsManagerServiceEvent({ accountId: PROD, eventName, secretArn: secretArn("prod/dbt/snowflake_key") }),
        expect: [],
    })),
    {
        label: "an API call named like a rotation failure is not a service event",
        event: apiCall({ accountId: PROD, service: "secretsmanager", eventName: "RotationFailed", caller: role("x") }),
        expect: [],
    },
    // Deletion, replication and policy changes.
    ...["DeleteSecret", "ReplicateSecretToRegions", "RemoveRegionsFromReplication", "StopReplicationToReplica"].map((eventName) => ({
        label: `the deploy role calls ${eventName}`,
        event: apiCall({ accountId: PROD, service: "secretsmanager", eventName, caller: role(roleNames.githubDeploy(PREFIX)) }),
        expect: ["secret-deletion-or-policy-change"],
    })),
    {
        label: "the deploy role puts a secret policy during a deploy",
        event: apiCall({ accountId: PROD, service: "secretsmanager", eventName: "PutResourcePolicy", caller: role(roleNames.githubDeploy(PREFIX)) }),
        expect: [],
    },
    {
        label: "a workload role puts a secret policy",
        event: apiCall({ accountId: PROD, service: "secretsmanager", eventName: "PutResourcePolicy", caller: role(roleNames.workload(PREFIX, "spark-risk")) }),
        expect: ["secret-deletion-or-policy-change"],
    },
    {
        label: "an IAM user deletes a secret policy",
        event: apiCall({ accountId: PROD, service: "secretsmanager", eventName: "DeleteResourcePolicy", caller: { kind: "user", accountId: PROD, userName: "bob" } }),
        expect: ["secret-deletion-or-policy-change"],
    },
    ...["RestoreSecret", "GetResourcePolicy", "CreateSecret", "UpdateSecret"].map((eventName) => ({
        label: `someone calls the look-alike ${eventName}`,
        event: apiCall({ accountId: PROD, service: "secretsmanager", eventName, caller: { kind: "user", accountId: PROD, userName: "bob" } }),
        expect: [],
    })),
    // KMS.
    ...["ScheduleKeyDeletion", "DisableKey", "DisableKeyRotation"].map((eventName) => ({
        label: `an admin calls kms ${eventName}`,
        event: apiCall({ accountId: PROD, service: "kms", eventName, caller: role("fl-prod-platform-key-admin") }),
        expect: ["key-disabled-or-deletion-scheduled"],
    })),
    ...["CancelKeyDeletion", "EnableKey", "Decrypt"].map((eventName) => ({
        label: `someone calls the look-alike kms ${eventName}`,
        event: apiCall({ accountId: PROD, service: "kms", eventName, caller: role("fl-prod-platform-key-admin") }),
        expect: [],
    })),
    {
        label: "a secrets manager call named DisableKey is not a KMS event",
        event: apiCall({ accountId: PROD, service: "secretsmanager", eventName: "DisableKey", caller: role("x") }),
        expect: [],
    },
    // The trail itself.
    ...["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"].map((eventName) => ({
        label: `someone calls cloudtrail ${eventName}`,
        event: apiCall({ accountId: PROD, service: "cloudtrail", eventName, caller: role("AWSReservedSSO_AdministratorAccess_0123456789abcdef") }),
        expect: ["audit-trail-tampering"],
    })),
    ...["StartLogging", "LookupEvents", "GetTrailStatus"].map((eventName) => ({
        label: `someone calls the look-alike cloudtrail ${eventName}`,
        event: apiCall({ accountId: PROD, service: "cloudtrail", eventName, caller: role("AWSReservedSSO_AdministratorAccess_0123456789abcdef") }),
        expect: [],
    })),
    // Break glass.
    {
        label: "an admin assumes the break-glass role",
        event: apiCall({ accountId: PROD, service: "sts", eventName: "AssumeRole", caller: { kind: "user", accountId: PROD, userName: "breakglass-operator-a" }, requestParameters: { roleArn: breakGlassArn, roleSessionName: "incident-42" } }),
        expect: ["break-glass-assumed"],
    },
    {
        label: "someone assumes an ordinary platform role",
        event: apiCall({ accountId: PROD, service: "sts", eventName: "AssumeRole", caller: { kind: "user", accountId: PROD, userName: "ci" }, requestParameters: { roleArn: `arn:aws:iam::${PROD}:role/${roleNames.githubPreview(PREFIX)}`, roleSessionName: "x" } }),
        expect: [],
    },
    {
        label: "someone assumes a role whose name merely contains break-glass",
        event: apiCall({ accountId: PROD, service: "sts", eventName: "AssumeRole", caller: { kind: "user", accountId: PROD, userName: "ci" }, requestParameters: { roleArn: `${breakGlassArn}-old`, roleSessionName: "x" } }),
        expect: [],
    },
    // Separation of duties: role, provider and function changes outside a deploy run.
    ...["UpdateAssumeRolePolicy", "PutRolePolicy", "AttachRolePolicy", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary"].map((eventName) => ({
        label: `an SSO admin calls iam ${eventName} on a workload role`,
        event: iamCall(eventName, sso, { roleName: workloadRole }),
        expect: ["platform-role-or-provider-change-outside-deploy"],
    })),
    ...["UpdateAssumeRolePolicy", "PutRolePolicy", "AttachRolePolicy"].map((eventName) => ({
        label: `a deploy run calls iam ${eventName} on a workload role`,
        event: iamCall(eventName, deployRun(), { roleName: workloadRole }),
        expect: [],
    })),
    {
        label: "the deploy role under a session name that is not a run's rewrites a trust policy",
        event: iamCall("UpdateAssumeRolePolicy", { ...deployRun(), sessionName: "manual-fix" } as Caller, { roleName: workloadRole }),
        expect: ["platform-role-or-provider-change-outside-deploy"],
    },
    {
        label: "a look-alike deploy role name with a run session rewrites a trust policy",
        event: iamCall("UpdateAssumeRolePolicy", { ...deployRun(), roleName: `${roleNames.githubDeploy(PREFIX)}-old` } as Caller, { roleName: workloadRole }),
        expect: ["platform-role-or-provider-change-outside-deploy"],
    },
    {
        label: "the dev deploy role's run session (another account) rewrites a prod trust policy",
        event: iamCall("UpdateAssumeRolePolicy", { kind: "role", accountId: DEV, roleName: roleNames.githubDeploy(PREFIX), sessionName: `${deploySessionPrefix("prod")}1` }, { roleName: workloadRole }),
        expect: ["platform-role-or-provider-change-outside-deploy"],
    },
    {
        label: "a staging-named deploy session of the prod role rewrites a trust policy",
        event: iamCall("UpdateAssumeRolePolicy", { ...deployRun(), sessionName: `${deploySessionPrefix("staging")}1` } as Caller, { roleName: workloadRole }),
        expect: ["platform-role-or-provider-change-outside-deploy"],
    },
    {
        label: "an SSO admin puts an inline policy on a role outside the platform",
        event: iamCall("PutRolePolicy", sso, { roleName: "data-export" }),
        expect: [],
    },
    {
        label: "an SSO admin reads a platform role (GetRole is no change)",
        event: iamCall("GetRole", sso, { roleName: workloadRole }),
        expect: [],
    },
    {
        label: "a workload role creates an OIDC provider",
        event: iamCall("CreateOpenIDConnectProvider", role(workloadRole), { url: "https://attacker.example", clientIDList: ["sts.amazonaws.com"] }),
        expect: ["platform-role-or-provider-change-outside-deploy"],
    },
    {
        label: "a deploy run creates an OIDC provider (denied by IAM, and still not a change of a platform role)",
        event: iamCall("CreateOpenIDConnectProvider", deployRun(), { url: "https://attacker.example" }),
        expect: [],
    },
    ...["UpdateFunctionCode20150331v2", "UpdateFunctionConfiguration20150331v2", "DeleteFunctionCodeSigningConfig"].map((eventName) => ({
        label: `an SSO admin calls lambda ${eventName}`,
        event: lambdaCall(eventName, sso),
        expect: ["function-code-change-outside-deploy"],
    })),
    {
        label: "a deploy run updates a function's code",
        event: lambdaCall("UpdateFunctionCode20150331v2", deployRun()),
        expect: [],
    },
    ...["GetFunction20150331v2", "Invoke", "ListFunctions20150331"].map((eventName) => ({
        label: `someone calls the look-alike lambda ${eventName}`,
        event: lambdaCall(eventName, sso),
        expect: [],
    })),
    // Secret tags.
    {
        label: "an SSO admin retags a secret's rotation strategy",
        event: tagCall("TagResource", sso, ["rotation-strategy"]),
        expect: ["secret-tag-change-outside-deploy"],
    },
    {
        label: "a workload role removes a secret's environment tag",
        event: tagCall("UntagResource", role(workloadRole), ["environment"]),
        expect: ["secret-tag-change-outside-deploy"],
    },
    {
        label: "the manual-rotation runbook sets expires-at (an expected alert)",
        event: tagCall("TagResource", sso, ["expires-at"]),
        expect: ["secret-tag-change-outside-deploy"],
    },
    {
        label: "someone removes expires-at, which would silence the expiry check",
        event: tagCall("UntagResource", sso, ["expires-at"]),
        expect: ["secret-tag-change-outside-deploy"],
    },
    {
        label: "an SSO admin only describes a secret's tags",
        event: apiCall({ accountId: PROD, service: "secretsmanager", eventName: "DescribeSecret", caller: sso, requestParameters: { secretId: "prod/dbt/snowflake_key" } }),
        expect: [],
    },
    {
        label: "a deploy run sets a secret's tags",
        event: tagCall("TagResource", deployRun(), ["owner", "criticality"]),
        expect: [],
    },
    // Reads of the Pulumi state.
    { label: "the preview role reads the state", event: stateRead(role(roleNames.githubPreview(PREFIX))), expect: [] },
    { label: "a deploy run reads the state", event: stateRead(deployRun()), expect: [] },
    { label: "break glass reads the state", event: stateRead(role(roleNames.breakGlass(PREFIX))), expect: [] },
    { label: "an SSO admin downloads the state", event: stateRead(sso), expect: ["state-read-by-unknown-principal"] },
    { label: "an IAM user reads an old state version", event: stateRead({ kind: "user", accountId: PROD, userName: "alice" }, "GetObjectVersion"), expect: ["state-read-by-unknown-principal"] },
    { label: "a role named like the preview role in another account reads the state", event: stateRead(role(roleNames.githubPreview(PREFIX), DEV)), expect: ["state-read-by-unknown-principal"] },
    { label: "an SSO admin reads an object of another bucket", event: stateRead(sso, "GetObject", `${PREFIX}-audit-trail-${PROD}`), expect: [] },
    { label: "an SSO admin lists the state bucket (metadata only)", event: stateRead(sso, "HeadBucket"), expect: [] },
    // The platform's own expiry findings.
    {
        label: "the expiry check reports a secret expiring",
        event: { source: "finledger.audit", detailType: "Secret Expiring", detail: { environment: "prod", secretName: "prod/x", expiresAt: "2027-01-01", daysLeft: 5 } },
        expect: ["secret-expiry"],
    },
    {
        label: "the expiry check reports an unreadable tag",
        event: { source: "finledger.audit", detailType: "Secret Expiry Tag Invalid", detail: { environment: "prod", secretName: "prod/x", expiresAt: "soon", daysLeft: null } },
        expect: ["secret-expiry"],
    },
    // The trust check's findings (test/audit/role-trust-check.test.ts makes them).
    {
        label: "the trust check reports a platform role trusting a principal outside the plan",
        event: { source: TRUST_FINDING_SOURCE, detailType: TRUST_FINDING_DETAIL_TYPE, detail: { environment: "prod", roleName: workloadRole, principals: ["*"] } },
        expect: ["platform-change-outside-plan"],
    },
    {
        label: "the platform change check reports a platform role's policy outside the plan",
        event: { source: TRUST_FINDING_SOURCE, detailType: POLICY_FINDING_DETAIL_TYPE, detail: { environment: "prod", roleName: workloadRole, policy: "read-catalog-secrets", outside: ["secretsmanager:GetSecretValue on *"] } },
        expect: ["platform-change-outside-plan"],
    },
    {
        label: "the platform change check reports a platform function's configuration outside the plan",
        event: { source: TRUST_FINDING_SOURCE, detailType: FUNCTION_FINDING_DETAIL_TYPE, detail: { environment: "prod", functionName: `${PREFIX}-rotate-vendor-api`, outside: ["configuration: variable NODE_OPTIONS is not planned"] } },
        expect: ["platform-change-outside-plan"],
    },
    {
        label: "another source sends the policy and function findings' detail types",
        event: { source: "finledger.other", detailType: POLICY_FINDING_DETAIL_TYPE, detail: { roleName: workloadRole } },
        expect: [],
    },
    {
        label: "the check's source sends a detail type it does not use",
        event: { source: TRUST_FINDING_SOURCE, detailType: "Platform Role Policy Within Plan", detail: { roleName: workloadRole } },
        expect: [],
    },
    {
        label: "another source sends the trust finding's detail type",
        event: { source: "finledger.other", detailType: TRUST_FINDING_DETAIL_TYPE, detail: { roleName: workloadRole } },
        expect: [],
    },
    {
        label: "another source sends a Secret Expiring detail type",
        event: { source: "finledger.other", detailType: "Secret Expiring", detail: { secretName: "prod/x" } },
        expect: [],
    },
];

describe("audit detections in a real EventBridge (moto)", function () {
    let moto: MotoServer;
    let events: EventBridgeClient;
    let sqs: SQSClient;
    const queueByRule = new Map<string, string>();
    const arrived = new Map<string, Set<string>>();
    let plannedRules: Array<{ name: string; pattern: string; state: string; arn: string }>;
    let forwardRules: Array<{ name: string; pattern: string; state: string; arn: string }>;

    before(async function () {
        const report = planReport("prod");
        plannedRules = report.resources
            .filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule" && (r.inputs as Record<string, unknown>).eventPattern)
            .map((r) => {
                const inputs = r.inputs as Record<string, string>;
                return { name: inputs.name, pattern: inputs.eventPattern, state: inputs.state, arn: String((r.outputs as Record<string, unknown>).arn) };
            });
        forwardRules = plannedRules.filter((r) => r.name.endsWith("-forward"));
        // Not detections: the event-driven refresh rule delivers values (test/ops/event-refresh.test.ts), and the trust
        // check's rule feeds its function (test/audit/role-trust-check.test.ts), whose findings the detections route.
        plannedRules = plannedRules.filter((r) => !r.name.endsWith("-forward") && r.name !== roleNames.esoRefresh(PREFIX) && r.name !== roleNames.trustCheck(PREFIX));
        moto = await startMoto();
        const client = { endpoint: moto.endpoint, region: "us-east-1", credentials: { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY } };
        events = new EventBridgeClient(client);
        sqs = new SQSClient(client);
        for (const rule of plannedRules) queueByRule.set(rule.name, await ruleIntoQueue(events, sqs, rule));
        for (let i = 0; i < SAMPLES.length; i += 10) {
            const batch = SAMPLES.slice(i, i + 10);
            const res = await events.send(
                new PutEventsCommand({
                    Entries: batch.map((s, j) => ({ Source: s.event.source, DetailType: s.event.detailType, Detail: JSON.stringify({ ...s.event.detail, sampleIndex: i + j }) })),
                }),
            );
            assert.equal(res.FailedEntryCount ?? 0, 0);
        }
        for (const [ruleName, url] of queueByRule) {
            arrived.set(ruleName, new Set((await drainQueue(sqs, url)).map((m) => SAMPLES[m.detail.sampleIndex].label)));
        }
    });

    after(async () => {
        events?.destroy();
        sqs?.destroy();
        await moto?.stop();
    });

    it("plans exactly the detections the builder defines, with the planned patterns", () => {
        const built = [
            ...buildDetectionRules({ namePrefix: PREFIX, accountId: PROD, deployRoleName: roleNames.githubDeploy(PREFIX), breakGlassRoleName: roleNames.breakGlass(PREFIX) }),
            ...buildSeparationDetectionRules({
                environment: "prod",
                accountId: PROD,
                namePrefix: PREFIX,
                deployRoleName: roleNames.githubDeploy(PREFIX),
                previewRoleName: roleNames.githubPreview(PREFIX),
                breakGlassRoleName: roleNames.breakGlass(PREFIX),
                stateBucket: STATE_BUCKET,
            }),
        ];
        assert.deepEqual(
            plannedRules.map((r) => ({ name: r.name, pattern: JSON.parse(r.pattern), state: r.state })).sort((a, b) => a.name.localeCompare(b.name)),
            built.map((r) => ({ name: `${PREFIX}-${r.id}`, pattern: r.pattern, state: r.state })).sort((a, b) => a.name.localeCompare(b.name)),
        );
    });

    it("forwards every AWS-event detection from the replica region to the home bus with the same pattern", () => {
        const report = planReport("prod");
        const aws = plannedRules.filter((r) => (JSON.parse(r.pattern).source as string[]).every((src) => src.startsWith("aws.")));
        assert.equal(forwardRules.length, aws.length);
        for (const home of aws) {
            const fwd = forwardRules.find((f) => f.name === `${home.name}-forward`)!;
            assert.ok(fwd, `${home.name} is forwarded`);
            assert.deepEqual([JSON.parse(fwd.pattern), fwd.state], [JSON.parse(home.pattern), home.state]);
            assert.match(fwd.arn, /^arn:aws:events:us-west-2:/);
            assert.match(home.arn, /^arn:aws:events:us-east-1:/);
            const target = report.resources.find((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget" && (r.inputs as Record<string, string>).rule === fwd.name)!;
            assert.equal((target.inputs as Record<string, string>).arn, `arn:aws:events:us-east-1:${PROD}:event-bus/default`);
        }
    });

    it("reads by principals outside fl-prod-* and reads of break glass see all management events, read-only included", () => {
        const states = Object.fromEntries(plannedRules.map((r) => [r.name, r.state]));
        assert.equal(states[`${PREFIX}-unknown-principal-secret-read`], "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
        assert.equal(states[`${PREFIX}-break-glass-assumed`], "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS");
    });

    for (const sample of SAMPLES) {
        it(`${sample.label}: ${sample.expect.length ? `caught by ${sample.expect.join(", ")}` : "ignored by every rule"}`, () => {
            const matchedBy = [...arrived].filter(([, labels]) => labels.has(sample.label)).map(([name]) => name.slice(PREFIX.length + 1)).sort();
            assert.deepEqual(matchedBy, [...sample.expect].sort());
        });
    }
});
