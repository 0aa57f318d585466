// A real PostgreSQL server for tests: initdb into a temp directory as the `postgres` OS user (initdb refuses
// root), on a free loopback port, with SCRAM password authentication. `stop()` shuts it down and removes it.
import { execFileSync, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort } from "./moto";

/** A running PostgreSQL server. */
export interface PostgresServer {
    readonly host: string;
    readonly port: number;
    /** The bootstrap superuser, `postgres`, and its generated password. */
    readonly superuser: { username: string; password: string };
    stop(): Promise<void>;
}

/** The directory of the newest installed PostgreSQL server binaries, or undefined. */
export function postgresBinDir(): string | undefined {
    const root = "/usr/lib/postgresql";
    if (!fs.existsSync(root)) return undefined;
    const versions = fs.readdirSync(root).filter((v) => fs.existsSync(path.join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
    return versions.length ? path.join(root, versions[0]!, "bin") : undefined;
}

function asPostgres(bin: string, args: string[]): void {
    const isRoot = process.getuid?.() === 0;
    const cmd = isRoot ? "runuser" : bin;
    const full = isRoot ? ["-u", "postgres", "--", bin, ...args] : args;
    const res = spawnSync(cmd, full, { encoding: "utf8" });
    if (res.status !== 0) throw new Error(`${path.basename(bin)} failed (${res.status}): ${res.stderr || res.stdout}`);
}

/** Starts a fresh server. Throws with install instructions when the binaries are missing. */
export async function startPostgres(): Promise<PostgresServer> {
    const bin = postgresBinDir();
    if (!bin) throw new Error("PostgreSQL server binaries are missing: install Debian's 'postgresql' package (.ci/run does this in CI).");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pg-rotation-"));
    const data = path.join(dir, "data");
    const pwfile = path.join(dir, "pw");
    const password = randomBytes(18).toString("base64url");
    fs.writeFileSync(pwfile, password, { mode: 0o600 });
    if (process.getuid?.() === 0) execFileSync("chown", ["-R", "postgres:postgres", dir]);
    fs.chmodSync(dir, 0o700);
    asPostgres(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--pwfile", pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--no-sync"]);
    fs.rmSync(pwfile);
    const port = await freePort();
    asPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-l", path.join(dir, "log"), "-w", "-t", "60", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);
    return {
        host: "127.0.0.1",
        port,
        superuser: { username: "postgres", password },
        async stop() {
            try {
                asPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        },
    };
}
