// What every vendor adapter does with HTTP: one call with a timeout, and one reading of the status codes that
// vendors document alike. 401/403 mean the management credential is wrong or lacks a scope (a person must fix
// it, so retrying is pointless); 429 and 5xx are transient (Secrets Manager retries the step, and a rotation
// that keeps failing stays pending and alarms). Every error names the vendor, the action and what to do.
import { RotationError } from "../protocol";

/** A vendor's answer: status, parsed JSON body (undefined when empty) and the headers a caller may need. */
export interface VendorResponse {
    readonly status: number;
    readonly json: any;
    readonly retryAfter?: string;
}

/** One HTTP call to a vendor API. */
export async function vendorCall(
    fetchImpl: typeof fetch,
    url: string,
    init: { method: string; headers: Record<string, string>; body?: string },
    timeoutMs: number,
): Promise<VendorResponse> {
    const res = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    let json: unknown;
    try {
        json = text ? JSON.parse(text) : undefined;
    } catch {
        json = undefined;
    }
    return { status: res.status, json, retryAfter: res.headers.get("retry-after") ?? undefined };
}

/** A refusal by the vendor, with the HTTP status that decides whether a retry can help. */
export class VendorApiError extends RotationError {
    constructor(
        readonly vendor: string,
        readonly status: number,
        message: string,
        /** Whether a retry of the step may succeed (429, 5xx). */
        readonly transient: boolean,
    ) {
        super(message);
        this.name = "VendorApiError";
    }
}

/**
 * The error for an unexpected status of `action` (a phrase such as "create an API key"). `scopeHint` says which
 * permission the management credential needs, for 401/403.
 */
export function vendorError(vendor: string, action: string, r: VendorResponse, scopeHint: string): VendorApiError {
    const s = r.status;
    if (s === 401) return new VendorApiError(vendor, s, `${vendor} rejected the credential used to ${action} (HTTP 401); it is revoked, wrong or incomplete: put a working one into the secret (docs/rotation.md, bootstrap).`, false);
    if (s === 403) return new VendorApiError(vendor, s, `${vendor} refused to ${action} (HTTP 403); ${scopeHint}.`, false);
    if (s === 429) return new VendorApiError(vendor, s, `${vendor} rate-limited the request to ${action} (HTTP 429${r.retryAfter ? `, retry after ${r.retryAfter} s` : ""}); the step is retried by Secrets Manager.`, true);
    if (s >= 500) return new VendorApiError(vendor, s, `${vendor} failed to ${action} (HTTP ${s}); a vendor outage, the step is retried by Secrets Manager.`, true);
    return new VendorApiError(vendor, s, `${vendor} answered HTTP ${s} when trying to ${action}; see the vendor's API reference cited in functions/rotation/strategies/${vendor}.ts.`, false);
}
