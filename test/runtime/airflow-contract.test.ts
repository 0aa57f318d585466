// The Secrets Manager path against real software: Airflow 2.11 with the Amazon provider (test venv), moto in server
// mode as Secrets Manager and STS, the backend settings the core components use (built for the payments domain's ids,
// the old task path that tools/bench-task-start.ts compares with) and the airflow_local_settings.py of the dev plan.
// Lookups go through Airflow's own API in a separate Python process. Task files: test/runtime/airflow-files.test.ts.
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { createHash, randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildAirflowBackendEnv, buildAirflowBackendKwargs, managedAirflowIds } from "../../components/airflow";
import { fullSecretName } from "../../model/names";
import { catalogForEnvironment, loadCatalog } from "../../model/catalog";
import { FAKE_AWS_ENV, MotoServer, startMoto, VENV } from "../support/moto";
import { planReport, PROJECT_DIR } from "../support/plan-cli";

const ENV = "dev";
const DOMAIN = "airflow-payments";
const OTHER_DOMAIN = "airflow-fraud";

interface Lookup {
    ms: number;
    calls: string[];
    error: string | null;
    login?: string;
    host?: string;
    password_sha256?: string;
    value_sha256?: string;
}

const sha256 = (v: string) => createHash("sha256").update(v).digest("hex");

describe("Airflow Secrets Manager path: the backend settings in a real Airflow against moto", function () {
    this.timeout(300_000);
    let moto: MotoServer;
    let home: string;
    let baseEnv: NodeJS.ProcessEnv;
    const seeded = new Map<string, string>();
    let managedConnections: string[];
    let managedVariable: string;
    let otherDomainConnection: string;
    let backendEnv: Record<string, string>;

    function probe(input: Record<string, unknown>, extraEnv: Record<string, string> = {}): Record<string, any> {
        const res = spawnSync(path.join(VENV, "bin", "python"), [path.join(PROJECT_DIR, "test", "python", "airflow_contract.py")], {
            env: { ...baseEnv, ...extraEnv, CONTRACT_INPUT: JSON.stringify({ managedConnections, managedVariable, otherDomainConnection, unmanagedConnection: "adhoc_probe", unmanagedVariable: "adhoc_flag", ...input }) },
            encoding: "utf8",
            timeout: 120_000,
        });
        assert.equal(res.status, 0, `airflow_contract.py failed:\n${res.stderr.slice(-4000)}`);
        return JSON.parse(res.stdout.trim().split("\n").pop()!);
    }

    before(async () => {
        const report = planReport(ENV);
        const catalog = catalogForEnvironment(loadCatalog(path.join(PROJECT_DIR, "catalog")), ENV);
        const workload = catalog.workloads.find((w) => w.id === DOMAIN)!;
        const release = report.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as any).chart === "airflow");
        assert.ok(release, `the ${ENV} plan has no Airflow release`);
        const localSettings: string = (release.inputs as any).values.airflowLocalSettings;
        const role = report.resources.find((r) => r.type === "aws:iam/role:Role" && (r.inputs as any).name === `fl-${ENV}-wl-${DOMAIN}`);
        assert.ok(role, `the ${ENV} plan has no role for ${DOMAIN}`);

        const mine = catalog.secrets.filter((s) => s.consumers.includes(DOMAIN));
        const ids = managedAirflowIds(mine.map((s) => s.name));
        const kwargs = buildAirflowBackendKwargs({ environment: ENV, region: "us-east-1", ...ids });
        backendEnv = {
            ...buildAirflowBackendEnv(kwargs),
            AIRFLOW__FINLEDGER__MANAGED_CONNECTIONS_PATTERN: kwargs.connections_lookup_pattern!,
            AIRFLOW__FINLEDGER__MANAGED_VARIABLES_PATTERN: kwargs.variables_lookup_pattern!,
        };
        managedConnections = mine.filter((s) => s.name.startsWith("airflow/connections/")).map((s) => s.name.split("/").pop()!).sort();
        managedVariable = mine.filter((s) => s.name.startsWith("airflow/variables/")).map((s) => s.name.split("/").pop()!)[0];
        otherDomainConnection = catalog.secrets.find((s) => s.consumers.includes(OTHER_DOMAIN) && s.name.startsWith("airflow/connections/"))!.name.split("/").pop()!;
        assert.ok(managedConnections.length >= 2 && managedVariable, `${DOMAIN} needs two managed connections and a variable in ${ENV}`);

        moto = await startMoto();
        // moto keeps one state per account and derives the account from the caller's credentials, so the seeding
        // writes as the same role (same account) that Airflow will assume.
        const fake = { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY };
        const sts = new STSClient({ endpoint: moto.endpoint, region: "us-east-1", credentials: fake });
        const assumed = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: (role.outputs as any).arn, RoleSessionName: "seed", WebIdentityToken: "seed.token.x" }));
        const c = assumed.Credentials!;
        const sm = new SecretsManagerClient({
            endpoint: moto.endpoint,
            region: "us-east-1",
            credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken },
        });
        // Every secret named as the catalog names it; the unmanaged and other-domain ids exist in Secrets Manager too,
        // so a lookup that reached it would succeed: only the lookup pattern keeps Airflow away.
        const seed = async (catalogName: string, value: string) => {
            seeded.set(catalogName, value);
            await sm.send(new CreateSecretCommand({ Name: fullSecretName(ENV, catalogName), SecretString: value }));
        };
        for (const id of [...managedConnections, otherDomainConnection, "adhoc_probe"]) {
            const password = randomBytes(18).toString("base64url");
            await seed(`airflow/connections/${id}`, JSON.stringify({ conn_type: "generic", login: `svc_${id}`, password, host: `${id}.internal.example` }));
        }
        await seed(`airflow/variables/${managedVariable}`, randomBytes(24).toString("base64url"));
        await seed("airflow/variables/adhoc_flag", "on");

        home = fs.mkdtempSync(path.join(os.tmpdir(), "airflow-contract-"));
        fs.mkdirSync(path.join(home, "config"));
        fs.writeFileSync(path.join(home, "config", "airflow_local_settings.py"), localSettings);
        // A projected-token stand-in: moto's STS accepts any token, and the credential chain is the real IRSA one.
        const tokenFile = path.join(home, "token");
        fs.writeFileSync(tokenFile, ["eyJhbGciOiJSUzI1NiJ9", Buffer.from(JSON.stringify({ sub: `system:serviceaccount:${workload.namespace}:${workload.serviceAccount}` })).toString("base64url"), "sig"].join("."));
        const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_") && !k.startsWith("AIRFLOW")));
        baseEnv = {
            ...inherited,
            ...backendEnv,
            AIRFLOW_HOME: home,
            AIRFLOW__CORE__LOAD_EXAMPLES: "False",
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(home, "airflow.db")}`,
            AWS_ROLE_ARN: (role.outputs as any).arn,
            AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
            AWS_ROLE_SESSION_NAME: "airflow-contract",
            AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
            AWS_ENDPOINT_URL_STS: moto.endpoint,
            AWS_DEFAULT_REGION: "us-east-1",
        };
        const started = Date.now();
        const migrate = spawnSync(path.join(VENV, "bin", "airflow"), ["db", "migrate"], { env: baseEnv, encoding: "utf8", timeout: 240_000 });
        assert.equal(migrate.status, 0, `airflow db migrate failed:\n${migrate.stderr.slice(-3000)}`);
        console.log(`      airflow db migrate (sqlite, for the metastore-copy case): ${Date.now() - started} ms`);
    });

    after(async () => {
        await moto?.stop();
        if (home) fs.rmSync(home, { recursive: true, force: true });
    });

    let online: Record<string, Lookup> & { log: string[] };

    it("loads the backend settings: env-specific prefixes, exact lookup patterns, no config lookups", () => {
        const kwargs = JSON.parse(backendEnv.AIRFLOW__SECRETS__BACKEND_KWARGS);
        assert.equal(backendEnv.AIRFLOW__SECRETS__BACKEND, "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend");
        assert.equal(kwargs.connections_prefix, `${ENV}/airflow/connections`);
        assert.equal(kwargs.variables_prefix, `${ENV}/airflow/variables`);
        assert.equal(kwargs.config_prefix, null);
        for (const id of managedConnections) assert.match(id, new RegExp(kwargs.connections_lookup_pattern));
        assert.doesNotMatch(otherDomainConnection, new RegExp(kwargs.connections_lookup_pattern));
    });

    it("resolves a managed connection and variable from Secrets Manager through the workload's IRSA credentials", () => {
        online = probe({ phase: "online" }, { AIRFLOW_CONN_CONTRACT_WARMUP: "generic://warmup@warmup.example" }) as typeof online;
        assert.deepEqual(online.airflow_first_use.calls, [], "the warm-up connection comes from env, not AWS");
        const expected = JSON.parse(seeded.get(`airflow/connections/${managedConnections[0]}`)!);
        const cold = online.managed_cold;
        assert.equal(cold.error, null, `the managed connection did not resolve: ${JSON.stringify(cold)}\n${online.log.join("\n")}`);
        assert.equal(cold.login, expected.login);
        assert.equal(cold.password_sha256, sha256(expected.password));
        // Cold: the web-identity exchange, then the read. Warm: one read, credentials cached in the process.
        assert.deepEqual([...cold.calls].sort(), ["secretsmanager:GetSecretValue", "sts:AssumeRoleWithWebIdentity"]);
        assert.deepEqual(online.managed_warm_same.calls, ["secretsmanager:GetSecretValue"], "Airflow has no task-time cache: every lookup reads");
        assert.deepEqual(online.managed_warm_other.calls, ["secretsmanager:GetSecretValue"]);
        assert.equal(online.variable_first.value_sha256, sha256(seeded.get(`airflow/variables/${managedVariable}`)!));
        assert.deepEqual(online.variable_first.calls, ["secretsmanager:GetSecretValue"]);
    });

    it("never calls Secrets Manager for an id outside the lookup pattern, even one that exists there", () => {
        for (const key of ["unmanaged", "other_domain", "unmanaged_variable"]) {
            assert.deepEqual(online[key].calls, [], `${key} called AWS: ${online[key].calls}`);
            assert.ok(online[key].error, `${key} resolved although nothing outside Secrets Manager defines it`);
        }
        const ms = (l: Lookup) => l.ms.toFixed(1);
        console.log(
            `      lookup cost (local lower bound, moto on loopback): backend load ${(online as any).backend_load_ms} ms, client build ${(online as any).client_build_ms} ms, ` +
                `Airflow first use (env-var connection, no AWS) ${ms(online.airflow_first_use)} ms; ` +
                `connection cold ${ms(online.managed_cold)} ms (STS + GetSecretValue), ` +
                `warm ${ms(online.managed_warm_same)} ms same id / ${ms(online.managed_warm_other)} ms other id; variable ${ms(online.variable_first)} ms then ${ms(online.variable_again)} ms; ` +
                `unmanaged id ${ms(online.unmanaged)} ms (no AWS call)`,
        );
    });

    it("during an outage a managed id fails loudly and no stale env-var or metastore copy is used", async () => {
        await moto.stop();
        const stale = { [`AIRFLOW_CONN_${managedConnections[0].toUpperCase()}`]: "generic://stale-login:stale@stale.example", [`AIRFLOW_VAR_${managedVariable.toUpperCase()}`]: "stale-env-value", AIRFLOW_CONN_ADHOC_PROBE: "generic://adhoc:x@adhoc.example" };
        const outage = probe({ phase: "outage", metastoreCopies: true }, stale) as Record<string, any>;
        assert.equal(outage.managed_outage.error, "AirflowNotFoundException", `a managed connection resolved during the outage: ${JSON.stringify(outage.managed_outage)}`);
        assert.equal(outage.variable_outage.error, "KeyError", `a managed variable resolved during the outage: ${JSON.stringify(outage.variable_outage)}`);
        const log = (outage.log as string[]).join("\n");
        assert.match(log, /Unable to retrieve connection from secrets backend \(SecretsManagerBackend\)/);
        assert.match(log, /is managed by the FinLedger secrets platform; refusing the copy in EnvironmentVariablesBackend/);
        assert.match(log, /is managed by the FinLedger secrets platform; refusing the copy in MetastoreBackend/);
        // Unmanaged ids keep Airflow's normal fall-through, and never touch AWS.
        assert.equal(outage.unmanaged_env_copy.error, null);
        assert.equal(outage.unmanaged_env_copy.login, "adhoc");
        assert.deepEqual(outage.unmanaged_env_copy.calls, []);
        console.log(`      outage: managed connection failed after ${outage.managed_outage.ms.toFixed(0)} ms (boto standard retries, 3 attempts), variable after ${outage.variable_outage.ms.toFixed(0)} ms`);
    });
});
