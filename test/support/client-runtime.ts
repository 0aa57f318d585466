// The real consumer clients that tools/test-env/clients.sh installs into .test-runtime/clients, and how tests run
// them: the Java programs in test/support/java on their pinned jars, and the snowflake-connector-python venv.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** Where tools/test-env/clients.sh installs the clients. */
export const CLIENTS_RUNTIME = path.resolve(__dirname, "..", "..", ".test-runtime", "clients");

/** A set of pinned jars installed by clients.sh, with the helper classes compiled against it. */
export type JavaRuntime = "kafka" | "snowflake-jdbc";

/** The Python interpreter of the snowflake-connector-python venv. */
export const SNOWFLAKE_PYTHON = path.join(CLIENTS_RUNTIME, "snowflake-python", "bin", "python");

/** Short-lived JVMs start faster with the C1 compiler only and the serial collector; both are standard options. */
const JVM_START_FAST = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"];

/** Throws with the fix when clients.sh has not installed a part. */
export function requireInstalled(...paths: string[]): void {
    const missing = paths.filter((p) => !fs.existsSync(p));
    if (missing.length) throw new Error(`The end-to-end clients are not installed (${missing.join(", ")} missing): run 'bash tools/test-env/clients.sh' (npm test's setup does).`);
}

/** The class path of a Java runtime: its jars and the compiled helpers. */
export function javaClassPath(runtime: JavaRuntime): string {
    const lib = path.join(CLIENTS_RUNTIME, runtime, "lib");
    const classes = path.join(CLIENTS_RUNTIME, "classes", runtime);
    requireInstalled(lib, classes);
    return [path.join(lib, "*"), classes].join(path.delimiter);
}

/** The outcome of a finished process. */
export interface ProcessResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs a program to its end, feeding `stdin` (credentials go there, never into argv). */
export function runProcess(command: string, args: readonly string[], stdin = "", timeoutMs = 120_000, env: NodeJS.ProcessEnv = process.env): Promise<ProcessResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
        child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-8000)));
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.once("error", (err) => {
            clearTimeout(timer);
            reject(err);
        });
        child.once("close", (status) => {
            clearTimeout(timer);
            resolve({ status, stdout, stderr });
        });
        child.stdin.end(stdin);
    });
}

/** Runs a helper class of `runtime` with `java -cp`. */
export function runJava(runtime: JavaRuntime, mainClass: string, args: readonly string[], stdin = "", jvmOptions: readonly string[] = []): Promise<ProcessResult> {
    return runProcess("java", [...JVM_START_FAST, ...jvmOptions, "-cp", javaClassPath(runtime), mainClass, ...args], stdin);
}

/** Starts a long-running JVM (a server) of `runtime`; the caller owns the child process. */
export function spawnJava(runtime: JavaRuntime, mainClass: string, args: readonly string[], jvmOptions: readonly string[] = []) {
    return spawn("java", [...JVM_START_FAST, ...jvmOptions, "-cp", javaClassPath(runtime), mainClass, ...args], { stdio: ["ignore", "pipe", "pipe"] });
}
