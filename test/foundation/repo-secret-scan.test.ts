import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../support/plan-cli";

/**
 * The repository's own secret scanner. Nothing committed may look like a credential: tests build fake secrets at
 * run time from pieces. The one allowlisted place is SCAN_ALLOWLIST below; anything put there needs a written reason
 * in that folder's README.
 */
const SCAN_ALLOWLIST = ["test/fixtures/scanner-allowlisted/"];
const PEM_PRIVATE_KEY = /-----BEGIN (?:RSA |EC |ENCRYPTED |OPENSSH )?PRIVATE KEY-----/;

describe("repository secret scan", () => {
    it("finds no secret in any tracked file (secretlint recommended preset plus PEM private keys)", async () => {
        const { lintSource } = await import("@secretlint/core");
        const { creator } = await import("@secretlint/secretlint-rule-preset-recommend");
        const files = execFileSync("git", ["ls-files", "-z"], { cwd: PROJECT_DIR, encoding: "utf8" })
            .split("\0")
            .filter((f) => f && !SCAN_ALLOWLIST.some((prefix) => f.startsWith(prefix)))
            .filter((f) => !f.endsWith("package-lock.json") && fs.existsSync(path.join(PROJECT_DIR, f)));
        assert.ok(files.length > 20, "git ls-files found the repository's files");
        const findings: string[] = [];
        for (const file of files) {
            const content = fs.readFileSync(path.join(PROJECT_DIR, file));
            if (content.includes(0)) continue; // binary
            const text = content.toString("utf8");
            if (PEM_PRIVATE_KEY.test(text)) findings.push(`${file}: PEM private key block`);
            const result = await lintSource({
                source: { filePath: path.join(PROJECT_DIR, file), content: text, contentType: "text" },
                options: { config: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: creator }] }, maskSecrets: true },
            });
            for (const m of result.messages) findings.push(`${file}:${m.loc.start.line}: ${m.ruleId}: ${m.message}`);
        }
        assert.deepEqual(findings, [], `secrets found:\n${findings.join("\n")}`);
    });

    it("the scanner catches a secret built at run time (so the check above can fail)", async () => {
        const { lintSource } = await import("@secretlint/core");
        const { creator } = await import("@secretlint/secretlint-rule-preset-recommend");
        const fakeKeyId = ["AKIA", "QYLPMN5HHHFPZAM2"].join("");
        const fakeSecret = ["tfnd", "3ixCr1Qi3XWe2Ov4Tz7fzR6ycIhS7XDSSSQV"].join("");
        const result = await lintSource({
            source: { filePath: "/virtual/.env", content: `AWS_ACCESS_KEY_ID=${fakeKeyId}\nAWS_SECRET_ACCESS_KEY=${fakeSecret}\n`, contentType: "text" },
            options: { config: { rules: [{ id: "@secretlint/secretlint-rule-preset-recommend", rule: creator }] }, maskSecrets: true, noPhysicFilePath: true },
        });
        assert.ok(result.messages.length >= 1, "secretlint found nothing in an obvious AWS key pair");
    });
});
