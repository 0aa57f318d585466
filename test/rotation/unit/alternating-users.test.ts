// The alternating-users pair (Postgres and Kafka SCRAM): which user is the other one, and the password generator.
import * as assert from "assert";
import { RotationError } from "../../../functions/rotation/protocol";
import { generatePassword, otherUser } from "../../../functions/rotation/strategies/alternating-users";

describe("alternating users", () => {
    it("pairs <base>_a with <base>_b both ways, keeping the whole base", () => {
        assert.strictEqual(otherUser("ledger_writer_a"), "ledger_writer_b");
        assert.strictEqual(otherUser("ledger_writer_b"), "ledger_writer_a");
        assert.strictEqual(otherUser("x_a_b"), "x_a_a");
    });

    it("refuses a user that is not one of a pair, saying how the pair must be named", () => {
        for (const user of ["ledger_writer", "ledger_writer_c", "_a", "ledger_writer_ab", "a_b_", "ledger_writer_A"]) {
            assert.throws(
                () => otherUser(user),
                (err: Error) => err instanceof RotationError && err.message === `User '${user}' does not end in _a or _b; alternating-users rotation needs a pair named <base>_a and <base>_b.`,
                user,
            );
        }
    });

    it("generates 32 URL-safe characters, different each time", () => {
        const seen = new Set<string>();
        for (let i = 0; i < 50; i++) {
            const p = generatePassword();
            assert.match(p, /^[A-Za-z0-9_-]{32}$/);
            seen.add(p);
        }
        assert.strictEqual(seen.size, 50);
    });
});
