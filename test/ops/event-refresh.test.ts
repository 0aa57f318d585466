// Event-driven ESO refresh (model/event-refresh.ts, components/eso-refresh.ts, functions/eso-refresh/): the prod plan's
// rule in a real EventBridge (moto) against real-shaped CloudTrail events and look-alikes; the function's merge patch
// applied to every planned ExternalSecret and validated against the external-secrets.io/v1 schema; its Kubernetes RBAC
// and IAM from the plan; and the bundled function, as Lambda runs it, against a loopback stand-in for the Kubernetes API.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { buildRefreshRbac, ESO_REFRESH_ROLE } from "../../components/eso-refresh";
import { functionBundle } from "../../functions/bundle";
import { refreshForEvent, RefreshResult } from "../../functions/eso-refresh/index";
import { externalSecretPath, forceSyncPatch, MERGE_PATCH_CONTENT_TYPE } from "../../functions/eso-refresh/patch";
import { EKS_TOKEN_PREFIX, eksToken } from "../../functions/eso-refresh/token";
import { loadCatalog } from "../../model/catalog";
import { buildSecretValueChangedPattern, ESO_REFRESH_GROUP, FORCE_SYNC_ANNOTATION, RefreshTargets, secretNameOfArn, TARGETS_FILE } from "../../model/event-refresh";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { planEnvironment } from "../../model/environment";
import { roleNames } from "../../model/names";
import { eventDeliverySeconds, maxTaskFileAgeSeconds, requiredGraceSeconds } from "../../model/rollout";
import { planRefreshTargets } from "../../stacks/refresh";
import type { PlanReport } from "../../tools/plan/report";
import { apiCall, Caller, secretsManagerServiceEvent } from "../audit/cloudtrail-samples";
import { ACCOUNTS } from "../support/accounts";
import { simulate } from "../support/iam-simulator";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";
import { planReport, PROJECT_DIR } from "../support/plan-cli";
import { planIam } from "../support/plan-iam";

const importEsm = new Function("m", "return import(m)") as (m: string) => Promise<any>;
const PROD: string = ACCOUNTS.prod;
const PREFIX = "fl-prod";
const REGION = "us-east-1";
const arnOf = (name: string, account = PROD, region = REGION) => `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`;
const rotator: Caller = { kind: "role", accountId: PROD, roleName: roleNames.rotation(PREFIX, "snowflake-key-pair") };
const person: Caller = { kind: "role", accountId: PROD, roleName: "AWSReservedSSO_PlatformEngineer_0123456789abcdef" };

type Resource = PlanReport["resources"][number];
const inputsOf = (r: Resource) => r.inputs as Record<string, any>;

/** A Secrets Manager API call as EventBridge delivers it, with the response CloudTrail records for a success. */
function smCall(eventName: string, secretName: string, requestParameters: Record<string, unknown>, opts: { account?: string; caller?: Caller; errorCode?: string } = {}) {
    const e = apiCall({ accountId: opts.account ?? PROD, service: "secretsmanager", eventName, caller: opts.caller ?? person, requestParameters: { secretId: secretName, ...requestParameters }, errorCode: opts.errorCode });
    const arn = arnOf(secretName, opts.account ?? PROD);
    e.detail.responseElements = opts.errorCode ? null : eventName === "PutSecretValue" ? { arn, versionId: "v2" } : { arn };
    return e;
}

interface Sample {
    readonly label: string;
    readonly event: { source: string; detailType: string; detail: Record<string, unknown> };
    readonly matches: boolean;
}

const SAMPLES: Sample[] = [
    { label: "first or manual value (PutSecretValue, stages default to AWSCURRENT)", matches: true, event: smCall("PutSecretValue", "prod/snowflake/dbt/core-dimensions", { clientRequestToken: "t1" }) },
    { label: "PutSecretValue with AWSCURRENT named", matches: true, event: smCall("PutSecretValue", "prod/payments/stripe-api", { clientRequestToken: "t2", versionStages: ["AWSCURRENT"] }) },
    { label: "finishSecret moves AWSCURRENT", matches: true, event: smCall("UpdateSecretVersionStage", "prod/postgres/dbt/pg_ledger", { versionStage: "AWSCURRENT", moveToVersionId: "v2", removeFromVersionId: "v1" }, { caller: rotator }) },
    { label: "RotationSucceeded service event", matches: true, event: secretsManagerServiceEvent({ accountId: PROD, eventName: "RotationSucceeded", secretArn: arnOf("prod/snowflake/dbt/core-dimensions") }) },
    { label: "MSK secret under its required prefix", matches: true, event: smCall("UpdateSecretVersionStage", "AmazonMSK_prod/kafka/spark-ledger-stream-posting", { versionStage: "AWSCURRENT", moveToVersionId: "v3" }, { caller: rotator }) },
    { label: "createSecret step puts AWSPENDING (not current yet)", matches: false, event: smCall("PutSecretValue", "prod/snowflake/dbt/core-dimensions", { clientRequestToken: "t3", versionStages: ["AWSPENDING"] }, { caller: rotator }) },
    { label: "a custom stage moves, AWSCURRENT does not", matches: false, event: smCall("UpdateSecretVersionStage", "prod/postgres/dbt/pg_ledger", { versionStage: "AWSPENDING", moveToVersionId: "v9" }, { caller: rotator }) },
    { label: "a denied PutSecretValue", matches: false, event: smCall("PutSecretValue", "prod/payments/stripe-api", { clientRequestToken: "t4" }, { errorCode: "AccessDenied" }) },
    { label: "another environment's prefix in the same account", matches: false, event: smCall("PutSecretValue", "staging/payments/stripe-api", { clientRequestToken: "t5" }) },
    { label: "a prefix that only starts like prod", matches: false, event: smCall("PutSecretValue", "production/payments/stripe-api", { clientRequestToken: "t6" }) },
    { label: "another account's prod-named secret", matches: false, event: smCall("PutSecretValue", "prod/payments/stripe-api", { clientRequestToken: "t7" }, { account: ACCOUNTS.staging }) },
    { label: "RotationSucceeded of another environment", matches: false, event: secretsManagerServiceEvent({ accountId: PROD, eventName: "RotationSucceeded", secretArn: arnOf("dev/snowflake/dbt/core-dimensions") }) },
    { label: "RotationFailed", matches: false, event: secretsManagerServiceEvent({ accountId: PROD, eventName: "RotationFailed", secretArn: arnOf("prod/snowflake/dbt/core-dimensions") }) },
    { label: "an unrelated read (GetSecretValue)", matches: false, event: smCall("GetSecretValue", "prod/payments/stripe-api", {}) },
    { label: "an unrelated change (UpdateSecret description)", matches: false, event: smCall("UpdateSecret", "prod/payments/stripe-api", { description: "x" }) },
    { label: "a look-alike from another service", matches: false, event: { ...apiCall({ accountId: PROD, service: "kms", eventName: "PutSecretValue", caller: person }), detail: { ...smCall("PutSecretValue", "prod/payments/stripe-api", {}).detail, eventSource: "kms.amazonaws.com" } } },
];

/** RFC 7386 JSON merge patch, as the API server applies `application/merge-patch+json`. */
function mergePatch(target: any, patch: any): any {
    if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
    const out = target && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
    for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete out[k];
        else out[k] = mergePatch(out[k], v);
    }
    return out;
}

describe("event-driven ESO refresh: the rule in a real EventBridge (moto)", function () {
    let moto: MotoServer;
    let arrived: Set<string>;
    let plannedPattern: Record<string, unknown>;

    before(async function () {
        const rule = planReport("prod").resources.find((r) => r.type === "aws:cloudwatch/eventRule:EventRule" && inputsOf(r).name === `${PREFIX}-eso-refresh`);
        assert.ok(rule, "the prod plan has the refresh rule");
        plannedPattern = JSON.parse(inputsOf(rule!).eventPattern);
        moto = await startMoto();
        const client = { endpoint: moto.endpoint, region: REGION, credentials: { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY } };
        const events = new EventBridgeClient(client);
        const sqs = new SQSClient(client);
        try {
            const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "eso-refresh" }));
            const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
            await events.send(new PutRuleCommand({ Name: `${PREFIX}-eso-refresh`, EventPattern: inputsOf(rule!).eventPattern, State: "ENABLED" }));
            await events.send(new PutTargetsCommand({ Rule: `${PREFIX}-eso-refresh`, Targets: [{ Id: "queue", Arn: attrs.Attributes!.QueueArn! }] }));
            for (let i = 0; i < SAMPLES.length; i += 10) {
                const batch = SAMPLES.slice(i, i + 10);
                const res = await events.send(
                    new PutEventsCommand({ Entries: batch.map((s, j) => ({ Source: s.event.source, DetailType: s.event.detailType, Detail: JSON.stringify({ ...s.event.detail, sampleIndex: i + j }) })) }),
                );
                assert.equal(res.FailedEntryCount ?? 0, 0);
            }
            arrived = new Set();
            for (;;) {
                const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
                if (!res.Messages?.length) break;
                for (const m of res.Messages) arrived.add(SAMPLES[JSON.parse(m.Body!).detail.sampleIndex].label);
            }
        } finally {
            events.destroy();
            sqs.destroy();
        }
    });

    after(async () => {
        await moto?.stop();
    });

    it("plans the rule with the builder's pattern, scoped to prod's account, region and both name prefixes", () => {
        assert.deepEqual(plannedPattern, buildSecretValueChangedPattern({ accountId: PROD, region: REGION, environment: "prod" }));
        const text = JSON.stringify(plannedPattern);
        assert.ok(text.includes(`arn:aws:secretsmanager:${REGION}:${PROD}:secret:prod/`) && text.includes(`arn:aws:secretsmanager:${REGION}:${PROD}:secret:AmazonMSK_prod/`));
    });

    for (const s of SAMPLES) {
        it(`${s.matches ? "delivers" : "ignores"}: ${s.label}`, () => {
            assert.equal(arrived.has(s.label), s.matches);
        });
    }
});

describe("event-driven ESO refresh: what the function may touch", function () {
    let report: PlanReport;
    let targets: RefreshTargets;
    let externals: any[];
    before(() => {
        report = planReport("prod");
        externals = report.resources.filter((r) => r.type === "kubernetes:external-secrets.io/v1:ExternalSecret").map((r) => r.inputs as any);
        const model = planEnvironment(parseEnvironmentConfig(readStackFile(PROJECT_DIR, "prod")), loadCatalog(path.join(PROJECT_DIR, "catalog")));
        targets = planRefreshTargets(model.catalog, (n) => model.secretsByName.get(n)?.fullName);
    });

    it("states the prod bounds the docs quote: 180 s by events, 4 020 s by polling, and a grace rule still on the polling path", () => {
        const model = planEnvironment(parseEnvironmentConfig(readStackFile(PROJECT_DIR, "prod")), loadCatalog(path.join(PROJECT_DIR, "catalog")));
        assert.equal(eventDeliverySeconds(model.rollout), 180);
        assert.equal(maxTaskFileAgeSeconds(model.rollout), 4020);
        assert.equal(requiredGraceSeconds(model.rollout), 25620);
        const fn = report.resources.find((r) => r.type === "aws:lambda/function:Function" && inputsOf(r).name === roleNames.esoRefresh(PREFIX))!;
        assert.ok(inputsOf(fn).timeout * 2 <= 60, "the function's timeout leaves half the bound to ESO");
    });

    it("names exactly the planned ExternalSecrets, each under the secret it reads", () => {
        const fromTable = Object.entries(targets).flatMap(([secret, list]) => list.map((t) => `${t.namespace}/${t.name} <- ${secret}`)).sort();
        const fromPlan = externals.map((e) => `${e.metadata.namespace}/${e.metadata.name} <- ${e.spec.data?.[0]?.remoteRef.key ?? e.spec.dataFrom[0].extract.key}`).sort();
        assert.ok(fromPlan.length > 50);
        assert.deepEqual(fromTable, fromPlan);
        const fn = report.resources.find((r) => r.type === "aws:lambda/function:Function" && inputsOf(r).name === roleNames.esoRefresh(PREFIX))!;
        assert.ok(fn, "the prod plan has the refresh function");
    });

    it("its merge patch, applied to every planned ExternalSecret, validates against the external-secrets.io/v1 schema and changes only force-sync", async () => {
        const models = await importEsm("@kubernetes-models/external-secrets/external-secrets.io/v1");
        const patch = forceSyncPatch("event-0f1e2d3c");
        assert.deepEqual(Object.keys(patch), ["metadata"]);
        for (const e of externals) {
            const patched = mergePatch(e, patch);
            new models.ExternalSecret(patched).validate();
            assert.equal(patched.metadata.annotations[FORCE_SYNC_ANNOTATION], "event-0f1e2d3c");
            assert.deepEqual(patched, { ...e, metadata: { ...e.metadata, annotations: { ...(e.metadata.annotations ?? {}), [FORCE_SYNC_ANNOTATION]: "event-0f1e2d3c" } } }, `${e.metadata.namespace}/${e.metadata.name}: only force-sync changes`);
        }
        // The schema check itself can fail: a patch that broke the object is caught.
        assert.throws(() => new models.ExternalSecret(mergePatch(externals[0], { spec: { refreshInterval: 15 } })).validate(), /refreshInterval/);
    });

    it("its Kubernetes RBAC allows only patch, only on externalsecrets.external-secrets.io, only on those by name, in their namespaces", () => {
        const of = (type: string) => report.resources.filter((r) => r.type === type && inputsOf(r).metadata?.name === ESO_REFRESH_ROLE).map(inputsOf);
        const roles = of("kubernetes:rbac.authorization.k8s.io/v1:Role");
        const bindings = of("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
        assert.deepEqual(roles.map((r) => ({ namespace: r.metadata.namespace, rules: r.rules })).sort((a, b) => a.namespace.localeCompare(b.namespace)), buildRefreshRbac(targets).map((r) => ({ namespace: r.namespace, rules: r.rules })));
        const byNs = new Map<string, string[]>();
        for (const e of externals) byNs.set(e.metadata.namespace, [...(byNs.get(e.metadata.namespace) ?? []), e.metadata.name]);
        assert.deepEqual(roles.map((r) => r.metadata.namespace).sort(), [...byNs.keys()].sort(), "a Role in every namespace that holds ExternalSecrets, and no other");
        for (const r of roles) {
            assert.equal(r.rules.length, 1);
            assert.deepEqual([r.rules[0].apiGroups, r.rules[0].resources, r.rules[0].verbs], [["external-secrets.io"], ["externalsecrets"], ["patch"]]);
            assert.deepEqual(r.rules[0].resourceNames, [...byNs.get(r.metadata.namespace)!].sort());
        }
        assert.equal(bindings.length, roles.length);
        for (const b of bindings) {
            assert.deepEqual(b.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: ESO_REFRESH_ROLE });
            assert.deepEqual(b.subjects, [{ kind: "Group", name: ESO_REFRESH_GROUP, apiGroup: "rbac.authorization.k8s.io" }]);
        }
        // Nothing else in the cluster binds the group, and the access entry maps the role to that group only.
        const others = report.resources.filter((r) => /RoleBinding$|ClusterRoleBinding$/.test(r.type) && inputsOf(r).metadata?.name !== ESO_REFRESH_ROLE && JSON.stringify(inputsOf(r).subjects ?? []).includes(ESO_REFRESH_GROUP));
        assert.deepEqual(others, []);
        // The CI roles' own entries (the bootstrap's, test/cicd/cluster-access.test.ts) map to other groups.
        const refreshArn = `arn:aws:iam::${PROD}:role/${roleNames.esoRefresh(PREFIX)}`;
        const entries = report.resources.filter((r) => r.type === "aws:eks/accessEntry:AccessEntry").map(inputsOf);
        assert.deepEqual(entries.filter((e) => e.principalArn === refreshArn), [{ clusterName: "fl-prod-data", kubernetesGroups: [ESO_REFRESH_GROUP], principalArn: refreshArn, type: "STANDARD" }]);
        assert.deepEqual(entries.filter((e) => e.kubernetesGroups?.includes(ESO_REFRESH_GROUP)).map((e) => e.principalArn), [refreshArn], "no other principal maps to the refresh group");
        assert.equal(report.resources.filter((r) => r.type === "aws:eks/accessPolicyAssociation:AccessPolicyAssociation" && inputsOf(r).principalArn === refreshArn).length, 0, "no EKS access policy on top of RBAC");
    });

    it("its IAM role can write its own logs and cannot read any secret or decrypt with the environment key (simulated with the boundary)", async () => {
        const iam = planIam(report);
        const role = iam.roles.get(roleNames.esoRefresh(PREFIX))!;
        assert.ok(role, "the plan creates the role");
        const roleResource = report.resources.find((r) => r.type === "aws:iam/role:Role" && inputsOf(r).name === roleNames.esoRefresh(PREFIX))!;
        const boundaryArn = inputsOf(roleResource).permissionsBoundary;
        const boundaryPolicy = report.resources.find((r) => r.type === "aws:iam/policy:Policy" && (r.outputs as any).arn === boundaryArn);
        assert.ok(boundaryArn && boundaryPolicy, "the role carries the platform boundary");
        const boundary = JSON.parse(inputsOf(boundaryPolicy!).policy);
        const decide = (action: string, resource: string, context?: Record<string, string>) =>
            simulate({ principal: role.arn, action, resource, identityPolicies: role.identityPolicies, permissionBoundary: boundary, context });
        const logStream = `arn:aws:logs:${REGION}:${PROD}:log-group:/aws/lambda/${roleNames.esoRefresh(PREFIX)}:log-stream:2026/12/02/abc`;
        assert.equal(await decide("logs:PutLogEvents", logStream), "Allowed");
        assert.notEqual(await decide("logs:PutLogEvents", `arn:aws:logs:${REGION}:${PROD}:log-group:/aws/lambda/${PREFIX}-rotate-postgres-alternating-users:log-stream:x`), "Allowed");
        for (const s of iam.secrets.slice(0, 25)) {
            for (const action of ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"]) {
                assert.notEqual(await decide(action, s.arn), "Allowed", `${action} on ${s.name}`);
            }
        }
        assert.notEqual(await decide("kms:Decrypt", iam.environmentKey.arn, { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` }), "Allowed");
        assert.notEqual(await decide("eks:AssociateAccessPolicy", `arn:aws:eks:${REGION}:${PROD}:access-entry/fl-prod-data/role/${PROD}/${roleNames.esoRefresh(PREFIX)}/x`), "Allowed");
    });
});

interface Recorded {
    method: string;
    url: string;
    headers: http.IncomingHttpHeaders;
    body: string;
}

/** A loopback stand-in for the Kubernetes API: answers PATCH on the ExternalSecrets it holds as the API server does, records every request. */
async function kubeStandIn(objects: Set<string>, answers: Map<string, number[]> = new Map()): Promise<{ url: string; requests: Recorded[]; close: () => Promise<void> }> {
    const requests: Recorded[] = [];
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const body = Buffer.concat(chunks).toString("utf8");
            requests.push({ method: req.method!, url: req.url!, headers: req.headers, body });
            const forced = answers.get(req.url!)?.shift();
            const status = forced ?? (req.method === "PATCH" && objects.has(req.url!) ? (req.headers["content-type"] === MERGE_PATCH_CONTENT_TYPE ? 200 : 415) : 404);
            res.writeHead(status, { "Content-Type": "application/json" });
            res.end(JSON.stringify(status === 200 ? { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: JSON.parse(body).metadata } : { kind: "Status", status: "Failure", code: status }));
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    return { url: `http://127.0.0.1:${port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

describe("event-driven ESO refresh: the function against a loopback Kubernetes API", function () {
    const secret = "prod/snowflake/dbt/core-dimensions";
    const table: RefreshTargets = {
        [secret]: [
            { namespace: "dbt", name: "snowflake-dbt-core-dimensions" },
            { namespace: "airflow-finance-reporting", name: "snowflake-dbt-core-dimensions" },
        ],
        "prod/payments/stripe-api": [{ namespace: "airflow-payments", name: "payments-stripe-api" }],
    };
    const rotation = { id: "7d0c4b1e-2f3a-4c5d-8e9f-0a1b2c3d4e5f", ...secretsManagerServiceEvent({ accountId: PROD, eventName: "RotationSucceeded", secretArn: arnOf(secret) }) };
    const credentials = { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY };

    it("reads the secret name from each event shape's ARN, without AWS's random suffix", () => {
        assert.equal(secretNameOfArn(arnOf("AmazonMSK_prod/kafka/x")), "AmazonMSK_prod/kafka/x");
        assert.equal(secretNameOfArn(arnOf(secret)), secret);
        assert.equal(secretNameOfArn("prod/payments/stripe-api"), undefined);
    });

    it("makes an EKS token that is a presigned STS GetCallerIdentity naming the cluster in a signed header", async () => {
        const token = await eksToken({ clusterName: "fl-prod-data", region: REGION, credentials, now: new Date("2026-12-02T14:00:00Z") });
        assert.ok(token.startsWith(EKS_TOKEN_PREFIX));
        assert.ok(!token.includes("="), "base64url without padding");
        const url = new URL(Buffer.from(token.slice(EKS_TOKEN_PREFIX.length), "base64url").toString("utf8"));
        assert.equal(url.origin, `https://sts.${REGION}.amazonaws.com`);
        const q = url.searchParams;
        assert.deepEqual([q.get("Action"), q.get("Version"), q.get("X-Amz-Expires"), q.get("X-Amz-Date")], ["GetCallerIdentity", "2011-06-15", "60", "20261202T140000Z"]);
        assert.deepEqual(q.get("X-Amz-SignedHeaders")!.split(";"), ["host", "x-k8s-aws-id"]);
        assert.equal(q.get("X-Amz-Credential"), `${credentials.accessKeyId}/20261202/${REGION}/sts/aws4_request`);
        assert.match(q.get("X-Amz-Signature")!, /^[0-9a-f]{64}$/);
        const other = await eksToken({ clusterName: "fl-staging-data", region: REGION, credentials, now: new Date("2026-12-02T14:00:00Z") });
        assert.notEqual(new URL(Buffer.from(other.slice(EKS_TOKEN_PREFIX.length), "base64url").toString()).searchParams.get("X-Amz-Signature"), q.get("X-Amz-Signature"), "the cluster name is signed");
    });

    it("patches force-sync on exactly the ExternalSecrets that read the rotated secret, as a merge patch with a bearer token", async () => {
        const api = await kubeStandIn(new Set(table[secret].map(externalSecretPath)));
        try {
            const result = await refreshForEvent(rotation, { targets: table, server: api.url, token: async () => "k8s-aws-v1.test", baseDelayMs: 1 });
            assert.deepEqual(result, { secretName: secret, patched: ["airflow-finance-reporting/snowflake-dbt-core-dimensions", "dbt/snowflake-dbt-core-dimensions"], missing: [], failed: [] });
            assert.deepEqual(api.requests.map((r) => `${r.method} ${r.url}`).sort(), [
                "PATCH /apis/external-secrets.io/v1/namespaces/airflow-finance-reporting/externalsecrets/snowflake-dbt-core-dimensions",
                "PATCH /apis/external-secrets.io/v1/namespaces/dbt/externalsecrets/snowflake-dbt-core-dimensions",
            ]);
            for (const r of api.requests) {
                assert.equal(r.headers["content-type"], "application/merge-patch+json");
                assert.equal(r.headers.authorization, "Bearer k8s-aws-v1.test");
                assert.deepEqual(JSON.parse(r.body), { metadata: { annotations: { "force-sync": `event-${rotation.id}` } } });
            }
        } finally {
            await api.close();
        }
    });

    it("retries a conflict or throttling, reports a missing ExternalSecret and a refusal, and makes no request for a secret nobody syncs", async () => {
        const [dbt, finance] = table[secret].map(externalSecretPath);
        const api = await kubeStandIn(new Set([dbt]), new Map([[dbt, [409, 429]], [finance, [403]]]));
        try {
            const result: RefreshResult = await refreshForEvent(rotation, { targets: table, server: api.url, token: async () => "t", baseDelayMs: 1 });
            assert.deepEqual(result.patched, ["dbt/snowflake-dbt-core-dimensions"]);
            assert.equal(result.failed.length, 1);
            assert.match(result.failed[0], /^airflow-finance-reporting\/snowflake-dbt-core-dimensions: HTTP 403/);
            assert.equal(api.requests.filter((r) => r.url === dbt).length, 3, "two retried answers, then success");
            assert.equal(api.requests.filter((r) => r.url === finance).length, 1, "a refusal is not retried");
            const before = api.requests.length;
            const none = await refreshForEvent({ id: "x", detail: smCall("PutSecretValue", "prod/platform/eso-canary", {}).detail }, { targets: table, server: api.url, token: async () => "t" });
            assert.deepEqual([none.patched, none.skipped], [[], "no ExternalSecret reads prod/platform/eso-canary"]);
            assert.equal(api.requests.length, before);
        } finally {
            await api.close();
        }
        const gone = await kubeStandIn(new Set());
        try {
            const result = await refreshForEvent(rotation, { targets: table, server: gone.url, token: async () => "t", baseDelayMs: 1 });
            assert.deepEqual([result.patched, result.missing.length, result.failed], [[], 2, []]);
        } finally {
            await gone.close();
        }
    });

    it("the deployed bundle, with its table beside it and the cluster in its environment, patches with a real EKS token and fails loudly on refusal", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eso-refresh-"));
        const api = await kubeStandIn(new Set(table[secret].map(externalSecretPath)), new Map([[externalSecretPath(table["prod/payments/stripe-api"][0]), [403]]]));
        const keys = [...Object.keys(FAKE_AWS_ENV), "CLUSTER_NAME", "CLUSTER_ENDPOINT", "CLUSTER_CA", "AWS_PROFILE"];
        const saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
        try {
            fs.copyFileSync(functionBundle("eso-refresh").file, path.join(dir, "index.js"));
            fs.writeFileSync(path.join(dir, TARGETS_FILE), JSON.stringify(table));
            Object.assign(process.env, FAKE_AWS_ENV, { CLUSTER_NAME: "fl-prod-data", CLUSTER_ENDPOINT: api.url, CLUSTER_CA: "" });
            delete process.env.AWS_PROFILE;
            const fn = require(path.join(dir, "index.js"));
            const result = await fn.handler(rotation);
            assert.deepEqual(result.patched.length, 2);
            const auth = String(api.requests[0].headers.authorization);
            assert.ok(auth.startsWith(`Bearer ${EKS_TOKEN_PREFIX}`));
            const url = new URL(Buffer.from(auth.slice(`Bearer ${EKS_TOKEN_PREFIX}`.length), "base64url").toString());
            assert.match(url.searchParams.get("X-Amz-Credential")!, new RegExp(`^${FAKE_AWS_ENV.AWS_ACCESS_KEY_ID}/\\d{8}/${REGION}/sts/aws4_request$`));
            const stripe = { id: "e2", ...smCall("PutSecretValue", "prod/payments/stripe-api", {}) };
            await assert.rejects(fn.handler(stripe), /ESO was not asked to resync 1 ExternalSecret\(s\) reading prod\/payments\/stripe-api: airflow-payments\/payments-stripe-api: HTTP 403/);
        } finally {
            for (const [k, v] of Object.entries(saved)) {
                if (v === undefined) delete process.env[k];
                else process.env[k] = v;
            }
            await api.close();
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
