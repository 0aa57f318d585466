import { resourceRule } from "../define";
import { knownString } from "../inspect/values";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.6"], pciDss: ["1.4.1", "8.3.1"] };

const NETWORK_POLICY = "snowflake:index/networkPolicy:NetworkPolicy";
const OPEN = new Set(["0.0.0.0/0", "0.0.0.0", "::/0"]);

/** A Snowflake network policy allows named networks only: never 0.0.0.0/0, and never an empty allow list (which allows all). */
export const snowflakeNetworkpolicyNoOpenEgress = resourceRule(
    {
        name: "snowflake-networkpolicy-no-open-egress",
        description: "Snowflake network policies must allow only specific networks, never 0.0.0.0/0 or an empty list.",
        severity: "high",
        controls,
        remediation: "list the cluster's NAT egress CIDRs in finledger:snowflake.allowedIpCidrs of the stack file; the platform's network policy takes them from there.",
    },
    ({ args, props, report }) => {
        if (args.type !== NETWORK_POLICY) return;
        const name = knownString(props.name) ?? args.name;
        const allowed = Array.isArray(props.allowedIpLists) ? props.allowedIpLists : [];
        const open = allowed.filter((c) => typeof c === "string" && OPEN.has(c.trim()));
        if (open.length > 0) report(`Snowflake network policy '${name}' allows ${open.join(", ")}: any address on the internet may sign in`);
        else if (allowed.length === 0 && !Array.isArray(props.allowedNetworkRuleLists)) report(`Snowflake network policy '${name}' has no allowed IP list, which allows every address`);
    },
);

export default snowflakeNetworkpolicyNoOpenEgress;
