// Reads a kubeconfig's current context into what `npm run status` needs to reach the API server: its URL, its CA and a
// bearer token (a static token, a token file, or an exec plugin such as `aws eks get-token`). Client certificates are
// refused with a clear message: EKS users authenticate with tokens.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { KubeEndpoint } from "../preflight/kube";

/** A kubeconfig that cannot be used, with a sentence naming the file, the key and the fix. */
export class KubeconfigError extends Error {}

interface Named<T> {
    name?: string;
    [key: string]: T | string | undefined;
}

function pick(list: unknown, name: string, key: "cluster" | "user" | "context", file: string): Record<string, any> {
    const entry = (Array.isArray(list) ? (list as Named<unknown>[]) : []).find((e) => e?.name === name);
    const value = entry?.[key];
    if (!value || typeof value !== "object") throw new KubeconfigError(`${file}: the current context needs the ${key} '${name}', but '${key}s' has no entry of that name; fix the context or add the ${key}.`);
    return value as Record<string, any>;
}

/** Runs a kubeconfig exec plugin (client.authentication.k8s.io ExecCredential) and returns its token. */
function execToken(exec: Record<string, any>, file: string): string {
    const env = { ...process.env, ...Object.fromEntries(((exec.env as Array<{ name: string; value: string }>) ?? []).map((e) => [e.name, e.value])) };
    let out: string;
    try {
        out = execFileSync(String(exec.command), (exec.args as string[]) ?? [], { env, encoding: "utf8", timeout: 30_000, stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
        const e = err as { stderr?: string; message: string };
        throw new KubeconfigError(`${file}: the user's exec plugin '${exec.command}' failed (${(e.stderr || e.message).trim().split("\n")[0]}); check that it is installed and that its AWS credentials are valid.`);
    }
    let token: unknown;
    try {
        token = JSON.parse(out)?.status?.token;
    } catch {
        // reported below
    }
    if (typeof token !== "string" || !token) throw new KubeconfigError(`${file}: the user's exec plugin '${exec.command}' printed no ExecCredential with status.token; it must print client.authentication.k8s.io JSON.`);
    return token;
}

/** The API server, CA and token of a kubeconfig's current context (or of `context` when given). */
export function readKubeconfig(file: string, context?: string): KubeEndpoint {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new KubeconfigError(`--kubeconfig ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give the path of a kubeconfig, such as the one \`aws eks update-kubeconfig\` writes.`);
    }
    let doc: any;
    try {
        doc = parse(text);
    } catch (err) {
        throw new KubeconfigError(`${file}: is not YAML (${(err as Error).message.split("\n")[0]}); give a kubeconfig file.`);
    }
    if (!doc || typeof doc !== "object" || doc.kind !== "Config") throw new KubeconfigError(`${file}: is not a kubeconfig (kind is '${doc?.kind ?? "missing"}', expected 'Config').`);
    const name = context ?? doc["current-context"];
    if (!name) throw new KubeconfigError(`${file}: has no 'current-context'; set one with \`kubectl config use-context <name>\`.`);
    const ctx = pick(doc.contexts, name, "context", file);
    const cluster = pick(doc.clusters, String(ctx.cluster), "cluster", file);
    const user = pick(doc.users, String(ctx.user), "user", file);
    if (typeof cluster.server !== "string" || !/^https?:\/\//.test(cluster.server)) throw new KubeconfigError(`${file}: cluster '${ctx.cluster}' has no 'server' URL; it must be the API server's https:// address.`);

    let caBase64: string | undefined = cluster["certificate-authority-data"];
    if (!caBase64 && cluster["certificate-authority"]) {
        const caFile = path.resolve(path.dirname(file), String(cluster["certificate-authority"]));
        try {
            caBase64 = fs.readFileSync(caFile).toString("base64");
        } catch {
            throw new KubeconfigError(`${file}: cluster '${ctx.cluster}' names certificate-authority '${caFile}', which cannot be read; fix the path or use certificate-authority-data.`);
        }
    }

    let token: string | undefined;
    if (typeof user.token === "string" && user.token) token = user.token;
    else if (typeof user.tokenFile === "string") {
        try {
            token = fs.readFileSync(path.resolve(path.dirname(file), user.tokenFile), "utf8").trim();
        } catch {
            throw new KubeconfigError(`${file}: user '${ctx.user}' names tokenFile '${user.tokenFile}', which cannot be read; fix the path.`);
        }
    } else if (user.exec && typeof user.exec === "object") token = execToken(user.exec, file);
    else if (user["client-certificate-data"] || user["client-certificate"]) {
        throw new KubeconfigError(`${file}: user '${ctx.user}' authenticates with a client certificate, which status does not support; use a token or an exec plugin (aws eks get-token).`);
    }
    if (!token) throw new KubeconfigError(`${file}: user '${ctx.user}' has no token, tokenFile or exec plugin; status needs one of them (aws eks update-kubeconfig writes an exec plugin).`);
    return { server: cluster.server, caBase64, token };
}
