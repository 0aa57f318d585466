// Kubernetes' own RBAC comparison (tools/rbac-check, built by the test setup): what a group holds in a namespace,
// resolved from RBAC manifests as kube-apiserver resolves it, compared with k8s.io/component-helpers' Covers.
import { spawnSync } from "child_process";
import * as path from "path";
import type { RbacRule } from "../../components/github-deploy";
import { PROJECT_DIR } from "./plan-cli";

/** One question: does the group hold these rules in this namespace ("" for cluster-wide rights only)? */
export interface CoverRequest {
    readonly id: string;
    readonly namespace: string;
    readonly rules: readonly RbacRule[];
}

/** The answer: covered, or the rules (broken down to one verb and one resource each) that are not. */
export interface CoverResult {
    readonly id: string;
    readonly covered: boolean;
    readonly uncovered: RbacRule[];
}

/** A kind's resource name and scope: `namespaced` is null for a kind client-go has no typed client for (a custom resource). */
export interface KindAnswer {
    readonly group: string;
    readonly kind: string;
    readonly resource: string;
    readonly namespaced: boolean | null;
}

let checkerPath: string | undefined;

/** Path of tools/rbac-check's binary, built (or found in its cache) by the test setup's script. */
export function rbacChecker(): string {
    if (!checkerPath) {
        const res = spawnSync("bash", [path.join(PROJECT_DIR, "tools", "test-env", "rbac-check.sh")], { cwd: PROJECT_DIR, encoding: "utf8" });
        if (res.status !== 0) throw new Error(`tools/test-env/rbac-check.sh failed (exit ${res.status}):\n${res.stderr}`);
        checkerPath = path.resolve(PROJECT_DIR, res.stdout.trim());
    }
    return checkerPath;
}

/** Asks the checker; `rbac` is any list of manifests (non-RBAC objects are ignored). */
export function rbacCheck(rbac: readonly unknown[], group: string, requests: readonly CoverRequest[], kinds: ReadonlyArray<{ group: string; kind: string }> = []): { results: CoverResult[]; kinds: KindAnswer[] } {
    const res = spawnSync(rbacChecker(), [], { input: JSON.stringify({ rbac, group, requests, kinds }), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (res.status !== 0) throw new Error(`rbac-check exited ${res.status}:\n${res.stderr}`);
    const out = JSON.parse(res.stdout) as { results: CoverResult[]; kinds: KindAnswer[] };
    if (out.results.length !== requests.length) throw new Error(`rbac-check answered ${out.results.length} of ${requests.length} requests.`);
    return out;
}
