// The rotation functions' IAM, proven by simulation (iam-simulate) of the identity policy the stack attaches,
// together with the secret's resource policy and the environment key's policy: each function reaches only its own
// strategy's secrets in its own environment, with only the protocol's actions.
import * as assert from "assert";
import { buildEnvironmentKeyPolicy } from "../../components/environment-key";
import { buildSecretResourcePolicy } from "../../components/managed-secret";
import { buildRotationPolicy, RotationPolicyInputs, secretArnPattern } from "../../components/secret-rotation";
import { Decision, simulate } from "../support/iam-simulator";
import { roleNames } from "../../model/names";
import { ACCOUNTS, DEV, REGION } from "../support/accounts";
const PROD = ACCOUNTS.prod;

const KEY = `arn:aws:kms:${REGION}:${DEV}:key/mrk-0123456789abcdef0123456789abcdef`;

function inputs(strategy: string, extra: Partial<RotationPolicyInputs> = {}): RotationPolicyInputs {
    return {
        accountId: DEV,
        region: REGION,
        environment: "dev",
        strategy,
        secretNamePrefixes: strategy === "kafka-scram-alternating-users" ? ["AmazonMSK_dev/"] : ["dev/"],
        keyArn: KEY,
        logGroupArn: `arn:aws:logs:${REGION}:${DEV}:log-group:/aws/lambda/fl-dev-rotate-${strategy}`,
        ...extra,
    };
}

const secretArn = (account: string, name: string) => `arn:aws:secretsmanager:${REGION}:${account}:secret:${name}-AbC123`;

interface Check {
    readonly action: string;
    readonly resource: string;
    readonly tags?: Record<string, string>;
    readonly context?: Record<string, string>;
}

async function decide(policyInputs: RotationPolicyInputs, c: Check): Promise<Decision> {
    const account = c.resource.split(":")[4]!;
    const principal = `arn:aws:iam::${DEV}:role/${roleNames.rotation("fl-dev", policyInputs.strategy)}`;
    const isKms = c.action.startsWith("kms:");
    const contextVariables: Record<string, string> = {
        "aws:SecureTransport": "true",
        "aws:PrincipalAccount": DEV,
        "aws:PrincipalArn": principal,
        ...Object.fromEntries(Object.entries(c.tags ?? {}).map(([k, v]) => [`aws:ResourceTag/${k}`, v])),
        ...(c.context ?? {}),
    };
    return simulate({
        principal,
        action: c.action,
        resource: c.resource,
        resourceAccount: account,
        identityPolicies: [buildRotationPolicy(policyInputs)],
        resourcePolicy: isKms ? buildEnvironmentKeyPolicy({ accountId: account, region: REGION, administratorRoleNames: ["fl-dev-platform-key-admin"] }) : buildSecretResourcePolicy(account),
        context: contextVariables,
    });
}

const own = (strategy: string) => ({ "rotation-strategy": strategy, environment: "dev" });

describe("rotation function IAM (simulated)", () => {
    const snowflake = inputs("snowflake-key-pair", { readOnlySecretArns: [`arn:aws:secretsmanager:${REGION}:${DEV}:secret:dev/platform/rotation/snowflake-rotator-??????`] });
    const snowflakeSecret = secretArn(DEV, "dev/airflow/connections/snowflake_payments");

    for (const action of ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"]) {
        it(`the Snowflake function may ${action} on a dev secret tagged snowflake-key-pair`, async () => {
            assert.strictEqual(await decide(snowflake, { action, resource: snowflakeSecret, tags: own("snowflake-key-pair") }), "Allowed");
        });
    }

    for (const action of ["secretsmanager:DeleteSecret", "secretsmanager:UpdateSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:RotateSecret", "secretsmanager:TagResource", "secretsmanager:CancelRotateSecret"]) {
        it(`the Snowflake function may not ${action} even on its own secret`, async () => {
            assert.strictEqual(await decide(snowflake, { action, resource: snowflakeSecret, tags: own("snowflake-key-pair") }), "ImplicitlyDenied");
        });
    }

    for (const other of ["postgres-alternating-users", "vendor-api", "manual", "rds-managed"]) {
        it(`the Snowflake function cannot read or write a dev secret tagged ${other}`, async () => {
            for (const action of ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]) {
                assert.strictEqual(await decide(snowflake, { action, resource: secretArn(DEV, "dev/airflow/connections/x"), tags: own(other) }), "ImplicitlyDenied", action);
            }
        });
    }

    it("the Snowflake function cannot touch an untagged secret or one tagged for another environment", async () => {
        assert.strictEqual(await decide(snowflake, { action: "secretsmanager:GetSecretValue", resource: snowflakeSecret }), "ImplicitlyDenied");
        assert.strictEqual(await decide(snowflake, { action: "secretsmanager:GetSecretValue", resource: snowflakeSecret, tags: { "rotation-strategy": "snowflake-key-pair", environment: "prod" } }), "ImplicitlyDenied");
    });

    it("the dev Snowflake function cannot touch a prod secret, whatever its tags", async () => {
        const prodSecret = secretArn(PROD, "prod/airflow/connections/snowflake_payments");
        for (const action of ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"]) {
            assert.notStrictEqual(await decide(snowflake, { action, resource: prodSecret, tags: own("snowflake-key-pair") }), "Allowed", action);
        }
    });

    it("the Snowflake function reads its own rotator key pair but cannot change it", async () => {
        const rotator = secretArn(DEV, "dev/platform/rotation/snowflake-rotator");
        assert.strictEqual(await decide(snowflake, { action: "secretsmanager:GetSecretValue", resource: rotator }), "Allowed");
        assert.strictEqual(await decide(snowflake, { action: "secretsmanager:PutSecretValue", resource: rotator }), "ImplicitlyDenied");
    });

    it("a rotation function uses the environment key only through Secrets Manager", async () => {
        const via = { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` };
        assert.strictEqual(await decide(snowflake, { action: "kms:Decrypt", resource: KEY, context: via }), "Allowed");
        assert.strictEqual(await decide(snowflake, { action: "kms:GenerateDataKey", resource: KEY, context: via }), "Allowed");
        assert.notStrictEqual(await decide(snowflake, { action: "kms:Decrypt", resource: KEY }), "Allowed");
        assert.notStrictEqual(await decide(snowflake, { action: "kms:Decrypt", resource: KEY, context: { "kms:ViaService": `s3.${REGION}.amazonaws.com` } }), "Allowed");
        assert.notStrictEqual(await decide(snowflake, { action: "kms:Encrypt", resource: KEY, context: via }), "Allowed");
    });

    it("the Kafka function writes MSK user slots of its strategy and nothing under the plain environment prefix", async () => {
        const kafka = inputs("kafka-scram-alternating-users");
        const slot = secretArn(DEV, "AmazonMSK_dev/kafka/airflow-payments/user-a");
        assert.strictEqual(await decide(kafka, { action: "secretsmanager:PutSecretValue", resource: slot, tags: own("kafka-scram-alternating-users") }), "Allowed");
        assert.strictEqual(await decide(kafka, { action: "secretsmanager:PutSecretValue", resource: secretArn(DEV, "dev/airflow/connections/kafka_like"), tags: own("kafka-scram-alternating-users") }), "ImplicitlyDenied");
        assert.strictEqual(await decide(kafka, { action: "secretsmanager:PutSecretValue", resource: slot, tags: own("snowflake-key-pair") }), "ImplicitlyDenied");
    });

    it("the Postgres function reads RDS-managed master secrets but cannot change them", async () => {
        const pg = inputs("postgres-alternating-users", { readOnlySecretArns: [secretArnPattern(DEV, REGION, "rds!")] });
        const master = secretArn(DEV, "rds!db-6f1c2a7e-3b4d-4e5f-8a9b-0c1d2e3f4a5b");
        assert.strictEqual(await decide(pg, { action: "secretsmanager:GetSecretValue", resource: master }), "Allowed");
        assert.strictEqual(await decide(pg, { action: "secretsmanager:PutSecretValue", resource: master }), "ImplicitlyDenied");
        assert.strictEqual(await decide(pg, { action: "secretsmanager:UpdateSecretVersionStage", resource: master }), "ImplicitlyDenied");
    });

    it("a request without TLS is denied by the secret's resource policy even for the function's own secret", async () => {
        assert.strictEqual(
            await decide(snowflake, { action: "secretsmanager:GetSecretValue", resource: snowflakeSecret, tags: own("snowflake-key-pair"), context: { "aws:SecureTransport": "false" } }),
            "ExplicitlyDenied",
        );
    });
});
