import { propsOf, stackRule, stackUrnOf } from "../define";
import { asList, display, knownString, parseJsonish } from "../inspect/values";
import { ControlRefs, environmentOfUrn } from "../pack-info";
import { environmentOf, PACK_EXEMPTIONS_BY_ENTRY, settingsProblems, SETTINGS_POLICY } from "../settings";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC8.1"], pciDss: ["6.5.1", "12.5.2"] };

/**
 * The pack's own settings are sound for this stack: the stack's environment is declared in
 * `policies/pack-config.json`, its AWS providers are pinned to the declared account, and every exemption names a
 * rule, a resource and a reason, has not expired and sits under the entry of the rule it exempts.
 */
export const packConfigDeclaresEnvironment = stackRule(
    {
        name: SETTINGS_POLICY,
        description: "The stack's environment must be declared in the pack config, with its account matching the AWS providers, and every exemption must have a reason and be unexpired.",
        severity: "high",
        controls,
        remediation: "declare the environment in policies/pack-config.json with the values of Pulumi.<env>.yaml, and give every exemption policy, urn and a reason (and renew or remove expired ones).",
    },
    ({ args, settings, report }) => {
        for (const problem of settingsProblems(settings)) report(problem);
        // The other rules' exemptions as baked from policies/pack-config.json; the engine passes each rule only its
        // own entry, so this rule can check the file's entries but not config set for other rules at run time.
        for (const [entry, exemptions] of PACK_EXEMPTIONS_BY_ENTRY) {
            if (entry !== SETTINGS_POLICY) for (const problem of settingsProblems({ environments: [], exemptions, deprecatedLambdaRuntimes: [] }, new Date(), entry)) report(problem);
        }
        const urn = stackUrnOf(args.resources);
        if (!urn) return;
        const env = environmentOf(settings, urn);
        if (!env) {
            report(`Stack '${environmentOfUrn(urn)}' is not a declared environment, so the other rules cannot tell its resources from another environment's`);
            return;
        }
        for (const r of args.resources) {
            if (r.type !== "pulumi:providers:aws") continue;
            const raw = propsOf(r).allowedAccountIds;
            const ids = asList(typeof raw === "string" ? parseJsonish(raw) : raw).map((v) => knownString(display(v))).filter(Boolean);
            if (ids.length === 0) report(`AWS provider '${r.name}' does not pin allowedAccountIds to the ${env.name} account ${env.accountId}`, r.urn);
            else if (ids.some((id) => id !== env.accountId)) report(`AWS provider '${r.name}' allows account(s) ${ids.join(", ")}, but ${env.name} is account ${env.accountId}`, r.urn);
        }
    },
);

export default packConfigDeclaresEnvironment;
