// Shared by the two alternating-users strategies (Postgres and Kafka SCRAM): a credential is one of two users,
// `<base>_a` and `<base>_b`. Each rotation gives the inactive user a new password and makes it current, so the
// user that running tasks hold keeps its password until the rotation after next touches it again.
import { randomBytes } from "node:crypto";
import { RotationError } from "../protocol";

const ALTERNATING = /^(.+)_(a|b)$/;

/** The other user of an alternating pair: `x_a` <-> `x_b`. */
export function otherUser(username: string): string {
    const m = ALTERNATING.exec(username);
    if (!m) throw new RotationError(`User '${username}' does not end in _a or _b; alternating-users rotation needs a pair named <base>_a and <base>_b.`);
    return `${m[1]}_${m[2] === "a" ? "b" : "a"}`;
}

/** A random password of 32 URL-safe characters (192 bits), accepted by Postgres and SCRAM alike. */
export function generatePassword(): string {
    return randomBytes(24).toString("base64url");
}
