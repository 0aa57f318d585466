// The policy pack's entry: `pulumi preview --policy-pack policies --policy-pack-config policies/pack-config.json`.
// This is the only place that constructs the PolicyPack, because the constructor starts the analyzer's gRPC server.
import { PolicyPack, PolicyPackConfig } from "@pulumi/policy";
import packConfigFile from "./pack-config.json";
import { PACK_NAME } from "./pack-info";
import { policies } from "./registry";

// pack-config.json is also the pack's initial config: the engine starts from it and overlays whatever config it
// is given (`--policy-pack-config`, or config set centrally), entry by entry.
new PolicyPack(
    PACK_NAME,
    {
    policies,
    enforcementLevel: "mandatory",
    description: "FinLedger secrets platform guardrails: no plaintext secrets, no cross-environment grants, least-privilege IAM, key and rotation hygiene, audit trail.",
    tags: ["secrets", "soc2", "pci-dss"],
    },
    packConfigFile as unknown as PolicyPackConfig,
);
