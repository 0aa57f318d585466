import { snowflakeNetworkpolicyNoOpenEgress as snowflakeNetwork } from "../../../policies/snowflake/networkpolicy-no-open-egress";
import { assertCompliant, assertViolation, target, withChange } from "../../support/policy-fixtures";

describe("snowflake-networkpolicy-no-open-egress", () => {
    const policy = () => target("snowflake:index/networkPolicy:NetworkPolicy", "egress", { name: "FL_DEV_PLATFORM_EGRESS", allowedIpLists: ["52.0.18.11/32"] });
    it("stays quiet on a policy of named networks", async () => {
        await assertCompliant(snowflakeNetwork, policy());
    });
    it("reports 0.0.0.0/0", async () => {
        await assertViolation(snowflakeNetwork, withChange(policy(), (t) => (t.inputs.allowedIpLists = ["52.0.18.11/32", "0.0.0.0/0"])), /'FL_DEV_PLATFORM_EGRESS' allows 0\.0\.0\.0\/0: any address on the internet may sign in.*Fix: list the cluster's NAT egress CIDRs/);
    });
    it("reports an empty allow list, which allows every address", async () => {
        await assertViolation(snowflakeNetwork, withChange(policy(), (t) => (t.inputs.allowedIpLists = [])), /has no allowed IP list, which allows every address/);
    });
});
