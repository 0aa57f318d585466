// The environment variables of the rotation functions, in a file of their own: the stack sets them (stacks/rotation.ts)
// and must not load the AWS SDK client that the functions' runtime.ts imports.

/** Environment variables the functions read. The stack sets them; tests set them for moto. */
export const ENV = {
    /** Secrets Manager endpoint URL. Default: the SDK's regional endpoint (the VPC endpoint, via private DNS). */
    endpoint: "SECRETS_MANAGER_ENDPOINT",
    /** Snowflake: the secret with the rotation service user's own key pair and role. */
    snowflakeRotatorSecret: "SNOWFLAKE_ROTATOR_SECRET_ID",
    /** Kafka: seconds MSK needs to load a changed secret. Default: 600. */
    mskPropagationSeconds: "MSK_PROPAGATION_SECONDS",
    /** Postgres: "false" turns TLS off (tests only). Default: TLS with certificate checks. */
    postgresTls: "POSTGRES_TLS",
} as const;
