// Which CI job gets which Snowflake credential: each deploy job the provisioning key of its environment, each PR
// preview job the previewer key of its environment (a login whose role holds no privilege), every other job of every
// workflow none. Each key step runs only when the stack's phase builds the Snowflake layer. The preview key step's
// script runs for real (bash, jq, openssl) against Secrets Manager on moto.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { generateKeyPairSync } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ENVIRONMENTS } from "../../model/config";
import { SNOWFLAKE_IDENTITY_ENV } from "../../model/snowflake-ci-identity";
import { previewerSecretName, provisionerSecretName, SNOWFLAKE_PREVIEWER_SECRET } from "../../model/snowflake-provisioner";
import { writeAwsCliShim } from "../support/aws-cli-shim";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";

const WORKFLOW_DIR = path.resolve(__dirname, "..", "..", ".github", "workflows");
type Step = { id?: string; name?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, unknown> };
type Job = { steps?: Step[]; strategy?: { matrix?: { include?: Array<Record<string, string>> } } };
const jobsOf = (file: string) => YAML.parse(fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8")).jobs as Record<string, Job>;
const PHASE_CONDITION = "steps.phase.outputs.snowflake_layer == 'true'";

/** The Snowflake secret a step reads, with `${STACK}` resolved to the job's environment; undefined if it reads none. */
function keyRead(step: Step, environment: string | undefined): string | undefined {
    const m = /--secret-id "?([^\s"]+)"? /.exec(step.run ?? "");
    if (!m) return undefined;
    return m[1]!.replace("${STACK}", step.env?.STACK === "${{ matrix.environment }}" ? String(environment) : String(step.env?.STACK ?? "${STACK}"));
}

/** Every (workflow, job, environment) and the Snowflake secrets its steps read, and whether they set the key or the identity. */
function credentialsByJob(): Map<string, { reads: string[]; setsKey: boolean; identity?: string; step?: Step; steps: Step[] }> {
    const out = new Map<string, { reads: string[]; setsKey: boolean; identity?: string; step?: Step; steps: Step[] }>();
    for (const file of fs.readdirSync(WORKFLOW_DIR).filter((f) => /\.ya?ml$/.test(f))) {
        for (const [id, job] of Object.entries(jobsOf(file))) {
            const envs = job.strategy?.matrix?.include?.map((m) => m.environment) ?? [undefined];
            for (const environment of envs) {
                const steps = job.steps ?? [];
                const keySteps = steps.filter((s) => /get-secret-value|SNOWFLAKE_PRIVATE_KEY/.test(JSON.stringify(s)));
                const identity = /FINLEDGER_SNOWFLAKE_IDENTITY=(\w+)/.exec(JSON.stringify(steps))?.[1];
                out.set(`${file} ${id}${environment ? ` (${environment})` : ""}`, {
                    reads: keySteps.map((s) => keyRead(s, environment) ?? "?"),
                    setsKey: keySteps.some((s) => (s.run ?? "").includes("SNOWFLAKE_PRIVATE_KEY<<")),
                    identity,
                    step: keySteps[0],
                    steps,
                });
            }
        }
    }
    return out;
}

describe("workflows: which job gets which Snowflake credential", () => {
    const byJob = credentialsByJob();
    const expected = new Map<string, { read: string; identity?: string }>([
        ...ENVIRONMENTS.map((env) => [`deploy.yml deploy-${env}`, { read: provisionerSecretName(env) }] as const),
        ...["dev", "staging"].map((env) => [`pr.yml preview (${env})`, { read: previewerSecretName(env), identity: "previewer" }] as const),
        ["pr.yml preview-prod", { read: previewerSecretName("prod"), identity: "previewer" }] as const,
    ]);

    it("deploy jobs read their environment's provisioning key, PR preview jobs their environment's previewer key, and no other job any secret", () => {
        const actual = [...byJob].filter(([, v]) => v.reads.length > 0).map(([job, v]) => `${job}: ${v.reads.join(", ")}`).sort();
        assert.deepEqual(actual, [...expected].map(([job, v]) => `${job}: ${v.read}`).sort());
        for (const [job, v] of byJob) {
            if (!expected.has(job)) assert.equal(v.identity, undefined, `${job} sets ${SNOWFLAKE_IDENTITY_ENV}`);
        }
    });

    for (const [job, want] of expected) {
        it(`${job}: one key step, after the phase step, run only when the phase builds the Snowflake layer, signing in as ${want.identity ?? "the provisioner (default)"}`, () => {
            const v = byJob.get(job)!;
            assert.equal(v.reads.length, 1);
            assert.ok(v.setsKey, "the step hands the key to the provider as SNOWFLAKE_PRIVATE_KEY");
            assert.equal(v.step!.if, PHASE_CONDITION);
            assert.equal(v.identity, want.identity);
            const phase = v.steps.findIndex((s) => s.id === "phase");
            const creds = v.steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
            const key = v.steps.indexOf(v.step!);
            assert.ok(phase >= 0 && phase < creds && creds < key, "phase step, then the role, then the key step");
            assert.match(String(v.steps[phase]!.run), /^npx tsx tools\/deploy-phase\.ts --stack /);
            if (want.identity === "previewer") assert.doesNotMatch(JSON.stringify(v.steps), /snowflake-provisioner/, "a preview job names the provisioning key");
        });
    }

    it("the check is live: a preview step that read the provisioning key would be listed against the expectation", () => {
        const step: Step = { run: `aws secretsmanager get-secret-value --secret-id "\${STACK}/platform/snowflake-provisioner" --query SecretString`, env: { STACK: "${{ matrix.environment }}" } };
        assert.equal(keyRead(step, "dev"), provisionerSecretName("dev"));
        assert.notEqual(keyRead(step, "dev"), previewerSecretName("dev"));
    });
});

describe("pr.yml: the previewer key step's script, run against Secrets Manager on moto", function () {
    this.timeout(60_000);
    let moto: MotoServer;
    let shimDir: string;
    const step = jobsOf("pr.yml").preview!.steps!.find((s) => (s.run ?? "").includes("SNOWFLAKE_PRIVATE_KEY"))!;

    before(async () => {
        moto = await startMoto();
        shimDir = writeAwsCliShim();
    });
    after(async () => {
        await moto?.stop();
        if (shimDir) fs.rmSync(shimDir, { recursive: true, force: true });
    });

    it("masks every key line, prints nothing else, and hands the previewer key and identity to the next steps", async () => {
        const sm = new SecretsManagerClient({ endpoint: moto.endpoint, region: FAKE_AWS_ENV.AWS_REGION, credentials: { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY } });
        const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
        await sm.send(new CreateSecretCommand({ Name: `staging/${SNOWFLAKE_PREVIEWER_SECRET}`, SecretString: JSON.stringify({ account: "FINLEDGER-STAGING", user: "FL_STAGING_PREVIEWER", privateKey }) }));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sf-preview-env-"));
        const githubEnv = path.join(dir, "github_env");
        fs.writeFileSync(githubEnv, "");
        const r = spawnSync("bash", ["-e", "-c", step.run!], { encoding: "utf8", env: { PATH: `${shimDir}:${process.env.PATH}`, GITHUB_ENV: githubEnv, STACK: "staging", AWS_ENDPOINT_URL: moto.endpoint, ...FAKE_AWS_ENV } });
        const written = fs.readFileSync(githubEnv, "utf8");
        fs.rmSync(dir, { recursive: true, force: true });
        assert.equal(r.status, 0, r.stderr);
        const keyLines = privateKey.trim().split("\n");
        assert.deepEqual(r.stdout.trim().split("\n"), keyLines.map((l) => `::add-mask::${l}`));
        const m = /^SNOWFLAKE_PRIVATE_KEY<<(SNOWFLAKE_KEY_[0-9a-f]{32})\n([\s\S]*)\n\1\nFINLEDGER_SNOWFLAKE_IDENTITY=previewer\n$/.exec(written);
        assert.ok(m, `GITHUB_ENV holds the key heredoc and the identity, found ${written.length} characters in another shape`);
        assert.equal(m[2], privateKey.trim());
    });

    it("fails and writes nothing when the previewer secret does not exist", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sf-preview-env-"));
        const githubEnv = path.join(dir, "github_env");
        fs.writeFileSync(githubEnv, "");
        const r = spawnSync("bash", ["-e", "-c", step.run!], { encoding: "utf8", env: { PATH: `${shimDir}:${process.env.PATH}`, GITHUB_ENV: githubEnv, STACK: "dev", AWS_ENDPOINT_URL: moto.endpoint, ...FAKE_AWS_ENV } });
        const written = fs.readFileSync(githubEnv, "utf8");
        fs.rmSync(dir, { recursive: true, force: true });
        assert.notEqual(r.status, 0);
        assert.equal(written, "");
    });
});
