// One fixture per strategy: how to bootstrap a secret, how to build a step's dependencies (with the fault
// counter around every outbound call), and how to tell whether a credential really works in the target system.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Client } from "pg";
import { RotationStrategy, SecretStore } from "../../functions/rotation/protocol";
import { DatadogAdapter } from "../../functions/rotation/strategies/datadog";
import { kafkaScramAlternatingUsersStrategy, MskPropagationCheck, scramSlotSecretName } from "../../functions/rotation/strategies/kafka-scram";
import { canLogin, postgresAlternatingUsersStrategy } from "../../functions/rotation/strategies/postgres";
import { generateSnowflakeKey, snowflakeKeyPairStrategy } from "../../functions/rotation/strategies/snowflake";
import { vendorApiStrategy } from "../../functions/rotation/strategies/vendor-api";
import { FakeSnowflake } from "../support/fake-snowflake";
import { PostgresServer } from "../support/postgres";
import { DatadogServer } from "./datadog-server";
import { createEmptySecret, createSecret, FaultCounter, StepDeps } from "./harness";

/** A bootstrapped secret of one strategy, with a way to check credentials against the target system. */
export interface Fixture<V> {
    readonly secretId: string;
    readonly deps: StepDeps<V>;
    /** The strategy without faults. */
    readonly strategy: RotationStrategy<V>;
    /** Whether the target system accepts this raw secret value now. */
    works(raw: string): Promise<boolean>;
    /** Extra invariants of the target system after any sequence (e.g. Snowflake slots). Throws on violation. */
    checkTarget(currentRaw: string): Promise<void>;
}

let serial = 0;
/** A name unique within one test process. */
export function uniqueName(prefix: string): string {
    serial += 1;
    return `${prefix}${process.pid}x${serial}`;
}

function depsFor<V>(client: SecretsManagerClient, makeStrategy: (counter: FaultCounter) => RotationStrategy<V>): StepDeps<V> {
    return (counter) => ({ store: counter.wrap(new SecretStore(client)), strategy: counter.wrap(makeStrategy(counter)) });
}

/** A Snowflake service user owned by the rotation role, with its first key set in slot 1. */
export async function snowflakeFixture(client: SecretsManagerClient, snowflake: FakeSnowflake): Promise<Fixture<any> & { user: string }> {
    const user = uniqueName("SVC_LOADER_").toUpperCase();
    snowflake.createUser(user, snowflake.sessionRole);
    const first = generateSnowflakeKey();
    await snowflake.setPublicKey(user, "RSA_PUBLIC_KEY", first.publicKeyBody);
    const value = { account: snowflake.account, user, privateKey: first.privateKey, publicKeyFingerprint: first.fingerprint, warehouse: "FL_DEV_WH" };
    const secretId = await createSecret(client, `dev/airflow/connections/${user.toLowerCase()}`, JSON.stringify(value));
    return {
        user,
        secretId,
        strategy: snowflakeKeyPairStrategy(snowflake),
        deps: depsFor(client, (c) => snowflakeKeyPairStrategy(c.wrap(snowflake))),
        async works(raw) {
            const v = JSON.parse(raw) as { account: string; user: string; privateKey: string };
            try {
                await snowflake.verifyKeyLogin(v.account, v.user, v.privateKey);
                return true;
            } catch {
                return false;
            }
        },
        async checkTarget() {
            if (snowflake.usedSlots(user).length > 2) throw new Error(`${user} uses more than two key slots`);
        },
    };
}

/** A Postgres application user `<base>_a` in a group role that may read one table; the master secret in moto. */
export async function postgresFixture(client: SecretsManagerClient, pg: PostgresServer): Promise<Fixture<any> & { base: string }> {
    const base = uniqueName("svc_ledger_ro_");
    const password = ["pw", Math.random().toString(36).slice(2), Date.now().toString(36)].join("-");
    const admin = new Client({ host: pg.host, port: pg.port, user: pg.superuser.username, password: pg.superuser.password, database: "postgres" });
    await admin.connect();
    try {
        await admin.query("CREATE TABLE IF NOT EXISTS ledger_entries (id int)");
        await admin.query(`CREATE ROLE ${base}_readers NOLOGIN`);
        await admin.query(`GRANT SELECT ON ledger_entries TO ${base}_readers`);
        await admin.query(`CREATE ROLE ${base}_a LOGIN PASSWORD '${password}' IN ROLE ${base}_readers`);
    } finally {
        await admin.end();
    }
    const masterarn = await createSecret(client, uniqueName("rds!db-"), JSON.stringify(pg.superuser));
    const value = { engine: "postgres", host: pg.host, port: pg.port, dbname: "postgres", username: `${base}_a`, password, masterarn };
    const secretId = await createSecret(client, `dev/airflow/connections/${base}`, JSON.stringify(value));
    const opts = { ssl: false };
    return {
        base,
        secretId,
        strategy: postgresAlternatingUsersStrategy(opts),
        deps: depsFor(client, () => postgresAlternatingUsersStrategy(opts)),
        async works(raw) {
            const v = JSON.parse(raw) as { host: string; port: number; dbname: string; username: string; password: string };
            if (!(await canLogin(v as never, opts))) return false;
            const c = new Client({ host: v.host, port: v.port, database: v.dbname, user: v.username, password: v.password });
            await c.connect();
            try {
                await c.query("SELECT count(*) FROM ledger_entries");
                return true;
            } catch {
                return false;
            } finally {
                await c.end();
            }
        },
        async checkTarget() {},
    };
}

/** An MSK SCRAM client secret with its two user-slot secrets; MSK's view is the slots' AWSCURRENT values. */
export async function kafkaFixture(client: SecretsManagerClient): Promise<Fixture<any>> {
    const name = `AmazonMSK_dev/kafka/${uniqueName("airflow-payments-")}`;
    const value = { username: `${name.split("/").pop()}_a`.replace(/-/g, "_"), password: Math.random().toString(36).slice(2) + "Zz9" };
    const secretId = await createSecret(client, name, JSON.stringify(value));
    const slotA = await createSecret(client, scramSlotSecretName(name, value.username), JSON.stringify(value));
    const slotB = await createEmptySecret(client, scramSlotSecretName(name, value.username.replace(/_a$/, "_b")));
    const store = new SecretStore(client);
    const check = () => new MskPropagationCheck(0, 0);
    return {
        secretId,
        strategy: kafkaScramAlternatingUsersStrategy(check()),
        deps: depsFor(client, () => kafkaScramAlternatingUsersStrategy(check())),
        async works(raw) {
            // MSK authenticates exactly the users whose associated secrets' AWSCURRENT hold these credentials.
            const v = JSON.parse(raw) as { username: string; password: string };
            for (const slot of [slotA, slotB]) {
                const held = await store.get(slot, "AWSCURRENT");
                if (held && JSON.parse(held.value).username === v.username && JSON.parse(held.value).password === v.password) return true;
            }
            return false;
        },
        async checkTarget() {},
    };
}

/** A Datadog API-key secret whose first key was created by a person; the local server follows Datadog's API. */
export async function datadogFixture(client: SecretsManagerClient, dd: DatadogServer): Promise<Fixture<any>> {
    const first = dd.seedKey("bootstrap key created in the Datadog UI");
    const value = { vendor: "datadog", apiUrl: dd.url, apiKey: first.key, apiKeyId: first.id, appKey: dd.appKey };
    const secretId = await createSecret(client, `dev/airflow/connections/${uniqueName("datadog_api_")}`, JSON.stringify(value));
    const make = () => vendorApiStrategy({ datadog: new DatadogAdapter() });
    return {
        secretId,
        strategy: make(),
        deps: depsFor(client, make),
        async works(raw) {
            return dd.isLive((JSON.parse(raw) as { apiKey: string }).apiKey);
        },
        async checkTarget() {},
    };
}
