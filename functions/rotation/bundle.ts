// Bundles the rotation Lambdas with esbuild, deterministically: the same sources, lock file and options give
// byte-identical output, so the same source gives the same hash (the function's sourceCodeHash) and a deploy
// without a code change never updates a function. Bundles are cached under build/rotation/ by a hash of their
// inputs, so only the first plan after a change pays for esbuild.
import { createHash } from "crypto";
import { buildSync, BuildOptions, version as esbuildVersion } from "esbuild";
import * as fs from "fs";
import * as path from "path";

/** Strategies that run as a Lambda, each with an entry point under functions/rotation/handlers/. */
export const LAMBDA_STRATEGIES = ["snowflake-key-pair", "kafka-scram-alternating-users", "postgres-alternating-users", "vendor-api"] as const;
export type LambdaStrategy = (typeof LAMBDA_STRATEGIES)[number];

/** One bundled function: the file Pulumi uploads and the base64 SHA-256 Lambda compares (sourceCodeHash). */
export interface RotationBundle {
    readonly strategy: LambdaStrategy;
    readonly file: string;
    readonly sha256: string;
}

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** The esbuild options. Fixed target, no source maps, no comments with machine paths: output depends only on input. */
export function bundleOptions(projectDir: string, entryPoints: string[]): BuildOptions {
    return {
        absWorkingDir: projectDir,
        entryPoints,
        outdir: "rotation-bundle",
        bundle: true,
        platform: "node",
        target: "node20",
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
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
        .sort();
}

/** A hash of everything a bundle depends on: the function sources, the lock file, esbuild's version and options. */
export function bundleInputsHash(projectDir: string = PROJECT_DIR): string {
    const h = createHash("sha256");
    h.update(`esbuild ${esbuildVersion}\n${JSON.stringify(bundleOptions(".", []))}\n`);
    const srcDir = path.join(projectDir, "functions", "rotation");
    for (const f of [...listFiles(srcDir).filter((f) => f.endsWith(".ts")), path.join(projectDir, "package-lock.json")]) {
        h.update(`${path.relative(projectDir, f)}\n`);
        if (fs.existsSync(f)) h.update(fs.readFileSync(f));
    }
    return h.digest("hex");
}

/** Builds the bundles in memory (no cache). Used by the cache and by the determinism test. */
export function buildRotationBundles(projectDir: string = PROJECT_DIR, strategies: readonly LambdaStrategy[] = LAMBDA_STRATEGIES): Map<LambdaStrategy, string> {
    const result = buildSync(bundleOptions(projectDir, strategies.map((s) => `functions/rotation/handlers/${s}.ts`)));
    const out = new Map<LambdaStrategy, string>();
    for (const f of result.outputFiles ?? []) out.set(path.basename(f.path, ".js") as LambdaStrategy, f.text);
    return out;
}

/** The base64 SHA-256 of a bundle, in the form Lambda reports as CodeSha256 for a one-file archive's content. */
export function bundleHash(code: string): string {
    return createHash("sha256").update(code).digest("base64");
}

/** The bundles for every strategy, from the cache when the inputs are unchanged. */
export function rotationBundles(projectDir: string = PROJECT_DIR): ReadonlyMap<LambdaStrategy, RotationBundle> {
    const key = bundleInputsHash(projectDir);
    const dir = path.join(projectDir, "build", "rotation", key.slice(0, 16));
    const manifestFile = path.join(dir, "manifest.json");
    if (!fs.existsSync(manifestFile)) {
        const built = buildRotationBundles(projectDir);
        const tmp = `${dir}.tmp-${process.pid}`;
        fs.mkdirSync(tmp, { recursive: true });
        const manifest: Record<string, string> = {};
        for (const [strategy, code] of built) {
            fs.writeFileSync(path.join(tmp, `${strategy}.js`), code);
            manifest[strategy] = bundleHash(code);
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
    return new Map(LAMBDA_STRATEGIES.map((s) => [s, { strategy: s, file: path.join(dir, `${s}.js`), sha256: manifest[s]! }]));
}
