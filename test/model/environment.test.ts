// The environment model, tested as plain data: no Pulumi, no mocks. What the stack builds is decided here.
import * as assert from "assert";
import * as fc from "fast-check";
import * as path from "path";
import { catalogForEnvironment, loadCatalog } from "../../model/catalog";
import { ConfigError, ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { assertValidModel, CANARY_SECRET, planEnvironment } from "../../model/environment";
import { fullSecretName, kubernetesSecretName, roleNames, secretNamePrefixes, secretResourceName, TAG } from "../../model/names";
import { STRATEGIES } from "../../model/strategies";
import { PROJECT_DIR } from "../support/plan-cli";

const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));
const configOf = (env: string) => parseEnvironmentConfig(readStackFile(PROJECT_DIR, env));

describe("the environment model", () => {
    for (const env of ENVIRONMENTS) {
        describe(env, () => {
            const config = configOf(env);
            const model = planEnvironment(config, catalog);
            const view = catalogForEnvironment(catalog, env);

            it("has no problem with the committed config and catalog", () => {
                assert.deepStrictEqual(model.configProblems, []);
                assert.deepStrictEqual(model.catalogProblems, []);
                assert.strictEqual(assertValidModel(model), model);
            });

            it("creates a container for every catalog secret of the environment except RDS-managed ones, named and tagged for it", () => {
                const expected = view.secrets.filter((s) => STRATEGIES[s.rotation.strategy].runner !== "rds").map((s) => s.name);
                assert.deepStrictEqual(model.secrets.filter((s) => !s.slotOf).map((s) => s.entry.name), expected);
                assert.deepStrictEqual(model.rdsManaged.map((s) => s.name), view.secrets.filter((s) => s.rotation.strategy === "rds-managed").map((s) => s.name));
                const prefixes = secretNamePrefixes(env);
                for (const s of model.secrets) {
                    assert.ok(s.fullName.startsWith(prefixes.standard) || s.fullName.startsWith(prefixes.msk), `${s.fullName} is outside ${env}'s prefixes`);
                    assert.strictEqual(s.tags[TAG.environment], env);
                    assert.strictEqual(s.tags[TAG.catalogName], s.entry.name);
                    assert.strictEqual(s.replicated, s.entry.criticality === "critical");
                }
                assert.strictEqual(new Set(model.secrets.map((s) => s.resourceName)).size, model.secrets.length);
            });

            it("gives every MSK client secret exactly two user slots with no consumer", () => {
                const msk = view.secrets.filter((s) => s.kind === "kafka-scram");
                const slots = model.secrets.filter((s) => s.slotOf);
                assert.strictEqual(slots.length, 2 * msk.length);
                for (const m of msk) {
                    assert.deepStrictEqual(slots.filter((s) => s.slotOf === m.name).map((s) => s.entry.name), [`${m.name}/user-a`, `${m.name}/user-b`]);
                }
                for (const s of slots) assert.deepStrictEqual(s.entry.consumers, []);
            });

            it("lets each identity read exactly the secrets that name it as a consumer, and nothing RDS owns", () => {
                for (const id of model.identities) {
                    const expected = view.secrets.filter((s) => s.consumers.includes(id.workload.id) && s.rotation.strategy !== "rds-managed").map((s) => s.name);
                    assert.deepStrictEqual(id.reads, expected, id.workload.id);
                    assert.strictEqual(id.roleName, roleNames.workload(config.namePrefix, id.workload.id));
                }
                assert.deepStrictEqual(model.identities.map((i) => i.workload.id), view.workloads.map((w) => w.id));
            });

            it("wires every Lambda-rotated secret to its strategy's function, under the strategy's name prefix", () => {
                const wired = model.rotations.flatMap((r) => r.secrets.map((s) => ({ ...s, r })));
                const expected = view.secrets.filter((s) => STRATEGIES[s.rotation.strategy].runner === "lambda");
                assert.deepStrictEqual(wired.map((w) => w.name).sort(), expected.map((s) => s.name).sort());
                for (const w of wired) {
                    const entry = view.secrets.find((s) => s.name === w.name)!;
                    assert.strictEqual(w.r.strategy, entry.rotation.strategy);
                    assert.strictEqual(w.days, entry.rotation.days);
                    assert.ok(fullSecretName(env, w.name).startsWith(w.r.secretNamePrefix), `${w.name} is outside ${w.r.secretNamePrefix}`);
                }
            });
        });
    }

    it("reports a missing canary and a resource-name clash together, with file and key", () => {
        const first = catalog.secrets.find((s) => s.environments.includes("dev") && s.rotation.strategy !== "rds-managed")!;
        const broken = {
            workloads: catalog.workloads,
            // The last '/' turned into '.': a different name with the same logical resource name.
            secrets: [...catalog.secrets.filter((s) => s.name !== CANARY_SECRET), { ...first, name: first.name.replace(/\/([^/]*)$/, ".$1"), file: "catalog/extra.yaml" }],
        };
        const model = planEnvironment(configOf("dev"), broken);
        assert.strictEqual(model.catalogProblems.length, 2, model.catalogProblems.join("\n"));
        assert.match(model.catalogProblems[0]!, /^catalog\/extra\.yaml: secret '.+' maps to the resource name '.+' of '.+' \(catalog\/.+\.yaml\); rename one of them\.$/);
        assert.match(model.catalogProblems[1]!, /^catalog\/platform\.yaml: secrets: no secret 'platform\/eso-canary' exists in dev/);
        assert.throws(() => assertValidModel(model), (e: Error) => e.name === "CatalogError" && /eso-canary/.test(e.message));
    });

    it("reports a broken grace rule as a config problem of the stack file", () => {
        const config = configOf("prod");
        const model = planEnvironment({ ...config, rotation: { ...config.rotation, rollout: { ...config.rotation.rollout, longestTaskSeconds: 40 * 86400 } } }, catalog);
        assert.ok(model.configProblems.length > 0);
        for (const p of model.configProblems) {
            assert.strictEqual(p.file, "Pulumi.prod.yaml");
            assert.match(p.key, /finledger:rotation\.rollout/);
        }
        assert.throws(() => assertValidModel(model), ConfigError);
    });
});

describe("name schemes", () => {
    it("map any two different catalog names to different full names, and keep MSK's required prefix", () => {
        const segment = fc.stringMatching(/^[a-z][a-z0-9_-]{0,10}$/);
        const name = fc.tuple(fc.boolean(), fc.array(segment, { minLength: 2, maxLength: 4 })).map(([msk, parts]) => `${msk ? "AmazonMSK_" : ""}${parts.join("/")}`);
        fc.assert(
            fc.property(fc.constantFrom(...ENVIRONMENTS), name, name, (env, a, b) => {
                if (a !== b) assert.notStrictEqual(fullSecretName(env, a), fullSecretName(env, b));
                if (a.startsWith("AmazonMSK_")) assert.ok(fullSecretName(env, a).startsWith(`AmazonMSK_${env}/`));
                else assert.ok(fullSecretName(env, a).startsWith(`${env}/`));
            }),
        );
    });

    it("derive logical and Kubernetes names within their character sets", () => {
        fc.assert(
            fc.property(fc.stringMatching(/^(AmazonMSK_)?[a-z][a-z0-9_./-]{1,60}$/), (n) => {
                assert.match(secretResourceName(n), /^[A-Za-z0-9_-]+$/);
                const k = kubernetesSecretName(n);
                if (k.length > 0) assert.match(k, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
            }),
        );
    });
});
