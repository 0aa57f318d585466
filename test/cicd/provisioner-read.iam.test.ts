// The deploy role's one read exception, proven by IAM simulation on the planned roles, keys and secret policies:
// the Snowflake provisioning key of its own environment, decrypted through Secrets Manager for that secret only.
// Decrypt decisions hinge on `kms:EncryptionContext:SecretARN`, which runSimulation drops; they go through
// simulateWithVariableContextKeys, and the same request with another secret's ARN is denied (so the key is evaluated).
import { strict as assert } from "assert";
import { ENVIRONMENTS } from "../../model/config";
import { provisionerSecretName } from "../../model/snowflake-provisioner";
import { simulate, simulateWithVariableContextKeys } from "../support/iam-simulator";
import { REGION } from "../support/accounts";
import { Decision, PERMISSIVE_RESOURCE_POLICY, PlanIam, plannedEnvironment, PlannedRole } from "../support/plan-iam";

const VIA_SECRETS_MANAGER = `secretsmanager.${REGION}.amazonaws.com`;

function provisionerArn(env: PlanIam): string {
    const found = env.secrets.map((s) => s.arn).filter((arn) => arn.includes(`:secret:${provisionerSecretName(env.environment)}-`));
    assert.equal(found.length, 1, `expected exactly one ${provisionerSecretName(env.environment)} secret in the ${env.environment} plan`);
    return found[0];
}

function readValue(role: PlannedRole, env: PlanIam, secretArn: string, resourcePolicy = env.secrets.find((s) => s.arn === secretArn)?.policy): Promise<Decision> {
    return simulate({ principal: role.arn, identityPolicies: role.identityPolicies, action: "secretsmanager:GetSecretValue", resource: secretArn, resourceAccount: env.accountId, resourcePolicy });
}

/** kms:Decrypt with the environment key, as Secrets Manager calls it for one secret (or as a direct call). */
function decryptFor(role: PlannedRole, env: PlanIam, secretArn: string, path: "through Secrets Manager" | "direct" = "through Secrets Manager"): Promise<Decision> {
    const context: Record<string, string> = { "kms:EncryptionContext:SecretARN": secretArn };
    if (path === "through Secrets Manager") context["kms:ViaService"] = VIA_SECRETS_MANAGER;
    return simulateWithVariableContextKeys({
        principal: role.arn,
        identityPolicies: role.identityPolicies,
        action: "kms:Decrypt",
        resource: env.environmentKey.arn,
        resourceAccount: env.accountId,
        resourcePolicy: env.environmentKey.policy,
        context,
    });
}

describe("Snowflake provisioning key: only the deploy role of its environment reads it (IAM simulation of the plans)", function () {
    for (const environment of ENVIRONMENTS) {
        it(`${environment} deploy role reads its provisioning secret and decrypts it through Secrets Manager`, async () => {
            const env = plannedEnvironment(environment);
            const arn = provisionerArn(env);
            assert.equal(await readValue(env.deployRole, env, arn), "Allowed");
            assert.equal(await decryptFor(env.deployRole, env, arn), "Allowed");
        });

        it(`${environment} deploy role cannot decrypt the provisioning secret with the environment key directly`, async () => {
            const env = plannedEnvironment(environment);
            assert.equal(await decryptFor(env.deployRole, env, provisionerArn(env), "direct"), "ExplicitlyDenied");
        });

        it(`${environment} deploy role cannot decrypt any other secret of its environment, even through Secrets Manager`, async () => {
            const env = plannedEnvironment(environment);
            const others = env.secrets.map((s) => s.arn).filter((arn) => arn !== provisionerArn(env));
            assert.ok(others.length > 100, `expected the full catalog in ${environment}, found ${others.length} other secrets`);
            const allowed: string[] = [];
            for (const arn of others) if ((await decryptFor(env.deployRole, env, arn)) !== "ExplicitlyDenied") allowed.push(arn);
            assert.deepEqual(allowed, [], "decrypt for these secrets is not explicitly denied");
        });

        it(`${environment} deploy role cannot read a look-alike secret or another environment's provisioning name in its own account`, async () => {
            const env = plannedEnvironment(environment);
            const base = `arn:aws:secretsmanager:${REGION}:${env.accountId}:secret:`;
            const lookAlikes = [
                `${base}${provisionerSecretName(environment)}-old-AbCdEf`,
                `${base}${provisionerSecretName(environment)}2-AbCdEf`,
                ...ENVIRONMENTS.filter((o) => o !== environment).map((o) => `${base}${provisionerSecretName(o)}-AbCdEf`),
            ];
            for (const arn of lookAlikes) {
                assert.equal(await readValue(env.deployRole, env, arn, PERMISSIVE_RESOURCE_POLICY), "ExplicitlyDenied", arn);
                assert.equal(await decryptFor(env.deployRole, env, arn), "ExplicitlyDenied", `decrypt for ${arn}`);
            }
        });

        it(`${environment} preview role cannot read or decrypt the provisioning secret`, async () => {
            const env = plannedEnvironment(environment);
            const arn = provisionerArn(env);
            assert.equal(await readValue(env.previewRole, env, arn), "ExplicitlyDenied");
            assert.equal(await readValue(env.previewRole, env, arn, PERMISSIVE_RESOURCE_POLICY), "ExplicitlyDenied");
            assert.equal(await decryptFor(env.previewRole, env, arn), "ExplicitlyDenied");
        });

        for (const other of ENVIRONMENTS.filter((e) => e !== environment)) {
            it(`${environment} deploy role cannot read or decrypt ${other}'s provisioning secret, even if its policies allowed everyone`, async () => {
                const env = plannedEnvironment(environment);
                const target = plannedEnvironment(other);
                const arn = provisionerArn(target);
                const role = env.deployRole;
                assert.equal(await readValue(role, target, arn, PERMISSIVE_RESOURCE_POLICY), "ExplicitlyDenied");
                const decrypt = await simulateWithVariableContextKeys({
                    principal: role.arn,
                    identityPolicies: role.identityPolicies,
                    action: "kms:Decrypt",
                    resource: target.environmentKey.arn,
                    resourceAccount: target.accountId,
                    resourcePolicy: PERMISSIVE_RESOURCE_POLICY,
                    context: { "kms:ViaService": VIA_SECRETS_MANAGER, "kms:EncryptionContext:SecretARN": arn },
                });
                assert.equal(decrypt, "ExplicitlyDenied");
            });
        }
    }
});
