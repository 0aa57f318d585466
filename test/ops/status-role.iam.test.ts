// Which role runs `npm run status`: the environment's PR preview role (its listed reads plus its own denies) may make
// every read the command makes on every planned secret, and still reads no value. Proven by IAM simulation against
// the offline plan, with each secret's own resource policy.
import { strict as assert } from "assert";
import { plannedEnvironment, decide } from "../support/plan-iam";

/** The Secrets Manager reads `npm run status` makes per secret (tools/status/collect.ts). */
const STATUS_SECRET_READS = ["secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"];

describe("the role that runs npm run status", function () {
    it("the dev preview role may describe and list the versions of every planned secret, under each secret's resource policy, but not read its value", async () => {
        const env = plannedEnvironment("dev");
        assert.ok(env.secrets.length > 100, `the plan has the dev secrets (found ${env.secrets.length})`);
        for (const { arn, policy } of env.secrets) {
            for (const action of STATUS_SECRET_READS) {
                assert.equal(await decide({ role: env.previewRole, action, resourceArn: arn, resourceAccount: env.accountId, resourcePolicy: policy }), "Allowed", `${action} on ${arn}`);
            }
            assert.notEqual(await decide({ role: env.previewRole, action: "secretsmanager:GetSecretValue", resourceArn: arn, resourceAccount: env.accountId, resourcePolicy: policy }), "Allowed", `GetSecretValue on ${arn}`);
        }
    });
});
