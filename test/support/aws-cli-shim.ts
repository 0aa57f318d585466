// The AWS CLI is not part of the test environment. This shim answers exactly the one call the workflows' Snowflake key
// steps make (`aws secretsmanager get-secret-value --secret-id <name> --query SecretString --output text`), with boto3
// from the test virtualenv against moto, and refuses any other.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { VENV } from "./moto";

/** Writes the shim into a new directory and returns that directory, to put first on PATH. */
export function writeAwsCliShim(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-cli-shim-"));
    fs.writeFileSync(
        path.join(dir, "aws"),
        `#!${path.join(VENV, "bin", "python")}
import sys, boto3
a = sys.argv[1:]
if len(a) != 8 or a[:2] != ["secretsmanager", "get-secret-value"] or a[2] != "--secret-id" or a[4:] != ["--query", "SecretString", "--output", "text"]:
    sys.exit("aws shim: unexpected call " + " ".join(a))
print(boto3.client("secretsmanager").get_secret_value(SecretId=a[3])["SecretString"])
`,
        { mode: 0o755 },
    );
    return dir;
}
