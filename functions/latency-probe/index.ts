// The latency probe: reads its canary secret the way a task start does (a new SDK client, then the first call, which
// pays for credentials, DNS and the TLS handshake), then a few warm calls, and publishes both figures as CloudWatch
// metrics. It never logs or returns the secret's value.
import { CloudWatchClient, PutMetricDataCommand, StandardUnit } from "@aws-sdk/client-cloudwatch";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

import { LATENCY_METRIC } from "./metric";

export { LATENCY_METRIC };

/** What one probe run needs. */
export interface ProbeSettings {
    /** Name or ARN of the canary secret. */
    readonly secretId: string;
    readonly environment: string;
    /** CloudWatch namespace of the metric. */
    readonly namespace: string;
    readonly region: string;
    /** Warm calls after the cold one. Default: 3. */
    readonly warmCalls?: number;
    /** An endpoint override (tests point it at moto). Default: the regional AWS endpoint. */
    readonly endpoint?: string;
}

/** The figures of one run, in milliseconds. */
export interface ProbeResult {
    readonly coldMs: number;
    readonly warmMs: number[];
}

function elapsedMs(start: bigint): number {
    return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Measures cold and warm GetSecretValue and publishes the figures. */
export async function runProbe(settings: ProbeSettings): Promise<ProbeResult> {
    const warmCalls = settings.warmCalls ?? 3;
    const clientConfig = { region: settings.region, ...(settings.endpoint ? { endpoint: settings.endpoint } : {}) };
    const coldStart = process.hrtime.bigint();
    // Created inside the timed section on purpose: a task builds its client when it starts.
    const secrets = new SecretsManagerClient(clientConfig);
    await secrets.send(new GetSecretValueCommand({ SecretId: settings.secretId }));
    const coldMs = elapsedMs(coldStart);
    const warmMs: number[] = [];
    for (let i = 0; i < warmCalls; i++) {
        const start = process.hrtime.bigint();
        await secrets.send(new GetSecretValueCommand({ SecretId: settings.secretId }));
        warmMs.push(elapsedMs(start));
    }
    secrets.destroy();

    const cloudwatch = new CloudWatchClient(clientConfig);
    const dimensions = (phase: string) => [
        { Name: "Environment", Value: settings.environment },
        { Name: "Phase", Value: phase },
    ];
    await cloudwatch.send(
        new PutMetricDataCommand({
            Namespace: settings.namespace,
            MetricData: [
                { MetricName: LATENCY_METRIC, Dimensions: dimensions("cold"), Unit: StandardUnit.Milliseconds, Value: coldMs },
                ...(warmMs.length > 0 ? [{ MetricName: LATENCY_METRIC, Dimensions: dimensions("warm"), Unit: StandardUnit.Milliseconds, Values: warmMs }] : []),
            ],
        }),
    );
    cloudwatch.destroy();
    return { coldMs, warmMs };
}

function required(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`The latency probe needs the environment variable ${name}; the LatencyProbe component sets it.`);
    return value;
}

/** Lambda entry point, scheduled every few minutes. */
export async function handler(): Promise<ProbeResult> {
    const result = await runProbe({
        secretId: required("CANARY_SECRET_ID"),
        environment: required("FINLEDGER_ENVIRONMENT"),
        namespace: required("METRIC_NAMESPACE"),
        region: required("AWS_REGION"),
    });
    console.log(JSON.stringify({ coldMs: Math.round(result.coldMs), warmMs: result.warmMs.map(Math.round) }));
    return result;
}
