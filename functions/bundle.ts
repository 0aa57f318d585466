// Bundles every Lambda of the platform with esbuild, deterministically: the same sources, lock file and options give
// byte-identical output, so the same source gives the same hash (the function's sourceCodeHash) and a deploy
// without a code change never updates a function. Bundles are cached under build/functions/ by a hash of their
// inputs, so only the first plan after a change pays for esbuild. One bundler and one runtime for every function.
import { createHash } from "crypto";
import { buildSync, BuildOptions, version as esbuildVersion } from "esbuild";
import * as fs from "fs";
import * as path from "path";
import { LAMBDA_STRATEGIES, lambdaHandlerPath } from "../model/strategies";

/**
 * The Lambda runtime of every platform function. Node.js 20 reached end of life in April 2026 and Lambda deprecated
 * `nodejs20.x`; 22 is a maintained LTS. The bundle target below follows it.
 */
export const LAMBDA_RUNTIME = "nodejs22.x";

/** The esbuild target that matches {@link LAMBDA_RUNTIME}. */
export const BUNDLE_TARGET = `node${/^nodejs(\d+)\.x$/.exec(LAMBDA_RUNTIME)![1]}`;

/** Every function the stack deploys, by bundle name, with its entry point relative to the repository root. */
export const FUNCTION_ENTRIES: Readonly<Record<string, string>> = {
    ...Object.fromEntries(LAMBDA_STRATEGIES.map((s) => [s, lambdaHandlerPath(s)])),
    "expiry-check": "functions/expiry-check/index.ts",
    "latency-probe": "functions/latency-probe/index.ts",
    "eso-refresh": "functions/eso-refresh/index.ts",
    "trust-check": "functions/trust-check/index.ts",
};

/** A bundle name: a Lambda rotation strategy or one of the audit functions. */
export type FunctionName = keyof typeof FUNCTION_ENTRIES & string;

/** One bundled function: the file Pulumi uploads and the base64 SHA-256 of its code (the function's sourceCodeHash). */
export interface FunctionBundle {
    readonly name: string;
    readonly file: string;
    readonly sha256: string;
}

const PROJECT_DIR = path.resolve(__dirname, "..");

/**
 * The esbuild options. Fixed target, no source maps, no comments with machine paths: output depends only on input.
 * The AWS SDK is bundled at the version the lock file pins, not taken from the runtime, so tests and Lambda run the
 * same client code.
 */
export function bundleOptions(projectDir: string, entryPoints: Record<string, string>): BuildOptions {
    return {
        absWorkingDir: projectDir,
        entryPoints,
        outdir: "function-bundle",
        bundle: true,
        platform: "node",
        target: BUNDLE_TARGET,
        format: "cjs",
        minify: true,
        legalComments: "none",
        sourcemap: false,
        write: false,
        logLevel: "silent",
        charset: "utf8",
    };
}

function listFiles(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
        .sort();
}

/** A hash of everything a bundle depends on: function and model sources, the lock file, esbuild's version and options. */
export function bundleInputsHash(projectDir: string = PROJECT_DIR): string {
    const h = createHash("sha256");
    h.update(`esbuild ${esbuildVersion}\n${JSON.stringify(bundleOptions(".", FUNCTION_ENTRIES))}\n`);
    const sources = ["functions", "model"].flatMap((d) => listFiles(path.join(projectDir, d)).filter((f) => f.endsWith(".ts")));
    for (const f of [...sources, path.join(projectDir, "package-lock.json")]) {
        h.update(`${path.relative(projectDir, f)}\n`);
        if (fs.existsSync(f)) h.update(fs.readFileSync(f));
    }
    return h.digest("hex");
}

/** Builds bundles in memory (no cache). Used by the cache and by the determinism test. */
export function buildFunctionBundles(projectDir: string = PROJECT_DIR, names: readonly string[] = Object.keys(FUNCTION_ENTRIES)): Map<string, string> {
    const entries: Record<string, string> = {};
    for (const n of names) {
        const entry = FUNCTION_ENTRIES[n];
        if (!entry) throw new Error(`No function named '${n}'; known functions: ${Object.keys(FUNCTION_ENTRIES).join(", ")}.`);
        entries[n] = entry;
    }
    const result = buildSync(bundleOptions(projectDir, entries));
    const out = new Map<string, string>();
    for (const f of result.outputFiles ?? []) out.set(path.basename(f.path, ".js"), f.text);
    return out;
}

/** The base64 SHA-256 of a bundle's code. */
export function bundleHash(code: string): string {
    return createHash("sha256").update(code).digest("base64");
}

/** The bundles of every function, from the cache when the inputs are unchanged. */
export function functionBundles(projectDir: string = PROJECT_DIR): ReadonlyMap<string, FunctionBundle> {
    const key = bundleInputsHash(projectDir);
    const dir = path.join(projectDir, "build", "functions", key.slice(0, 16));
    const manifestFile = path.join(dir, "manifest.json");
    if (!fs.existsSync(manifestFile)) {
        const built = buildFunctionBundles(projectDir);
        const tmp = `${dir}.tmp-${process.pid}`;
        fs.mkdirSync(tmp, { recursive: true });
        const manifest: Record<string, string> = {};
        for (const [name, code] of built) {
            fs.writeFileSync(path.join(tmp, `${name}.js`), code);
            manifest[name] = bundleHash(code);
        }
        fs.writeFileSync(path.join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2));
        // Another process may have finished the same build first; its output is identical.
        try {
            fs.renameSync(tmp, dir);
        } catch {
            fs.rmSync(tmp, { recursive: true, force: true });
        }
    }
    const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Record<string, string>;
    return new Map(Object.keys(FUNCTION_ENTRIES).map((n) => [n, { name: n, file: path.join(dir, `${n}.js`), sha256: manifest[n]! }]));
}

/** The bundle of one function. */
export function functionBundle(name: string, projectDir: string = PROJECT_DIR): FunctionBundle {
    const b = functionBundles(projectDir).get(name);
    if (!b) throw new Error(`No function named '${name}'; known functions: ${Object.keys(FUNCTION_ENTRIES).join(", ")}.`);
    return b;
}
