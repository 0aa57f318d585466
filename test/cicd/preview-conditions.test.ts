// Which pull requests reach which environment's preview role: the `if:` of each job in pr.yml, evaluated by GitHub's
// own expression engine (@actions/expressions) against the event payloads GitHub sends.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";

const PR_WORKFLOW = path.resolve(__dirname, "..", "..", ".github", "workflows", "pr.yml");
const REPO = "finledger/secrets-platform";
const HEAD = "4f0c2a9be1d3a7c55e0f6b8d2c1a9e7f3b5d8c20";
const OLDER = "9a8b7c6d5e4f30211f2e3d4c5b6a79880a1b2c3d";

type Expressions = typeof import("@actions/expressions");
let expressions: Expressions;

/** Evaluates one job's `if:` as GitHub does (a missing `if` means success()). */
function runs(condition: string | undefined, github: Record<string, unknown>): boolean {
    const { Lexer, Parser, Evaluator, data } = expressions;
    const source = (condition ?? "success()").replace(/^\$\{\{([\s\S]*)\}\}$/, "$1");
    const lexed = new Lexer(source).lex();
    const expr = new Parser(lexed.tokens, ["github"], [{ name: "success", minArgs: 0, maxArgs: 0 }]).parse();
    const context = new data.Dictionary({ key: "github", value: JSON.parse(JSON.stringify(github), data.reviver) });
    const functions = new Map([["success", { name: "success", description: "", minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(true) }]]);
    const result = new Evaluator(expr, context, functions as any).evaluate() as unknown as { value?: unknown };
    if (typeof result.value !== "boolean") throw new Error(`The condition '${source.trim()}' did not evaluate to a boolean.`);
    return result.value;
}

function pullRequest(headRepo: string, sha = HEAD) {
    return { number: 42, head: { sha, repo: { full_name: headRepo } }, base: { repo: { full_name: REPO } } };
}

/** GitHub's context for the events pr.yml listens to. */
const EVENTS: Record<string, Record<string, unknown>> = {
    "a pull request from a branch": { event_name: "pull_request", repository: REPO, event: { action: "synchronize", pull_request: pullRequest(REPO) } },
    "a pull request from a fork": { event_name: "pull_request", repository: REPO, event: { action: "opened", pull_request: pullRequest("attacker/secrets-platform") } },
    "an approving review of the branch's head": {
        event_name: "pull_request_review",
        repository: REPO,
        event: { action: "submitted", review: { state: "approved", commit_id: HEAD }, pull_request: pullRequest(REPO) },
    },
    "an approving review of an older commit (the author pushed after it)": {
        event_name: "pull_request_review",
        repository: REPO,
        event: { action: "submitted", review: { state: "approved", commit_id: OLDER }, pull_request: pullRequest(REPO) },
    },
    "a review that requests changes": {
        event_name: "pull_request_review",
        repository: REPO,
        event: { action: "submitted", review: { state: "changes_requested", commit_id: HEAD }, pull_request: pullRequest(REPO) },
    },
    "a comment-only review": { event_name: "pull_request_review", repository: REPO, event: { action: "submitted", review: { state: "commented", commit_id: HEAD }, pull_request: pullRequest(REPO) } },
    "an approving review of a fork's pull request": {
        event_name: "pull_request_review",
        repository: REPO,
        event: { action: "submitted", review: { state: "approved", commit_id: HEAD }, pull_request: pullRequest("attacker/secrets-platform") },
    },
};

/** Which jobs run for each event: `preview` holds dev and staging, `preview-prod` prod. */
const EXPECTED: Record<string, string[]> = {
    "a pull request from a branch": ["preview", "verify"],
    "a pull request from a fork": ["verify"],
    "an approving review of the branch's head": ["preview-prod"],
    "an approving review of an older commit (the author pushed after it)": [],
    "a review that requests changes": [],
    "a comment-only review": [],
    "an approving review of a fork's pull request": [],
};

describe("which pull requests get which environment's preview (pr.yml conditions, GitHub's expression engine)", () => {
    const jobs = YAML.parse(fs.readFileSync(PR_WORKFLOW, "utf8")).jobs as Record<string, { if?: string; "runs-on"?: string }>;

    before(async () => {
        expressions = await import("@actions/expressions");
    });

    it("the engine is live: a condition that cannot hold evaluates to false and an empty one to true", () => {
        assert.equal(runs("github.event_name == 'push'", EVENTS["a pull request from a branch"]), false);
        assert.equal(runs(undefined, EVENTS["a pull request from a branch"]), true);
    });

    it("pr.yml has exactly the jobs these cases cover", () => {
        assert.deepEqual(Object.keys(jobs).sort(), ["preview", "preview-prod", "verify"]);
    });

    for (const [label, github] of Object.entries(EVENTS)) {
        it(`${label}: runs ${EXPECTED[label].length ? EXPECTED[label].join(" and ") : "no job"}`, () => {
            const ran = Object.entries(jobs)
                .filter(([, job]) => runs(job.if, github))
                .map(([id]) => id)
                .sort();
            assert.deepEqual(ran, EXPECTED[label]);
        });
    }
});
