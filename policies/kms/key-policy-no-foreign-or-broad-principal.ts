import { resourceRule } from "../define";
import { accountOfArn, findPolicyDocuments, principalValues } from "../inspect/policy-documents";
import { ControlRefs } from "../pack-info";
import { environmentOf } from "../settings";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.3"], pciDss: ["3.6.1", "7.2.1", "7.2.2"] };

/** Types whose `policy` is a key policy. */
export const KEY_POLICY_TYPES = new Set(["aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", "aws:kms/keyPolicy:KeyPolicy"]);

/**
 * A key policy grants `kms:*` only to its own account's root (which delegates to IAM) and names no principal of
 * another account.
 */
export const kmsKeyPolicyNoForeignOrBroadPrincipal = resourceRule(
    {
        name: "kms-key-policy-no-foreign-or-broad-principal",
        description: "KMS key policies must not grant kms:* to anyone but the account root, nor name a principal of another account.",
        severity: "critical",
        controls,
        remediation:
            "keep kms:* only on the statement whose principal is this account's root, give administrators the explicit KEY_ADMIN_ACTIONS, and grant other accounts nothing (buildEnvironmentKeyPolicy does this).",
    },
    ({ args, props, settings, report }) => {
        if (!KEY_POLICY_TYPES.has(args.type)) return;
        const env = environmentOf(settings, args.urn);
        const accountId = env?.accountId;
        for (const doc of findPolicyDocuments(args.type, props)) {
            doc.statements.forEach((s, i) => {
                const label = `statement ${s.sid ?? i}`;
                const principals = principalValues(s);
                if (accountId) {
                    for (const p of principals) {
                        const account = /^\d{12}$/.test(p) ? p : accountOfArn(p);
                        if (account && account !== accountId) report(`Key policy of '${args.name}' (${label}) names principal '${p}' of account ${account}, outside the ${env!.name} account ${accountId}`);
                    }
                }
                if (s.effect !== "Allow") return;
                const broad = s.notAction || s.actions.some((a) => a === "*" || a.toLowerCase() === "kms:*");
                if (!broad) return;
                const root = accountId ? [`arn:aws:iam::${accountId}:root`, accountId] : [];
                const onlyRoot = s.principal !== "*" && principals.length > 0 && principals.every((p) => root.includes(p));
                if (!onlyRoot) report(`Key policy of '${args.name}' (${label}) allows ${s.notAction ? "NotAction" : "kms:*"} to ${principals.join(", ") || "an unnamed principal"}, not only the account root`);
            });
        }
    },
);

export default kmsKeyPolicyNoForeignOrBroadPrincipal;
