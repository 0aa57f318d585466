// IAM decisions on the policies the plan generates, for all three environments, simulated with iam-simulate:
// every workload role against every secret of its environment, the same roles against their secrets' twins in the
// other environments, the ESO controller's role, KMS use outside Secrets Manager, and IRSA trust.
import { strict as assert } from "assert";
import * as path from "path";
import { oidcProviderArn, oidcIssuerHost, serviceAccountSubject } from "../../components/workload-identity";
import { roleNames } from "../../model/names";
import { secretsManagerViaService } from "../../components/environment-key";
import { catalogForEnvironment, loadCatalog } from "../../model/catalog";
import { ENVIRONMENTS, EnvironmentConfig, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { PROJECT_DIR } from "../support/plan-cli";
import { simulate, simulateWebIdentity } from "../support/iam-simulator";
import { PlannedRole, plannedEnvironment } from "../support/plan-iam";

const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));
const configs = new Map<string, EnvironmentConfig>(ENVIRONMENTS.map((e) => [e, parseEnvironmentConfig(readStackFile(PROJECT_DIR, e))]));
const counts = { secretReads: 0, kms: 0, crossEnvironment: 0, controller: 0, trust: 0, replicaReads: 0 };


function workloadRole(env: string, workloadId: string) {
    const name = roleNames.workload(configs.get(env)!.namePrefix, workloadId);
    const role = plannedEnvironment(env).roles.get(name);
    assert.ok(role, `the ${env} plan has no role ${name} for workload ${workloadId}`);
    return role;
}

async function kmsDecrypt(env: string, role: PlannedRole, keyEnv: string, viaService?: string) {
    const target = plannedEnvironment(keyEnv);
    counts.kms++;
    return simulate({ failOnIgnoredContext: true, 
        principal: role.arn,
        action: "kms:Decrypt",
        resource: target.environmentKey.arn,
        resourceAccount: target.accountId,
        identityPolicies: role.identityPolicies,
        resourcePolicy: target.environmentKey.policy,
        context: viaService ? { "kms:ViaService": viaService } : {},
    });
}

async function getSecretValue(env: string, role: PlannedRole, secret: { arn: string; policy: any }, secretEnv: string) {
    return simulate({ failOnIgnoredContext: true, 
        principal: role.arn,
        action: "secretsmanager:GetSecretValue",
        resource: secret.arn,
        resourceAccount: plannedEnvironment(secretEnv).accountId,
        identityPolicies: role.identityPolicies,
        resourcePolicy: secret.policy,
    });
}

describe("IAM simulation of the planned workload roles", function () {
    this.timeout(600_000);

    after(() => {
        const total = Object.values(counts).reduce((a, b) => a + b, 0);
        console.log(`      IAM decisions checked: ${total} (secret reads ${counts.secretReads}, replica reads ${counts.replicaReads}, KMS ${counts.kms}, cross-environment ${counts.crossEnvironment}, ESO controller ${counts.controller}, trust ${counts.trust})`);
    });

    for (const env of ENVIRONMENTS) {
        it(`${env}: each workload reads exactly the ${env} secrets the catalog lists it as consumer of, with KMS only through Secrets Manager`, async () => {
            const view = catalogForEnvironment(catalog, env);
            const p = plannedEnvironment(env);
            const consumersOf = new Map(view.secrets.map((s) => [s.name, new Set(s.consumers)]));
            const mismatches: string[] = [];
            for (const w of view.workloads) {
                const role = workloadRole(env, w.id);
                const viaSm = await kmsDecrypt(env, role, env, secretsManagerViaService(configs.get(env)!.region));
                const direct = await kmsDecrypt(env, role, env);
                const viaS3 = await kmsDecrypt(env, role, env, `s3.${configs.get(env)!.region}.amazonaws.com`);
                if (direct !== "ExplicitlyDenied") mismatches.push(`${w.id}: kms:Decrypt outside Secrets Manager was ${direct}, not ExplicitlyDenied by the key policy`);
                if (viaS3 !== "ExplicitlyDenied") mismatches.push(`${w.id}: kms:Decrypt via S3 was ${viaS3}`);
                let grants = 0;
                for (const secret of p.secrets) {
                    const expected = consumersOf.get(secret.catalogName)?.has(w.id) ?? false;
                    const gsv = await getSecretValue(env, role, secret, env);
                    counts.secretReads++;
                    const canRead = gsv === "Allowed" && viaSm === "Allowed";
                    if (expected) grants++;
                    if (canRead !== expected) mismatches.push(`${w.id} on ${secret.name}: GetSecretValue ${gsv}, kms:Decrypt via SM ${viaSm}; expected ${expected ? "allowed" : "denied"}`);
                }
                // Decrypt through Secrets Manager is allowed exactly for roles that read something.
                if ((viaSm === "Allowed") !== grants > 0) mismatches.push(`${w.id}: kms:Decrypt via Secrets Manager ${viaSm} with ${grants} grants`);
            }
            assert.deepEqual(mismatches, []);
        });
    }

    it("prod failover: consumers read the replicas of replicated secrets with the replica key, and nobody else does", async () => {
        const env = "prod";
        const p = plannedEnvironment(env);
        const replicaKey = p.replicaKey!;
        assert.ok(replicaKey, "the prod plan has no replica key");
        const view = catalogForEnvironment(catalog, env);
        const replicated = p.secrets.filter((s) => s.replicaArn);
        assert.ok(replicated.length > 50, `only ${replicated.length} replicated secrets`);
        const mismatches: string[] = [];
        for (const w of view.workloads) {
            const role = workloadRole(env, w.id);
            counts.kms += 2;
            const base = { principal: role.arn, resourceAccount: p.accountId, identityPolicies: role.identityPolicies };
            const kms = await simulate({ failOnIgnoredContext: true,  ...base, action: "kms:Decrypt", resource: replicaKey.arn, resourcePolicy: replicaKey.policy, context: { "kms:ViaService": secretsManagerViaService(replicaKey.region) } });
            const kmsPrimaryVia = await simulate({ failOnIgnoredContext: true,  ...base, action: "kms:Decrypt", resource: replicaKey.arn, resourcePolicy: replicaKey.policy, context: { "kms:ViaService": secretsManagerViaService(configs.get(env)!.region) } });
            if (kmsPrimaryVia !== "ExplicitlyDenied") mismatches.push(`${w.id}: replica key used via the primary region's Secrets Manager: ${kmsPrimaryVia}`);
            for (const secret of replicated) {
                counts.replicaReads++;
                // MSK user slots (rotation layer) are not catalog entries and have no consumer: nobody may read them.
                const expected = (view.secrets.find((s) => s.name === secret.catalogName)?.consumers ?? []).includes(w.id);
                const gsv = await simulate({ failOnIgnoredContext: true,  ...base, action: "secretsmanager:GetSecretValue", resource: secret.replicaArn!, resourcePolicy: secret.policy });
                const canRead = gsv === "Allowed" && kms === "Allowed";
                if (canRead !== expected) mismatches.push(`${w.id} on replica ${secret.replicaArn}: GetSecretValue ${gsv}, replica kms ${kms}; expected ${expected}`);
            }
        }
        assert.deepEqual(mismatches, []);
    });

    it("no workload role reads its secrets' twins in another environment, nor decrypts with another environment's key", async () => {
        const mismatches: string[] = [];
        for (const env of ENVIRONMENTS) {
            const view = catalogForEnvironment(catalog, env);
            for (const w of view.workloads) {
                const role = workloadRole(env, w.id);
                const mine = new Set(view.secrets.filter((s) => s.consumers.includes(w.id)).map((s) => s.name));
                for (const other of ENVIRONMENTS.filter((e) => e !== env)) {
                    const kms = await kmsDecrypt(env, role, other, secretsManagerViaService(configs.get(other)!.region));
                    if (kms === "Allowed") mismatches.push(`${env} ${w.id} may decrypt with the ${other} key`);
                    for (const twin of plannedEnvironment(other).secrets.filter((s) => mine.has(s.catalogName))) {
                        counts.crossEnvironment++;
                        const d = await getSecretValue(env, role, twin, other);
                        if (d === "Allowed") mismatches.push(`${env} ${w.id} may read ${twin.name} in ${other}`);
                    }
                }
            }
        }
        assert.ok(counts.crossEnvironment > 500, `only ${counts.crossEnvironment} cross-environment pairs were checked`);
        assert.deepEqual(mismatches, []);
    });

    it("the ESO controller's own role reads no secret and decrypts nothing, in every environment", async () => {
        const mismatches: string[] = [];
        for (const env of ENVIRONMENTS) {
            const role = plannedEnvironment(env).roles.get(roleNames.esoController(configs.get(env)!.namePrefix));
            assert.ok(role, `the ${env} plan has no ESO controller role`);
            for (const secret of plannedEnvironment(env).secrets) {
                counts.controller++;
                const d = await getSecretValue(env, role, secret, env);
                if (d !== "ExplicitlyDenied") mismatches.push(`${env} controller on ${secret.name}: ${d}`);
            }
            const kms = await kmsDecrypt(env, role, env, secretsManagerViaService(configs.get(env)!.region));
            if (kms !== "ExplicitlyDenied") mismatches.push(`${env} controller kms:Decrypt via Secrets Manager: ${kms}`);
        }
        assert.deepEqual(mismatches, []);
    });

    it("negative controls: the same checks flag a widened read policy and a wildcard trust", async () => {
        const env = "prod";
        const payments = workloadRole(env, "airflow-payments");
        const fraudOnly = plannedEnvironment(env).secrets.find((s) => s.catalogName === "airflow/connections/snowflake_fraud")!;
        assert.equal(await getSecretValue(env, payments, fraudOnly, env), "ImplicitlyDenied");
        const widened: PlannedRole = { ...payments, identityPolicies: [...payments.identityPolicies, { name: "widened", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: fraudOnly.arn }] } }] };
        assert.equal(await getSecretValue(env, widened, fraudOnly, env), "Allowed");

        const config = configs.get(env)!;
        const host = oidcIssuerHost(config.cluster.oidcIssuer);
        const loose = JSON.parse(JSON.stringify(payments.trust));
        loose.Statement[0].Condition = { StringLike: { [`${host}:sub`]: "system:serviceaccount:*:payments-tasks" } };
        const otherNamespace = { [`${host}:sub`]: serviceAccountSubject("airflow-fraud", "payments-tasks"), [`${host}:aud`]: "sts.amazonaws.com" };
        const provider = oidcProviderArn(config.accountId, config.cluster.oidcIssuer);
        assert.notEqual(await simulateWebIdentity(provider, payments, otherNamespace), "Allowed");
        assert.equal(await simulateWebIdentity(provider, { ...payments, trust: loose }, otherNamespace), "Allowed");
    });

    it("only the workload's own service account on its own environment's cluster can assume its role", async () => {
        const mismatches: string[] = [];
        for (const env of ENVIRONMENTS) {
            const config = configs.get(env)!;
            const host = oidcIssuerHost(config.cluster.oidcIssuer);
            const provider = oidcProviderArn(config.accountId, config.cluster.oidcIssuer);
            const claims = (ns: string, sa: string, aud = "sts.amazonaws.com", h = host) => ({ [`${h}:sub`]: serviceAccountSubject(ns, sa), [`${h}:aud`]: aud });
            for (const w of catalogForEnvironment(catalog, env).workloads) {
                const role = workloadRole(env, w.id);
                const check = async (label: string, providerArn: string, c: Record<string, string>, expected: string) => {
                    counts.trust++;
                    const d = await simulateWebIdentity(providerArn, role, c);
                    if ((d === "Allowed") !== (expected === "Allowed")) mismatches.push(`${env} ${w.id} ${label}: ${d}, expected ${expected}`);
                };
                await check("own service account", provider, claims(w.namespace, w.serviceAccount), "Allowed");
                await check("same name in another namespace", provider, claims(`${w.namespace}-other`, w.serviceAccount), "Denied");
                await check("another service account in its namespace", provider, claims(w.namespace, `${w.serviceAccount}-x`), "Denied");
                await check("token for another audience", provider, claims(w.namespace, w.serviceAccount, "sigstore"), "Denied");
                for (const other of ENVIRONMENTS.filter((e) => e !== env)) {
                    const oc = configs.get(other)!;
                    // The same namespace and service account exist on every cluster: only the issuer tells them apart.
                    await check(`${other} cluster`, oidcProviderArn(oc.accountId, oc.cluster.oidcIssuer), claims(w.namespace, w.serviceAccount, "sts.amazonaws.com", oidcIssuerHost(oc.cluster.oidcIssuer)), "Denied");
                }
            }
        }
        assert.deepEqual(mismatches, []);
    });
});
