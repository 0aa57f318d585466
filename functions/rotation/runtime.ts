// What every rotation Lambda shares at run time: the Secrets Manager client (endpoint overridable, so tests
// point it at moto and a VPC can name its interface endpoint) and the dispatch of one event to the protocol.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ENV } from "./env";
import { rotate, RotationEvent, RotationStrategy, SecretStore } from "./protocol";

export { ENV };

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
