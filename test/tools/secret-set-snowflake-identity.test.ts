// `npm run secret:set` for snowflake-keypair secrets, against moto: a value whose user is not the planned service
// user (or the rotator, or the provisioner) of that secret, or whose account is not the environment's, is refused
// before anything is written; the planned identity is accepted.
import { strict as assert } from "assert";
import * as path from "path";
import { SecretStore } from "../../functions/rotation/protocol";
import { loadCatalog } from "../../model/catalog";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { planEnvironment } from "../../model/environment";
import { fullSecretName } from "../../model/names";
import { SNOWFLAKE_PROVISIONER_SECRET } from "../../model/snowflake-provisioner";
import { CI_MARKERS, runSecretSet } from "../../tools/secret-set";
import { createEmptySecret, currentValue, motoClient } from "../rotation/harness";
import { FAKE_AWS_ENV, MotoServer, startMoto } from "../support/moto";
import { PROJECT_DIR } from "../support/plan-cli";

describe("secret:set checks a Snowflake value's user and account against the plan", function () {
    this.timeout(120_000);
    let moto: MotoServer;
    let store: SecretStore;
    const plan = planEnvironment(parseEnvironmentConfig(readStackFile(PROJECT_DIR, "dev")), loadCatalog(path.join(PROJECT_DIR, "catalog"))).snowflake;
    const user = plan.users[0];
    const savedEnv = { ...process.env };

    async function run(catalogName: string, value: Record<string, string>) {
        const env: NodeJS.ProcessEnv = { ...process.env, ...FAKE_AWS_ENV, SECRETS_MANAGER_ENDPOINT: moto.endpoint };
        for (const m of CI_MARKERS) delete env[m];
        const lines: string[] = [];
        const status = await runSecretSet(["--stack", "dev", catalogName], env, { stdin: async () => JSON.stringify(value), out: (l) => lines.push(l), err: (l) => lines.push(l) });
        return { status, out: lines.join("\n") };
    }

    before(async () => {
        Object.assign(process.env, FAKE_AWS_ENV);
        moto = await startMoto();
        store = new SecretStore(motoClient(moto));
        await createEmptySecret(motoClient(moto), user.fullSecretName);
        await createEmptySecret(motoClient(moto), fullSecretName("dev", SNOWFLAKE_PROVISIONER_SECRET));
    });
    after(async () => {
        for (const k of Object.keys(FAKE_AWS_ENV)) if (savedEnv[k] === undefined) delete process.env[k];
        else process.env[k] = savedEnv[k];
        await moto?.stop();
    });

    it("refuses another user's name for a service user's secret, naming the planned user, and writes nothing", async () => {
        const before = await store.describe(user.fullSecretName);
        const other = plan.users.find((u) => u.name !== user.name)!.name;
        const res = await run(user.secretName, { account: plan.account.identifier, user: other });
        assert.equal(res.status, 2, res.out);
        assert.match(res.out, new RegExp(`user is '${other}', but the stack plans '${user.name}'`));
        assert.match(res.out, /nothing was written/);
        assert.deepEqual((await store.describe(user.fullSecretName)).stages, before.stages);
    });

    it("refuses another environment's account and the rotator's name for the provisioning secret", async () => {
        const res = await run(SNOWFLAKE_PROVISIONER_SECRET, { account: "FINLEDGER-PROD", user: plan.rotator.userName });
        assert.equal(res.status, 2, res.out);
        assert.match(res.out, new RegExp(`account is 'FINLEDGER-PROD', but this environment's Snowflake account is '${plan.account.identifier}'`));
        assert.match(res.out, new RegExp(`user is '${plan.rotator.userName}', but the stack plans '${plan.provisioner.userName}'`));
    });

    it("accepts the planned user and account (a bootstrap value, no key yet)", async () => {
        const res = await run(user.secretName, { account: plan.account.identifier, user: user.name });
        assert.equal(res.status, 0, res.out);
        assert.equal(JSON.parse((await currentValue(store, user.fullSecretName)).value).user, user.name, "the planned value is AWSCURRENT");
    });
});
