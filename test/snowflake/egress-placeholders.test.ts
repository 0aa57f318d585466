// The stack files' Snowflake egress CIDRs are documentation placeholders (RFC 5737) until someone fills in the NAT
// gateways' addresses. The offline plan accepts them; preflight calls them wrong, with the key and the fix, in any
// phase that builds the Snowflake network policy, and lets the foundation phase pass.
import { strict as assert } from "assert";
import { ENVIRONMENTS, EnvironmentConfig, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { documentationCidrs, isDocumentationCidr } from "../../model/documentation-cidrs";
import { snowflakeEgressCidrs } from "../../tools/preflight/checks";
import { PROJECT_DIR, planReport } from "../support/plan-cli";

const configOf = (env: string): EnvironmentConfig => parseEnvironmentConfig(readStackFile(PROJECT_DIR, env));
const withCidrs = (config: EnvironmentConfig, cidrs: string[]): EnvironmentConfig => ({ ...config, snowflake: { ...config.snowflake, allowedIpCidrs: cidrs } });

describe("Snowflake egress CIDRs: documentation placeholders are named, not deployed", () => {
    it("recognises the RFC 5737 and RFC 3849 ranges and nothing next to them", () => {
        for (const cidr of ["192.0.2.11/32", "198.51.100.0/24", "203.0.113.9/32", "2001:db8::1/128", "2001:DB8:10::/48"]) assert.ok(isDocumentationCidr(cidr), cidr);
        for (const cidr of ["192.0.3.1/32", "198.51.101.7/32", "203.0.112.0/24", "192.0.0.0/16", "52.2.90.7/32", "10.0.0.0/8", "2001:db9::/32", "2001::/16"]) assert.ok(!isDocumentationCidr(cidr), cidr);
        assert.deepEqual(documentationCidrs(["52.2.90.7/32", "203.0.113.8/32"]), ["203.0.113.8/32"]);
    });

    for (const env of ENVIRONMENTS) {
        it(`${env}: the stack file ships placeholders, and preflight in phase full calls them wrong with the file, key and fix`, () => {
            const config = configOf(env);
            assert.equal(config.phase, "full");
            assert.ok(documentationCidrs(config.snowflake.allowedIpCidrs).length > 0, `Pulumi.${env}.yaml lists real-looking CIDRs; if they are real, drop this test's expectation`);
            const r = snowflakeEgressCidrs(config);
            assert.equal(r.status, "wrong");
            assert.match(r.detail, new RegExp(`Pulumi\\.${env}\\.yaml finledger:snowflake\\.allowedIpCidrs holds documentation placeholders`));
            assert.match(r.fix ?? "", /^placeholder, fill in: .*NAT gateways.*describe-nat-gateways/);
        });
    }

    it("passes the foundation phase, which builds no network policy, and names the placeholders to fill in before full", () => {
        const r = snowflakeEgressCidrs({ ...configOf("prod"), phase: "foundation" });
        assert.equal(r.status, "found");
        assert.match(r.detail, /fill them in before phase full/);
    });

    it("finds real egress CIDRs in phase full", () => {
        const r = snowflakeEgressCidrs(withCidrs(configOf("prod"), ["52.2.90.7/32", "52.2.90.8/32"]));
        assert.equal(r.status, "found");
    });

    it("the offline plan of dev still passes with the placeholders (no mandatory violation)", function () {
        this.timeout(120_000);
        const report = planReport("dev");
        assert.deepEqual(report.violations.filter((v) => v.level === "mandatory"), []);
        assert.ok(report.resources.some((r) => r.type === "snowflake:index/networkPolicy:NetworkPolicy"));
    });
});
