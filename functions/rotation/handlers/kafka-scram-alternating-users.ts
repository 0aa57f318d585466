// Lambda entry point: Kafka SASL/SCRAM on MSK, alternating users.
import { ENV, lambdaHandler } from "../runtime";
import { kafkaScramAlternatingUsersStrategy, MskPropagationCheck } from "../strategies/kafka-scram";

/** Handles one rotation step for an MSK SCRAM secret. */
export const handler = lambdaHandler(() => {
    const propagationMs = Number(process.env[ENV.mskPropagationSeconds] ?? "600") * 1000;
    // Waits up to 12 minutes inside one invocation; the function's timeout is 15 minutes.
    return kafkaScramAlternatingUsersStrategy(new MskPropagationCheck(propagationMs, 12 * 60 * 1000));
});
