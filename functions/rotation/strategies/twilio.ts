// Twilio API keys, through Twilio's documented Key resource v2010
// (https://www.twilio.com/docs/usage/api/keys; https://www.twilio.com/docs/iam/api-keys/key-resource-v1):
//   POST   /2010-04-01/Accounts/{AccountSid}/Keys.json        form FriendlyName (<= 64 chars) -> 201
//                                                             {sid, friendly_name, secret}; the only time the
//                                                             secret is returned
//   GET    /2010-04-01/Accounts/{AccountSid}/Keys.json        {keys: [...], next_page_uri} (PageSize, paged)
//   DELETE /2010-04-01/Accounts/{AccountSid}/Keys/{Sid}.json  204 (404, code 20404, when gone)
// HTTP Basic authentication. Keys endpoints need a Main key, which only the Twilio Console can make, so the
// secret carries one (`managementKeySid` / `managementKeySecret`, not rotated here) next to the rotated Standard
// key (`apiKeySid` / `apiKeySecret`) that workloads use. A Standard key cannot read the Keys or Accounts resources,
// so verify reads one page of the account's Messages (what the SMS event export does).
//
// Twilio never returns a key's secret after creation, so a createSecret retried after a lost response finds the
// key by name without its secret: that key was never stored, so it is revoked and a new one issued.
import { createHash } from "crypto";
import { RotationError } from "../protocol";
import { VendorTokenAdapter, VendorTokenRef } from "./vendor-api";
import { vendorCall, vendorError, VendorResponse } from "./vendor-http";

/** A Twilio API key secret. */
export interface TwilioKeyValue {
    readonly vendor: "twilio";
    /** https://api.twilio.com */
    readonly apiUrl: string;
    readonly accountSid: string;
    readonly apiKeySid: string;
    readonly apiKeySecret: string;
    readonly managementKeySid: string;
    readonly managementKeySecret: string;
    readonly [extra: string]: unknown;
}

/** Twilio's documented limit on a key's FriendlyName. */
export const TWILIO_FRIENDLY_NAME_MAX = 64;

const MANAGEMENT = "the management key must be a Main key of this account (only the Twilio Console makes those)";

/**
 * The FriendlyName for a rotation token name. Names that fit are kept; longer ones keep their last segment (the
 * version id) and replace the rest by a digest, so equal prefixes still map to equal prefixes.
 */
export function twilioFriendlyName(name: string): string {
    if (name.length <= TWILIO_FRIENDLY_NAME_MAX) return name;
    const cut = name.lastIndexOf(":") + 1;
    return `${twilioFriendlyPrefix(name.slice(0, cut))}${name.slice(cut)}`.slice(0, TWILIO_FRIENDLY_NAME_MAX);
}

/** The FriendlyName prefix for a token-name prefix (see {@link twilioFriendlyName}). */
export function twilioFriendlyPrefix(prefix: string): string {
    return `flr:${createHash("sha256").update(prefix).digest("hex").slice(0, 16)}:`;
}

/** The Twilio adapter. `fetchImpl` is the global fetch unless a test passes another. */
export class TwilioAdapter implements VendorTokenAdapter<TwilioKeyValue> {
    readonly vendor = "twilio";
    constructor(private readonly fetchImpl: typeof fetch = fetch, private readonly timeoutMs = 10000, private readonly pageSize = 50) {}

    parse(raw: string, label: string): TwilioKeyValue {
        let v: Record<string, unknown>;
        try {
            v = JSON.parse(raw) as Record<string, unknown>;
        } catch {
            throw new RotationError(`The ${label} value of the Twilio secret is not JSON.`);
        }
        const problems: string[] = [];
        if (v.vendor !== "twilio") problems.push("'vendor' must be \"twilio\"");
        if (typeof v.apiUrl !== "string" || !/^https?:\/\/[^/]+$/.test(v.apiUrl)) problems.push("'apiUrl' must be the API host URL, https://api.twilio.com");
        if (typeof v.accountSid !== "string" || !/^AC[0-9a-f]{32}$/.test(v.accountSid)) problems.push("'accountSid' must be the account SID (AC + 32 hex)");
        for (const k of ["apiKeySid", "managementKeySid"]) if (typeof v[k] !== "string" || !/^SK[0-9a-f]{32}$/.test(v[k] as string)) problems.push(`'${k}' must be a key SID (SK + 32 hex)`);
        for (const k of ["apiKeySecret", "managementKeySecret"]) if (typeof v[k] !== "string" || v[k] === "") problems.push(`'${k}' must be a non-empty string`);
        if (problems.length) throw new RotationError(`The ${label} value of the Twilio secret is invalid: ${problems.join("; ")}.`);
        return v as unknown as TwilioKeyValue;
    }

    tokenId(value: TwilioKeyValue): string {
        return value.apiKeySid;
    }

    private call(v: TwilioKeyValue, method: string, pathOrUri: string, form?: Record<string, string>, auth: [string, string] = [v.managementKeySid, v.managementKeySecret]): Promise<VendorResponse> {
        const headers: Record<string, string> = { Authorization: `Basic ${Buffer.from(`${auth[0]}:${auth[1]}`).toString("base64")}`, Accept: "application/json" };
        if (form) headers["Content-Type"] = "application/x-www-form-urlencoded";
        return vendorCall(this.fetchImpl, `${v.apiUrl}${pathOrUri}`, { method, headers, body: form ? new URLSearchParams(form).toString() : undefined }, this.timeoutMs);
    }

    private keysPath(v: TwilioKeyValue): string {
        return `/2010-04-01/Accounts/${encodeURIComponent(v.accountSid)}/Keys`;
    }

    private async all(current: TwilioKeyValue): Promise<VendorTokenRef[]> {
        const keys: VendorTokenRef[] = [];
        let uri: string | null = `${this.keysPath(current)}.json?PageSize=${this.pageSize}`;
        while (uri) {
            const r = await this.call(current, "GET", uri);
            if (r.status !== 200) throw vendorError(this.vendor, "list API keys", r, MANAGEMENT);
            for (const k of (r.json?.keys ?? []) as Array<{ sid: string; friendly_name: string }>) keys.push({ id: k.sid, name: k.friendly_name });
            uri = (r.json?.next_page_uri as string | null | undefined) ?? null;
        }
        return keys;
    }

    async issue(current: TwilioKeyValue, name: string): Promise<TwilioKeyValue> {
        const friendly = twilioFriendlyName(name);
        for (const orphan of (await this.all(current)).filter((k) => k.name === friendly)) await this.revoke(current, orphan.id);
        const r = await this.call(current, "POST", `${this.keysPath(current)}.json`, { FriendlyName: friendly });
        if (r.status !== 201 && r.status !== 200) throw vendorError(this.vendor, "create an API key", r, MANAGEMENT);
        if (typeof r.json?.sid !== "string" || typeof r.json?.secret !== "string") throw new RotationError(`Twilio created API key '${friendly}' but returned no sid / secret.`);
        return { ...current, apiKeySid: r.json.sid, apiKeySecret: r.json.secret };
    }

    async verify(value: TwilioKeyValue): Promise<void> {
        const r = await this.call(value, "GET", `/2010-04-01/Accounts/${encodeURIComponent(value.accountSid)}/Messages.json?PageSize=1`, undefined, [value.apiKeySid, value.apiKeySecret]);
        if (r.status !== 200) throw vendorError(this.vendor, `authenticate with API key ${value.apiKeySid}`, r, "the key is not accepted for this account's Messages");
    }

    async list(current: TwilioKeyValue, prefix: string): Promise<VendorTokenRef[]> {
        const friendlyPrefix = twilioFriendlyName(`${prefix}${"0".repeat(36)}`).slice(0, -36);
        return (await this.all(current)).filter((k) => k.name.startsWith(friendlyPrefix));
    }

    async revoke(current: TwilioKeyValue, id: string): Promise<void> {
        const r = await this.call(current, "DELETE", `${this.keysPath(current)}/${encodeURIComponent(id)}.json`);
        if (r.status !== 204 && r.status !== 404) throw vendorError(this.vendor, `revoke API key ${id}`, r, MANAGEMENT);
    }
}
