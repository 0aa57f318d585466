// The deploy jobs' Snowflake key step: where it sits in deploy.yml, that nothing else reads the key, and what the
// script does when run for real (bash, jq, openssl) against Secrets Manager on moto: every key line masked before use,
// the key reaching SNOWFLAKE_PRIVATE_KEY through $GITHUB_ENV and never stdout, and nothing written when it fails.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { generateKeyPairSync } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ENVIRONMENTS } from "../../model/config";
import { provisionerSecretName } from "../../model/snowflake-provisioner";
import { writeAwsCliShim } from "../support/aws-cli-shim";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";

const WORKFLOW_DIR = path.resolve(__dirname, "..", "..", ".github", "workflows");
const workflow = (file: string) => YAML.parse(fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8"));
type Step = { name?: string; uses?: string; run?: string; env?: Record<string, unknown>; with?: Record<string, unknown> };

const ENV_VAR = "SNOWFLAKE_PRIVATE_KEY";
const isKeyStep = (s: Step) => typeof s.run === "string" && s.run.includes(ENV_VAR);

function keyStepOf(env: string): { steps: Step[]; index: number } {
    const steps: Step[] = workflow("deploy.yml").jobs[`deploy-${env}`].steps;
    const found = steps.map((s, i) => (isKeyStep(s) ? i : -1)).filter((i) => i >= 0);
    assert.equal(found.length, 1, `deploy-${env} has exactly one step that sets ${ENV_VAR}`);
    return { steps, index: found[0] };
}

describe("deploy.yml: the Snowflake provisioning key step", () => {
    for (const env of ENVIRONMENTS) {
        it(`deploy-${env} fetches ${provisionerSecretName(env)} after assuming its role, with only preflight before pulumi up`, () => {
            const { steps, index } = keyStepOf(env);
            const creds = steps.findIndex((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
            const up = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@") && s.with?.command === "up");
            assert.ok(creds >= 0 && creds < index, "the key is fetched with the deploy role's OIDC session, so after it is assumed");
            // Preflight must stay right before up (test/cicd/workflow-pins.test.ts); it is the only step in between.
            assert.deepEqual(steps.slice(index + 1, up).map((s) => s.run), [`npm run preflight -- --stack ${env}`], "only preflight runs between the key step and pulumi up");
            const run = steps[index].run!;
            assert.match(run, new RegExp(`--secret-id ${provisionerSecretName(env)} `));
            for (const other of ENVIRONMENTS.filter((o) => o !== env)) assert.ok(!run.includes(provisionerSecretName(other)), `deploy-${env} names ${other}'s key`);
            assert.equal(steps[index].env, undefined, "the step takes no env (no secrets expression)");
        });
    }

    it("no other job of deploy.yml, no job of build-image.yml and no job of pr.yml but the previewer key step reads a secret value or sets the key", () => {
        const offenders: string[] = [];
        for (const file of ["deploy.yml", "pr.yml", "build-image.yml"]) {
            for (const [id, job] of Object.entries<any>(workflow(file).jobs)) {
                (job.steps ?? []).forEach((s: Step, n: number) => {
                    const text = JSON.stringify(s);
                    const reads = /get-secret-value|snowflake-provisioner|SNOWFLAKE_PRIVATE_KEY/i.test(text);
                    // The preview jobs' previewer key step is the other exception (test/cicd/snowflake-keys-by-job.test.ts).
                    const previewerStep = file === "pr.yml" && /^preview(-prod)?$/.test(id) && isKeyStep(s) && !/snowflake-provisioner/.test(text);
                    const allowed = (file === "deploy.yml" && /^deploy-(dev|staging|prod)$/.test(id) && isKeyStep(s)) || previewerStep;
                    if (reads && !allowed) offenders.push(`${file} jobs.${id}.steps[${n}]`);
                });
            }
        }
        assert.deepEqual(offenders, []);
    });
});

describe("deploy.yml: the key step's script, run against Secrets Manager on moto", function () {
    this.timeout(60_000);
    let moto: MotoServer;
    let shimDir: string;
    let sm: SecretsManagerClient;
    const { run } = keyStepOf("dev").steps[keyStepOf("dev").index] as { run: string };

    before(async () => {
        moto = await startMoto();
        sm = new SecretsManagerClient({ endpoint: moto.endpoint, region: FAKE_AWS_ENV.AWS_REGION, credentials: { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY } });
        shimDir = writeAwsCliShim();
    });
    after(async () => {
        await moto?.stop();
        if (shimDir) fs.rmSync(shimDir, { recursive: true, force: true });
    });

    function runStep(): { status: number | null; stdout: string; stderr: string; githubEnv: string } {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sf-key-env-"));
        const githubEnv = path.join(dir, "github_env");
        fs.writeFileSync(githubEnv, "");
        const r = spawnSync("bash", ["-e", "-c", run], {
            encoding: "utf8",
            env: { PATH: `${shimDir}:${process.env.PATH}`, GITHUB_ENV: githubEnv, AWS_ENDPOINT_URL: moto.endpoint, ...FAKE_AWS_ENV },
        });
        const out = { status: r.status, stdout: r.stdout, stderr: r.stderr, githubEnv: fs.readFileSync(githubEnv, "utf8") };
        fs.rmSync(dir, { recursive: true, force: true });
        return out;
    }

    it("masks every line of the key, prints nothing else, and hands the exact key to the next step as SNOWFLAKE_PRIVATE_KEY", async () => {
        const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
        const value = { account: "FINLEDGER-DEV", user: "FL_DEV_PROVISIONER", role: "FL_DEV_PROVISIONER", privateKey };
        await sm.send(new CreateSecretCommand({ Name: provisionerSecretName("dev"), SecretString: JSON.stringify(value) }));
        const r = runStep();
        assert.equal(r.status, 0, r.stderr);
        const keyLines = privateKey.trim().split("\n");
        const printed = r.stdout.trim().split("\n");
        assert.deepEqual(printed, keyLines.map((l) => `::add-mask::${l}`), "stdout carries only the mask commands, one per key line");
        assert.ok(!keyLines.slice(1, -1).some((l) => r.stderr.includes(l)), "no key line on stderr");
        const m = /^SNOWFLAKE_PRIVATE_KEY<<(SNOWFLAKE_KEY_[0-9a-f]{32})\n([\s\S]*)\n\1\n$/.exec(r.githubEnv);
        assert.ok(m, `GITHUB_ENV holds one heredoc entry, found ${r.githubEnv.length} characters in another shape`);
        assert.equal(m[2], privateKey.trim());
    });

    it("fails and writes nothing when the secret holds no private key (a bootstrap value)", async () => {
        await sm.send(new CreateSecretCommand({ Name: provisionerSecretName("dev").replace("dev/", "dev-nokey/"), SecretString: "{}" }));
        const nokey = run.replace(provisionerSecretName("dev"), provisionerSecretName("dev").replace("dev/", "dev-nokey/"));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sf-key-env-"));
        const githubEnv = path.join(dir, "github_env");
        fs.writeFileSync(githubEnv, "");
        const r = spawnSync("bash", ["-e", "-c", nokey], { encoding: "utf8", env: { PATH: `${shimDir}:${process.env.PATH}`, GITHUB_ENV: githubEnv, AWS_ENDPOINT_URL: moto.endpoint, ...FAKE_AWS_ENV } });
        assert.notEqual(r.status, 0);
        assert.equal(fs.readFileSync(githubEnv, "utf8"), "");
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("fails and writes nothing when the deploy session cannot read the secret", async () => {
        await moto.stop();
        await moto.restart(); // empty state: the secret does not exist
        const r = runStep();
        assert.notEqual(r.status, 0);
        assert.equal(r.githubEnv, "");
        assert.match(r.stderr, /ResourceNotFound|not find/i);
    });
});
