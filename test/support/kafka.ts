// A real Kafka broker for tests: Apache Kafka in KRaft mode (one process, broker and controller), jars from
// tools/test-env/clients.sh, on free loopback ports, whose one listener takes only SASL/SCRAM-SHA-512 over TLS
// (SASL_SSL), like an MSK cluster with SASL/SCRAM client authentication. Its certificate is self-signed per run for
// 127.0.0.1; clients trust it through the JVM's default trust store setting, so a client's properties stay exactly
// what the consumer gets (MSK's certificates chain to a public CA that JVMs trust by default). The broker's own
// user is created at storage format time with a password generated per run; client users come from Secrets
// Manager secrets, the way MSK's secret association makes them (`associateSecrets`).
import { ChildProcess } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { SecretStore } from "../../functions/rotation/protocol";
import { MSK_SECRET_PREFIX } from "../../model/names";
import { ProcessResult, runJava, runProcess, spawnJava } from "./client-runtime";
import { freePort } from "./moto";

/** The SASL mechanism MSK supports for username/password clients. */
export const SCRAM_MECHANISM = "SCRAM-SHA-512";

/** A client's login attempt: `ok`, refused credentials, or another failure (with the client's stderr). */
export type LoginOutcome = { result: "ok"; clusterId: string } | { result: "refused"; detail: string } | { result: "error"; detail: string };

/** A running single-node Kafka cluster. */
export interface KafkaBroker {
    /** `127.0.0.1:<port>` of the SASL/SCRAM listener. */
    readonly bootstrap: string;
    /** Logs in with the Kafka Java client over SASL_SSL, given the value of its `sasl.jaas.config` property. */
    login(jaasLine: string): Promise<LoginOutcome>;
    /** Logs in with the Kafka Java client configured by a whole client properties file (plus `bootstrap.servers`). */
    loginWithProperties(clientProperties: string): Promise<LoginOutcome>;
    /**
     * Does what MSK does for secrets associated with the cluster: one SCRAM user per secret, from the AWSCURRENT
     * value's `username` and `password`; a user whose secret changed gets the new password (the old one stops
     * working), and a user no associated secret names any more is dropped. Secrets without a value are skipped.
     */
    associateSecrets(store: SecretStore, secretIds: readonly string[]): Promise<void>;
    stop(): Promise<void>;
}

/** A Kafka cluster id: 16 random bytes in URL-safe base64 without padding, as `kafka-storage random-uuid` prints. */
function clusterId(): string {
    for (;;) {
        const id = randomBytes(16).toString("base64url");
        if (!id.startsWith("-")) return id;
    }
}

/** The JAAS line of a SCRAM login; usernames and passwords here are generated and need no escaping. */
function scramJaas(username: string, password: string): string {
    if (/["\\\n]/.test(username + password)) throw new Error(`The SCRAM credentials of ${username} contain a quote, backslash or newline, which a JAAS line cannot carry unescaped.`);
    return `org.apache.kafka.common.security.scram.ScramLoginModule required username="${username}" password="${password}";`;
}

function outcome(r: ProcessResult): LoginOutcome {
    if (r.status === 0) return { result: "ok", clusterId: r.stdout.trim() };
    const detail = r.stderr.trim().split("\n").filter((l) => !l.startsWith("SLF4J")).slice(-3).join("\n");
    return r.status === 2 ? { result: "refused", detail } : { result: "error", detail: `exit ${r.status}: ${detail}` };
}

async function portOpen(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const s = net.connect({ host: "127.0.0.1", port }, () => {
            s.destroy();
            resolve(true);
        });
        s.once("error", () => resolve(false));
    });
}

/**
 * A PKCS#12 key store with a self-signed certificate for 127.0.0.1 (the broker's), and a trust store holding only
 * that certificate (the clients'). keytool reads the store password from the environment, never from argv; the
 * trust store's password guards a public certificate only, so clients get it as a JVM option. The stores are
 * written in the background (`created`), so the storage format can run meanwhile.
 */
function selfSignedKeystore(dir: string): { keystore: string; truststore: string; password: string; trustPassword: string; clientJvmOptions: string[]; created: Promise<void> } {
    const password = randomBytes(18).toString("base64url");
    const trustPassword = randomBytes(18).toString("base64url");
    const keystore = path.join(dir, "broker.p12");
    const truststore = path.join(dir, "trust.p12");
    const cert = path.join(dir, "broker.crt");
    const env = { ...process.env, STORE_PASSWORD: password, TRUST_PASSWORD: trustPassword };
    const store = ["-storetype", "PKCS12", "-storepass:env", "STORE_PASSWORD", "-keystore", keystore];
    const steps = [
        ["-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=ip:127.0.0.1", ...store],
        ["-exportcert", "-alias", "broker", "-rfc", "-file", cert, ...store],
        ["-importcert", "-noprompt", "-alias", "broker", "-file", cert, "-storetype", "PKCS12", "-storepass:env", "TRUST_PASSWORD", "-keystore", truststore],
    ];
    const created = (async () => {
        for (const args of steps) {
            const r = await runProcess("keytool", args, "", 60_000, env);
            if (r.status !== 0) throw new Error(`keytool ${args[0]} failed (${r.status}): ${r.stderr || r.stdout}`);
        }
    })();
    return { keystore, truststore, password, trustPassword, created, clientJvmOptions: [`-Djavax.net.ssl.trustStore=${truststore}`, "-Djavax.net.ssl.trustStoreType=PKCS12", `-Djavax.net.ssl.trustStorePassword=${trustPassword}`] };
}

/** Formats fresh storage and starts a broker; resolves once the admin user can log in. */
export async function startKafka(timeoutMs = 180_000): Promise<KafkaBroker> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kafka-e2e-"));
    fs.chmodSync(dir, 0o700);
    const [clientPort, controllerPort] = [await freePort(), await freePort()];
    const admin = { username: "broker-admin", password: randomBytes(24).toString("base64url") };
    const adminJaas = scramJaas(admin.username, admin.password);
    const tls = selfSignedKeystore(dir);
    const config = path.join(dir, "server.properties");
    fs.writeFileSync(
        config,
        [
            "process.roles=broker,controller",
            "node.id=1",
            `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
            `listeners=SASL_SSL://127.0.0.1:${clientPort},CONTROLLER://127.0.0.1:${controllerPort}`,
            `advertised.listeners=SASL_SSL://127.0.0.1:${clientPort}`,
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL",
            "inter.broker.listener.name=SASL_SSL",
            "ssl.keystore.type=PKCS12",
            `ssl.keystore.location=${tls.keystore}`,
            `ssl.keystore.password=${tls.password}`,
            `ssl.truststore.location=${tls.truststore}`,
            `ssl.truststore.password=${tls.trustPassword}`,
            `sasl.enabled.mechanisms=${SCRAM_MECHANISM}`,
            `sasl.mechanism.inter.broker.protocol=${SCRAM_MECHANISM}`,
            `listener.name.sasl_ssl.${SCRAM_MECHANISM.toLowerCase()}.sasl.jaas.config=${adminJaas}`,
            `log.dirs=${path.join(dir, "data")}`,
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "group.initial.rebalance.delay.ms=0",
            "",
        ].join("\n"),
        { mode: 0o600 },
    );
    const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
    // The broker's own user must exist before it starts, so it is written into the metadata at format time (the
    // storage tool takes it only as an argument; the password is generated for this run and dies with it).
    const [format, keystores] = await Promise.allSettled([runJava("kafka", "kafka.tools.StorageTool", ["format", "-t", clusterId(), "-c", config, "--add-scram", `${SCRAM_MECHANISM}=[name=${admin.username},password=${admin.password}]`]), tls.created]);
    if (keystores.status === "rejected" || format.status === "rejected" || format.value.status !== 0) {
        cleanup();
        if (keystores.status === "rejected") throw keystores.reason;
        throw format.status === "rejected" ? format.reason : new Error(`kafka-storage format failed (${format.value.status}): ${format.value.stderr}`);
    }
    let tail = "";
    const child: ChildProcess = spawnJava("kafka", "kafka.Kafka", [config], ["-Xmx384m"]);
    const keep = (c: Buffer) => (tail = (tail + c.toString()).slice(-6000));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const bootstrap = `127.0.0.1:${clientPort}`;
    const client = (mode: string, stdin: string) => runJava("kafka", "KafkaScramClient", [mode, bootstrap], stdin, tls.clientJvmOptions);
    const login = async (jaasLine: string) => outcome(await client("login", `${jaasLine}\n`));
    const stop = async () => {
        if (child.exitCode === null && child.signalCode === null) {
            await new Promise<void>((resolve) => {
                child.once("exit", () => resolve());
                child.kill("SIGTERM");
                setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
            });
        }
        cleanup();
    };

    const deadline = Date.now() + timeoutMs;
    let last: LoginOutcome | undefined;
    try {
        for (;;) {
            if (child.exitCode !== null) throw new Error(`The Kafka broker exited with ${child.exitCode} before it was ready:\n${tail}`);
            if (Date.now() > deadline) throw new Error(`The Kafka broker was not ready on ${bootstrap} within ${timeoutMs} ms (last admin login: ${JSON.stringify(last)}):\n${tail}`);
            if (await portOpen(clientPort)) {
                last = await login(adminJaas);
                if (last.result === "ok") break;
            }
            await new Promise((r) => setTimeout(r, 500));
        }
    } catch (err) {
        await stop();
        throw err;
    }

    const usersBySecret = new Map<string, string>();
    return {
        bootstrap,
        login,
        async loginWithProperties(clientProperties) {
            return outcome(await client("properties", clientProperties));
        },
        async associateSecrets(store, secretIds) {
            const lines: string[] = [];
            const dropped = new Set<string>();
            for (const id of secretIds) {
                const { name } = await store.describe(id);
                if (!name.startsWith(MSK_SECRET_PREFIX)) throw new Error(`MSK cannot associate secret ${name}: its name must start with ${MSK_SECRET_PREFIX}.`);
                const current = await store.get(id, "AWSCURRENT");
                if (!current) continue;
                const v = JSON.parse(current.value) as { username?: unknown; password?: unknown };
                if (typeof v.username !== "string" || typeof v.password !== "string") throw new Error(`MSK cannot read secret ${name}: its value must be JSON with string 'username' and 'password'.`);
                scramJaas(v.username, v.password);
                lines.push(["upsert", v.username, v.password].join("\t"));
                const before = usersBySecret.get(id);
                if (before !== undefined && before !== v.username) dropped.add(before);
                usersBySecret.set(id, v.username);
            }
            const named = new Set(usersBySecret.values());
            for (const user of dropped) if (!named.has(user)) lines.push(["delete", user].join("\t"));
            const r = await client("users", [adminJaas, ...lines, ""].join("\n"));
            if (r.status !== 0) throw new Error(`Creating the SCRAM users on ${bootstrap} failed (${r.status}): ${r.stderr}`);
        },
        stop,
    };
}
