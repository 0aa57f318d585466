// SendGrid API keys, through SendGrid's documented API Keys API
// (https://www.twilio.com/docs/sendgrid/api-reference/api-keys/create-api-keys and the sibling pages):
//   POST   /v3/api_keys            {name, scopes} -> 201 {api_key, api_key_id, name, scopes}; the only time the
//                                  key value is returned; at most 100 keys per account (403 beyond)
//   GET    /v3/api_keys?limit=N   {result: [{name, api_key_id}]}
//   GET    /v3/api_keys/{id}      {name, api_key_id, scopes}
//   DELETE /v3/api_keys/{id}      204 (404 when gone)
//   GET    /v3/scopes             {scopes: [...]} of the calling key: the verify call
// Every call sends `Authorization: Bearer <key>`. Management calls use the secret's `managementKey` (scopes
// api_keys.create, api_keys.read, api_keys.delete), which is made in the SendGrid app and not rotated here; the
// rotated `apiKey` is what workloads use. A new key gets the scopes of the key it replaces.
//
// SendGrid never returns a key's value after creation, so a createSecret retried after a lost response finds the
// key by name without its value: that key was never stored anywhere, so it is revoked and a new one issued.
import { VendorTokenAdapter, VendorTokenRef } from "./vendor-api";
import { RotationError } from "../protocol";
import { vendorCall, vendorError, VendorResponse } from "./vendor-http";

/** A SendGrid API key secret. */
export interface SendGridKeyValue {
    readonly vendor: "sendgrid";
    /** https://api.sendgrid.com, or https://api.eu.sendgrid.com for EU subusers. */
    readonly apiUrl: string;
    readonly apiKey: string;
    readonly apiKeyId: string;
    readonly managementKey: string;
    readonly [extra: string]: unknown;
}

/** SendGrid's documented cap on keys per account, which also makes one list page hold them all. */
export const SENDGRID_MAX_KEYS = 100;

const MANAGEMENT_SCOPES = "the managementKey needs the scopes api_keys.create, api_keys.read and api_keys.delete, and the account may hold at most 100 keys";

/** The SendGrid adapter. `fetchImpl` is the global fetch unless a test passes another. */
export class SendGridAdapter implements VendorTokenAdapter<SendGridKeyValue> {
    readonly vendor = "sendgrid";
    constructor(private readonly fetchImpl: typeof fetch = fetch, private readonly timeoutMs = 10000) {}

    parse(raw: string, label: string): SendGridKeyValue {
        let v: Record<string, unknown>;
        try {
            v = JSON.parse(raw) as Record<string, unknown>;
        } catch {
            throw new RotationError(`The ${label} value of the SendGrid secret is not JSON.`);
        }
        const problems: string[] = [];
        if (v.vendor !== "sendgrid") problems.push("'vendor' must be \"sendgrid\"");
        if (typeof v.apiUrl !== "string" || !/^https?:\/\/[^/]+$/.test(v.apiUrl)) problems.push("'apiUrl' must be the API host URL, such as https://api.sendgrid.com");
        for (const k of ["apiKey", "apiKeyId", "managementKey"]) if (typeof v[k] !== "string" || v[k] === "") problems.push(`'${k}' must be a non-empty string`);
        if (problems.length) throw new RotationError(`The ${label} value of the SendGrid secret is invalid: ${problems.join("; ")}.`);
        return v as unknown as SendGridKeyValue;
    }

    tokenId(value: SendGridKeyValue): string {
        return value.apiKeyId;
    }

    private call(v: SendGridKeyValue, method: string, path: string, body?: unknown, key = v.managementKey): Promise<VendorResponse> {
        return vendorCall(
            this.fetchImpl,
            `${v.apiUrl}${path}`,
            { method, headers: { Authorization: `Bearer ${key}`, "Content-Type": "application/json", Accept: "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) },
            this.timeoutMs,
        );
    }

    private async all(current: SendGridKeyValue): Promise<VendorTokenRef[]> {
        const r = await this.call(current, "GET", `/v3/api_keys?limit=${SENDGRID_MAX_KEYS}`);
        if (r.status !== 200) throw vendorError(this.vendor, "list API keys", r, MANAGEMENT_SCOPES);
        return ((r.json?.result ?? []) as Array<{ name: string; api_key_id: string }>).map((k) => ({ id: k.api_key_id, name: k.name }));
    }

    async issue(current: SendGridKeyValue, name: string): Promise<SendGridKeyValue> {
        // A key with this name exists only if an earlier attempt lost the response: its value is unknowable.
        for (const orphan of (await this.all(current)).filter((k) => k.name === name)) await this.revoke(current, orphan.id);
        const cur = await this.call(current, "GET", `/v3/api_keys/${encodeURIComponent(current.apiKeyId)}`);
        if (cur.status !== 200) throw vendorError(this.vendor, `read the scopes of API key ${current.apiKeyId}`, cur, MANAGEMENT_SCOPES);
        const scopes = (cur.json?.scopes ?? []) as string[];
        const r = await this.call(current, "POST", "/v3/api_keys", { name, scopes });
        if (r.status !== 201) throw vendorError(this.vendor, "create an API key", r, MANAGEMENT_SCOPES);
        if (typeof r.json?.api_key !== "string" || typeof r.json?.api_key_id !== "string") throw new RotationError(`SendGrid created API key '${name}' but returned no api_key / api_key_id.`);
        // SendGrid grants only scopes the creating key holds; a narrower key would break the workloads silently.
        const missing = scopes.filter((s) => !((r.json.scopes ?? []) as string[]).includes(s));
        if (missing.length) {
            await this.revoke(current, r.json.api_key_id);
            throw new RotationError(`SendGrid created API key '${name}' without the scopes ${missing.join(", ")} of the key it replaces, so it was revoked; give the managementKey those scopes too.`);
        }
        return { ...current, apiKey: r.json.api_key, apiKeyId: r.json.api_key_id };
    }

    async verify(value: SendGridKeyValue): Promise<void> {
        const r = await this.call(value, "GET", "/v3/scopes", undefined, value.apiKey);
        if (r.status !== 200) throw vendorError(this.vendor, `authenticate with API key ${value.apiKeyId}`, r, "the key is not accepted; check that it was copied whole (SendGrid keys are 69 characters)");
    }

    async list(current: SendGridKeyValue, prefix: string): Promise<VendorTokenRef[]> {
        return (await this.all(current)).filter((k) => k.name.startsWith(prefix));
    }

    async revoke(current: SendGridKeyValue, id: string): Promise<void> {
        const r = await this.call(current, "DELETE", `/v3/api_keys/${encodeURIComponent(id)}`);
        if (r.status !== 204 && r.status !== 404) throw vendorError(this.vendor, `revoke API key ${id}`, r, MANAGEMENT_SCOPES);
    }
}
