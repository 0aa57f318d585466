// docs/cost.md is generated from the environment model: it must be current, it must change when the model does, and
// its counts must be the ones the stack really creates.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadCatalog } from "../../model/catalog";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { planEnvironment } from "../../model/environment";
import { renderCostDocument } from "../../tools/cost/document";
import { environmentCost, eventRefreshLines, MONTH_DAYS, pollingLines, REFRESH_EVENTS_PER_ROTATION } from "../../tools/cost/model";
import { copyProject, planReport, PROJECT_DIR } from "../support/plan-cli";

describe("docs/cost.md", function () {
    it("is current with the environment models and the prices (run `npm run cost` when this fails)", () => {
        assert.equal(fs.readFileSync(path.join(PROJECT_DIR, "docs", "cost.md"), "utf8"), renderCostDocument(PROJECT_DIR));
    });

    it("changes when the catalog changes: one secret fewer is one container fewer in the document", () => {
        const dir = copyProject();
        try {
            const file = path.join(dir, "catalog", "airflow-payments.yaml");
            const text = fs.readFileSync(file, "utf8");
            // Drop the payments domain's second secret entry (its lines up to the next entry).
            const lines = text.split("\n");
            const starts = lines.map((l, i) => (l.startsWith("- name:") ? i : -1)).filter((i) => i >= 0);
            fs.writeFileSync(file, [...lines.slice(0, starts[1]), ...lines.slice(starts[2])].join("\n"));
            const before = renderCostDocument(PROJECT_DIR);
            const after = renderCostDocument(dir);
            assert.notEqual(after, before);
            const containers = (doc: string, env: string) => Number(new RegExp(`## ${env}\\n\\n[^]*?\\| Secrets Manager storage \\| (\\d+) containers`).exec(doc)![1]);
            assert.equal(containers(after, "prod"), containers(before, "prod") - 1);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("counts the ExternalSecrets, Config rules and secret containers that the real dev plan creates", () => {
        const model = planEnvironment(parseEnvironmentConfig(readStackFile(PROJECT_DIR, "dev")), loadCatalog(path.join(PROJECT_DIR, "catalog")));
        const { fixed, syncs } = environmentCost(model);
        const plan = planReport("dev");
        const count = (type: string) => plan.resources.filter((r) => r.type === type).length;
        assert.equal(syncs, count("kubernetes:external-secrets.io/v1:ExternalSecret"));
        assert.match(fixed.find((l) => l.item === "Config rule evaluations")!.basis, new RegExp(`^${count("aws:cfg/rule:Rule")} rules:`));
        assert.match(fixed.find((l) => l.item === "Secrets Manager storage")!.basis, new RegExp(`^${count("aws:secretsmanager/secret:Secret")} containers`));
        const [calls] = pollingLines(syncs, 900);
        assert.equal(calls.quantity, syncs * 4 * 24 * 30);
    });

    it("prices the event-driven refresh from the real dev plan: two events per rotation, one resync read per ExternalSecret of the rotated secret", () => {
        const model = planEnvironment(parseEnvironmentConfig(readStackFile(PROJECT_DIR, "dev")), loadCatalog(path.join(PROJECT_DIR, "catalog")));
        const plan = planReport("dev");
        const remoteKey = (r: { inputs: any }) => r.inputs.spec.data?.[0]?.remoteRef.key ?? r.inputs.spec.dataFrom[0].extract.key;
        const readersOf = new Map<string, number>();
        for (const r of plan.resources.filter((x) => x.type === "kubernetes:external-secrets.io/v1:ExternalSecret")) readersOf.set(remoteKey(r), (readersOf.get(remoteKey(r)) ?? 0) + 1);
        let runs = 0;
        let reads = 0;
        for (const rotation of model.rotations) {
            for (const s of rotation.secrets) {
                runs += MONTH_DAYS / s.days;
                reads += (MONTH_DAYS / s.days) * REFRESH_EVENTS_PER_ROTATION * (readersOf.get(model.secretsByName.get(s.name)!.fullName) ?? 0);
            }
        }
        const lines = eventRefreshLines(model);
        const line = (item: string) => lines.find((l) => l.item === item)!;
        assert.equal(line("Refresh function invocations").quantity, Math.round(runs * REFRESH_EVENTS_PER_ROTATION));
        assert.equal(line("Secrets Manager API: ESO resyncs on events").quantity, Math.round(reads));
        assert.ok(reads > 0, "some rotated secret is synced into the cluster in dev");
    });
});
