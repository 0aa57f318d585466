// Helm's own CLI (built by tools/test-env/helm.sh) and the pinned Airflow chart package, for the tests that render our
// values with the chart's real templates.
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { AIRFLOW_CHART } from "../../components/airflow";
import { PROJECT_DIR } from "./plan-cli";

/**
 * sha256 of the chart package the tests accept: `airflow-1.18.0.tgz` as packaged by the Airflow release tooling. A
 * copy with another digest is refused rather than trusted (compare it with the official release before changing this).
 */
export const AIRFLOW_CHART_SHA256 = "74b26e3c8b46490319ef6765bd102ba6eef7963b31692fc265c5be746c56e08e";

let helmPath: string | undefined;

/** Path of the helm binary, built (or found in its cache) by the test setup's script. */
export function helmBinary(): string {
    if (!helmPath) {
        const res = spawnSync("bash", [path.join(PROJECT_DIR, "tools", "test-env", "helm.sh")], { cwd: PROJECT_DIR, encoding: "utf8" });
        if (res.status !== 0) throw new Error(`tools/test-env/helm.sh failed (exit ${res.status}):\n${res.stderr}`);
        helmPath = path.resolve(PROJECT_DIR, res.stdout.trim());
    }
    return helmPath;
}

/** Environment variable naming the chart package's path, instead of {@link AIRFLOW_CHART_CACHE}. */
export const AIRFLOW_CHART_ENV = "FINLEDGER_AIRFLOW_CHART";

/**
 * Where the tests look for the chart package: a git-ignored cache. The repository does not carry the package (no
 * package registry reachable from CI serves it, and a third-party chart is not ours to commit), so a person places it
 * there, or names it with {@link AIRFLOW_CHART_ENV}.
 */
export const AIRFLOW_CHART_CACHE = path.join(PROJECT_DIR, ".cache", "charts", `${AIRFLOW_CHART.chart}-${AIRFLOW_CHART.version}.tgz`);

/** The pinned chart package, checked against its digest; `absent` when no copy is there, `refused` for another copy. */
export function airflowChartPackage(): { file: string } | { absent: string } | { refused: string } {
    const file = process.env[AIRFLOW_CHART_ENV] || AIRFLOW_CHART_CACHE;
    const fix = `run 'helm pull ${AIRFLOW_CHART.chart} --repo ${AIRFLOW_CHART.repo} --version ${AIRFLOW_CHART.version} -d ${path.relative(PROJECT_DIR, path.dirname(AIRFLOW_CHART_CACHE))}' on a machine that reaches the chart repository, or set ${AIRFLOW_CHART_ENV} to the package's path; its sha256 must be ${AIRFLOW_CHART_SHA256}`;
    if (!fs.existsSync(file)) return { absent: `${file} does not exist: ${fix}.` };
    const digest = createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    if (digest !== AIRFLOW_CHART_SHA256) return { refused: `${file} has sha256 ${digest}, not the pinned ${AIRFLOW_CHART_SHA256}: ${fix}.` };
    return { file };
}

/**
 * The chart package for a test that renders it: skips the test (or suite, from a hook) with the reason printed when no
 * copy is there, and fails it when a copy with another digest is.
 */
export function airflowChartOrSkip(ctx: Mocha.Context): string {
    const chart = airflowChartPackage();
    if ("refused" in chart) throw new Error(`The Airflow chart package cannot be used: ${chart.refused}`);
    if ("absent" in chart) {
        console.log(`      SKIPPED (Airflow chart package absent): ${chart.absent}`);
        ctx.skip();
    }
    return (chart as { file: string }).file;
}

/** Renders a chart package with `helm template` and returns its manifests as objects. */
export function helmTemplate(chart: string, release: string, namespace: string, values: unknown): Record<string, any>[] {
    const res = spawnSync(helmBinary(), ["template", release, chart, "--namespace", namespace, "--values", "-"], { input: JSON.stringify(values), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (res.status !== 0) throw new Error(`helm template ${chart} failed (exit ${res.status}):\n${res.stderr}`);
    return parseManifests(res.stdout);
}

function parseManifests(text: string): Record<string, any>[] {
    return YAML.parseAllDocuments(text)
        .map((d) => d.toJS())
        .filter((d): d is Record<string, any> => d !== null && typeof d === "object");
}
