// `npx tsx tools/sign-functions.ts --stack <dev|staging|prod>`: the sign job of deploy.yml (docs/cicd.md, "Signed
// function code"). Runs as fl-<env>-github-signer: uploads each function package of the environment that has no
// signing manifest yet, signs it with the environment's Signer profile, and writes its manifest.
// Exit status: 0 when every package is signed, 1 when one could not be, 2 for bad usage or config.
import * as path from "path";
import { S3Client } from "@aws-sdk/client-s3";
import { SignerClient } from "@aws-sdk/client-signer";
import { ENVIRONMENTS } from "../model/config";
import { stackConfigOrExit } from "./cli";
import { functionArtifactsBucketName, signingProfileName } from "../model/names";
import { environmentPackages } from "./signing/environment-packages";
import { awsSigningService, signPackages } from "./signing/sign-packages";

const USAGE = `Usage: npx tsx tools/sign-functions.ts --stack <${ENVIRONMENTS.join("|")}>`;
const PROJECT_DIR = path.resolve(__dirname, "..");

async function main(): Promise<number> {
    const parsed = stackConfigOrExit(PROJECT_DIR, process.argv.slice(2), USAGE);
    if (parsed === 2) return 2;
    const { stack, config } = parsed;
    const target = { bucket: functionArtifactsBucketName(config.namePrefix, config.accountId), profileName: signingProfileName(config.namePrefix) };
    const outcomes = await signPackages(new S3Client({ region: config.region }), awsSigningService(new SignerClient({ region: config.region })), target, environmentPackages(config, PROJECT_DIR), (l) => console.log(l));
    console.log(`${stack}: ${outcomes.filter((o) => o.status === "signed").length} signed, ${outcomes.filter((o) => o.status === "already-signed").length} already signed, in s3://${target.bucket}`);
    return 0;
}

main().then(
    (code) => process.exit(code),
    (err) => {
        console.error(`sign-functions failed: ${(err as Error).message}`);
        process.exit(1);
    },
);
