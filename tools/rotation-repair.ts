// `npm run rotation:repair -- --secret-id <name|arn> (--cancel | --complete) [--endpoint <url>]`
// Repairs a rotation stuck with AWSPENDING next to AWSCURRENT (docs/rotation.md, "A stuck rotation"). Uses the
// caller's AWS credentials and region. Exit status: 0 done (or nothing stuck), 1 refused or failed, 2 bad usage.
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { repairRotation, RepairRefused } from "../functions/rotation/repair";
import { SecretStore } from "../functions/rotation/protocol";
import { vendorAdapters } from "../functions/rotation/strategies/vendor-adapters";
import { vendorApiStrategy } from "../functions/rotation/strategies/vendor-api";

const USAGE = "Usage: npm run rotation:repair -- --secret-id <name|arn> (--cancel | --complete) [--endpoint <url>]";

/** Runs the command; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
    let secretId: string | undefined;
    let mode: "cancel" | "complete" | undefined;
    let endpoint: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--secret-id") secretId = argv[++i];
        else if (a === "--endpoint") endpoint = argv[++i];
        else if ((a === "--cancel" || a === "--complete") && !mode) mode = a === "--cancel" ? "cancel" : "complete";
        else {
            console.error(`Unexpected argument '${a}'.\n${USAGE}`);
            return 2;
        }
    }
    if (!secretId || !mode) {
        console.error(`--secret-id and one of --cancel / --complete are required.\n${USAGE}`);
        return 2;
    }
    const client = new SecretsManagerClient(endpoint ? { endpoint } : {});
    try {
        const r = await repairRotation(new SecretStore(client), secretId, mode, (tag) => (tag === "vendor-api" ? vendorApiStrategy(vendorAdapters()) : undefined), (m) => console.log(m));
        console.log(
            r.action === "nothing-stuck"
                ? `${r.secretName}: no pending rotation; nothing to repair.`
                : `${r.secretName}: ${r.action} (pending version ${r.pendingVersionId}); AWSCURRENT is ${r.currentVersionId ?? "unset"}.`,
        );
        return 0;
    } catch (err) {
        console.error(err instanceof RepairRefused ? err.message : `Repair of ${secretId} failed: ${(err as Error).message}`);
        return 1;
    } finally {
        client.destroy();
    }
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
