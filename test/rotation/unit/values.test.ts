// functions/rotation/values.ts: strategies read and write stored values only through the kind's schema, and a
// schema refusal reaches Secrets Manager as a RotationError that names the field.
import * as assert from "assert";
import { RotationError } from "../../../functions/rotation/protocol";
import { generatePassword } from "../../../functions/rotation/strategies/alternating-users";
import { parseStoredValue, serializeStoredValue } from "../../../functions/rotation/values";
import type { SecretKind } from "../../../model/catalog";
import { SecretValueError } from "../../../model/secret-kinds";

describe("rotation values through the kind's schema", () => {
    const scram = () => ({ username: "ledger_writer_a", password: generatePassword() });

    it("parses a valid stored value into the kind's fields", () => {
        const v = scram();
        assert.deepStrictEqual(parseStoredValue("kafka-scram", JSON.stringify(v), "AWSCURRENT"), v);
    });

    it("turns a schema refusal into a RotationError naming the label, the kind and the field", () => {
        assert.throws(
            () => parseStoredValue("kafka-scram", JSON.stringify({ username: "ledger_writer_a" }), "AWSPENDING"),
            (err: Error) => err instanceof RotationError && !(err instanceof SecretValueError) && /^The AWSPENDING value of the kafka-scram secret is invalid: .*password/.test(err.message),
        );
    });

    it("applies the strategy's extra rules only when a strategy is named", () => {
        const single = { username: "ledger_writer", password: generatePassword() };
        assert.deepStrictEqual(parseStoredValue("kafka-scram", JSON.stringify(single), "AWSCURRENT"), single);
        assert.throws(() => parseStoredValue("kafka-scram", JSON.stringify(single), "AWSCURRENT", "kafka-scram-alternating-users"), (err: Error) => err instanceof RotationError && /_a or _b/.test(err.message));
    });

    it("serialises a valid value as the JSON the kind stores", () => {
        const v = scram();
        assert.strictEqual(serializeStoredValue("kafka-scram", v, "kafka-scram-alternating-users"), JSON.stringify(v));
    });

    it("refuses to serialise a value the kind's consumers could not read, as a RotationError", () => {
        assert.throws(
            () => serializeStoredValue("kafka-scram", { username: "ledger_writer_c", password: generatePassword() }, "kafka-scram-alternating-users"),
            (err: Error) => err instanceof RotationError && /^The new value of the kafka-scram secret is invalid: .*_a or _b/.test(err.message),
        );
    });

    it("passes an error that is not a schema refusal on unchanged", () => {
        const unknownKind = "no-such-kind" as SecretKind;
        for (const call of [() => parseStoredValue(unknownKind, "{}", "AWSCURRENT"), () => serializeStoredValue(unknownKind, {})]) {
            assert.throws(call, (err: Error) => !(err instanceof RotationError) && err instanceof TypeError);
        }
    });
});
