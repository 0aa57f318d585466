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
 * sha256 of the chart package the tests accept: `airflow-1.18.0.tgz` as packaged by the Airflow release tooling
 * (reproducible build) in an Airflow PMC member's chart-test repository, the only copy of 1.18.0 reachable from here.
 * Its templates are those of the 1.18.0 release; a copy with another digest is refused rather than trusted.
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

/** The pinned chart package kept in the repository (test/fixtures/charts/README.md says where it came from). */
export const AIRFLOW_CHART_FIXTURE = path.join(PROJECT_DIR, "test", "fixtures", "charts", `${AIRFLOW_CHART.chart}-${AIRFLOW_CHART.version}.tgz`);

/** The pinned chart package, checked against its digest, or why it cannot be used. */
export function airflowChartPackage(): { file: string } | { missing: string } {
    const file = AIRFLOW_CHART_FIXTURE;
    const fix = `restore ${path.relative(PROJECT_DIR, file)} (sha256 ${AIRFLOW_CHART_SHA256}) from git, or fetch it with 'helm pull ${AIRFLOW_CHART.chart} --repo ${AIRFLOW_CHART.repo} --version ${AIRFLOW_CHART.version}' on a machine that reaches the chart repository`;
    if (!fs.existsSync(file)) return { missing: `${file} does not exist: ${fix}.` };
    const digest = createHash("sha256").update(fs.readFileSync(file)).digest("hex");
    if (digest !== AIRFLOW_CHART_SHA256) return { missing: `${file} has sha256 ${digest}, not the pinned ${AIRFLOW_CHART_SHA256}: ${fix}.` };
    return { file };
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
