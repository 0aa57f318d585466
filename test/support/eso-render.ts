// Runs External Secrets Operator's own template engine (tools/eso-render: ESO v0.19.2's pkg/template/v2 and its
// AWS provider's JSON extraction, built by tools/test-env/eso-render.sh), so tests see what ESO would write into the
// Kubernetes Secret.
import { spawnSync } from "child_process";
import * as path from "path";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");
let binary: string | undefined;

/** Path of tools/eso-render's binary, built (or found in its cache) by the test setup's script. */
export function esoRender(): string {
    if (binary === undefined) {
        const res = spawnSync("bash", [path.join(PROJECT_DIR, "tools", "test-env", "eso-render.sh")], { cwd: PROJECT_DIR, encoding: "utf8" });
        if (res.status !== 0) throw new Error(`tools/test-env/eso-render.sh failed (exit ${res.status}):\n${res.stderr}`);
        binary = path.resolve(PROJECT_DIR, res.stdout.trim());
    }
    return binary;
}

/** What the renderer takes: fetched remote values in ESO's order, and the target template (absent: none). */
export interface EsoRenderInput {
    /** The remote value of each `spec.dataFrom[].extract`, in order. */
    readonly dataFrom?: readonly string[];
    /** Each `spec.data[]` entry's secret key and its whole remote value. */
    readonly data?: ReadonlyArray<{ readonly secretKey: string; readonly value: string }>;
    readonly template?: { readonly data?: Readonly<Record<string, string>>; readonly mergePolicy?: string };
}

/** The target Secret's data, key to value, as ESO's controller writes it for `input`; throws with ESO's error. */
export function runEsoRender(input: EsoRenderInput): Record<string, string> {
    const res = spawnSync(esoRender(), [], { input: JSON.stringify(input), encoding: "utf8", timeout: 30_000 });
    if (res.status !== 0) throw new Error(`ESO's template engine refused the ExternalSecret (exit ${res.status}): ${res.stderr.trim()}`);
    return (JSON.parse(res.stdout) as { data: Record<string, string> }).data;
}

/** Renders each template of `templates` over `data` (the ExternalSecret's data keys and their remote values). */
export function renderEsoTemplates(templates: Record<string, string>, data: Record<string, string>): Record<string, string> {
    return runEsoRender({ data: Object.entries(data).map(([secretKey, value]) => ({ secretKey, value })), template: { data: templates } });
}
