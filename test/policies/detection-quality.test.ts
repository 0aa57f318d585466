import { strict as assert } from "assert";
import { findPlaintextSecrets, secretlintBatch } from "../../policies/inspect/secret-detectors";
import { collectStrings } from "../../policies/inspect/values";
import { buildCorpus } from "../../tools/secret-corpus";

describe("plaintext-secret detection quality (corpus generated at run time)", function () {
    this.timeout(120_000);
    const corpus = buildCorpus(30, 7);

    it("finds every secret kind of this estate (>= 95% per kind) and flags no benign platform value", async () => {
        const perKind = new Map<string, { total: number; hits: number; secret: boolean }>();
        for (const e of corpus) {
            const hit = (await findPlaintextSecrets(collectStrings({ [e.key]: e.value }))).length > 0;
            const k = perKind.get(e.kind) ?? { total: 0, hits: 0, secret: e.secret };
            k.total++;
            if (hit) k.hits++;
            perKind.set(e.kind, k);
        }
        const weak = [...perKind].filter(([, k]) => k.secret && k.hits / k.total < 0.95).map(([kind, k]) => `${kind} ${k.hits}/${k.total}`);
        const falsePositives = [...perKind].filter(([, k]) => !k.secret && k.hits > 0).map(([kind, k]) => `${kind} ${k.hits}/${k.total}`);
        assert.deepEqual(weak, [], "secret kinds detected too rarely");
        assert.deepEqual(falsePositives, [], "benign values flagged");
    });

    it("catches more than the secretlint preset alone, and everything the preset catches", async () => {
        let pack = 0;
        let preset = 0;
        for (const e of corpus.filter((c) => c.secret)) {
            const byPack = (await findPlaintextSecrets(collectStrings({ [e.key]: e.value }))).length > 0;
            const byPreset = (await secretlintBatch([e.value])).size > 0;
            if (byPack) pack++;
            if (byPreset) preset++;
            assert.ok(byPack || !byPreset, `${e.kind}: the preset found it but the pack did not`);
        }
        assert.ok(pack > preset, `pack ${pack} vs preset ${preset}`);
    });
});
