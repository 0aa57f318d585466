// The one builder of a platform function's set-up (components/platform-function.ts) under the plan's mocks: what it
// registers under the caller's component, with which inputs and options.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { buildLambdaTrustPolicy } from "../../components/function-code";
import { policyDocument } from "../../components/iam";
import { createFunctionErrorsAlarm, createPlatformFunction } from "../../components/platform-function";
import { functionPackage } from "../../functions/packages";
import { PlatformMocks } from "../../tools/plan/mocks";
import { promiseOf } from "../support/pulumi";

const ACCOUNT = "736491028554";
const REGION = "us-east-1";
const LOG_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0b6f7c1e-1f2a-4c3d-9e8f-0123456789ab`;
const signing = { artifactsBucket: `fl-prod-function-artifacts-${ACCOUNT}`, codeSigningConfigArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:code-signing-config:csc-0123456789abcdef0` };

interface Registered {
    readonly type: string;
    readonly name: string;
    readonly parent: string;
    readonly dependencies: string[];
    readonly retainOnDelete: boolean;
    readonly inputs: Record<string, any>;
}

class Host extends pulumi.ComponentResource {
    constructor(name: string) {
        super("finledger:test:Host", name, {});
    }
}

/** Installs the plan's mocks and records every registration (with the options the Mocks interface does not pass on). */
async function recordRegistrations(): Promise<Map<string, Registered>> {
    await pulumi.runtime.setMocks(new PlatformMocks({ accountId: ACCOUNT, region: REGION, signedPackages: "all" }), "finledger-secrets-platform", "prod", false);
    const registered = new Map<string, Registered>();
    const monitor = pulumi.runtime.getMonitor() as unknown as { registerResource(req: any, cb: (err: any, resp: any) => void): void };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, cb: (err: any, resp: any) => void) => {
        registered.set(req.getName(), {
            type: req.getType(),
            name: req.getName(),
            parent: req.getParent(),
            dependencies: req.getDependenciesList(),
            retainOnDelete: Boolean(req.getRetainondelete?.()),
            inputs: pulumi.runtime.deserializeProperties(req.getObject()),
        });
        register(req, cb);
    };
    return registered;
}

const baseArgs = {
    accountId: ACCOUNT,
    roleDescription: "Test function: writes its logs only",
    description: "Does nothing but log",
    package: functionPackage("expiry-check"),
    codeSigning: signing,
    logKeyArn: LOG_KEY,
    logRetentionDays: 90,
    policyName: "test-policy",
    timeoutSeconds: 30,
};
const logsOnly = (arn: string) => policyDocument([{ Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${arn}:log-stream:*` }]);

describe("createPlatformFunction (components/platform-function.ts) under the plan's mocks", () => {
    it("creates the log group, role, inline policy and signed function under the caller's component, the policy built from the log group's ARN", async () => {
        const registered = await recordRegistrations();
        const host = new Host("probe");
        const built = createPlatformFunction("probe", { ...baseArgs, functionName: "fl-prod-probe", roleName: "fl-prod-probe-role", policy: (arn) => arn.apply(logsOnly) }, host);
        const groupArn = await promiseOf(built.logGroup.arn);
        await promiseOf(built.function.arn);
        const hostUrn = await promiseOf(host.urn);
        const [logs, role, policy, fn] = ["probe-logs", "probe-role", "probe-policy", "probe-function"].map((n) => registered.get(n)!);
        assert.deepEqual([logs, role, policy, fn].map((r) => [r.type, r.parent]), [
            ["aws:cloudwatch/logGroup:LogGroup", hostUrn],
            ["aws:iam/role:Role", hostUrn],
            ["aws:iam/rolePolicy:RolePolicy", hostUrn],
            ["aws:lambda/function:Function", hostUrn],
        ]);
        assert.deepEqual([logs.inputs.name, logs.inputs.retentionInDays, logs.inputs.kmsKeyId, logs.retainOnDelete], ["/aws/lambda/fl-prod-probe", 90, LOG_KEY, true]);
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy), buildLambdaTrustPolicy(ACCOUNT));
        assert.equal(role.inputs.name, "fl-prod-probe-role");
        assert.deepEqual([policy.inputs.name, JSON.parse(policy.inputs.policy)], ["test-policy", logsOnly(groupArn)]);
        assert.equal(await promiseOf(built.policyJson), policy.inputs.policy);
        assert.deepEqual([fn.inputs.name, fn.inputs.timeout, fn.inputs.memorySize, fn.inputs.loggingConfig], ["fl-prod-probe", 30, 256, { logFormat: "Text", logGroup: "/aws/lambda/fl-prod-probe" }]);
        assert.equal(fn.inputs.codeSigningConfigArn, signing.codeSigningConfigArn);
        assert.equal(fn.inputs.environment, undefined);
        assert.equal(fn.inputs.vpcConfig, undefined);
        // The function waits for its role's policy (and for its log group, which it logs to).
        assert.ok(fn.dependencies.includes(await promiseOf(built.rolePolicy.urn)));
        assert.ok(fn.dependencies.includes(await promiseOf(built.logGroup.urn)));
    });

    it("passes variables, VPC, memory and tags through, the tags on the log group, the role and the function", async () => {
        const registered = await recordRegistrations();
        const host = new Host("rotate");
        const tags = { environment: "prod", purpose: "secret-rotation" };
        const built = createPlatformFunction(
            "rotate",
            {
                ...baseArgs,
                functionName: "fl-prod-rotate",
                roleName: "fl-prod-rotate",
                policy: (arn) => arn.apply(logsOnly),
                memorySize: 512,
                variables: { SECRETS_MANAGER_ENDPOINT: "https://secretsmanager.us-east-1.amazonaws.com" },
                vpc: { subnetIds: ["subnet-0a1b2c3d"], securityGroupIds: ["sg-0a1b2c3d"] },
                tags,
            },
            host,
        );
        await promiseOf(built.function.arn);
        const fn = registered.get("rotate-function")!;
        assert.deepEqual(fn.inputs.environment, { variables: { SECRETS_MANAGER_ENDPOINT: "https://secretsmanager.us-east-1.amazonaws.com" } });
        assert.deepEqual(fn.inputs.vpcConfig, { subnetIds: ["subnet-0a1b2c3d"], securityGroupIds: ["sg-0a1b2c3d"] });
        assert.equal(fn.inputs.memorySize, 512);
        assert.deepEqual(["rotate-logs", "rotate-role", "rotate-function"].map((n) => registered.get(n)!.inputs.tags), [tags, tags, tags]);
    });

    it("createFunctionErrorsAlarm alarms the topic on one error of the function within the period, and not when it does not run", async () => {
        const registered = await recordRegistrations();
        const host = new Host("check");
        const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:fl-prod-alerts`;
        const alarm = createFunctionErrorsAlarm("check", { alarmName: "fl-prod-check-failed", description: "The check failed.", functionName: "fl-prod-check", periodSeconds: 300, alarmTopicArn: topic }, host);
        await promiseOf(alarm.arn);
        const r = registered.get("check-errors-alarm")!;
        assert.equal(r.parent, await promiseOf(host.urn));
        const { name, namespace, metricName, dimensions, statistic, period, threshold, comparisonOperator, treatMissingData, alarmActions } = r.inputs;
        assert.deepEqual(
            { name, namespace, metricName, dimensions, statistic, period, threshold, comparisonOperator, treatMissingData, alarmActions },
            { name: "fl-prod-check-failed", namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: "fl-prod-check" }, statistic: "Sum", period: 300, threshold: 1, comparisonOperator: "GreaterThanOrEqualToThreshold", treatMissingData: "notBreaching", alarmActions: [topic] },
        );
    });
});
