// Lambda entry point: Postgres application users, alternating.
import { ENV, lambdaHandler } from "../runtime";
import { postgresAlternatingUsersStrategy } from "../strategies/postgres";

/** Handles one rotation step for a Postgres application-user secret. */
export const handler = lambdaHandler(() => postgresAlternatingUsersStrategy({ ssl: process.env[ENV.postgresTls] !== "false" }));
