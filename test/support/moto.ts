import { ChildProcess, spawn } from "child_process";
import * as net from "net";
import * as path from "path";

/** A moto server on loopback, standing in for the AWS API in tests. */
export interface MotoServer {
    /** `http://127.0.0.1:<port>`: pass it as the SDK endpoint. */
    readonly endpoint: string;
    readonly port: number;
    /** Stops the server (an outage, for tests that need one). */
    stop(): Promise<void>;
    /** Starts it again on the same port, with empty state. */
    restart(): Promise<void>;
}

/** The project's pinned test virtualenv, installed by tools/test-env/setup.sh. */
export const VENV = path.resolve(__dirname, "..", "..", ".venv-test");

/** Credentials for moto only. moto accepts any; these are obviously fake, built at run time. */
export const FAKE_AWS_ENV = {
    AWS_ACCESS_KEY_ID: ["test", "only"].join("-"),
    AWS_SECRET_ACCESS_KEY: ["moto", "fake"].join("-"),
    AWS_DEFAULT_REGION: "us-east-1",
    AWS_REGION: "us-east-1",
};

/** A TCP port on loopback that nothing listens on right now, for a test server. */
export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

async function waitUntilUp(port: number, child: ChildProcess, timeoutMs = 30000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode} before it listened on ${port}`);
        try {
            const res = await fetch(`http://127.0.0.1:${port}/moto-api/`);
            if (res.status < 500) return;
        } catch {
            // not up yet
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`moto_server did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

/** Starts `moto_server` from the test virtualenv on a free loopback port. */
export async function startMoto(): Promise<MotoServer> {
    const port = await freePort();
    let child: ChildProcess | undefined;
    const launch = async () => {
        child = spawn(path.join(VENV, "bin", "moto_server"), ["-H", "127.0.0.1", "-p", String(port)], {
            stdio: ["ignore", "ignore", "pipe"],
            env: { ...process.env, ...FAKE_AWS_ENV },
        });
        // moto logs every request to stderr. An unread pipe fills after a few hundred requests and then moto
        // blocks on its next log line, so the output is drained (keeping the tail for error messages).
        let tail = "";
        child.stderr?.on("data", (chunk: Buffer) => {
            tail = (tail + chunk.toString()).slice(-4000);
        });
        child.once("exit", (code) => {
            if (code !== 0 && code !== null && tail) process.stderr.write(`moto_server exited with ${code}:\n${tail}\n`);
        });
        await waitUntilUp(port, child);
    };
    const stop = async () => {
        const c = child;
        child = undefined;
        if (!c || c.exitCode !== null) return;
        await new Promise<void>((resolve) => {
            c.once("exit", () => resolve());
            c.kill("SIGTERM");
            setTimeout(() => c.kill("SIGKILL"), 3000).unref();
        });
    };
    await launch();
    return { endpoint: `http://127.0.0.1:${port}`, port, stop, restart: launch };
}
