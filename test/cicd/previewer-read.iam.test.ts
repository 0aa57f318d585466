// The preview role's one read exception, proven by IAM simulation on the planned roles, keys and secret policies: the
// Snowflake previewer key of its own environment (FL_<ENV>_PREVIEWER, whose role holds no privilege), decrypted
// through Secrets Manager for that secret only; no other value, not the provisioning key, not another environment's.
import { strict as assert } from "assert";
import { ENVIRONMENTS } from "../../model/config";
import { previewerSecretName, provisionerSecretName } from "../../model/snowflake-provisioner";
import { simulate, simulateWithVariableContextKeys } from "../support/iam-simulator";
import { REGION } from "../support/accounts";
import { Decision, PERMISSIVE_RESOURCE_POLICY, PlanIam, plannedEnvironment, PlannedRole } from "../support/plan-iam";

const VIA_SECRETS_MANAGER = `secretsmanager.${REGION}.amazonaws.com`;

function arnOf(env: PlanIam, name: string): string {
    const found = env.secrets.map((s) => s.arn).filter((arn) => arn.includes(`:secret:${name}-`));
    assert.equal(found.length, 1, `expected exactly one ${name} secret in the ${env.environment} plan`);
    return found[0]!;
}

function readValue(role: PlannedRole, env: PlanIam, secretArn: string, resourcePolicy = env.secrets.find((s) => s.arn === secretArn)?.policy): Promise<Decision> {
    return simulate({ principal: role.arn, identityPolicies: role.identityPolicies, action: "secretsmanager:GetSecretValue", resource: secretArn, resourceAccount: env.accountId, resourcePolicy });
}

/** kms:Decrypt with an environment key, as Secrets Manager calls it for one secret (or as a direct call). */
function decryptFor(role: PlannedRole, env: PlanIam, secretArn: string, path: "through Secrets Manager" | "direct" = "through Secrets Manager", keyPolicy = env.environmentKey.policy): Promise<Decision> {
    const context: Record<string, string> = { "kms:EncryptionContext:SecretARN": secretArn };
    if (path === "through Secrets Manager") context["kms:ViaService"] = VIA_SECRETS_MANAGER;
    return simulateWithVariableContextKeys({ principal: role.arn, identityPolicies: role.identityPolicies, action: "kms:Decrypt", resource: env.environmentKey.arn, resourceAccount: env.accountId, resourcePolicy: keyPolicy, context });
}

describe("Snowflake previewer key: only the preview role of its environment reads it (IAM simulation of the plans)", function () {
    for (const environment of ENVIRONMENTS) {
        it(`${environment} preview role reads its previewer secret and decrypts it through Secrets Manager, but not directly`, async () => {
            const env = plannedEnvironment(environment);
            const arn = arnOf(env, previewerSecretName(environment));
            assert.equal(await readValue(env.previewRole, env, arn), "Allowed");
            assert.equal(await decryptFor(env.previewRole, env, arn), "Allowed");
            assert.equal(await decryptFor(env.previewRole, env, arn, "direct"), "ExplicitlyDenied");
        });

        it(`${environment} preview role cannot read or decrypt the provisioning key, nor decrypt any other secret of its environment`, async () => {
            const env = plannedEnvironment(environment);
            const provisioner = arnOf(env, provisionerSecretName(environment));
            assert.equal(await readValue(env.previewRole, env, provisioner, PERMISSIVE_RESOURCE_POLICY), "ExplicitlyDenied");
            const previewer = arnOf(env, previewerSecretName(environment));
            const others = env.secrets.map((s) => s.arn).filter((arn) => arn !== previewer);
            assert.ok(others.length > 100, `expected the full catalog in ${environment}, found ${others.length} other secrets`);
            const allowed: string[] = [];
            for (const arn of others) if ((await decryptFor(env.previewRole, env, arn)) !== "ExplicitlyDenied") allowed.push(arn);
            assert.deepEqual(allowed, [], "decrypt for these secrets is not explicitly denied");
        });

        it(`${environment} preview role cannot read a look-alike of the previewer name or another environment's, in its own account`, async () => {
            const env = plannedEnvironment(environment);
            const base = `arn:aws:secretsmanager:${REGION}:${env.accountId}:secret:`;
            const lookAlikes = [
                `${base}${previewerSecretName(environment)}-old-AbCdEf`,
                `${base}${previewerSecretName(environment)}2-AbCdEf`,
                ...ENVIRONMENTS.filter((o) => o !== environment).map((o) => `${base}${previewerSecretName(o)}-AbCdEf`),
            ];
            for (const arn of lookAlikes) {
                assert.equal(await readValue(env.previewRole, env, arn, PERMISSIVE_RESOURCE_POLICY), "ExplicitlyDenied", arn);
                assert.equal(await decryptFor(env.previewRole, env, arn), "ExplicitlyDenied", `decrypt for ${arn}`);
            }
        });

        it(`${environment} deploy role cannot read or decrypt the previewer key (each CI role reads one key, never the other's)`, async () => {
            const env = plannedEnvironment(environment);
            const arn = arnOf(env, previewerSecretName(environment));
            assert.equal(await readValue(env.deployRole, env, arn, PERMISSIVE_RESOURCE_POLICY), "ExplicitlyDenied");
            assert.equal(await decryptFor(env.deployRole, env, arn), "ExplicitlyDenied");
        });

        for (const other of ENVIRONMENTS.filter((e) => e !== environment)) {
            it(`${environment} preview role cannot read or decrypt ${other}'s previewer secret, even if its policies allowed everyone`, async () => {
                const env = plannedEnvironment(environment);
                const target = plannedEnvironment(other);
                const arn = arnOf(target, previewerSecretName(other));
                assert.equal(await readValue(env.previewRole, target, arn, PERMISSIVE_RESOURCE_POLICY), "ExplicitlyDenied");
                assert.equal(await decryptFor(env.previewRole, target, arn, "through Secrets Manager", PERMISSIVE_RESOURCE_POLICY), "ExplicitlyDenied");
            });
        }
    }
});
