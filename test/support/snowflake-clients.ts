// The two Snowflake drivers our consumers use, run on a mounted key file up to the point where they would send the
// login request: snowflake-connector-python (dbt-snowflake's driver) and the Snowflake JDBC driver (Spark's). Each
// loads the file with its own key code and signs the key-pair login JWT, which a test hands to Snowflake's check.
import * as path from "path";
import { requireInstalled, runJava, runProcess, SNOWFLAKE_PYTHON } from "./client-runtime";

/** A driver that can load a key file. */
export type SnowflakeDriver = "snowflake-connector-python" | "snowflake-jdbc";

/** The JWT a driver signed with the key file, or its refusal of the file (exit 2) with the driver's message. */
export type KeyFileOutcome = { result: "jwt"; jwt: string } | { result: "refused"; detail: string };

const PROBE = path.resolve(__dirname, "..", "python", "snowflake_keypair_jwt.py");

/** Loads `keyFile` with `driver` for `account`.`user` and returns the login JWT it would send. */
export async function driverLoginJwt(driver: SnowflakeDriver, account: string, user: string, keyFile: string): Promise<KeyFileOutcome> {
    let r;
    if (driver === "snowflake-connector-python") {
        requireInstalled(SNOWFLAKE_PYTHON);
        r = await runProcess(SNOWFLAKE_PYTHON, [PROBE, account, user, keyFile]);
    } else {
        r = await runJava("snowflake-jdbc", "SnowflakeJdbcKeyPair", [account, user, keyFile]);
    }
    if (r.status === 0) return { result: "jwt", jwt: r.stdout.trim() };
    if (r.status === 2) return { result: "refused", detail: r.stderr.trim().split("\n").slice(-1)[0] ?? "" };
    throw new Error(`${driver} failed on ${keyFile} (exit ${r.status}):\n${r.stderr.slice(-3000)}`);
}

/** The claims of a key-pair JWT: `iss` is ACCOUNT.USER.SHA256:<fingerprint of the public key the driver derived>. */
export function jwtClaims(jwt: string): { iss: string; sub: string; fingerprint: string } {
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1] ?? "", "base64url").toString()) as { iss: string; sub: string };
    return { ...claims, fingerprint: claims.iss.slice(claims.iss.indexOf("SHA256:")) };
}
