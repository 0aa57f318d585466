import { spawnSync } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "./plan-cli";

/** One admission request for the engine: a v1 Pod created or updated by a Kubernetes user. */
export interface PodRequest {
    readonly operation: "CREATE" | "UPDATE";
    readonly object: Record<string, unknown>;
    readonly oldObject?: Record<string, unknown>;
    /** `ephemeralcontainers` for `kubectl debug`; default: the pod itself. */
    readonly subResource?: string;
    /** Who sends the request. Default: the ReplicaSet controller. */
    readonly user?: { readonly username: string; readonly groups?: readonly string[] };
}

/** The engine's decision on one request. */
export interface AdmissionDecision {
    readonly allowed: boolean;
    readonly message?: string;
}

let enginePath: string | undefined;

/** Path of tools/admission-engine's binary, built (or found in its cache) by the test setup's script. */
export function admissionEngine(): string {
    if (!enginePath) {
        const res = spawnSync("bash", [path.join(PROJECT_DIR, "tools", "test-env", "admission-engine.sh")], { cwd: PROJECT_DIR, encoding: "utf8" });
        if (res.status !== 0) throw new Error(`tools/test-env/admission-engine.sh failed (exit ${res.status}):\n${res.stderr}`);
        enginePath = path.resolve(PROJECT_DIR, res.stdout.trim());
    }
    return enginePath;
}

/**
 * Runs Kubernetes' ValidatingAdmissionPolicy plugin over the requests, with the given policies, bindings and
 * namespaces served to it, and returns one decision per request.
 */
export function admit(objects: readonly unknown[], requests: readonly PodRequest[]): AdmissionDecision[] {
    const res = spawnSync(admissionEngine(), [], { input: JSON.stringify({ objects, requests }), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (res.status !== 0) throw new Error(`admission-engine exited ${res.status}:\n${res.stderr}`);
    const { results } = JSON.parse(res.stdout) as { results: AdmissionDecision[] };
    if (results.length !== requests.length) throw new Error(`admission-engine answered ${results.length} of ${requests.length} requests.`);
    return results;
}
