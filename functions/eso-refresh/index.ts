// The event-driven refresh function. EventBridge invokes it with a Secrets Manager event that means "this secret has a
// new AWSCURRENT version" (model/event-refresh.ts); it looks up which ExternalSecrets read that secret in the table the
// stack bundles with it, and sets ESO's `force-sync` annotation on each with one merge PATCH, so ESO re-reads the secret
// now instead of at its next polling interval. It never reads a secret: its role has no Secrets Manager or KMS access,
// and in the cluster it may only patch those ExternalSecrets.
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { STSClient } from "@aws-sdk/client-sts";
import { RefreshTarget, RefreshTargets, secretArnOfEvent, secretNameOfArn, TARGETS_FILE } from "../../model/event-refresh";
import { externalSecretPath, forceSyncPatch, forceSyncValue, MERGE_PATCH_CONTENT_TYPE } from "./patch";
import { eksToken } from "./token";

/** What one invocation needs besides the event. */
export interface RefreshSettings {
    /** Which ExternalSecrets read each secret, by full name. */
    readonly targets: RefreshTargets;
    /** The cluster's API server URL (https; http only for a local test server). */
    readonly server: string;
    /** The cluster CA (PEM, base64 as EKS returns it). Default: the system's CAs. */
    readonly caBase64?: string;
    /** A bearer token for the API server. */
    readonly token: () => Promise<string>;
    /** Attempts per PATCH on throttling, conflicts, server errors and network errors. Default: 3. */
    readonly maxAttempts?: number;
    /** First backoff in ms, doubled per attempt. Default: 250. */
    readonly baseDelayMs?: number;
    readonly now?: Date;
}

/** What one invocation did, for the log and the tests. */
export interface RefreshResult {
    readonly secretName?: string;
    /** ExternalSecrets ESO was asked to resync, as `namespace/name`. */
    readonly patched: string[];
    /** ExternalSecrets the table names but the cluster does not have (HTTP 404): logged, not retried. */
    readonly missing: string[];
    /** ExternalSecrets that could not be patched, with the reason. */
    readonly failed: string[];
    /** Why nothing was patched, when nothing was. */
    readonly skipped?: string;
}

interface PatchAnswer {
    readonly status: number;
    readonly body: string;
}

function patchOnce(settings: RefreshSettings, apiPath: string, body: string, token: string): Promise<PatchAnswer> {
    return new Promise((resolve, reject) => {
        const url = new URL(apiPath, settings.server);
        const lib = url.protocol === "https:" ? https : http;
        const req = lib.request(
            url,
            {
                method: "PATCH",
                headers: { Authorization: `Bearer ${token}`, "Content-Type": MERGE_PATCH_CONTENT_TYPE, Accept: "application/json", "Content-Length": Buffer.byteLength(body) },
                ca: settings.caBase64 ? Buffer.from(settings.caBase64, "base64") : undefined,
                timeout: 5000,
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
            },
        );
        req.on("timeout", () => req.destroy(new Error(`no answer from ${settings.server} within 5000 ms`)));
        req.on("error", reject);
        req.end(body);
    });
}

const RETRIED = new Set([409, 429, 500, 502, 503, 504]);

async function patchTarget(settings: RefreshSettings, target: RefreshTarget, body: string, token: string): Promise<"patched" | "missing" | string> {
    const attempts = settings.maxAttempts ?? 3;
    let last = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
            const res = await patchOnce(settings, externalSecretPath(target), body, token);
            if (res.status >= 200 && res.status < 300) return "patched";
            if (res.status === 404) return "missing";
            last = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
            if (!RETRIED.has(res.status)) return last;
        } catch (err) {
            last = (err as Error).message;
        }
        if (attempt < attempts) await new Promise((r) => setTimeout(r, (settings.baseDelayMs ?? 250) * 2 ** (attempt - 1)));
    }
    return last;
}

/** Asks ESO to resync every ExternalSecret that reads the event's secret. Never throws; failures are in the result. */
export async function refreshForEvent(event: { readonly id?: string; readonly time?: string; readonly detail?: Record<string, any> }, settings: RefreshSettings): Promise<RefreshResult> {
    const arn = secretArnOfEvent(event);
    const secretName = arn ? secretNameOfArn(arn) : undefined;
    if (!secretName) return { patched: [], missing: [], failed: [], skipped: `the event names no secret ARN (${arn ?? "none"})` };
    const targets = settings.targets[secretName] ?? [];
    if (targets.length === 0) return { secretName, patched: [], missing: [], failed: [], skipped: `no ExternalSecret reads ${secretName}` };

    const body = JSON.stringify(forceSyncPatch(forceSyncValue(event, settings.now ?? new Date())));
    const token = await settings.token();
    const result: RefreshResult = { secretName, patched: [], missing: [], failed: [] };
    await Promise.all(
        targets.map(async (t) => {
            const outcome = await patchTarget(settings, t, body, token);
            const id = `${t.namespace}/${t.name}`;
            if (outcome === "patched") result.patched.push(id);
            else if (outcome === "missing") result.missing.push(id);
            else result.failed.push(`${id}: ${outcome}`);
        }),
    );
    for (const list of [result.patched, result.missing, result.failed]) list.sort();
    return result;
}

/** The settings of a deployed function: its bundled table, the cluster from its environment, a token from its role. */
export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env, dir: string = __dirname): RefreshSettings {
    const missing = ["CLUSTER_NAME", "CLUSTER_ENDPOINT", "AWS_REGION"].filter((k) => !env[k]);
    if (missing.length) throw new Error(`The refresh function's environment lacks ${missing.join(", ")}; the stack sets them (components/eso-refresh.ts).`);
    const targets = JSON.parse(fs.readFileSync(path.join(dir, TARGETS_FILE), "utf8")) as RefreshTargets;
    const sts = new STSClient({ region: env.AWS_REGION });
    return {
        targets,
        server: env.CLUSTER_ENDPOINT!,
        caBase64: env.CLUSTER_CA || undefined,
        token: async () => eksToken({ clusterName: env.CLUSTER_NAME!, region: env.AWS_REGION!, credentials: await sts.config.credentials() }),
    };
}

let cached: RefreshSettings | undefined;

/** Lambda entry point. Throws when a PATCH failed, so Lambda's retries of the asynchronous invocation try again. */
export async function handler(event: { id?: string; time?: string; detail?: Record<string, any> }): Promise<RefreshResult> {
    cached ??= settingsFromEnvironment();
    const result = await refreshForEvent(event, cached);
    console.log(JSON.stringify({ event: event.id, ...result }));
    if (result.failed.length) throw new Error(`ESO was not asked to resync ${result.failed.length} ExternalSecret(s) reading ${result.secretName}: ${result.failed.join("; ")}`);
    return result;
}
