// `npx tsx tools/check-action-pins.ts [--project <dir>] [--remote-base <url-or-dir>]`: verifies with `git ls-remote`
// that every action SHA pinned in the workflows is the commit of the tag its comment names. Exit 0 when all are,
// 1 when one is wrong, missing or unreachable, 2 for bad usage. The PR workflow runs it (docs/cicd.md, "Pinned actions").
import * as path from "path";
import { checkPin, collectPins, workflowFiles } from "./action-pins";
import { readFlags, UsageError } from "./cli";

const USAGE = "usage: npx tsx tools/check-action-pins.ts [--project <repository root>] [--remote-base https://github.com]";

function main(argv: readonly string[]): number {
    let projectDir = path.resolve(__dirname, "..");
    let remoteBase = "https://github.com";
    try {
        readFlags(argv, (flag, value) => {
            if (flag === "--project") projectDir = path.resolve(value());
            else if (flag === "--remote-base") remoteBase = value();
            else return false;
            return true;
        });
    } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        if (e.message) console.error(e.message);
        console.error(USAGE);
        return 2;
    }
    const files = workflowFiles(projectDir);
    const pins = collectPins(files);
    if (pins.length === 0) {
        console.error(`No pinned action (uses: owner/repo@<40-hex sha> # <tag>) found in ${files.join(", ")}.`);
        return 1;
    }
    let failed = 0;
    for (const pin of pins) {
        const result = checkPin(pin, remoteBase);
        if (result.status !== "ok") failed++;
        console.log(`${result.status.toUpperCase().padEnd(11)} ${pin.repository}@${pin.tag}  ${result.detail}`);
    }
    console.log(`${pins.length - failed} of ${pins.length} pins match their tags.`);
    return failed === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
