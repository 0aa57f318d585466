// Loaded into every Stryker process (`npm run mutation`): @stryker-mutator/mocha-runner 10.0.0 requires mocha's CLI
// helpers without an extension (`mocha/lib/cli/run-helpers`), and mocha 12 ships them as `.cjs`. Letting
// extensionless requires find `.cjs` files (compiled exactly like `.js` ones) is all the runner needs.
const Module = require("module");
if (!Module._extensions[".cjs"]) Module._extensions[".cjs"] = Module._extensions[".js"];
