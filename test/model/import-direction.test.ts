// The import rule of the repository: stacks -> components -> model; policies -> model only; functions -> model
// only; model imports no Pulumi package and nothing above it; components and stacks take @pulumi/aws's services from
// components/aws.ts, never from the package index (which loads all of its ~250 service modules at start). Checked on
// every source file's import specifiers.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../support/plan-cli";

/** The rooms whose imports are restricted, and the rooms (or package prefixes) each must not import. */
const FORBIDDEN: Readonly<Record<string, readonly string[]>> = {
    model: ["stacks", "components", "policies", "functions", "tools", "test", "@pulumi/"],
    components: ["stacks", "policies", "tools", "test", "@pulumi/aws"],
    policies: ["stacks", "components", "functions", "tools", "test"],
    functions: ["stacks", "components", "policies", "tools", "test", "@pulumi/"],
    stacks: ["policies", "tools", "test", "@pulumi/aws"],
};

/** One import that breaks the rule. */
interface Breach {
    readonly file: string;
    readonly specifier: string;
    readonly room: string;
}

/** The import specifiers of a TypeScript source: static imports, re-exports, dynamic imports and requires. */
export function importSpecifiers(source: string): string[] {
    const out: string[] = [];
    const re = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)|\brequire\(\s*["']([^"']+)["']\s*\)/gm;
    for (const m of source.matchAll(re)) out.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
    return out;
}

/** Every breach of the import rule among the given files (paths relative to the root). */
export function importBreaches(root: string, files: ReadonlyArray<{ file: string; source: string }>): Breach[] {
    const breaches: Breach[] = [];
    for (const { file, source } of files) {
        const room = file.split("/")[0]!;
        const forbidden = FORBIDDEN[room];
        if (!forbidden) continue;
        for (const specifier of importSpecifiers(source)) {
            const target = specifier.startsWith(".") ? path.relative(root, path.resolve(root, path.dirname(file), specifier)).split(path.sep)[0]! : specifier;
            const hit = forbidden.find((f) => (f.endsWith("/") ? target.startsWith(f) : target === f));
            if (hit) breaches.push({ file, specifier, room: hit });
        }
    }
    return breaches;
}

function sources(dir: string): Array<{ file: string; source: string }> {
    const out: Array<{ file: string; source: string }> = [];
    const walk = (rel: string) => {
        for (const e of fs.readdirSync(path.join(PROJECT_DIR, rel), { withFileTypes: true })) {
            const child = path.posix.join(rel, e.name);
            if (e.isDirectory()) walk(child);
            else if (e.name.endsWith(".ts")) out.push({ file: child, source: fs.readFileSync(path.join(PROJECT_DIR, child), "utf8") });
        }
    };
    walk(dir);
    return out;
}

describe("the import rule", () => {
    it("holds for every source file of model, components, policies, functions and stacks", () => {
        const files = Object.keys(FORBIDDEN).flatMap(sources);
        assert.ok(files.length > 60, `found only ${files.length} source files`);
        const breaches = importBreaches(PROJECT_DIR, files);
        assert.deepStrictEqual(breaches.map((b) => `${b.file} imports '${b.specifier}' (${b.room})`), []);
    });

    it("catches each kind of forbidden import, and accepts the allowed direction", () => {
        const planted = [
            { file: "components/x.ts", source: 'import { a } from "../stacks/platform";' },
            { file: "components/deep/y.ts", source: 'export { b } from "../../stacks/index";' },
            { file: "policies/z.ts", source: 'const c = require("../components/iam");' },
            { file: "model/m.ts", source: 'import * as pulumi from "@pulumi/pulumi";' },
            { file: "model/n.ts", source: 'const d = await import("../components/tokens");' },
            { file: "functions/f.ts", source: 'import "../stacks/index";' },
            { file: "stacks/s.ts", source: 'import { e } from "../components/iam";\nimport { f } from "../model/names";' },
            { file: "policies/p.ts", source: 'import { g } from "../model/names";' },
            { file: "stacks/t.ts", source: 'import * as aws from "@pulumi/aws";' },
            { file: "components/aws.ts", source: 'export * as iam from "@pulumi/aws/iam";\nimport * as aws from "./aws";' },
        ];
        const found = importBreaches("/repo", planted).map((b) => b.file);
        assert.deepStrictEqual(found, ["components/x.ts", "components/deep/y.ts", "policies/z.ts", "model/m.ts", "model/n.ts", "functions/f.ts", "stacks/t.ts"]);
    });
});
