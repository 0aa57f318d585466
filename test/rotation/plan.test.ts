// The rotation layer in the offline plan of every environment: every Lambda-rotated catalog secret has exactly one
// SecretRotation on the catalog's schedule with a window, wired to its strategy's function; RDS-managed and
// manual secrets have none; the functions run in the VPC with a role from roleNames and an invoke permission
// limited to the account.
import { LAMBDA_RUNTIME } from "../../functions/bundle";
import * as assert from "assert";
import * as path from "path";
import { roleNames } from "../../model/names";
import { TYPE } from "../../components/tokens";
import { TAG } from "../../model/names";
import { catalogForEnvironment, loadCatalog } from "../../model/catalog";
import { ENVIRONMENTS } from "../../model/config";
import { isLambdaStrategy } from "../../model/strategies";
import { planReport, PROJECT_DIR } from "../support/plan-cli";
import { ACCOUNTS } from "../support/accounts";


describe("rotation in the plan", function () {
    this.timeout(600_000);
    const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));

    for (const env of ENVIRONMENTS) {
        describe(env, () => {
            const resources = () => planReport(env).resources;
            const byUrn = () => new Map(resources().map((r) => [r.urn, r]));
            // Other layers have functions too (the latency probe, the expiry check); these are the rotation ones.
            const rotationFunctions = () => resources().filter((r) => r.type === "aws:lambda/function:Function" && (r.parent ?? "").includes(`::${TYPE.SecretRotation}::`));

            it("rotates every Lambda-rotated catalog secret on the catalog's schedule, and no other secret", () => {
                const secretsByArn = new Map<string, Record<string, string>>();
                for (const r of resources().filter((r) => r.type === "aws:secretsmanager/secret:Secret")) {
                    secretsByArn.set((r.outputs as { arn: string }).arn, (r.inputs as { tags: Record<string, string> }).tags);
                }
                const functionsByArn = new Map(
                    rotationFunctions()
                        .map((r) => [(r.outputs as { arn: string }).arn, (r.inputs as { tags: Record<string, string> }).tags[TAG.rotationStrategy]]),
                );
                const wired = new Map<string, { days: number; duration: string; strategy?: string; immediately: unknown }>();
                for (const r of resources().filter((r) => r.type === "aws:secretsmanager/secretRotation:SecretRotation")) {
                    const i = r.inputs as { secretId: string; rotationLambdaArn: string; rotateImmediately: unknown; rotationRules: { automaticallyAfterDays: number; duration: string } };
                    const tags = secretsByArn.get(i.secretId);
                    assert.ok(tags, `${r.name} rotates ${i.secretId}, which is not a secret of this plan`);
                    const name = tags[TAG.catalogName]!;
                    assert.ok(!wired.has(name), `${name} has two SecretRotations`);
                    wired.set(name, { days: i.rotationRules.automaticallyAfterDays, duration: i.rotationRules.duration, strategy: functionsByArn.get(i.rotationLambdaArn), immediately: i.rotateImmediately });
                }
                const expected = catalogForEnvironment(catalog, env).secrets.filter((s) => isLambdaStrategy(s.rotation.strategy));
                assert.ok(expected.length > 100, `expected the full catalog, got ${expected.length}`);
                for (const s of expected) {
                    const w = wired.get(s.name);
                    assert.ok(w, `${env}: ${s.name} (${s.rotation.strategy}) has no rotation`);
                    assert.strictEqual(w.days, s.rotation.days, `${env}: ${s.name} rotates every ${w.days} days, the catalog says ${s.rotation.days}`);
                    if (s.criticality === "critical") assert.ok(w.days <= 30, `${env}: critical ${s.name} rotates every ${w.days} days`);
                    assert.strictEqual(w.strategy, s.rotation.strategy, `${env}: ${s.name} is wired to the ${w.strategy} function`);
                    assert.match(w.duration, /^\d+h$/, `${env}: ${s.name} has no rotation window`);
                    assert.strictEqual(w.immediately, false, `${env}: ${s.name} would rotate at deploy, before its bootstrap value exists`);
                }
                assert.strictEqual(wired.size, expected.length, `${env}: rotations for secrets that are not Lambda-rotated: ${[...wired.keys()].filter((n) => !expected.some((s) => s.name === n)).join(", ")}`);
            });

            it("runs each function in the VPC under its own role, invocable only by Secrets Manager of this account", () => {
                const account = ACCOUNTS[env];
                const prefix = `fl-${env}`;
                const fns = rotationFunctions();
                assert.deepStrictEqual(fns.map((f) => (f.inputs as { tags: Record<string, string> }).tags[TAG.rotationStrategy]).sort(), ["kafka-scram-alternating-users", "postgres-alternating-users", "snowflake-key-pair", "vendor-api"]);
                const urns = byUrn();
                for (const f of fns) {
                    const i = f.inputs as { runtime: string; vpcConfig: { subnetIds: string[]; securityGroupIds: string[] }; role: string; environment: { variables: Record<string, string> }; s3Key: string; codeSigningConfigArn: string; tags: Record<string, string> };
                    const strategy = i.tags[TAG.rotationStrategy]!;
                    assert.strictEqual(i.runtime, LAMBDA_RUNTIME);
                    assert.ok(i.vpcConfig.subnetIds.length >= 2 && i.vpcConfig.securityGroupIds.length >= 1, `${f.name} is not in the VPC`);
                    assert.strictEqual(i.role, `arn:aws:iam::${account}:role/${roleNames.rotation(prefix, strategy)}`);
                    assert.strictEqual(i.environment.variables.SECRETS_MANAGER_ENDPOINT, "https://secretsmanager.us-east-1.amazonaws.com");
                    // Signed code only (test/cicd/code-signing.test.ts checks the package and the config).
                    assert.match(i.s3Key, /^signed\/[0-9a-f]{64}\//);
                    assert.match(i.codeSigningConfigArn, /^arn:aws:lambda:us-east-1:\d{12}:code-signing-config:csc-[0-9a-f]{17}$/);
                    const parent = urns.get(f.parent!);
                    assert.strictEqual(parent?.type, TYPE.SecretRotation);
                }
                const perms = resources().filter((r) => r.type === "aws:lambda/permission:Permission" && (r.parent ?? "").includes(`::${TYPE.SecretRotation}::`));
                assert.strictEqual(perms.length, fns.length);
                for (const p of perms) {
                    const i = p.inputs as { principal: string; sourceAccount: string; action: string };
                    assert.deepStrictEqual([i.principal, i.sourceAccount, i.action], ["secretsmanager.amazonaws.com", account, "lambda:InvokeFunction"]);
                }
                const endpoints = resources().filter((r) => r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" && (r.inputs as { serviceName: string }).serviceName.endsWith(".secretsmanager"));
                assert.strictEqual(endpoints.length, 1);
                const e = endpoints[0]!.inputs as { serviceName: string; privateDnsEnabled: boolean; vpcEndpointType: string };
                assert.deepStrictEqual([e.serviceName, e.privateDnsEnabled, e.vpcEndpointType], ["com.amazonaws.us-east-1.secretsmanager", true, "Interface"]);
            });

            it("gives each MSK secret two user slots on the environment key, each associated on its own with the environment's cluster", () => {
                const kafka = catalogForEnvironment(catalog, env).secrets.filter((s) => s.rotation.strategy === "kafka-scram-alternating-users");
                const secrets = resources().filter((r) => r.type === "aws:secretsmanager/secret:Secret");
                const slotArns = secrets
                    .filter((r) => /\/user-[ab]$/.test((r.inputs as { name: string }).name))
                    .map((r) => {
                        const i = r.inputs as { name: string; kmsKeyId: string };
                        assert.ok(i.name.startsWith(`AmazonMSK_${env}/`), i.name);
                        assert.match(i.kmsKeyId, new RegExp(`^arn:aws:kms:us-east-1:${ACCOUNTS[env]}:key/`));
                        return (r.outputs as { arn: string }).arn;
                    });
                assert.strictEqual(slotArns.length, kafka.length * 2);
                // One association per slot, so the stack never takes over (or removes) users it does not own.
                assert.strictEqual(resources().filter((r) => r.type === "aws:msk/scramSecretAssociation:ScramSecretAssociation").length, 0);
                const assoc = resources().filter((r) => r.type === "aws:msk/singleScramSecretAssociation:SingleScramSecretAssociation");
                for (const a of assoc) assert.match((a.inputs as { clusterArn: string }).clusterArn, new RegExp(`^arn:aws:kafka:us-east-1:${ACCOUNTS[env]}:cluster/`));
                assert.deepStrictEqual(assoc.map((a) => (a.inputs as { secretArn: string }).secretArn).sort(), [...slotArns].sort());
            });
        });
    }
});
