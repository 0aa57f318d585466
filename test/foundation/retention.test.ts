import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { RETAINED_TYPES } from "../../components/retention";
import { ENVIRONMENTS } from "../../model/config";
import type { PlanReport } from "../../tools/plan/report";
import { liveStatefulDeletes, plannedCreates, plannedDeletes } from "../support/plan-diff";
import { copyProject, planReport, runPlanIn } from "../support/plan-cli";

/** The prod plan of a copy of the project whose catalog moves the Spark workloads from `spark-apps` to `spark-jobs`. */
function planWithRenamedNamespace(): PlanReport {
    const dir = copyProject();
    try {
        const file = path.join(dir, "catalog", "spark.yaml");
        const before = fs.readFileSync(file, "utf8");
        const after = before.replace(/namespace: spark-apps$/gm, "namespace: spark-jobs");
        assert.notEqual(after, before, "catalog/spark.yaml has no workload in namespace spark-apps to rename");
        fs.writeFileSync(file, after);
        const json = path.join(dir, "plan.json");
        const res = runPlanIn(dir, ["--stack", "prod", "--json", json]);
        assert.ok(fs.existsSync(json), `the plan with the renamed namespace wrote no report (exit ${res.status}):\n${res.stderr}`);
        return JSON.parse(fs.readFileSync(json, "utf8")) as PlanReport;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("day-2 safety: stateful resources outlive a rename or a removal", function () {
    for (const environment of ENVIRONMENTS) {
        it(`every namespace, secret, key, bucket and log group of the ${environment} plan is retained on delete or protected`, () => {
            const report = planReport(environment);
            for (const type of RETAINED_TYPES) assert.ok(report.resources.some((r) => r.type === type), `the ${environment} plan has a ${type}, so the check is not empty`);
            const exposed = liveStatefulDeletes(report.resources).map((r) => `${r.type} ${r.name}`);
            assert.deepEqual(exposed, [], "give these resources RETAIN_ON_DELETE (components/retention.ts)");
        });
    }

    it("flags a namespace, secret or key without retainOnDelete or protect as a live delete, and nothing else", () => {
        const base = { urn: "", name: "x", custom: true, dependencies: [], propertyDependencies: {}, ignoreChanges: [], inputs: {}, outputs: {} };
        const resources = [
            { ...base, type: "kubernetes:core/v1:Namespace", retainOnDelete: false, protect: false },
            { ...base, type: "aws:secretsmanager/secret:Secret", retainOnDelete: false, protect: false },
            { ...base, type: "aws:kms/key:Key", retainOnDelete: false, protect: true },
            { ...base, type: "aws:s3/bucket:Bucket", retainOnDelete: true, protect: false },
            { ...base, type: "kubernetes:core/v1:ConfigMap", retainOnDelete: false, protect: false },
        ] as unknown as PlanReport["resources"];
        assert.deepEqual(
            liveStatefulDeletes(resources).map((r) => r.type),
            ["kubernetes:core/v1:Namespace", "aws:secretsmanager/secret:Secret"],
        );
    });

    describe("renaming a catalog namespace (spark-apps to spark-jobs in prod)", function () {
        let current: PlanReport;
        let renamed: PlanReport;
        before(() => {
            current = planReport("prod");
            renamed = planWithRenamedNamespace();
        });

        it("plans the new namespace and drops the old one from the stack without deleting the live namespace", () => {
            const deletes = plannedDeletes(current, renamed);
            const oldNamespace = deletes.filter((r) => r.type === "kubernetes:core/v1:Namespace");
            assert.deepEqual(oldNamespace.map((r) => (r.inputs as any).metadata.name), ["spark-apps"]);
            assert.equal(oldNamespace[0]!.retainOnDelete, true, "the live spark-apps namespace would be deleted with everything in it");
            const created = plannedCreates(current, renamed).filter((r) => r.type === "kubernetes:core/v1:Namespace");
            assert.deepEqual(created.map((r) => (r.inputs as any).metadata.name), ["spark-jobs"]);
            assert.deepEqual(liveStatefulDeletes(deletes), []);
        });

        it("touches no AWS resource: the workloads keep their roles, and every secret and key stays", () => {
            const deletes = plannedDeletes(current, renamed);
            assert.deepEqual(deletes.filter((r) => r.type.startsWith("aws:")).map((r) => r.name), []);
            // What the rename does delete: only the objects Pulumi manages inside the old namespace (ExternalSecrets,
            // stores, service accounts); docs/cicd.md says how to move the workloads before merging a rename.
            const types = [...new Set(deletes.map((r) => r.type))].sort();
            assert.ok(types.every((t) => t.startsWith("kubernetes:") || t.startsWith("finledger:")), types.join(", "));
        });
    });
});
