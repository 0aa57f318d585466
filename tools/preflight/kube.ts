// Read-only access to a cluster's Kubernetes API for preflight: GET requests with a bearer token, nothing else.
import * as http from "http";
import * as https from "https";

/** One GET answer of the Kubernetes API. */
export interface KubeAnswer {
    readonly status: number;
    readonly body: any;
}

/** What preflight asks the cluster: GET on an API path. A network failure rejects. */
export interface KubeApi {
    get(path: string): Promise<KubeAnswer>;
}

/** Where and how to reach the API server: its URL, the CA that signs it (PEM, base64 as EKS returns it) and a token. */
export interface KubeEndpoint {
    readonly server: string;
    readonly caBase64?: string;
    readonly token: string;
    /** Milliseconds before a request counts as unreachable. Default: 5000. */
    readonly timeoutMs?: number;
}

/** A {@link KubeApi} over HTTPS (or HTTP for a local test server) that sends only GET requests. */
export function kubeApi(endpoint: KubeEndpoint): KubeApi {
    return {
        get: (path) =>
            new Promise((resolve, reject) => {
                const url = new URL(path, endpoint.server);
                const lib = url.protocol === "https:" ? https : http;
                const req = lib.request(
                    url,
                    {
                        method: "GET",
                        headers: { Authorization: `Bearer ${endpoint.token}`, Accept: "application/json" },
                        ca: endpoint.caBase64 ? Buffer.from(endpoint.caBase64, "base64") : undefined,
                        timeout: endpoint.timeoutMs ?? 5000,
                    },
                    (res) => {
                        const chunks: Buffer[] = [];
                        res.on("data", (c: Buffer) => chunks.push(c));
                        res.on("end", () => {
                            const text = Buffer.concat(chunks).toString("utf8");
                            let body: unknown = text;
                            try {
                                body = JSON.parse(text);
                            } catch {
                                // not JSON: keep the text
                            }
                            resolve({ status: res.statusCode ?? 0, body });
                        });
                    },
                );
                req.on("timeout", () => req.destroy(new Error(`no answer from ${endpoint.server} within ${endpoint.timeoutMs ?? 5000} ms`)));
                req.on("error", reject);
                req.end();
            }),
    };
}

/** Reaches the API server with GET /version; answers the API, or why it cannot be reached (never throws). */
export async function connectKube(endpoint: KubeEndpoint): Promise<KubeApi | { readonly unreachable: string }> {
    const api = kubeApi(endpoint);
    try {
        const res = await api.get("/version");
        if (res.status === 401 || res.status === 403) return { unreachable: `${endpoint.server} refused the token (HTTP ${res.status}); the role has no access entry or access policy` };
        if (res.status !== 200) return { unreachable: `${endpoint.server}/version answered HTTP ${res.status}` };
        return api;
    } catch (err) {
        return { unreachable: `${endpoint.server}: ${(err as Error).message}` };
    }
}
