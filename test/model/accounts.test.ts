// The accounts fixture of the tests matches what the committed stack files declare.
import * as assert from "assert";
import { ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { ACCOUNTS, REGION } from "../support/accounts";
import { PROJECT_DIR } from "../support/plan-cli";

describe("the accounts fixture", () => {
    for (const env of ENVIRONMENTS) {
        it(`has ${env}'s account and region as Pulumi.${env}.yaml declares them`, () => {
            const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, env));
            assert.strictEqual(ACCOUNTS[env], config.accountId);
            assert.strictEqual(REGION, config.region);
        });
    }
});
