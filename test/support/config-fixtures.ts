import { strict as assert } from "assert";
import { ConfigError, parseEnvironmentConfig, readStackFile, RawStackConfig } from "../../model/config";
import { PROJECT_DIR } from "./plan-cli";

/** A stack file's raw config with one full key (`finledger:audit`) replaced, or removed when the value is undefined. */
export function stackConfigWith(stack: string, key: string, value: unknown): RawStackConfig {
    const raw = readStackFile(PROJECT_DIR, stack);
    const values: Record<string, unknown> = { ...raw.values };
    if (value === undefined) delete values[key];
    else values[key] = value;
    return { ...raw, values };
}

/** The ConfigError message that parsing this raw config produces; fails the test when it parses. */
export function configProblems(raw: RawStackConfig): string {
    try {
        parseEnvironmentConfig(raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
        return err.message;
    }
    assert.fail("the config was accepted");
}
