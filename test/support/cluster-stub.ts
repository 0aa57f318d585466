// Stand-ins where no real server runs here: a Kubernetes API server's discovery, CRD and deployment answers, and
// EKS access entries (moto has no access-entry API), which are answered locally while every other EKS call is
// forwarded to moto unchanged.
import * as http from "http";
import { AddressInfo } from "net";

/** A local HTTP server and how to stop it. */
export interface StubServer {
    readonly url: string;
    close(): Promise<void>;
}

async function listen(handler: http.RequestListener): Promise<StubServer> {
    const server = http.createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
}

/** What the stub cluster has installed; tests change it between runs. */
export interface ClusterState {
    crds: Set<string>;
    deployments: Array<{ namespace: string; name: string }>;
    /** The bearer token the API accepts. */
    token: string;
    /** Other objects by API path (`/api/v1/namespaces/airflow`, a RoleBinding's path), answered as stored. */
    objects?: Map<string, unknown>;
    /** API paths the token may not read (403). */
    forbidden?: Set<string>;
}

/** The API path of a manifest such as `npm run cluster-rbac` prints: `/api/v1/namespaces/x`, `/apis/<group>/<version>/namespaces/<ns>/<plural>/<name>`. */
export function apiPathOf(manifest: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): string {
    const base = manifest.apiVersion.includes("/") ? `/apis/${manifest.apiVersion}` : `/api/${manifest.apiVersion}`;
    const plural = `${manifest.kind.toLowerCase()}s`;
    return manifest.metadata.namespace ? `${base}/namespaces/${manifest.metadata.namespace}/${plural}/${manifest.metadata.name}` : `${base}/${plural}/${manifest.metadata.name}`;
}

/** A Kubernetes API that answers GET /version, CRDs by name, the deployment list and stored objects, and 401 without the token. */
export async function startKubeStub(state: ClusterState): Promise<StubServer> {
    return listen((req, res) => {
        if (req.method !== "GET") return send(res, 405, { kind: "Status", message: "preflight only reads" });
        if (req.headers.authorization !== `Bearer ${state.token}`) return send(res, 401, { kind: "Status", code: 401 });
        const url = new URL(req.url ?? "/", "http://stub");
        if (url.pathname === "/version") return send(res, 200, { major: "1", minor: "31", gitVersion: "v1.31.0-eks" });
        if (state.forbidden?.has(url.pathname)) return send(res, 403, { kind: "Status", code: 403, reason: "Forbidden" });
        if (state.objects?.has(url.pathname)) return send(res, 200, state.objects.get(url.pathname));
        const crd = /^\/apis\/apiextensions\.k8s\.io\/v1\/customresourcedefinitions\/([^/]+)$/.exec(url.pathname);
        if (crd) {
            return state.crds.has(crd[1])
                ? send(res, 200, { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", metadata: { name: crd[1] } })
                : send(res, 404, { kind: "Status", code: 404, reason: "NotFound" });
        }
        if (url.pathname === "/apis/apps/v1/deployments") {
            return send(res, 200, { kind: "DeploymentList", items: state.deployments.map((d) => ({ metadata: { namespace: d.namespace, name: d.name } })) });
        }
        send(res, 404, { kind: "Status", code: 404 });
    });
}

/** What one access entry maps to: its Kubernetes groups and its associated access policies (ARN and scope type). */
export interface AccessEntryDetail {
    groups: string[];
    policies: Array<{ policyArn: string; scope: "cluster" | "namespace" }>;
}

/**
 * An EKS endpoint: the access-entry list, each entry (`DescribeAccessEntry`) and its access policies
 * (`ListAssociatedAccessPolicies`) answered from `entries` and `details` (keyed by principal ARN; an entry listed
 * without details has no group and no policy), everything else proxied to moto.
 */
export async function startEksStub(motoEndpoint: string, entries: Map<string, string[]>, details: Map<string, AccessEntryDetail> = new Map()): Promise<StubServer> {
    return listen((req, res) => {
        const one = /^\/clusters\/([^/?]+)\/access-entries\/([^/?]+)(\/access-policies)?(\?.*)?$/.exec(req.url ?? "");
        if (req.method === "GET" && one) {
            const cluster = decodeURIComponent(one[1]!);
            const principalArn = decodeURIComponent(one[2]!);
            if (!(entries.get(cluster) ?? []).includes(principalArn)) return send(res, 404, { message: `The specified principalArn could not be found: ${principalArn}.` });
            const d = details.get(principalArn) ?? { groups: [], policies: [] };
            if (one[3]) {
                return send(res, 200, { clusterName: cluster, principalArn, associatedAccessPolicies: d.policies.map((p) => ({ policyArn: p.policyArn, accessScope: { type: p.scope, namespaces: [] } })) });
            }
            return send(res, 200, { accessEntry: { clusterName: cluster, principalArn, kubernetesGroups: d.groups, type: "STANDARD" } });
        }
        const m = /^\/clusters\/([^/?]+)\/access-entries(\?.*)?$/.exec(req.url ?? "");
        if (req.method === "GET" && m) {
            const list = entries.get(decodeURIComponent(m[1]));
            return list ? send(res, 200, { accessEntries: list }) : send(res, 404, { message: `No cluster found for name: ${m[1]}.` });
        }
        const target = new URL(req.url ?? "/", motoEndpoint);
        const upstream = http.request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
        });
        upstream.on("error", (err) => send(res, 502, { message: err.message }));
        req.pipe(upstream);
    });
}
