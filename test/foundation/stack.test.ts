import { strict as assert } from "assert";
import * as path from "path";
import { fullSecretName } from "../../model/names";
import { TYPE } from "../../components/tokens";
import { catalogForEnvironment, loadCatalog } from "../../model/catalog";
import { ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { planReport, PROJECT_DIR } from "../support/plan-cli";

const configs = Object.fromEntries(ENVIRONMENTS.map((e) => [e, parseEnvironmentConfig(readStackFile(PROJECT_DIR, e))]));
const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));

for (const env of ENVIRONMENTS) {
    describe(`the ${env} stack program under mocks`, () => {
        const config = configs[env];
        const report = () => planReport(env);
        const secretsOf = () => report().resources.filter((r) => r.type === "aws:secretsmanager/secret:Secret");

        it("creates one secret for every catalog entry of the environment that Pulumi owns", () => {
            const expected = catalogForEnvironment(catalog, env).secrets.filter((s) => s.rotation.strategy !== "rds-managed");
            // Plus the rotation layer's two MSK user slots per SCRAM secret (docs/rotation.md), which MSK reads.
            const slots = expected.filter((s) => s.rotation.strategy === "kafka-scram-alternating-users").flatMap((s) => ["a", "b"].map((x) => `${fullSecretName(env, s.name)}/user-${x}`));
            const names = secretsOf().map((r) => r.inputs.name as string).sort();
            assert.deepEqual(names, [...expected.map((s) => fullSecretName(env, s.name)), ...slots].sort());
            assert.ok(names.length >= 150);
        });

        it("encrypts every secret with the environment's own key in its own account", () => {
            // The environment key only; the deploy-access layer adds the Pulumi state key, which encrypts no secret.
            const keys = report().resources.filter((r) => r.type === "aws:kms/key:Key" && (r.parent ?? "").includes(`::${TYPE.EnvironmentKey}::`));
            assert.equal(keys.length, 1);
            const keyArn = keys[0].outputs.arn as string;
            assert.match(keyArn, new RegExp(`^arn:aws:kms:${config.region}:${config.accountId}:key/`));
            for (const s of secretsOf()) assert.equal(s.inputs.kmsKeyId, keyArn, `${s.inputs.name} is not on the environment key`);
        });

        it("tags and names every secret with its environment", () => {
            for (const s of secretsOf()) {
                assert.equal((s.inputs.tags as Record<string, string>).environment, env);
                assert.match(s.inputs.name as string, new RegExp(`^(AmazonMSK_)?${env}/`));
            }
        });

        it("contains no account id, ARN, name prefix or OIDC issuer of another environment anywhere in the plan", () => {
            const text = JSON.stringify(report());
            for (const other of ENVIRONMENTS.filter((e) => e !== env)) {
                const o = configs[other];
                assert.ok(!text.includes(o.accountId), `account of ${other} found in ${env}`);
                assert.ok(!text.includes(`${o.namePrefix}-`), `prefix ${o.namePrefix} found in ${env}`);
                assert.ok(!text.includes(o.cluster.oidcIssuer.split("/id/")[1]), `OIDC issuer of ${other} found in ${env}`);
                assert.ok(!new RegExp(`"(AmazonMSK_)?${other}/`).test(text), `secret path of ${other} found in ${env}`);
            }
            const arns = text.match(/arn:aws:[a-z0-9-]+:[a-z0-9-]*:\d{12}/g) ?? [];
            assert.ok(arns.length > 0);
            for (const arn of arns) assert.ok(arn.endsWith(config.accountId), `foreign ARN ${arn}`);
        });

        it("replicates exactly the critical secrets to the replica region", () => {
            for (const s of secretsOf()) {
                const critical = (s.inputs.tags as Record<string, string>).criticality === "critical";
                const replicas = (s.inputs.replicas as Array<{ region: string }> | undefined) ?? [];
                assert.deepEqual(replicas.map((r) => r.region), critical ? [config.replicaRegion] : [], String(s.inputs.name));
            }
        });

        it("reports no mandatory policy violation", () => {
            assert.deepEqual(report().violations.filter((v) => v.level === "mandatory"), []);
        });
    });
}
