// Kept apart from the handler so the stack can name the metric without loading the AWS SDK.

/** The metric the probe publishes, with dimensions `Environment` and `Phase` (cold or warm). */
export const LATENCY_METRIC = "GetSecretValueLatency";
