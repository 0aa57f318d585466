// One fixture per strategy: how to bootstrap a secret, how to build a step's dependencies (with the fault
// counter around every outbound call), and how to tell whether a credential really works in the target system.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Client } from "pg";
import { RotationStrategy, SecretStore } from "../../functions/rotation/protocol";
import { DatadogAdapter } from "../../functions/rotation/strategies/datadog";
import { kafkaScramAlternatingUsersStrategy, MskPropagationCheck, scramSlotSecretName } from "../../functions/rotation/strategies/kafka-scram";
import { canLogin, postgresAlternatingUsersStrategy } from "../../functions/rotation/strategies/postgres";
import { generateSnowflakeKey, snowflakeKeyPairStrategy } from "../../functions/rotation/strategies/snowflake";
import { SendGridAdapter } from "../../functions/rotation/strategies/sendgrid";
import { TwilioAdapter, twilioFriendlyName } from "../../functions/rotation/strategies/twilio";
import { tokenNamePrefix, vendorApiStrategy } from "../../functions/rotation/strategies/vendor-api";
import { FakeSnowflake } from "../support/fake-snowflake";
import { PostgresServer } from "../support/postgres";
import { DatadogServer } from "./datadog-server";
import { SendGridServer, SENDGRID_MANAGEMENT_SCOPES } from "./sendgrid-server";
import { TwilioServer } from "./twilio-server";
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

/** A fetch whose every request is one outbound call of the fault counter: each HTTP request can fail or time out. */
export function countedFetch(counter: FaultCounter): typeof fetch {
    const wrapped = counter.wrap({ request: (input: Parameters<typeof fetch>[0], init?: RequestInit) => fetch(input, init) });
    return (input, init) => wrapped.request(input, init);
}

/** A SendGrid key secret: the rotated key (mail scopes) and a management key, both made by a person in the app. */
export async function sendgridFixture(client: SecretsManagerClient, sg: SendGridServer): Promise<Fixture<any>> {
    const first = sg.seedKey("bootstrap key made in the SendGrid app", ["mail.send", "messages.read"]);
    const management = sg.seedKey("finledger rotation management key", [...SENDGRID_MANAGEMENT_SCOPES, "mail.send", "messages.read"]);
    const value = { vendor: "sendgrid", apiUrl: sg.url, apiKey: first.key, apiKeyId: first.id, managementKey: management.key };
    const secretName = `dev/airflow/connections/${uniqueName("sendgrid_api_")}`;
    const secretId = await createSecret(client, secretName, JSON.stringify(value));
    return {
        secretId,
        strategy: vendorApiStrategy({ sendgrid: new SendGridAdapter() }),
        deps: depsFor(client, (c) => vendorApiStrategy({ sendgrid: new SendGridAdapter(countedFetch(c)) })),
        async works(raw) {
            return sg.isLive((JSON.parse(raw) as { apiKey: string }).apiKey);
        },
        async checkTarget(currentRaw) {
            // The rotated key keeps the scopes of the one it replaced, never the management scopes.
            const k = [...sg.keys.values()].find((x) => x.key === (JSON.parse(currentRaw) as { apiKey: string }).apiKey)!;
            if (k.scopes.join(",") !== "mail.send,messages.read") throw new Error(`the current SendGrid key has scopes ${k.scopes.join(",")}`);
            // Keys whose response was lost are revoked on retry: at most current, previous and pending remain.
            const issued = [...sg.keys.values()].filter((x) => x.name.startsWith(tokenNamePrefix(secretName)));
            if (issued.length > 3) throw new Error(`${issued.length} SendGrid keys carry this secret's prefix; orphans were not revoked`);
        },
    };
}

/** A Twilio key secret: a Standard key (rotated) and a Main key (management), both made by a person in the Console. */
export async function twilioFixture(client: SecretsManagerClient, tw: TwilioServer, pageSize = 2): Promise<Fixture<any>> {
    const first = tw.seedKey("bootstrap key made in the Twilio Console", false);
    const main = tw.seedKey("finledger rotation main key", true);
    const value = { vendor: "twilio", apiUrl: tw.url, accountSid: tw.accountSid, apiKeySid: first.sid, apiKeySecret: first.secret, managementKeySid: main.sid, managementKeySecret: main.secret };
    const secretName = `dev/airflow/connections/${uniqueName("twilio_api_")}`;
    const secretId = await createSecret(client, secretName, JSON.stringify(value));
    return {
        secretId,
        strategy: vendorApiStrategy({ twilio: new TwilioAdapter(fetch, 10000, pageSize) }),
        deps: depsFor(client, (c) => vendorApiStrategy({ twilio: new TwilioAdapter(countedFetch(c), 10000, pageSize) })),
        async works(raw) {
            const v = JSON.parse(raw) as { apiKeySid: string; apiKeySecret: string };
            return tw.isLive(v.apiKeySid, v.apiKeySecret);
        },
        async checkTarget() {
            const prefix = twilioFriendlyName(`${tokenNamePrefix(secretName)}${"0".repeat(36)}`).slice(0, -36);
            const issued = [...tw.keys.values()].filter((x) => x.friendlyName.startsWith(prefix));
            if (issued.length > 3) throw new Error(`${issued.length} Twilio keys carry this secret's prefix; orphans were not revoked`);
        },
    };
}
