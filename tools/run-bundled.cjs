// `node tools/run-bundled.cjs <entry.ts> [args...]`: runs a TypeScript entry point of this repository from a cached
// esbuild bundle instead of through tsx. tsx transpiles every source file and hooks every require() of the process,
// @pulumi/pulumi's included, which cost `npm run plan` about a second of CPU at start. The bundle holds this
// repository's sources only (packages stay external and load from node_modules as usual) and lives under
// build/bundled/, keyed by a hash of exactly what esbuild compiled: every input file's content, the names in each
// input's directory (so a new file that could change how an import resolves also rebuilds), the project directory,
// esbuild's version and options, and this file. Any source change rebuilds it before it runs, so it is never stale.
// The bundle has no source maps: to debug with TypeScript stack traces, run the entry through tsx directly.
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

/** The repository root. */
const PROJECT_DIR = path.resolve(__dirname, "..");

/** Where bundles and their manifests are cached (git-ignored). */
const CACHE_DIR = path.join(PROJECT_DIR, "build", "bundled");

const LOADERS = { ".ts": "ts", ".js": "js", ".cjs": "js", ".mjs": "js", ".json": "json" };

/** The esbuild options of an entry's bundle; `plugins` are added by the build. */
function bundleOptions(projectDir, entry) {
    return {
        absWorkingDir: projectDir,
        entryPoints: [path.resolve(projectDir, entry)],
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node20",
        packages: "external",
        // No keepNames: it wraps every named function and arrow in a `__name` call that defines its `name` when it is
        // created, the closures that policy rules create per resource included (the x1 plan used 0.93x the CPU without
        // it, median of ten interleaved pairs). Unminified, esbuild renames only top-level names that clash between
        // modules, and such a name then shows with a suffix (`asList2`); test/foundation/run-bundled.test.ts checks
        // that no class of the plan's bundle is renamed (two functions are, seen only in stack frames).
        keepNames: false,
        sourcemap: false,
        write: false,
        metafile: true,
        logLevel: "silent",
    };
}

function sha256(data) {
    return crypto.createHash("sha256").update(data).digest("hex");
}

/**
 * The cache key of a bundle from its inputs (paths relative to the project) and each one's content hash: changes when
 * any input's content changes, when a name appears in or leaves an input's directory, and with the project
 * directory, esbuild's version, the options or this launcher.
 */
function bundleKey(projectDir, entry, contentHashes) {
    const h = crypto.createHash("sha256");
    h.update(`${require("esbuild").version}\n${projectDir}\n${JSON.stringify(bundleOptions(projectDir, entry))}\n`);
    h.update(fs.readFileSync(__filename));
    const files = Object.keys(contentHashes).sort();
    for (const f of files) h.update(`\n${f} ${contentHashes[f]}`);
    for (const dir of [...new Set(files.map((f) => path.dirname(f)))].sort()) {
        h.update(`\n${dir}/: ${fs.readdirSync(path.join(projectDir, dir)).sort().join(" ")}`);
    }
    return h.digest("hex");
}

/** The content hashes of a recorded input list as they are on disk now, or undefined when one is gone. */
function currentHashes(projectDir, inputs) {
    const out = {};
    for (const f of inputs) {
        const file = path.join(projectDir, f);
        if (!fs.existsSync(file)) return undefined;
        out[f] = sha256(fs.readFileSync(file));
    }
    return out;
}

/**
 * Bundles an entry and returns its code with the content hash of every input, hashed from the very bytes esbuild
 * compiled. Each source file sees its own `__dirname` and `__filename`, as it would unbundled.
 */
async function buildBundle(projectDir, entry) {
    const esbuild = require("esbuild");
    const contentHashes = {};
    const ownFiles = {
        name: "own-files",
        setup(build) {
            build.onLoad({ filter: /.*/ }, (args) => {
                const rel = path.relative(projectDir, args.path);
                const loader = LOADERS[path.extname(args.path)];
                if (rel.startsWith("..") || rel.split(path.sep).includes("node_modules") || !loader) return undefined;
                const bytes = fs.readFileSync(args.path);
                contentHashes[rel] = sha256(bytes);
                const text = bytes.toString("utf8");
                if (loader !== "ts" && loader !== "js") return { contents: text, loader };
                // esbuild renames a module's own top-level `__dirname` where two modules declare one.
                const prelude = `var __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)};`;
                return { contents: `${prelude}${text}`, loader };
            });
        },
    };
    const result = await esbuild.build({ ...bundleOptions(projectDir, entry), plugins: [ownFiles] });
    return { code: result.outputFiles[0].text, contentHashes };
}

function writeAtomically(file, text) {
    const tmp = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
}

/** The bundle file of an entry (a path relative to the project), rebuilt first when any of its inputs changed. */
async function bundledEntry(entryPath, projectDir = PROJECT_DIR) {
    const entry = path.relative(projectDir, path.resolve(projectDir, entryPath));
    const cacheDir = path.join(projectDir, "build", "bundled");
    const id = entry.replace(/\.ts$/, "").replace(/[^A-Za-z0-9]+/g, "-");
    const manifestFile = path.join(cacheDir, `${id}.json`);
    if (fs.existsSync(manifestFile)) {
        const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8"));
        const hashes = currentHashes(projectDir, manifest.inputs);
        const file = path.join(cacheDir, `${id}-${manifest.key.slice(0, 16)}.cjs`);
        if (hashes && bundleKey(projectDir, entry, hashes) === manifest.key && fs.existsSync(file)) return file;
    }
    const { code, contentHashes } = await buildBundle(projectDir, entry);
    const key = bundleKey(projectDir, entry, contentHashes);
    const file = path.join(cacheDir, `${id}-${key.slice(0, 16)}.cjs`);
    fs.mkdirSync(cacheDir, { recursive: true });
    // Older bundles of this entry go once no run can still be about to load them.
    for (const old of fs.readdirSync(cacheDir)) {
        const oldFile = path.join(cacheDir, old);
        if (old.startsWith(`${id}-`) && old.endsWith(".cjs") && oldFile !== file && Date.now() - fs.statSync(oldFile).mtimeMs > 3_600_000) fs.rmSync(oldFile, { force: true });
    }
    writeAtomically(file, code);
    writeAtomically(manifestFile, JSON.stringify({ entry, key, inputs: Object.keys(contentHashes).sort() }, null, 2));
    return file;
}

module.exports = { PROJECT_DIR, CACHE_DIR, bundleKey, bundledEntry };

if (require.main === module) {
    const [entry, ...args] = process.argv.slice(2);
    if (!entry || !entry.endsWith(".ts")) {
        console.error("Usage: node tools/run-bundled.cjs <entry.ts> [args...], with the entry relative to the repository root (e.g. tools/plan.ts).");
        process.exit(2);
    }
    bundledEntry(entry).then(
        (file) => {
            // The entry sees the arguments it would see when run as `tsx <entry> ...`.
            process.argv = [process.argv[0], path.resolve(PROJECT_DIR, entry), ...args];
            require(file);
        },
        (err) => {
            const details = (err.errors ?? []).map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ""}${e.text}`).join("\n");
            console.error(`Could not bundle ${entry}: ${details || err.message}`);
            process.exit(2);
        },
    );
}
