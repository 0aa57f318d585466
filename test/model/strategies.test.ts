// One descriptor per rotation strategy: everything derived from it agrees, and a strategy that is only half added
// (no handler, no bundle, no documentation) fails here.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { FUNCTION_ENTRIES } from "../../functions/bundle";
import { SECRET_KINDS } from "../../model/catalog";
import { AUTOMATED_STRATEGIES, CRITICAL_STRATEGIES, LAMBDA_STRATEGIES, lambdaHandlerPath, ROTATION_STRATEGIES, STRATEGIES, strategiesForKind } from "../../model/strategies";
import { PROJECT_DIR } from "../support/plan-cli";

const rotationDoc = fs.readFileSync(path.join(PROJECT_DIR, "docs", "rotation.md"), "utf8");

describe("rotation strategy descriptors", () => {
    it("give every kind at least one strategy and name only kinds the catalog knows", () => {
        for (const kind of SECRET_KINDS) assert.ok(strategiesForKind(kind).length > 0, `kind ${kind} has no strategy`);
        for (const id of ROTATION_STRATEGIES) {
            for (const kind of STRATEGIES[id].kinds) assert.ok((SECRET_KINDS as readonly string[]).includes(kind), `${id} names unknown kind ${kind}`);
        }
    });

    it("count as automated exactly the strategies a Lambda or RDS runs, and accept assisted ones for critical secrets too", () => {
        assert.deepStrictEqual([...AUTOMATED_STRATEGIES].sort(), ROTATION_STRATEGIES.filter((s) => STRATEGIES[s].runner === "lambda" || STRATEGIES[s].runner === "rds").sort());
        assert.ok(!AUTOMATED_STRATEGIES.has("manual"));
        assert.deepStrictEqual([...CRITICAL_STRATEGIES].sort(), ROTATION_STRATEGIES.filter((s) => STRATEGIES[s].runner !== "person").sort());
        assert.ok(CRITICAL_STRATEGIES.has("assisted") && !AUTOMATED_STRATEGIES.has("assisted"));
    });

    for (const id of LAMBDA_STRATEGIES) {
        it(`${id}: has a handler that exports 'handler' and a bundle entry`, () => {
            const handler = path.join(PROJECT_DIR, lambdaHandlerPath(id));
            assert.ok(fs.existsSync(handler), `${lambdaHandlerPath(id)} is missing`);
            assert.match(fs.readFileSync(handler, "utf8"), /export const handler\b|export (async )?function handler\b/, `${lambdaHandlerPath(id)} exports no handler`);
            assert.strictEqual(FUNCTION_ENTRIES[id], lambdaHandlerPath(id));
        });
    }

    for (const id of ROTATION_STRATEGIES) {
        it(`${id}: is documented step by step in docs/rotation.md`, () => {
            const section = rotationDoc.slice(rotationDoc.indexOf("## Strategies, step by step"), rotationDoc.indexOf("## Add a strategy"));
            assert.match(section, new RegExp(`^### .*\\(\`${id}\`\\)\\s*$`, "m"), `no '### ... (\`${id}\`)' heading under "Strategies, step by step"`);
        });
    }

    it("the documentation lists the steps of adding a strategy", () => {
        assert.match(rotationDoc, /^## Add a strategy$/m);
        for (const file of ["model/strategies.ts", "functions/rotation/handlers/<id>.ts", "stacks/rotation.ts", "test/model/strategies.test.ts"]) assert.ok(rotationDoc.includes(file), `"Add a strategy" does not mention ${file}`);
    });
});
