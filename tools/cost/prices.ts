// Unit prices for docs/cost.md: US East (N. Virginia), on-demand, before free tiers. Each cites the page it was
// read from and when. Change a price here, then `npm run cost` to regenerate the document.

/** One unit price and its source. */
export interface UnitPrice {
    readonly usd: number;
    readonly unit: string;
    readonly source: string;
}

/** The day these prices were read. */
export const PRICES_READ_ON = "2026-12-02";

/** Every unit price the cost model uses. */
export const PRICES = {
    secretPerMonth: { usd: 0.4, unit: "per secret (and per replica) per month", source: "https://aws.amazon.com/secrets-manager/pricing/" },
    secretsManagerPer10kCalls: { usd: 0.05, unit: "per 10,000 API calls", source: "https://aws.amazon.com/secrets-manager/pricing/" },
    kmsPer10kRequests: { usd: 0.03, unit: "per 10,000 symmetric requests (20,000 a month free, not deducted here)", source: "https://aws.amazon.com/kms/pricing/" },
    kmsKeyPerMonth: { usd: 1, unit: "per customer-managed key per month (not counted: the keys are not in the environment model)", source: "https://aws.amazon.com/kms/pricing/" },
    lambdaPer1MRequests: { usd: 0.2, unit: "per 1 million requests", source: "https://aws.amazon.com/lambda/pricing/" },
    lambdaPerGbSecond: { usd: 0.0000166667, unit: "per GB-second, x86", source: "https://aws.amazon.com/lambda/pricing/" },
    configRuleEvaluation: { usd: 0.001, unit: "per rule evaluation (first 100,000 a month)", source: "https://aws.amazon.com/config/pricing/" },
    configItem: { usd: 0.003, unit: "per configuration item recorded (continuous)", source: "https://aws.amazon.com/config/pricing/" },
    eventBridgeAwsServiceEvents: { usd: 0, unit: "per event from an AWS service on the default bus (rule matching and target invocation included)", source: "https://aws.amazon.com/eventbridge/pricing/" },
    cloudTrailManagementCopy: { usd: 0, unit: "first copy of management events", source: "https://aws.amazon.com/cloudtrail/pricing/" },
    cloudTrailDataEvents: { usd: 0.1, unit: "per 100,000 data events (the trail records none)", source: "https://aws.amazon.com/cloudtrail/pricing/" },
} as const satisfies Record<string, UnitPrice>;
