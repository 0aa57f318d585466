import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { buildEnvironmentKeyPolicy, EnvironmentKey, KEY_USE_ACTIONS } from "../../components/environment-key";
import { IGrantable, PolicyStatement } from "../../components/iam";
import { buildSecretResourcePolicy, initialExpiry, ManagedSecret, secretReadStatements } from "../../components/managed-secret";
import { fullSecretName } from "../../model/names";
import { secretTags } from "../../model/environment";
import { promiseOf, useMocks } from "../support/pulumi";
import { ACCOUNTS } from "../support/accounts";
const PROD = ACCOUNTS.prod;
const STAGING = ACCOUNTS.staging;


const catalogEntry = {
    name: "airflow/connections/pg_ledger_core_ro",
    kind: "postgres-password" as const,
    description: "Read-only user on the ledger-core Postgres.",
    owner: "team-ledger",
    criticality: "critical" as const,
    rotation: { strategy: "postgres-alternating-users" as const, days: 30 },
};

class CollectingGrantee implements IGrantable {
    readonly grantName = "test-grantee";
    readonly statements: pulumi.Output<PolicyStatement>[] = [];
    addToPrincipalPolicy(statement: pulumi.Input<PolicyStatement>): void {
        this.statements.push(pulumi.output(statement) as pulumi.Output<PolicyStatement>);
    }
}

describe("EnvironmentKey key policy", () => {
    const policy = buildEnvironmentKeyPolicy({ accountId: PROD, region: "us-east-1", administratorRoleNames: ["fl-prod-platform-key-admin"] });
    const bySid = (sid: string) => policy.Statement.find((s) => s.Sid === sid)!;

    it("lets administrators manage the key but explicitly denies them every cryptographic use", () => {
        const manage = bySid("KeyAdministratorsManageTheKey");
        assert.deepEqual(manage.Principal, { AWS: [`arn:aws:iam::${PROD}:role/fl-prod-platform-key-admin`] });
        const actions = manage.Action as string[];
        for (const use of ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:ReEncryptFrom"]) {
            assert.ok(!actions.some((a) => new RegExp(`^${a.replace(/\*/g, ".*")}$`).test(use)), `${use} granted to admins`);
        }
        const deny = bySid("KeyAdministratorsNeverUseTheKey");
        assert.equal(deny.Effect, "Deny");
        assert.deepEqual(deny.Action, KEY_USE_ACTIONS);
    });

    it("denies use of the key except through Secrets Manager in its own region", () => {
        const s = bySid("UseOnlyThroughSecretsManager");
        assert.equal(s.Effect, "Deny");
        assert.deepEqual(s.Condition, { StringNotEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } });
    });

    it("names no principal of another account", () => {
        const text = JSON.stringify(policy);
        const accounts = new Set(text.match(/\d{12}/g));
        assert.deepEqual([...accounts], [PROD]);
    });

    it("grants kms:* only to the account root, which delegates to IAM", () => {
        const wild = policy.Statement.filter((s) => s.Effect === "Allow" && [s.Action].flat().includes("kms:*"));
        assert.equal(wild.length, 1);
        assert.deepEqual(wild[0].Principal, { AWS: `arn:aws:iam::${PROD}:root` });
    });
});

describe("ManagedSecret builders", () => {
    it("prefixes names with the environment and keeps the MSK prefix first", () => {
        assert.equal(fullSecretName("prod", "airflow/connections/x"), "prod/airflow/connections/x");
        assert.equal(fullSecretName("dev", "AmazonMSK_kafka/spark-a"), "AmazonMSK_dev/kafka/spark-a");
    });

    it("tags carry environment, owner, criticality and rotation", () => {
        assert.deepEqual(secretTags("prod", catalogEntry), {
            environment: "prod",
            owner: "team-ledger",
            criticality: "critical",
            "secret-kind": "postgres-password",
            "rotation-strategy": "postgres-alternating-users",
            "rotation-days": "30",
            "catalog-name": "airflow/connections/pg_ledger_core_ro",
            "managed-by": "pulumi",
        });
    });

    it("the resource policy denies every principal outside the account and any request without TLS", () => {
        const policy = buildSecretResourcePolicy(PROD);
        const outside = policy.Statement[0];
        assert.equal(outside.Effect, "Deny");
        assert.equal(outside.Principal, "*");
        assert.deepEqual(outside.Condition?.StringNotEquals, { "aws:PrincipalAccount": PROD });
        assert.deepEqual(policy.Statement[1].Condition, { Bool: { "aws:SecureTransport": "false" } });
        assert.ok(policy.Statement.every((s) => s.Effect === "Deny"), "the resource policy must only deny");
    });

    it("read statements are scoped to one secret ARN and decrypt only via Secrets Manager", () => {
        const arn = `arn:aws:secretsmanager:us-east-1:${PROD}:secret:prod/x-AbCdEf`;
        const key = `arn:aws:kms:us-east-1:${PROD}:key/mrk-1`;
        const [read, decrypt] = secretReadStatements(arn, key, "us-east-1");
        assert.deepEqual(read, { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: arn });
        assert.deepEqual(decrypt, {
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: key,
            Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } },
        });
    });
});

describe("EnvironmentKey and ManagedSecret under mocks", () => {
    before(() => useMocks(PROD, "us-east-1", "prod"));

    function build(name: string, overrides: Partial<ConstructorParameters<typeof ManagedSecret>[1]> = {}) {
        const replicaProvider = new aws.Provider(`${name}-replica-provider`, { region: "us-west-2" });
        const key = new EnvironmentKey(`${name}-key`, {
            environment: "prod",
            accountId: PROD,
            region: "us-east-1",
            namePrefix: "fl-prod",
            administratorRoleNames: ["fl-prod-platform-key-admin"],
            replicaRegion: "us-west-2",
            replicaProvider,
        });
        const secret = new ManagedSecret(name, { environment: "prod", accountId: PROD, secret: catalogEntry, key, ...overrides });
        return { key, secret };
    }

    it("turns key rotation on and makes the key multi-Region for replicas", async () => {
        const { key } = build("k1");
        assert.equal(await promiseOf(key.key.enableKeyRotation), true);
        assert.equal(await promiseOf(key.key.multiRegion), true);
        assert.match(await promiseOf(key.keyArn), new RegExp(`^arn:aws:kms:us-east-1:${PROD}:key/mrk-[0-9a-f]{32}$`));
        assert.match((await promiseOf(key.replicaKeyArn!)) as string, new RegExp(`^arn:aws:kms:us-west-2:${PROD}:key/mrk-`));
    });

    it("encrypts the secret with the environment key, names it for the environment and sets no value", async () => {
        const { key, secret } = build("s1");
        assert.equal(await promiseOf(secret.secret.kmsKeyId as pulumi.Output<string>), await promiseOf(key.keyArn));
        assert.equal(await promiseOf(secret.secret.name), "prod/airflow/connections/pg_ledger_core_ro");
        assert.equal(await promiseOf(secret.secret.recoveryWindowInDays as pulumi.Output<number>), 30);
        assert.equal((await promiseOf(secret.secret.tags as pulumi.Output<Record<string, string>>)).environment, "prod");
        assert.ok(!("secretString" in secret.secret), "ManagedSecret exposes no value");
    });

    it("replicates a critical secret into the replica region with the replica key", async () => {
        const { key, secret } = build("s2");
        const replicas = (await promiseOf(secret.secret.replicas as pulumi.Output<{ region: string; kmsKeyId: string }[]>)) ?? [];
        assert.deepEqual(replicas.map((r) => [r.region, r.kmsKeyId]), [["us-west-2", await promiseOf(key.replicaKeyArn!)]]);
    });

    it("grantRead adds exactly the read and the via-Secrets-Manager decrypt for this secret", async () => {
        const { key, secret } = build("s3");
        const grantee = new CollectingGrantee();
        secret.grantRead(grantee);
        const statements = await Promise.all(grantee.statements.map(promiseOf));
        assert.deepEqual(statements, secretReadStatements(await promiseOf(secret.arn), await promiseOf(key.keyArn), "us-east-1"));
        assert.match(statements[0].Resource as string, new RegExp(`^arn:aws:secretsmanager:us-east-1:${PROD}:secret:prod/airflow/connections/pg_ledger_core_ro-[A-Za-z]{6}$`));
    });

    it("rejects bad arguments with one error that names each problem", () => {
        const replicaProvider = new aws.Provider("bad-replica-provider", { region: "us-west-2" });
        assert.throws(
            () =>
                new EnvironmentKey("bad-key", {
                    environment: "prod",
                    accountId: STAGING.slice(1),
                    region: "us-east-1",
                    namePrefix: "fl-prod",
                    administratorRoleNames: [],
                    replicaRegion: "us-east-1",
                    replicaProvider,
                }),
            (err: Error) =>
                /accountId '18204967331' is not a 12-digit account id/.test(err.message) &&
                /administratorRoleNames is empty/.test(err.message) &&
                /replicaRegion 'us-east-1' equals the primary region/.test(err.message),
        );
        assert.throws(() => build("s4", { recoveryWindowInDays: 3 }), /recoveryWindowInDays 3 is outside 7..30/);
    });
});

describe("manual secrets' first expiry", () => {
    it("ends, read as the end of that day, within the catalog period at any time of day", () => {
        for (const at of ["2026-11-28T00:00:00Z", "2026-11-28T10:00:00Z", "2026-11-28T23:59:59Z"]) {
            const created = new Date(at);
            const expires = initialExpiry(created, 90);
            assert.equal(expires, "2027-02-25");
            const end = Date.parse(`${expires}T23:59:59Z`);
            assert.ok(end - created.getTime() <= 90 * 86_400_000, `${at}: ${expires} reaches past 90 days`);
            assert.ok(end - created.getTime() > 89 * 86_400_000 - 86_400_000, `${at}: ${expires} gives away more than a day`);
        }
    });

    it("is set as the expires-at tag on manual secrets only", async () => {
        await useMocks(PROD, "us-east-1", "prod");
        const replicaProvider = new aws.Provider("exp-replica-provider", { region: "us-west-2" });
        const key = new EnvironmentKey("exp-key", { environment: "prod", accountId: PROD, region: "us-east-1", namePrefix: "fl-prod", administratorRoleNames: ["fl-prod-platform-key-admin"], replicaRegion: "us-west-2", replicaProvider });
        const createdAt = new Date("2026-11-28T00:00:00Z");
        const manual = new ManagedSecret("exp-manual", { environment: "prod", accountId: PROD, key, createdAt, secret: { ...catalogEntry, criticality: "high", rotation: { strategy: "manual", days: 90 } } });
        const automatic = new ManagedSecret("exp-auto", { environment: "prod", accountId: PROD, key, createdAt, secret: catalogEntry });
        assert.equal((await promiseOf(manual.secret.tags as pulumi.Output<Record<string, string>>))["expires-at"], "2027-02-25");
        assert.equal((await promiseOf(automatic.secret.tags as pulumi.Output<Record<string, string>>))["expires-at"], undefined);
    });
});
