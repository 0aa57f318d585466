import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, parseEnvironmentConfig, rawConfigFromRuntime, readStackFile, RawStackConfig, toRuntimeConfig } from "../../model/config";
import { PROJECT_DIR } from "../support/plan-cli";

function prodRaw(): RawStackConfig {
    return readStackFile(PROJECT_DIR, "prod");
}

function withValue(raw: RawStackConfig, key: string, value: unknown): RawStackConfig {
    const values: Record<string, unknown> = { ...raw.values };
    if (value === undefined) delete values[key];
    else values[key] = value;
    return { ...raw, values };
}

function problemsOf(fn: () => unknown): string {
    try {
        fn();
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
        return err.message;
    }
    assert.fail("expected a ConfigError");
}

describe("stack config loader", () => {
    for (const env of ["dev", "staging", "prod"]) {
        it(`accepts Pulumi.${env}.yaml and reads it as the ${env} environment`, () => {
            const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, env));
            assert.equal(config.environment, env);
            assert.equal(config.namePrefix, `fl-${env}`);
            assert.match(config.accountId, /^\d{12}$/);
        });
    }

    it("gives each environment its own account", () => {
        const ids = ["dev", "staging", "prod"].map((e) => parseEnvironmentConfig(readStackFile(PROJECT_DIR, e)).accountId);
        assert.equal(new Set(ids).size, 3);
    });

    it("reads the same config back from the Pulumi runtime's string map", () => {
        const raw = prodRaw();
        const { config, secretKeys } = toRuntimeConfig(raw);
        const again = parseEnvironmentConfig(rawConfigFromRuntime(config, (k) => secretKeys.includes(k), "prod"));
        assert.deepEqual(again, parseEnvironmentConfig(raw));
    });

    it("names the file, the key, what was found and what is expected for a malformed account id", () => {
        const msg = problemsOf(() => parseEnvironmentConfig(withValue(prodRaw(), "finledger:accountId", "73649102855")));
        assert.match(msg, /Pulumi\.prod\.yaml: key 'finledger:accountId': found "73649102855"; expected a 12-digit AWS account id/);
    });

    it("reports a missing key", () => {
        const msg = problemsOf(() => parseEnvironmentConfig(withValue(prodRaw(), "finledger:region", undefined)));
        assert.match(msg, /key 'finledger:region': found nothing/);
    });

    it("reports an unknown key with a hint to check the spelling", () => {
        const msg = problemsOf(() => parseEnvironmentConfig(withValue(prodRaw(), "finledger:replicaRegoin", "us-west-2")));
        assert.match(msg, /key 'finledger:replicaRegoin': found an unknown key; expected one of the documented keys/);
    });

    it("reports a malformed nested key with its full path", () => {
        const raw = prodRaw();
        const cluster = { ...(raw.values["finledger:cluster"] as object), oidcIssuer: "http://example.com/id/x" };
        const msg = problemsOf(() => parseEnvironmentConfig(withValue(raw, "finledger:cluster", cluster)));
        assert.match(msg, /key 'finledger:cluster\.oidcIssuer': found "http:\/\/example\.com\/id\/x"; expected the cluster's OIDC issuer URL/);
    });

    it("rejects a stack whose environment is not its own name", () => {
        const raw = { ...prodRaw(), stack: "staging", file: "Pulumi.staging.yaml" };
        assert.match(problemsOf(() => parseEnvironmentConfig(raw)), /key 'finledger:environment': found "prod"; expected the stack's own name 'staging'/);
    });

    it("rejects allowedAccountIds that admit another account", () => {
        const msg = problemsOf(() => parseEnvironmentConfig(withValue(prodRaw(), "aws:allowedAccountIds", ["736491028554", "402817365190"])));
        assert.match(msg, /key 'aws:allowedAccountIds'.*expected exactly the environment's own account \["736491028554"\]/);
    });

    it("rejects a secret-looking key stored in plain text, and accepts it as secure:", () => {
        const plain = withValue(prodRaw(), "finledger:snowflakePassword", ["hunter", "2"].join(""));
        assert.match(problemsOf(() => parseEnvironmentConfig(plain)), /key 'finledger:snowflakePassword': found a plain-text value under a secret-looking key; expected no secret in plain text: store it with 'pulumi config set --secret/);
        const nested = withValue(prodRaw(), "aws:assumeRole", { externalId: "x", sessionToken: ["abc", "def"].join("") });
        assert.match(problemsOf(() => parseEnvironmentConfig(nested)), /key 'aws:assumeRole\.sessionToken': found a plain-text value/);
    });

    it("treats secure: values as placeholders and never reads them", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cfg-"));
        const text = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.prod.yaml"), "utf8") + "  datadog:apiKey:\n    secure: v1:AAAAbm90LWEtcmVhbC1jaXBoZXJ0ZXh0\n";
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), text);
        const raw = readStackFile(dir, "prod");
        assert.equal(raw.values["datadog:apiKey"], "[secure]");
        assert.ok(raw.secureKeys.has("datadog:apiKey"));
        assert.doesNotThrow(() => parseEnvironmentConfig(raw));
        fs.rmSync(dir, { recursive: true });
    });

    it("lists every problem of a file in one error", () => {
        let raw = withValue(prodRaw(), "finledger:region", "mars-1");
        raw = withValue(raw, "finledger:recoveryWindowDays", 90);
        const msg = problemsOf(() => parseEnvironmentConfig(raw));
        assert.match(msg, /finledger:region/);
        assert.match(msg, /finledger:recoveryWindowDays': found 90; expected at most 30 days/);
    });

    it("rejects a missing stack file and a non-awskms secrets provider", () => {
        assert.match(problemsOf(() => readStackFile(PROJECT_DIR, "qa")), /Pulumi\.qa\.yaml: key '\(file\)': found no such file/);
        const raw = { ...prodRaw(), secretsProvider: "passphrase" };
        assert.match(problemsOf(() => parseEnvironmentConfig(raw)), /key 'secretsprovider': found "passphrase"; expected an awskms:\/\/ URL/);
    });
});
