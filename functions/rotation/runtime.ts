// What every rotation Lambda shares at run time: the Secrets Manager client (endpoint overridable, so tests
// point it at moto and a VPC can name its interface endpoint) and the dispatch of one event to the protocol.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { rotate, RotationEvent, RotationStrategy, SecretStore } from "./protocol";

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

/** A Secrets Manager store configured from the environment. */
export function storeFromEnv(env: NodeJS.ProcessEnv = process.env): SecretStore {
    const endpoint = env[ENV.endpoint];
    return new SecretStore(new SecretsManagerClient({ ...(endpoint ? { endpoint } : {}), maxAttempts: 3 }));
}

/** Builds a Lambda handler from a strategy factory; the strategy may depend on the store (for its own credentials). */
export function lambdaHandler<V>(makeStrategy: (store: SecretStore) => Promise<RotationStrategy<V>> | RotationStrategy<V>): (event: RotationEvent) => Promise<void> {
    return async (event: RotationEvent) => {
        const store = storeFromEnv();
        await rotate(event, { store, strategy: await makeStrategy(store) });
    };
}
