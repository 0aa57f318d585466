// No secret is wired to a strategy that cannot succeed, derived from the catalog, the strategy descriptors, the
// vendor facts (model/vendors.ts) and the adapter registry the vendor-api Lambda uses.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadCatalog } from "../../model/catalog";
import { CRITICAL_STRATEGIES, isLambdaStrategy, lambdaHandlerPath, STRATEGIES } from "../../model/strategies";
import { VENDOR_IDS, VENDORS } from "../../model/vendors";
import { vendorAdapters } from "../../functions/rotation/strategies/vendor-adapters";
import { PROJECT_DIR } from "../support/plan-cli";

describe("every catalog secret's rotation can succeed", () => {
    const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));
    const adapters = vendorAdapters();

    it("has an adapter for exactly the vendors that document a token API", () => {
        const withApi = VENDOR_IDS.filter((v) => VENDORS[v].tokenApi).sort();
        assert.deepStrictEqual(Object.keys(adapters).sort(), withApi);
        for (const [id, a] of Object.entries(adapters)) assert.strictEqual(a.vendor, id);
    });

    it("wires every vendor-api secret to a vendor with an adapter, and every vendor without one to assisted or manual", () => {
        const wrong: string[] = [];
        for (const s of catalog.secrets) {
            if (s.rotation.strategy === "vendor-api" && !(s.vendor && Object.hasOwn(adapters, s.vendor))) wrong.push(`${s.name}: vendor-api, but vendor '${s.vendor}' has no adapter`);
            if (s.vendor && !VENDORS[s.vendor].tokenApi && s.rotation.strategy !== "assisted" && s.rotation.strategy !== "manual") wrong.push(`${s.name}: ${s.vendor} has no token API but rotates ${s.rotation.strategy}`);
        }
        assert.deepStrictEqual(wrong, []);
        // The catalog really exercises both paths.
        assert.ok(catalog.secrets.some((s) => s.rotation.strategy === "vendor-api"));
        assert.ok(catalog.secrets.some((s) => s.rotation.strategy === "assisted"));
    });

    it("gives every Lambda strategy in use a handler file", () => {
        for (const strategy of new Set(catalog.secrets.map((s) => s.rotation.strategy))) {
            if (isLambdaStrategy(strategy)) assert.ok(fs.existsSync(path.join(PROJECT_DIR, lambdaHandlerPath(strategy))), `${strategy} has no handler`);
        }
    });

    it("rotates every critical secret automatically or assisted, within 30 days, with a contact for the assisted ones", () => {
        const contacts = new Map((catalog.teams ?? []).map((t) => [t.id, t.contact]));
        const critical = catalog.secrets.filter((s) => s.criticality === "critical");
        assert.ok(critical.length > 0);
        for (const s of critical) {
            assert.ok(CRITICAL_STRATEGIES.has(s.rotation.strategy), `${s.name} rotates ${s.rotation.strategy}`);
            assert.ok(s.rotation.days <= 30, `${s.name} rotates every ${s.rotation.days} days`);
            if (STRATEGIES[s.rotation.strategy].runner === "assisted") assert.ok(contacts.get(s.owner), `${s.name}: owner ${s.owner} has no contact`);
        }
    });

    it("runs the protocol fault tests for every adapter", () => {
        const faults = fs.readFileSync(path.join(PROJECT_DIR, "test", "rotation", "faults.test.ts"), "utf8");
        for (const vendor of Object.keys(adapters)) assert.ok(faults.includes(`"vendor-api (${vendor})"`), `faults.test.ts does not run ${vendor}`);
    });
});
