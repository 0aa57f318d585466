// Lambda entry point: Snowflake key-pair rotation.
import { RotationError } from "../protocol";
import { ENV, lambdaHandler } from "../runtime";
import { parseSnowflakeValue, snowflakeKeyPairStrategy } from "../strategies/snowflake";
import { SnowflakeSdkAdmin } from "../strategies/snowflake-sdk-admin";

/** Handles one rotation step for a Snowflake key-pair secret. */
export const handler = lambdaHandler(async (store) => {
    const id = process.env[ENV.snowflakeRotatorSecret];
    if (!id) throw new RotationError(`${ENV.snowflakeRotatorSecret} is not set; the stack sets it to the rotation service user's secret.`);
    const raw = await store.get(id, "AWSCURRENT");
    if (!raw) throw new RotationError(`The Snowflake rotator secret ${id} has no AWSCURRENT value; bootstrap it as docs/rotation.md describes.`);
    const rotator = JSON.parse(raw.value) as { role?: unknown; warehouse?: string };
    const base = parseSnowflakeValue(raw.value, "rotator AWSCURRENT");
    if (typeof rotator.role !== "string" || rotator.role.toUpperCase() === "ACCOUNTADMIN") {
        throw new RotationError(`The rotator secret ${id} must name its rotation role in 'role', and never ACCOUNTADMIN.`);
    }
    return snowflakeKeyPairStrategy(new SnowflakeSdkAdmin({ account: base.account, user: base.user, privateKey: base.privateKey!, role: rotator.role, warehouse: rotator.warehouse }));
});
