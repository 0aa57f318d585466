// The HTTP plumbing the fake vendor servers share: a loopback server, JSON or form bodies, and injected
// refusals (401, 403, 429 with Retry-After, 5xx) for the next n requests, which the adapter tests use to check
// what each adapter does when a vendor says no.
import * as http from "http";
import { AddressInfo } from "net";

/** One request as a fake server's route sees it. */
export interface FakeRequest {
    readonly method: string;
    readonly url: URL;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: string;
}

/** A route's answer. */
export interface FakeResponse {
    readonly status: number;
    readonly body?: unknown;
}

/** A running fake server. */
export interface FakeHttp {
    readonly url: string;
    /** Every request served so far (method and path), for tests that check what the adapter called. */
    readonly requests: Array<{ method: string; path: string }>;
    /** The next `times` requests get `status` with the vendor's error body, whatever they ask. */
    refuseNext(status: number, times?: number): void;
    close(): Promise<void>;
}

/** Starts a server on a free loopback port; `errorBody(status)` shapes injected refusals like the vendor does. */
export async function startFakeHttp(route: (req: FakeRequest) => FakeResponse, errorBody: (status: number) => unknown): Promise<FakeHttp> {
    const requests: Array<{ method: string; path: string }> = [];
    const refusals: number[] = [];
    const server = http.createServer((req, res) => {
        let body = "";
        req.on("data", (c) => (body += c));
        req.on("end", () => {
            const url = new URL(req.url ?? "/", "http://localhost");
            requests.push({ method: req.method ?? "GET", path: url.pathname });
            const refused = refusals.shift();
            const answer = refused !== undefined ? { status: refused, body: errorBody(refused) } : route({ method: req.method ?? "GET", url, headers: req.headers, body });
            const headers: Record<string, string> = { "Content-Type": "application/json" };
            if (answer.status === 429) headers["Retry-After"] = "1";
            res.writeHead(answer.status, headers);
            res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        requests,
        refuseNext(status, times = 1) {
            for (let i = 0; i < times; i++) refusals.push(status);
        },
        close: () => new Promise((r) => server.close(() => r())),
    };
}

/** The bearer token of a request, or "". */
export function bearer(req: FakeRequest): string {
    const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""));
    return m ? m[1]! : "";
}

/** The user and password of an HTTP Basic request, or empty strings. */
export function basic(req: FakeRequest): [string, string] {
    const m = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ""));
    if (!m) return ["", ""];
    const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
    const i = decoded.indexOf(":");
    return i < 0 ? [decoded, ""] : [decoded.slice(0, i), decoded.slice(i + 1)];
}
