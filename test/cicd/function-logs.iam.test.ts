// The platform functions' logs at rest: every function of each planned environment writes to a log group encrypted
// with the environment's function log key, and the deploy role cannot decrypt with that key, neither under the
// planned key policy nor if the key policy allowed everyone, nor if its own policy allowed every KMS action.
import { strict as assert } from "assert";
import { functionLogGroupPrefix, LOG_KEY_USE_ACTIONS } from "../../components/function-log-key";
import { policyDocument } from "../../components/iam";
import { TYPE } from "../../components/tokens";
import { ENVIRONMENTS } from "../../model/config";
import { LAMBDA_STRATEGIES } from "../../model/strategies";
import { rotationFunctionName } from "../../model/names";
import { simulate } from "../support/iam-simulator";
import { planReport } from "../support/plan-cli";
import { decide, PERMISSIVE_RESOURCE_POLICY, plannedEnvironment } from "../support/plan-iam";

type Resource = ReturnType<typeof planReport>["resources"][number];
const inputs = (r: Resource) => r.inputs as Record<string, any>;
const outputs = (r: Resource) => r.outputs as Record<string, any>;

function functionLogKeyOf(environment: string): { arn: string; policy: any } {
    const keys = planReport(environment).resources.filter((r) => r.type === "aws:kms/key:Key" && typeof r.parent === "string" && r.parent.includes(`::${TYPE.FunctionLogKey}::`));
    assert.equal(keys.length, 1, `one function log key in the ${environment} plan`);
    return { arn: String(outputs(keys[0]).arn), policy: JSON.parse(String(inputs(keys[0]).policy)) };
}

describe("platform function logs are encrypted with a key the deploy role cannot use", function () {
    for (const environment of ENVIRONMENTS) {
        it(`every function of the ${environment} plan logs to a group under ${functionLogGroupPrefix(`fl-${environment}`)} encrypted with the function log key, a rotation function for every Lambda strategy included`, () => {
            const resources = planReport(environment).resources;
            const key = functionLogKeyOf(environment);
            const groups = new Map(resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup").map((r) => [String(inputs(r).name), r]));
            const functions = resources.filter((r) => r.type === "aws:lambda/function:Function");
            assert.ok(functions.length >= 3, `the ${environment} plan has its functions (found ${functions.length})`);
            for (const fn of functions) {
                const groupName = inputs(fn).loggingConfig?.logGroup;
                assert.ok(typeof groupName === "string" && groupName.startsWith(functionLogGroupPrefix(`fl-${environment}`)), `${inputs(fn).name} logs to ${groupName}`);
                const group = groups.get(groupName);
                assert.ok(group, `${inputs(fn).name}'s log group ${groupName} is planned`);
                assert.equal(inputs(group).kmsKeyId, key.arn, `${groupName} is encrypted with the function log key`);
            }
            const names = new Set(functions.map((f) => String(inputs(f).name)));
            const rotationFunctions = LAMBDA_STRATEGIES.map((s) => rotationFunctionName(`fl-${environment}`, s)).filter((fn) => names.has(fn));
            assert.ok(rotationFunctions.length > 0, `the ${environment} plan has rotation functions`);
        });

        it(`${environment} deploy role cannot decrypt with the function log key, whatever the key policy or its own policy allows`, async () => {
            const env = plannedEnvironment(environment);
            const key = functionLogKeyOf(environment);
            for (const action of ["kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey"]) {
                // Decrypting stays denied even after a deploy run rewrote the key policy to allow everyone (its own
                // policy denies decrypt with every key but the Pulumi key); the key policy refuses every use.
                const decrypts = action !== "kms:GenerateDataKey";
                for (const resourcePolicy of decrypts ? [key.policy, PERMISSIVE_RESOURCE_POLICY] : [key.policy]) {
                    assert.equal(await decide({ role: env.deployRole, action, resourceArn: key.arn, resourceAccount: env.accountId, resourcePolicy }), "ExplicitlyDenied", `${action} on ${key.arn}`);
                }
                // The key policy alone refuses it: even a deploy role whose own policy allowed kms:* is denied.
                const allowAll = policyDocument([{ Effect: "Allow", Action: "kms:*", Resource: "*" }]);
                assert.equal(
                    await simulate({ principal: env.deployRole.arn, action, resource: key.arn, identityPolicies: [allowAll], resourcePolicy: key.policy }),
                    "ExplicitlyDenied",
                    `${action} by a deploy role allowed kms:*`,
                );
            }
            assert.deepEqual([...LOG_KEY_USE_ACTIONS].sort(), ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"]);
            // The deploy role still manages the key (the plan updates it), so the denial is about use, not ownership.
            assert.equal(await decide({ role: env.deployRole, action: "kms:EnableKeyRotation", resourceArn: key.arn, resourceAccount: env.accountId, resourcePolicy: key.policy }), "Allowed");
            // And no log content: the group's events stay out of reach too.
            const group = `arn:aws:logs:us-east-1:${env.accountId}:log-group:${functionLogGroupPrefix(`fl-${environment}`)}rotate-postgres-alternating-users:log-stream:x`;
            assert.equal(await decide({ role: env.deployRole, action: "logs:GetLogEvents", resourceArn: group, resourceAccount: env.accountId }), "ExplicitlyDenied");
        });
    }

    it("a key policy without the deploy-role deny would let a deploy role allowed kms:* decrypt: the simulation is sensitive to it", async () => {
        const env = plannedEnvironment("dev");
        const key = functionLogKeyOf("dev");
        const withoutDeny = { ...key.policy, Statement: key.policy.Statement.filter((s: { Sid?: string }) => s.Sid !== "TheDeployRoleNeverUsesThisKey") };
        const allowAll = policyDocument([{ Effect: "Allow", Action: "kms:*", Resource: "*" }]);
        assert.equal(await simulate({ principal: env.deployRole.arn, action: "kms:Decrypt", resource: key.arn, identityPolicies: [allowAll], resourcePolicy: withoutDeny }), "Allowed");
    });
});
