// The vendors whose API tokens the catalog holds, and what each vendor's documentation says about managing tokens
// by API. A vendor with `tokenApi: true` documents endpoints to issue, list and revoke a token with another
// credential, so the vendor-api Lambda can rotate it (its adapter is in functions/rotation/strategies/); the
// others issue tokens only in their console, so their secrets use assisted rotation. The sources are cited in
// `reference` (and in docs/rotation.md); test/rotation/vendor-registry.test.ts checks this table against the
// adapter registry and the catalog.

/** One vendor's token facts. */
export interface VendorFacts {
    /** Whether the vendor documents an API to issue, verify and revoke a token. */
    readonly tokenApi: boolean;
    /** Where the vendor says so (its API reference or its console guide); undefined when no documentation was found. */
    readonly reference: string | undefined;
    /** One sentence: what the documentation shows. */
    readonly finding: string;
}

/** Every vendor the catalog's api-token secrets name, by the id secrets use in their `vendor` key. */
export const VENDORS = {
    datadog: {
        tokenApi: true,
        reference: "https://docs.datadoghq.com/api/latest/key-management/",
        finding: "Key Management API v2 creates, lists (filter by name), reads and deletes API keys with an application key.",
    },
    sendgrid: {
        tokenApi: true,
        reference: "https://www.twilio.com/docs/sendgrid/api-reference/api-keys/create-api-keys",
        finding: "POST/GET/DELETE /v3/api_keys with a key holding the api_keys scopes; the first key is made in the app.",
    },
    twilio: {
        tokenApi: true,
        reference: "https://www.twilio.com/docs/usage/api/keys",
        finding: "The Key resource creates, lists and deletes Standard keys with a Main key (Main keys only in the Console).",
    },
    stripe: {
        tokenApi: false,
        reference: "https://stripe.com/docs/keys#create-restricted-api-secret-key",
        finding: "Restricted keys are created and rolled in the Dashboard; no API endpoint creates them (also github.com/lukasaron/terraform-provider-stripe/issues/21).",
    },
    marqeta: {
        tokenApi: false,
        reference: "https://www.marqeta.com/docs/core-api/authentication/ (and /docs/core-api/self-service-credentials)",
        finding: "Marqeta distributes the application token; the self-service credentials API (limited release) manages admin access tokens only.",
    },
    hubspot: {
        tokenApi: false,
        reference: "https://developers.hubspot.com/docs/api/private-apps",
        finding: "A private app's access token is rotated by a super admin in the app's Auth tab; no API rotates it.",
    },
    segment: {
        tokenApi: false,
        reference: "https://www.twilio.com/docs/segment/api/public-api",
        finding: "Public API tokens are created and removed by a Workspace Owner under Access Management > Tokens.",
    },
    pagerduty: {
        tokenApi: false,
        reference: "https://support.pagerduty.com/docs/using-the-api",
        finding: "General access REST API keys are created and deleted by an admin in the web app (Integrations > API Access Keys).",
    },
    zendesk: {
        tokenApi: false,
        reference: "https://support.zendesk.com/hc/en-us/articles/4408889192858-Managing-API-token-access-to-the-Zendesk-API",
        finding: "The documentation found describes API tokens generated, deactivated and deleted by an admin in Admin Center only.",
    },
    currencycloud: {
        tokenApi: false,
        reference: "https://support.currencycloud.com/hc/zh-hk/articles/16152640663836",
        finding: "The API key is obtained when registering; the API only trades login id and key for a 30-minute session token.",
    },
    sift: {
        tokenApi: false,
        reference: undefined,
        finding: "No documentation of a token-management API was found (the search found only an unrelated vendor of the same name); console-only until Sift confirms otherwise.",
    },
    complyadvantage: {
        tokenApi: false,
        reference: undefined,
        finding: "No documentation of a token-management API was found; console-only until ComplyAdvantage confirms otherwise.",
    },
} as const satisfies Record<string, VendorFacts>;

/** A vendor id. */
export type VendorId = keyof typeof VENDORS;

/** Every vendor id. */
export const VENDOR_IDS = Object.keys(VENDORS) as [VendorId, ...VendorId[]];
