// Kafka SASL/SCRAM end to end, on real software: the kafka-scram-alternating-users rotation runs against moto, a
// real Kafka broker (KRaft, SCRAM-SHA-512 over TLS) gets its users from the slot secrets as MSK's secret
// association makes them, and the Kafka Java client logs in with the JAAS line and the client properties a
// consumer pod gets: the ExternalSecret the stack generates for each consumer type of the kind (its view in
// model/secret-kinds.ts), rendered by ESO's own template engine, before and after rotations.
import * as assert from "assert";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { RotationError, SecretStore } from "../../functions/rotation/protocol";
import { kafkaScramAlternatingUsersStrategy, ScramLoginCheck, ScramValue } from "../../functions/rotation/strategies/kafka-scram";
import { kafkaSlotSecretName, kafkaSlotUsername, MSK_SECRET_PREFIX } from "../../model/names";
import { renderExternalSecret } from "../support/eso-template";
import { generatedExternalSecretsByConsumerType } from "../support/generated-external-secrets";
import { KafkaBroker, startKafka } from "../support/kafka";
import { MotoServer, startMoto } from "../support/moto";
import { uniqueName } from "../rotation/fixtures";
import { createEmptySecret, createSecret, currentValue, motoClient, rotateOnce } from "../rotation/harness";

/** What a consumer pod gets from a stored value through its ExternalSecret: the Secret keys ESO's engine writes. */
function podFiles(spec: any, storedJson: string): Record<string, string> {
    return renderExternalSecret(spec, () => storedJson);
}

describe("Kafka SCRAM secret, from rotation to a real client login", function () {
    this.timeout(600_000);
    let moto: MotoServer;
    let kafka: KafkaBroker;
    let client: SecretsManagerClient;
    let store: SecretStore;
    const specs = generatedExternalSecretsByConsumerType("kafka-scram", "client-secret");
    const spark = specs.get("spark");

    before(async () => {
        [moto, kafka] = await Promise.all([startMoto(), startKafka()]);
        client = motoClient(moto);
        store = new SecretStore(client);
    });
    after(async () => {
        await Promise.all([moto?.stop(), kafka?.stop()]);
    });

    /** A client secret and its two user slots, bootstrapped as the runbook does: user _a in the client secret and slot A. */
    async function bootstrap() {
        const name = `${MSK_SECRET_PREFIX}dev/kafka/${uniqueName("spark-payments-")}`;
        const first: ScramValue = { username: kafkaSlotUsername(name, "a"), password: ["boot", Date.now().toString(36), Math.random().toString(36).slice(2)].join("-") };
        const secretId = await createSecret(client, name, JSON.stringify(first));
        const slots = [await createSecret(client, kafkaSlotSecretName(name, "a"), JSON.stringify(first)), await createEmptySecret(client, kafkaSlotSecretName(name, "b"))];
        return { secretId, slots };
    }

    /** The rotation's testSecret step against the real broker: MSK picks the slot up, then the pending user logs in. */
    function brokerCheck(slots: readonly string[]): ScramLoginCheck {
        return {
            async verify(value) {
                await kafka.associateSecrets(store, slots);
                const r = await kafka.login(jaasOf(JSON.stringify(value)));
                if (r.result !== "ok") throw new RotationError(`The pending user ${value.username} cannot log in to Kafka: ${r.result}.`);
            },
        };
    }

    const jaasOf = (raw: string) => podFiles(spark, raw)["sasl.jaas.config"]!;
    /** Logs in with each consumer type's files (the JAAS line, the client properties); every outcome must agree. */
    async function viewLogsIn(raw: string): Promise<string> {
        const outcomes = await Promise.all(
            [...specs].flatMap(([type, spec]) => {
                const files = podFiles(spec, raw);
                return [kafka.login(files["sasl.jaas.config"]!).then((o) => ({ how: `${type} sasl.jaas.config`, ...o })), kafka.loginWithProperties(files["client.properties"]!).then((o) => ({ how: `${type} client.properties`, ...o }))];
            }),
        );
        assert.deepStrictEqual(new Set(outcomes.map((o) => o.result)).size, 1, `every consumer file must give the same outcome: ${JSON.stringify(outcomes)}`);
        return outcomes[0]!.result;
    }

    it("every consumer type of kafka-scram gets the same generated files: user, password, JAAS line and client properties", () => {
        assert.deepStrictEqual([...specs.keys()].sort(), ["airflow", "spark"], "the dev catalog has Spark and Airflow consumers of kafka-scram");
        const raw = JSON.stringify({ username: "fl_dev_probe_a", password: ["p", Date.now().toString(36)].join("-") });
        const [a, b] = [...specs.values()].map((spec) => podFiles(spec, raw));
        assert.deepStrictEqual(a, b);
        assert.deepStrictEqual(Object.keys(a!).sort(), ["client.properties", "password", "sasl.jaas.config", "username"]);
        assert.match(a!["client.properties"]!, /^security\.protocol=SASL_SSL\nsasl\.mechanism=SCRAM-SHA-512\nsasl\.jaas\.config=org\.apache\.kafka\.common\.security\.scram\.ScramLoginModule required username="fl_dev_probe_a" password="p-[a-z0-9]+";\n$/);
    });

    it("the consumer's JAAS line and client properties log in before and after two rotations, the held user keeps working for one rotation, and a wrong password is refused", async () => {
        const { secretId, slots } = await bootstrap();
        await kafka.associateSecrets(store, slots);
        const v0 = await currentValue(store, secretId);
        assert.strictEqual(await viewLogsIn(v0.value), "ok", "the bootstrap user must log in");

        const wrong = { ...JSON.parse(v0.value), password: `${JSON.parse(v0.value).password}x` };
        const refused = await kafka.login(jaasOf(JSON.stringify(wrong)));
        assert.strictEqual(refused.result, "refused", `a wrong password must be refused by the broker, got ${JSON.stringify(refused)}`);

        const strategy = kafkaScramAlternatingUsersStrategy(brokerCheck(slots));
        await rotateOnce(client, store, strategy, secretId);
        await kafka.associateSecrets(store, slots);
        const v1 = await currentValue(store, secretId);
        assert.notStrictEqual(JSON.parse(v1.value).username, JSON.parse(v0.value).username, "a rotation switches to the other user");
        assert.strictEqual((await kafka.login(jaasOf(v1.value))).result, "ok", "the rotated value must log in");
        assert.strictEqual((await kafka.login(jaasOf(v0.value))).result, "ok", "tasks still holding the previous value must keep logging in until the next rotation");

        await rotateOnce(client, store, strategy, secretId);
        await kafka.associateSecrets(store, slots);
        const v2 = await currentValue(store, secretId);
        assert.strictEqual(JSON.parse(v2.value).username, JSON.parse(v0.value).username);
        assert.strictEqual(await viewLogsIn(v2.value), "ok", "the second rotation's value must log in");
        assert.strictEqual((await kafka.login(jaasOf(v1.value))).result, "ok", "the value of one rotation ago must still log in");
        assert.strictEqual(await viewLogsIn(v0.value), "refused", "a value two rotations old must be refused: its user has a new password");
    });

    it("the rotation's test step fails, and AWSCURRENT stays, when the broker does not accept the pending user", async () => {
        const { secretId, slots } = await bootstrap();
        await kafka.associateSecrets(store, slots);
        const before = await currentValue(store, secretId);
        // MSK never picks up the slot (an association missing for slot B): the pending user cannot log in.
        const unassociated: ScramLoginCheck = {
            async verify(value) {
                const r = await kafka.login(jaasOf(JSON.stringify(value)));
                if (r.result !== "ok") throw new RotationError(`The pending user ${value.username} cannot log in to Kafka: ${r.result}.`);
            },
        };
        await assert.rejects(rotateOnce(client, store, kafkaScramAlternatingUsersStrategy(unassociated), secretId), /cannot log in to Kafka: refused/);
        const after = await currentValue(store, secretId);
        assert.strictEqual(after.versionId, before.versionId, "a failed test step must leave AWSCURRENT where it was");
        assert.strictEqual((await kafka.login(jaasOf(after.value))).result, "ok");
    });
});
