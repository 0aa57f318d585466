// The deployable package of each platform function: a zip whose bytes depend only on the files in it (fixed
// timestamps, attributes and order), so the sign job and the deploy program, run on the same commit, build the same
// zip and name it by the same SHA-256. That hash is the key of the signed artifact (model/code-signing.ts).
import { createHash } from "crypto";
import { zipSync } from "fflate";
import * as fs from "fs";
import * as path from "path";
import { FUNCTION_ENTRIES, functionBundle } from "./bundle";

/** One function's zip and its hashes. */
export interface FunctionPackage {
    /** The bundle name (a Lambda rotation strategy, `expiry-check`, `latency-probe`, `eso-refresh`). */
    readonly name: string;
    readonly zip: Uint8Array;
    /** Hex SHA-256 of the zip: the package's name in the artifacts bucket. */
    readonly sha256Hex: string;
}

// Local-time fields are what a zip stores, so a date built from local fields gives the same bytes in every time zone.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);
const FILE_MODE = (0o100644 << 16) >>> 0;

/** A zip of the given files, in name order, with fixed timestamps and modes: the same files give the same bytes. */
export function deterministicZip(files: Readonly<Record<string, string | Uint8Array>>): Uint8Array {
    const entries: Record<string, [Uint8Array, { mtime: Date; os: number; attrs: number; level: 9 }]> = {};
    for (const name of Object.keys(files).sort()) {
        const content = files[name];
        entries[name] = [typeof content === "string" ? new TextEncoder().encode(content) : content, { mtime: FIXED_MTIME, os: 3, attrs: FILE_MODE, level: 9 }];
    }
    return zipSync(entries);
}

/**
 * The package of one bundled function: `index.js` plus any data files it ships (the refresh function's targets).
 * Zips are cached beside the bundle cache (build/functions/<inputs>/), keyed by the data files: compressing costs
 * about 0.6 s for all seven packages, and the same inputs always give the same bytes.
 */
export function functionPackage(name: string, dataFiles: Readonly<Record<string, string>> = {}): FunctionPackage {
    if (!FUNCTION_ENTRIES[name]) throw new Error(`No function named '${name}'; known functions: ${Object.keys(FUNCTION_ENTRIES).join(", ")}.`);
    if ("index.js" in dataFiles) throw new Error(`Function '${name}': a data file may not be called index.js; that name holds the bundle.`);
    const bundle = functionBundle(name);
    const dataKey = createHash("sha256").update(JSON.stringify(Object.entries(dataFiles).sort(([a], [b]) => a.localeCompare(b)))).digest("hex").slice(0, 16);
    const cached = path.join(path.dirname(bundle.file), `${name}.${dataKey}.zip`);
    let zip: Uint8Array;
    if (fs.existsSync(cached)) {
        zip = fs.readFileSync(cached);
    } else {
        zip = deterministicZip({ "index.js": fs.readFileSync(bundle.file), ...dataFiles });
        const tmp = `${cached}.tmp-${process.pid}`;
        fs.writeFileSync(tmp, zip);
        fs.renameSync(tmp, cached);
    }
    return { name, zip, sha256Hex: createHash("sha256").update(zip).digest("hex") };
}
