import { strict as assert } from "assert";
import { buildCorpusCases, CORPUS_CLASSES, CORPUS_ENVIRONMENTS } from "../../tools/corpus/cases";
import { evaluateCorpus } from "../../tools/corpus/evaluate";
import { loadPackConfig } from "../../tools/pack-config";
import { PROJECT_DIR } from "../support/plan-cli";

// Classes the pack does not catch yet, named so a gap stays visible (none today).
const KNOWN_GAPS = new Set<string>([]);

describe("the pack on a generated corpus of cases it was not tuned on (both forms, every environment pair)", function () {
    this.timeout(300_000);

    it("catches at least 95% of each class's bad cases with at most 2% false alarms per class, in stack exports and previews", async () => {
        const cases = buildCorpusCases(3, 20261202);
        const bad = cases.filter((c) => c.bad);
        assert.ok(bad.length >= 300 && cases.length - bad.length >= 150, `${bad.length} bad and ${cases.length - bad.length} clean cases`);
        const pairs = new Set(cases.map((c) => c.targets[0].urn.split("::")[0]));
        assert.deepEqual([...pairs].sort(), Object.keys(CORPUS_ENVIRONMENTS).map((e) => `urn:pulumi:${e}`).sort());
        const scores = await evaluateCorpus(cases, loadPackConfig(PROJECT_DIR));
        assert.equal(scores.length, CORPUS_CLASSES.length * 2);
        const below: string[] = [];
        for (const s of scores) {
            assert.ok(s.flagged / s.clean <= 0.02, `${s.cls} (${s.form}): ${s.flagged} of ${s.clean} clean look-alikes flagged`);
            if (s.caught / s.bad < 0.95) below.push(s.cls);
        }
        assert.deepEqual([...new Set(below)].sort(), [...KNOWN_GAPS].sort(), "classes under 95% recall are exactly the known gaps");
    });
});
