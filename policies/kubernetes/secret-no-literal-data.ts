import { resourceRule } from "../define";
import { asRecord } from "../inspect/values";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC8.1"], pciDss: ["3.5.1", "8.3.2"] };

const SECRET_TYPES = new Set(["kubernetes:core/v1:Secret", "kubernetes:core/v1:SecretPatch"]);

/** The program creates no Kubernetes Secret with literal `data` or `stringData`; ESO materialises Secrets from Secrets Manager. */
export const kubernetesSecretNoLiteralData = resourceRule(
    {
        name: "kubernetes-secret-no-literal-data",
        description: "Kubernetes Secrets with literal data or stringData must not be created by the program; External Secrets Operator creates them.",
        severity: "critical",
        controls,
        remediation:
            "delete the Secret from the program and add an ExternalSecret (external-secrets.io/v1) whose remoteRef.key is the ManagedSecret's name; if a literal Secret is unavoidable, add a named exemption with a reason for this rule and the Secret's URN to policies/pack-config.json.",
    },
    ({ args, props, report }) => {
        if (!SECRET_TYPES.has(args.type)) return;
        for (const field of ["data", "stringData"] as const) {
            const value = asRecord(props[field]);
            const keys = value ? Object.keys(value) : [];
            if (keys.length > 0) report(`Kubernetes Secret '${args.name}' sets ${field} with ${keys.length} literal key(s) (${keys.slice(0, 5).join(", ")}), so the value passes through Pulumi state`);
        }
    },
);

export default kubernetesSecretNoLiteralData;
