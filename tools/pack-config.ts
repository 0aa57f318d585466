import * as fs from "fs";
import * as path from "path";
import { PackConfig } from "./policy-runner";

/** Where the pack config lives. CI passes the same file to `pulumi preview --policy-pack-config`. */
export const PACK_CONFIG_FILE = path.join("policies", "pack-config.json");

/** Reads the policy pack config, or an empty config when the file does not exist yet. */
export function loadPackConfig(projectDir: string): PackConfig {
    const file = path.join(projectDir, PACK_CONFIG_FILE);
    if (!fs.existsSync(file)) return {};
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as PackConfig;
    } catch (err) {
        throw new Error(`${PACK_CONFIG_FILE} is not valid JSON: ${(err as Error).message}`);
    }
}

/** Reads a `--policy-pack-config` file given on the command line; errors name the file. */
export function readPackConfigFile(file: string): PackConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new Error(`Cannot read the pack-config file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
    }
    try {
        const parsed = JSON.parse(text);
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("it is not a JSON object of rule names");
        return parsed as PackConfig;
    } catch (err) {
        throw new Error(`The pack-config file ${file} is not valid: ${(err as Error).message}; pass the file you give pulumi preview --policy-pack-config.`);
    }
}
