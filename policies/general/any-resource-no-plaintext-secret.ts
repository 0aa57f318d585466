import { resourceRule } from "../define";
import { findPlaintextSecrets, SecretFinding } from "../inspect/secret-detectors";
import { decodeKnownBase64 } from "../inspect/encodings";
import { stringsOf } from "../inspect/values";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.7", "CC8.1"], pciDss: ["3.5.1", "8.3.2", "8.6.2"] };

/** Drops a finding on a container string (JSON, base64, a text blob) when a finding inside it names the exact place. */
function mostSpecific(findings: SecretFinding[]): SecretFinding[] {
    return findings.filter((f) => !findings.some((g) => g !== f && g.path.startsWith(`${f.path}<`)));
}

/**
 * No resource input holds a plaintext credential: not at the top level, not nested, not in JSON inside a string
 * (policy documents, Helm values, ECS container definitions), ConfigMaps, Lambda or ECS environments, container
 * args, Spark conf or Airflow env. Detection: the secretlint recommended preset plus this estate's detectors.
 */
export const anyResourceNoPlaintextSecret = resourceRule(
    {
        name: "any-resource-no-plaintext-secret",
        description: "Resource inputs must not contain plaintext credentials; values come from Secrets Manager through ESO or the Airflow backend.",
        severity: "critical",
        controls,
        remediation:
            "remove the value from the program and config. Policies see Pulumi secrets unwrapped, so pulumi.secret() or a `secure:` config value is still a credential in IaC, and in this product values never pass through IaC: add the credential to the catalog (catalog/*.yaml) so a ManagedSecret holds it, set it through its rotation function or runbook, and reference it (ExternalSecret, Airflow's Secrets Manager backend, secretKeyRef). If the value is not a credential, add an exemption with a reason for this rule and URN to policies/pack-config.json.",
    },
    async ({ args, props, report }) => {
        const findings = mostSpecific(await findPlaintextSecrets(stringsOf(decodeKnownBase64(args.type, props))));
        for (const f of findings) {
            report(`Resource '${args.name}' (${args.type}) has what looks like a plaintext credential at '${f.path}' (detector ${f.detector}); the value is not shown`);
        }
    },
);

export default anyResourceNoPlaintextSecret;
