// `npm run cost [-- --check]`: writes docs/cost.md from the environment models and the unit prices in
// tools/cost/prices.ts. With --check it writes nothing and exits 1 when docs/cost.md is out of date.
import * as fs from "fs";
import * as path from "path";
import { renderCostDocument } from "./cost/document";

const projectDir = path.resolve(__dirname, "..");
const file = path.join(projectDir, "docs", "cost.md");
const args = process.argv.slice(2);
if (args.some((a) => a !== "--check")) {
    console.error("Usage: npm run cost [-- --check]");
    process.exit(2);
}
const text = renderCostDocument(projectDir);
if (args.includes("--check")) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (current !== text) {
        console.error("docs/cost.md is out of date with the environment model or the prices; run `npm run cost` and commit it.");
        process.exit(1);
    }
    console.log("docs/cost.md is current.");
} else {
    fs.writeFileSync(file, text);
    console.log(`Wrote ${path.relative(projectDir, file)}`);
}
