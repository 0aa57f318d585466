// The platform change check's package exactly as a stack's plan deploys it: found by the hash in the planned
// function's signed key, among the packages the sign job builds, and unzipped.
import { strict as assert } from "assert";
import { unzipSync } from "fflate";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { roleNames } from "../../model/names";
import { environmentPackages } from "../../tools/signing/environment-packages";
import { planReport, PROJECT_DIR } from "./plan-cli";

/** The files of the trust-check package a stack's plan deploys, and its hash. */
export function shippedCheckPackage(environment: string): { files: Record<string, Uint8Array>; sha256Hex: string } {
    const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, environment));
    const fn = planReport(environment).resources.find((r) => r.type === "aws:lambda/function:Function" && (r.inputs as Record<string, unknown>).name === roleNames.trustCheck(config.namePrefix));
    assert.ok(fn, `${environment} plans the trust check`);
    const hex = /^signed\/([0-9a-f]{64})\//.exec(String((fn.inputs as Record<string, unknown>).s3Key))![1];
    const pkg = environmentPackages(config, PROJECT_DIR).find((p) => p.sha256Hex === hex);
    assert.ok(pkg, `${environment}: the planned trust-check package ${hex} is one the sign job builds`);
    assert.equal(pkg.name, "trust-check");
    return { files: unzipSync(pkg.zip), sha256Hex: hex };
}

/** One JSON file of the shipped package. */
export function shippedCheckFile<T>(environment: string, file: string): T {
    const bytes = shippedCheckPackage(environment).files[file];
    assert.ok(bytes, `the ${environment} trust-check package holds ${file}`);
    return JSON.parse(Buffer.from(bytes).toString("utf8")) as T;
}
