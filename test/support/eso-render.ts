// Renders ExternalSecret templates with ESO's template engine (tools/eso-render: Go text/template + Sprig, built by
// tools/test-env/eso-render.sh), so tests see what ESO would write into the Kubernetes Secret.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** The renderer binary built by the test setup. */
export const ESO_RENDER = path.resolve(__dirname, "..", "..", ".cache", "eso-render", "eso-render");

/** Renders each template of `templates` over `data` (the ExternalSecret's data keys and their remote values). */
export function renderEsoTemplates(templates: Record<string, string>, data: Record<string, string>): Record<string, string> {
    if (!fs.existsSync(ESO_RENDER)) throw new Error(`${ESO_RENDER} is missing; run bash tools/test-env/setup.sh.`);
    const res = spawnSync(ESO_RENDER, [], { input: JSON.stringify({ templates, data }), encoding: "utf8", timeout: 30_000 });
    if (res.status !== 0) throw new Error(`eso-render failed (${res.status}): ${res.stderr}`);
    return JSON.parse(res.stdout);
}
