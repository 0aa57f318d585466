// Which role runs `npm run status`: the environment's PR preview role (its listed reads plus its own denies) may make
// every read the command makes on every planned secret, and reads no value but the one its previews need (the
// Snowflake previewer key, docs/threat-model.md path 21). Proven by IAM simulation against the offline plan, with
// each secret's own resource policy.
import { strict as assert } from "assert";
import { previewerSecretName } from "../../model/snowflake-provisioner";
import { plannedEnvironment, decide } from "../support/plan-iam";

/** The Secrets Manager reads `npm run status` makes per secret (tools/status/collect.ts). */
const STATUS_SECRET_READS = ["secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"];

describe("the role that runs npm run status", function () {
    it("the dev preview role may describe and list the versions of every planned secret, under each secret's resource policy, but read no value except the previewer key", async () => {
        const env = plannedEnvironment("dev");
        assert.ok(env.secrets.length > 100, `the plan has the dev secrets (found ${env.secrets.length})`);
        const previewer: string[] = [];
        for (const { arn, policy } of env.secrets) {
            for (const action of STATUS_SECRET_READS) {
                assert.equal(await decide({ role: env.previewRole, action, resourceArn: arn, resourceAccount: env.accountId, resourcePolicy: policy }), "Allowed", `${action} on ${arn}`);
            }
            const value = await decide({ role: env.previewRole, action: "secretsmanager:GetSecretValue", resourceArn: arn, resourceAccount: env.accountId, resourcePolicy: policy });
            if (arn.includes(`:secret:${previewerSecretName("dev")}-`)) previewer.push(value);
            else assert.notEqual(value, "Allowed", `GetSecretValue on ${arn}`);
        }
        assert.deepEqual(previewer, ["Allowed"], "the one readable value is the dev previewer key, present once in the plan");
    });
});
