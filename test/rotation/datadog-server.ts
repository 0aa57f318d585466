// A local HTTP server that follows Datadog's documented Key Management API for API keys
// (https://docs.datadoghq.com/api/latest/key-management/ and /api/latest/authentication/):
//   POST /api/v2/api_keys, GET /api/v2/api_keys?filter=, GET/DELETE /api/v2/api_keys/{id}, GET /api/v1/validate.
// Management endpoints need a live DD-API-KEY and the DD-APPLICATION-KEY; validate needs only DD-API-KEY.
import { randomBytes } from "crypto";
import * as http from "http";
import { AddressInfo } from "net";

interface Key {
    id: string;
    name: string;
    key: string;
    created_at: string;
}

/** The server and its state, which tests inspect. */
export interface DatadogServer {
    readonly url: string;
    readonly appKey: string;
    readonly keys: Map<string, Key>;
    /** Adds a key directly (the bootstrap key a person created in the UI). */
    seedKey(name: string): Key;
    isLive(apiKey: string): boolean;
    close(): Promise<void>;
}

function newKey(name: string): Key {
    // Datadog API keys are 32 hex characters; ids are UUIDs. Built at run time, never stored in the repo.
    return { id: crypto.randomUUID(), name, key: randomBytes(16).toString("hex"), created_at: new Date().toISOString() };
}

function full(k: Key) {
    return { type: "api_keys", id: k.id, attributes: { name: k.name, key: k.key, last4: k.key.slice(-4), created_at: k.created_at, modified_at: k.created_at } };
}

function partial(k: Key) {
    return { type: "api_keys", id: k.id, attributes: { name: k.name, last4: k.key.slice(-4), created_at: k.created_at, modified_at: k.created_at } };
}

/** Starts the server on a free loopback port. */
export async function startDatadogServer(): Promise<DatadogServer> {
    const keys = new Map<string, Key>();
    const appKey = randomBytes(20).toString("hex");
    const isLive = (apiKey: string) => [...keys.values()].some((k) => k.key === apiKey);
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
            const send = (status: number, payload?: unknown) => {
                res.writeHead(status, { "Content-Type": "application/json" });
                res.end(payload === undefined ? "" : JSON.stringify(payload));
            };
            const url = new URL(req.url ?? "/", "http://localhost");
            const apiKey = String(req.headers["dd-api-key"] ?? "");
            if (url.pathname === "/api/v1/validate" && req.method === "GET") {
                return isLive(apiKey) ? send(200, { valid: true }) : send(403, { errors: ["Forbidden"] });
            }
            if (!isLive(apiKey) || req.headers["dd-application-key"] !== appKey) return send(403, { errors: ["Forbidden"] });
            const m = /^\/api\/v2\/api_keys(?:\/([^/]+))?$/.exec(url.pathname);
            if (!m) return send(404, { errors: ["Not found"] });
            const id = m[1] ? decodeURIComponent(m[1]) : undefined;
            if (!id && req.method === "POST") {
                const name = (JSON.parse(body || "{}") as { data?: { attributes?: { name?: string } } }).data?.attributes?.name;
                if (!name) return send(400, { errors: ["name is required"] });
                const k = newKey(name);
                keys.set(k.id, k);
                return send(201, { data: full(k) });
            }
            if (!id && req.method === "GET") {
                const filter = url.searchParams.get("filter") ?? "";
                const size = Number(url.searchParams.get("page[size]") ?? "10");
                const matches = [...keys.values()].filter((k) => k.name.includes(filter));
                return send(200, { data: matches.slice(0, size).map(partial), meta: { page: { total_filtered_count: matches.length } } });
            }
            const k = id ? keys.get(id) : undefined;
            if (!k) return send(404, { errors: ["API key not found"] });
            if (req.method === "GET") return send(200, { data: full(k) });
            if (req.method === "DELETE") {
                keys.delete(k.id);
                return send(204);
            }
            return send(405, { errors: ["Method not allowed"] });
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        url,
        appKey,
        keys,
        seedKey(name: string) {
            const k = newKey(name);
            keys.set(k.id, k);
            return k;
        },
        isLive,
        close: () => new Promise((r) => server.close(() => r())),
    };
}
