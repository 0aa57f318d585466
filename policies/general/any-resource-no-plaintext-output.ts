import { propsOf, STACK_TYPE, stackRule } from "../define";
import { findPlaintextSecrets } from "../inspect/secret-detectors";
import { decodeKnownBase64 } from "../inspect/encodings";
import { stringsOf } from "../inspect/values";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.7", "CC8.1"], pciDss: ["3.5.1", "8.3.2", "8.6.2"] };

/**
 * No output of any resource holds a plaintext credential: the stack's own outputs, each component's registered
 * outputs, and each provider resource's outputs, which can hold a credential its inputs never had (a generated
 * access key secret, a password a dynamic provider returned). Resource rules receive inputs only; this stack rule
 * reads what the engine hands stack rules, the outputs a deployment keeps in its state, with the same detectors as
 * any-resource-no-plaintext-secret. A credential an input already holds and the provider copies to its outputs is
 * in state twice and is reported by both rules.
 */
export const anyResourceNoPlaintextOutput = stackRule(
    {
        name: "any-resource-no-plaintext-output",
        description: "Stack outputs, component outputs and resource outputs must not contain plaintext credentials.",
        severity: "critical",
        controls,
        remediation:
            "export a reference (the secret's name or ARN), not its value; a value that must be exported is a pulumi.secret() output, which state encrypts, and even then it belongs in Secrets Manager. For a provider resource that returns a credential, mark the output secret (additionalSecretOutputs) or use the resource's encrypted form (a PGP key). If the value is not a credential, add an exemption with a reason for this rule and URN to policies/pack-config.json.",
    },
    async ({ args, report }) => {
        // Every resource's strings at once, so that the preset lints them in one batch; reports keep resource order.
        const all = await Promise.all(args.resources.map((r) => findPlaintextSecrets(stringsOf(decodeKnownBase64(r.type, propsOf(r))))));
        for (const [i, r] of args.resources.entries()) {
            const findings = all[i];
            for (const f of findings.filter((f) => !findings.some((g) => g !== f && g.path.startsWith(`${f.path}<`)))) {
                report(`${r.type === STACK_TYPE ? "Stack output" : `Output of '${r.name}' (${r.type})`} at '${f.path}' looks like a plaintext credential (detector ${f.detector}); the value is not shown`, r.urn);
            }
        }
    },
);

export default anyResourceNoPlaintextOutput;
