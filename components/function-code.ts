import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { buildSync } from "esbuild";

/** The repository's `functions/` folder, where code that runs in AWS lives. */
export const FUNCTIONS_DIR = path.resolve(__dirname, "..", "functions");

const bundles = new Map<string, string>();

/**
 * Bundles one function (`functions/<name>/index.ts`) into a single CommonJS file for the Node.js Lambda runtime.
 * The AWS SDK v3 is left out because the runtime ships it. Bundles are cached per process, so a plan bundles each
 * function once.
 */
export function bundleFunction(name: string): string {
    let code = bundles.get(name);
    if (code === undefined) {
        const result = buildSync({
            entryPoints: [path.join(FUNCTIONS_DIR, name, "index.ts")],
            bundle: true,
            platform: "node",
            target: "node22",
            format: "cjs",
            external: ["@aws-sdk/*"],
            write: false,
            minify: false,
            legalComments: "none",
        });
        code = result.outputFiles[0].text;
        bundles.set(name, code);
    }
    return code;
}

/** The function's deployment package: `index.js` with `exports.handler`. */
export function functionArchive(name: string): pulumi.asset.AssetArchive {
    return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleFunction(name)) });
}
