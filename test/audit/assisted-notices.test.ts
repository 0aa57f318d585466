// Assisted-rotation notices reach the owning team: in each environment's plan, every team that owns an assisted
// secret there and has a contact gets one e-mail subscription on the alert topic, filtered to its own assisted
// findings; teams without an assisted secret in that environment get none.
import { strict as assert } from "assert";
import * as path from "path";
import { assistedNoticeRecipients, ownerFilterPolicy } from "../../components/assisted-rotation-notices";
import { catalogForEnvironment, loadCatalog } from "../../model/catalog";
import { PROJECT_DIR, planReport } from "../support/plan-cli";

describe("assisted-rotation notices", function () {
    this.timeout(300_000);
    const catalog = loadCatalog(path.join(PROJECT_DIR, "catalog"));

    it("notifies only owners of assisted secrets in the environment, at their catalog contact", () => {
        const prod = assistedNoticeRecipients(catalogForEnvironment(catalog, "prod"));
        assert.deepEqual(prod.map((r) => r.team), ["team-payments"]);
        assert.equal(prod[0]!.contact, catalog.teams!.find((t) => t.id === "team-payments")!.contact);
        const withoutTeams = assistedNoticeRecipients({ ...catalogForEnvironment(catalog, "prod"), teams: [] });
        assert.deepEqual(withoutTeams, []);
    });

    it("filters the alert topic to the team's own assisted findings", () => {
        assert.deepEqual(ownerFilterPolicy("team-payments"), { detail: { owner: ["team-payments"], strategy: ["assisted"] } });
    });

    it("the prod plan subscribes the payments contact to the alert topic with that filter on the message body", () => {
        const report = planReport("prod");
        const subs = report.resources.filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription" && r.name.includes("assisted-notices"));
        assert.equal(subs.length, 1);
        const inputs = subs[0]!.inputs as Record<string, unknown>;
        assert.equal(inputs.protocol, "email");
        assert.equal(inputs.filterPolicyScope, "MessageBody");
        assert.deepEqual(JSON.parse(String(inputs.filterPolicy)), ownerFilterPolicy("team-payments"));
        const topic = report.resources.find((r) => r.type === "aws:sns/topic:Topic" && String((r.outputs as Record<string, unknown>).arn) === String(inputs.topic));
        assert.ok(topic, "the subscription is not on a topic of the plan");
    });
});
