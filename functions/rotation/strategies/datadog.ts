// The example vendor adapter: Datadog API keys, through Datadog's documented Key Management API
// (https://docs.datadoghq.com/api/latest/key-management/):
//   POST   /api/v2/api_keys            create (needs api_keys_write); the response carries the full key
//   GET    /api/v2/api_keys?filter=... list keys whose name matches
//   GET    /api/v2/api_keys/{id}       one key, with its full value
//   DELETE /api/v2/api_keys/{id}       revoke (204)
//   GET    /api/v1/validate            {"valid": true} when DD-API-KEY is a live key
// Management calls authenticate with DD-API-KEY and DD-APPLICATION-KEY; the application key (with api_keys_read
// and api_keys_write) is part of the secret and is not rotated here.
import { RotationError } from "../protocol";
import { parseStoredValue } from "../values";
import { VendorTokenAdapter, VendorTokenRef } from "./vendor-api";

/** A Datadog credential secret. */
export interface DatadogKeyValue {
    readonly vendor: "datadog";
    /** API host, such as https://api.datadoghq.com or https://api.datadoghq.eu. */
    readonly apiUrl: string;
    readonly apiKey: string;
    readonly apiKeyId: string;
    readonly appKey: string;
    readonly [extra: string]: unknown;
}

interface FullApiKey {
    id: string;
    attributes: { key?: string; name?: string; last4?: string };
}

/** The Datadog adapter. `fetchImpl` is the global fetch unless a test passes another. */
export class DatadogAdapter implements VendorTokenAdapter<DatadogKeyValue> {
    readonly vendor = "datadog";
    constructor(private readonly fetchImpl: typeof fetch = fetch, private readonly timeoutMs = 10000) {}

    parse(raw: string, label: string): DatadogKeyValue {
        const v = parseStoredValue<DatadogKeyValue>("api-token", raw, label, "vendor-api");
        if (v.vendor !== "datadog") throw new RotationError(`The ${label} value of the Datadog secret names vendor '${v.vendor}'; 'vendor' must be "datadog".`);
        return v;
    }

    tokenId(value: DatadogKeyValue): string {
        return value.apiKeyId;
    }

    private async call(v: DatadogKeyValue, method: string, path: string, body?: unknown, apiKey = v.apiKey): Promise<{ status: number; json: any }> {
        const res = await this.fetchImpl(`${v.apiUrl}${path}`, {
            method,
            headers: { "DD-API-KEY": apiKey, "DD-APPLICATION-KEY": v.appKey, "Content-Type": "application/json", Accept: "application/json" },
            body: body === undefined ? undefined : JSON.stringify(body),
            signal: AbortSignal.timeout(this.timeoutMs),
        });
        const text = await res.text();
        return { status: res.status, json: text ? JSON.parse(text) : undefined };
    }

    private async findByName(current: DatadogKeyValue, name: string): Promise<VendorTokenRef[]> {
        const r = await this.call(current, "GET", `/api/v2/api_keys?filter=${encodeURIComponent(name)}&page%5Bsize%5D=100`);
        if (r.status !== 200) throw new RotationError(`Datadog refused to list API keys (HTTP ${r.status}); the application key needs api_keys_read.`);
        return (r.json.data as FullApiKey[]).map((k) => ({ id: k.id, name: k.attributes.name ?? "" }));
    }

    async issue(current: DatadogKeyValue, name: string): Promise<DatadogKeyValue> {
        const existing = (await this.findByName(current, name)).find((k) => k.name === name);
        let key: FullApiKey;
        if (existing) {
            const r = await this.call(current, "GET", `/api/v2/api_keys/${encodeURIComponent(existing.id)}`);
            if (r.status !== 200) throw new RotationError(`Datadog refused to read API key ${existing.id} (HTTP ${r.status}).`);
            key = r.json.data;
        } else {
            const r = await this.call(current, "POST", "/api/v2/api_keys", { data: { type: "api_keys", attributes: { name } } });
            if (r.status !== 201 && r.status !== 200) throw new RotationError(`Datadog refused to create an API key (HTTP ${r.status}); the application key needs api_keys_write.`);
            key = r.json.data;
        }
        if (!key.attributes.key) throw new RotationError(`Datadog returned API key ${key.id} without its value.`);
        return { ...current, apiKey: key.attributes.key, apiKeyId: key.id };
    }

    async verify(value: DatadogKeyValue): Promise<void> {
        const r = await this.call(value, "GET", "/api/v1/validate");
        if (r.status !== 200 || r.json?.valid !== true) throw new RotationError(`Datadog does not accept API key ${value.apiKeyId} (HTTP ${r.status}).`);
    }

    async list(current: DatadogKeyValue, prefix: string): Promise<VendorTokenRef[]> {
        // The filter matches substrings; only names that really start with the prefix count.
        return (await this.findByName(current, prefix)).filter((k) => k.name.startsWith(prefix));
    }

    async revoke(current: DatadogKeyValue, id: string): Promise<void> {
        const r = await this.call(current, "DELETE", `/api/v2/api_keys/${encodeURIComponent(id)}`);
        if (r.status !== 204 && r.status !== 404) throw new RotationError(`Datadog refused to revoke API key ${id} (HTTP ${r.status}).`);
    }
}
