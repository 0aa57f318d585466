// Shared targets of the access-rule tests: one dev secret, key, workload role, deploy role and read policy built the way
// the components build them, so every rule's test starts from what the platform really emits.
import { buildEnvironmentKeyPolicy } from "../../components/environment-key";
import { secretReadStatements } from "../../components/managed-secret";
import { roleNames } from "../../model/names";
import { ACCOUNTS, target } from "./policy-fixtures";

export const DEV = ACCOUNTS.dev;
export const PROD = ACCOUNTS.prod;
export const DEV_KEY = `arn:aws:kms:us-east-1:${DEV}:key/mrk-0123456789abcdef0123456789abcdef`;
export const DEV_ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/5C8A3F1B2E9D4A7C6B0F1E2D3C4B5A69";
export const PROD_ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/2B4D6F8A1C3E5B7D9F0A2C4E6B8D1F3A";
export const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${DEV}:secret:dev/airflow/connections/pg_kyc_ro-AbCdEf`;

/** A dev secret on the environment key, with a replica on the same key in the second region. */
export function secret() {
    return target("aws:secretsmanager/secret:Secret", "pg-kyc", { name: "dev/airflow/connections/pg_kyc_ro", kmsKeyId: DEV_KEY, replicas: [{ region: "us-west-2", kmsKeyId: DEV_KEY.replace("us-east-1", "us-west-2") }] });
}

/** The dev environment key as environment-key.ts builds its policy. */
export function key() {
    const policy = buildEnvironmentKeyPolicy({ accountId: DEV, region: "us-east-1", administratorRoleNames: ["fl-dev-platform-key-admin"] });
    return target("aws:kms/key:Key", "fl-dev-secrets-key", { enableKeyRotation: true, rotationPeriodInDays: 365, customerMasterKeySpec: "SYMMETRIC_DEFAULT", policy: JSON.stringify(policy) });
}

/** A dev workload role whose trust is pinned to one cluster, one namespace and one service account. */
export function irsaRole() {
    const trust = {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: `arn:aws:iam::${DEV}:oidc-provider/${DEV_ISSUER}` },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${DEV_ISSUER}:sub`]: "system:serviceaccount:airflow-risk:airflow-worker", [`${DEV_ISSUER}:aud`]: "sts.amazonaws.com" } },
            },
        ],
    };
    return target("aws:iam/role:Role", roleNames.workload("fl-dev", "airflow-risk"), { name: roleNames.workload("fl-dev", "airflow-risk"), assumeRolePolicy: JSON.stringify(trust) });
}

/** A dev GitHub deploy role trusting one repository subject. */
export function githubRole(sub = "repo:finledger/secrets-platform:environment:dev") {
    const trust = {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: `arn:aws:iam::${DEV}:oidc-provider/token.actions.githubusercontent.com` },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { "token.actions.githubusercontent.com:sub": sub, "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
            },
        ],
    };
    return target("aws:iam/role:Role", "fl-dev-github-deploy", { name: "fl-dev-github-deploy", assumeRolePolicy: JSON.stringify(trust) });
}

/** grantRead's statements as an inline policy of the airflow-risk workload role. */
export function readPolicy() {
    return target("aws:iam/rolePolicy:RolePolicy", "airflow-risk-read", {
        role: "fl-dev-wl-airflow-risk",
        policy: JSON.stringify({ Version: "2012-10-17", Statement: secretReadStatements(SECRET_ARN, DEV_KEY, "us-east-1") }),
    });
}

/** The parsed trust policy of a role target. */
export const trustOf = (t: ReturnType<typeof irsaRole>) => JSON.parse(t.inputs.assumeRolePolicy as string);
/** The parsed policy document of a policy target. */
export const policyOf = (t: ReturnType<typeof readPolicy>) => JSON.parse(t.inputs.policy as string);
