// A local HTTP server that follows SendGrid's documented API Keys API
// (https://www.twilio.com/docs/sendgrid/api-reference/api-keys/): POST/GET /v3/api_keys, GET/DELETE
// /v3/api_keys/{id}, GET /v3/scopes; `Authorization: Bearer <key>`; the key value only in the create response;
// at most 100 keys (403 beyond); error bodies `{"errors":[{"field","message"}]}`. Managing keys needs a live key
// with the api_keys.* scopes.
import { randomBytes } from "crypto";
import { bearer, FakeHttp, startFakeHttp } from "./vendor-fake-http";

interface Key {
    id: string;
    name: string;
    key: string;
    scopes: string[];
}

/** The server and its state, which tests inspect. */
export interface SendGridServer extends FakeHttp {
    readonly keys: Map<string, Key>;
    /** Adds a key directly (one a person made in the SendGrid app). */
    seedKey(name: string, scopes: string[]): Key;
    isLive(apiKey: string): boolean;
}

const MANAGE = ["api_keys.create", "api_keys.read", "api_keys.delete"];

function newKey(name: string, scopes: string[]): Key {
    // SendGrid keys are "SG." + 22 + "." + 43 characters (69 in all); built at run time, never stored in the repo.
    const id = randomBytes(16).toString("base64url").slice(0, 22);
    return { id, name, key: ["SG", id, randomBytes(32).toString("base64url").slice(0, 43)].join("."), scopes };
}

const error = (message: string) => ({ errors: [{ field: null, message }] });

/** Starts the server on a free loopback port. */
export async function startSendGridServer(): Promise<SendGridServer> {
    const keys = new Map<string, Key>();
    const byValue = (v: string) => [...keys.values()].find((k) => k.key === v);
    const fake = await startFakeHttp((req) => {
        const caller = byValue(bearer(req));
        if (!caller) return { status: 401, body: error("authorization required") };
        if (req.url.pathname === "/v3/scopes" && req.method === "GET") return { status: 200, body: { scopes: caller.scopes } };
        const m = /^\/v3\/api_keys(?:\/([^/]+))?$/.exec(req.url.pathname);
        if (!m) return { status: 404, body: error("not found") };
        const need = req.method === "POST" ? "api_keys.create" : req.method === "DELETE" ? "api_keys.delete" : "api_keys.read";
        if (!caller.scopes.includes(need)) return { status: 403, body: error("access forbidden") };
        const id = m[1] ? decodeURIComponent(m[1]) : undefined;
        if (!id && req.method === "POST") {
            const { name, scopes } = JSON.parse(req.body || "{}") as { name?: string; scopes?: string[] };
            if (!name) return { status: 400, body: error("name is required") };
            if (keys.size >= 100) return { status: 403, body: error("Cannot create more than 100 API keys") };
            // A key may not get scopes its creator lacks.
            const granted = (scopes ?? caller.scopes).filter((s) => caller.scopes.includes(s));
            const k = newKey(name, granted);
            keys.set(k.id, k);
            return { status: 201, body: { api_key: k.key, api_key_id: k.id, name: k.name, scopes: k.scopes } };
        }
        if (!id && req.method === "GET") {
            const limit = Number(req.url.searchParams.get("limit") ?? "100");
            return { status: 200, body: { result: [...keys.values()].slice(0, limit).map((k) => ({ name: k.name, api_key_id: k.id })) } };
        }
        const k = id ? keys.get(id) : undefined;
        if (!k) return { status: 404, body: error("unable to find API Key") };
        if (req.method === "GET") return { status: 200, body: { name: k.name, api_key_id: k.id, scopes: k.scopes } };
        if (req.method === "DELETE") {
            keys.delete(k.id);
            return { status: 204 };
        }
        return { status: 405, body: error("method not allowed") };
    }, (status) => error(status === 429 ? "too many requests" : status >= 500 ? "internal server error" : "access forbidden"));
    return {
        ...fake,
        keys,
        seedKey(name: string, scopes: string[]) {
            const k = newKey(name, scopes);
            keys.set(k.id, k);
            return k;
        },
        isLive: (v: string) => byValue(v) !== undefined,
    };
}

/** The scopes a management key needs. */
export const SENDGRID_MANAGEMENT_SCOPES = MANAGE;
