import { propsOf, STACK_TYPE, stackRule } from "../define";
import { findPlaintextSecrets } from "../inspect/secret-detectors";
import { collectStrings } from "../inspect/values";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.7", "CC8.1"], pciDss: ["3.5.1", "8.3.2", "8.6.2"] };

/**
 * True for a resource whose outputs are not a copy of inputs: the stack itself (its outputs are the stack
 * outputs) and component resources (their outputs are what `registerOutputs` recorded). Provider resources'
 * types (`aws:iam/role:Role`, `kubernetes:core/v1:Secret`) carry a module with a `/`; components' do not.
 */
export function hasOwnOutputs(type: string): boolean {
    return type === STACK_TYPE || (!type.includes("/") && !type.startsWith("pulumi:providers:"));
}

/**
 * No stack output and no component output holds a plaintext credential. Resource rules receive inputs only, so
 * this stack rule reads the outputs a deployment also keeps in its state: the stack's own outputs and each
 * component's registered outputs, with the same detectors as any-resource-no-plaintext-secret.
 */
export const anyResourceNoPlaintextOutput = stackRule(
    {
        name: "any-resource-no-plaintext-output",
        description: "Stack outputs and component outputs must not contain plaintext credentials.",
        severity: "critical",
        controls,
        remediation:
            "export a reference (the secret's name or ARN), not its value; a value that must be exported is a pulumi.secret() output, which state encrypts, and even then it belongs in Secrets Manager. If the value is not a credential, add an exemption with a reason for this rule and URN to policies/pack-config.json.",
    },
    async ({ args, report }) => {
        for (const r of args.resources) {
            if (!hasOwnOutputs(r.type)) continue;
            const findings = await findPlaintextSecrets(collectStrings(propsOf(r)));
            for (const f of findings.filter((f) => !findings.some((g) => g !== f && g.path.startsWith(`${f.path}<`)))) {
                report(`${r.type === STACK_TYPE ? "Stack output" : `Output of '${r.name}' (${r.type})`} at '${f.path}' looks like a plaintext credential (detector ${f.detector}); the value is not shown`, r.urn);
            }
        }
    },
);

export default anyResourceNoPlaintextOutput;
