// `npm run rotation:assisted -- promote --secret-id <name|arn> --value-file <file> [--endpoint <url>]`
// `npm run rotation:assisted -- confirm-revoked --secret-id <name|arn> [--endpoint <url>]`
// The hand-over of an assisted rotation (docs/rotation.md, "Assisted rotation"): checks, verifies with the vendor
// where an adapter exists, stages and promotes a new value, and records the caller (STS) as the one who did it.
// The value is read from a file (then delete it), never from the command line, which shell history keeps.
// Integration point: `npm run secret:set` (first values) can call handOver() for assisted secrets.
// Exit status: 0 done, 1 refused (nothing changed) or failed, 2 bad usage.
import * as fs from "fs";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { confirmRevoked, handOver, HandOverRefused } from "../functions/assisted-rotation/promote";
import { SecretStore } from "../functions/rotation/protocol";
import { vendorAdapters } from "../functions/rotation/strategies/vendor-adapters";

const USAGE = "Usage: npm run rotation:assisted -- (promote --secret-id <id> --value-file <file> | confirm-revoked --secret-id <id>) [--endpoint <url>]";

/** Runs the command; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
    const [command, ...rest] = argv;
    let secretId: string | undefined;
    let valueFile: string | undefined;
    let endpoint: string | undefined;
    for (let i = 0; i < rest.length; i++) {
        const a = rest[i];
        if (a === "--secret-id") secretId = rest[++i];
        else if (a === "--value-file") valueFile = rest[++i];
        else if (a === "--endpoint") endpoint = rest[++i];
        else {
            console.error(`Unexpected argument '${a}'.\n${USAGE}`);
            return 2;
        }
    }
    if ((command !== "promote" && command !== "confirm-revoked") || !secretId || (command === "promote" && !valueFile)) {
        console.error(USAGE);
        return 2;
    }
    const config = endpoint ? { endpoint } : {};
    const client = new SecretsManagerClient(config);
    const store = new SecretStore(client);
    try {
        if (command === "confirm-revoked") {
            await confirmRevoked(store, secretId);
            console.log(`${secretId}: the replaced credential is recorded as revoked.`);
            return 0;
        }
        if (!fs.existsSync(valueFile!)) {
            console.error(`The value file ${valueFile} does not exist.`);
            return 2;
        }
        const sts = new STSClient(config);
        const actor = (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? "unknown";
        sts.destroy();
        const r = await handOver({ store, secretId, raw: fs.readFileSync(valueFile!, "utf8").trim(), actor, adapters: vendorAdapters() });
        console.log(
            `${secretId}: version ${r.versionId} is AWSCURRENT (was ${r.previousVersionId ?? "none"})${r.verifiedWith ? `, verified with ${r.verifiedWith}` : " (no vendor adapter: not verified with the vendor)"}; next due ${r.expiresAt}; revoke the old credential by ${r.revokePreviousBy}, then run confirm-revoked.`,
        );
        return 0;
    } catch (err) {
        console.error(err instanceof HandOverRefused ? err.message : `The hand-over for ${secretId} failed: ${(err as Error).message}`);
        return 1;
    } finally {
        client.destroy();
    }
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
