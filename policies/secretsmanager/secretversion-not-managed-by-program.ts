import { resourceRule } from "../define";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC8.1"], pciDss: ["3.5.1", "3.6.1", "8.3.2"] };

/** The program never writes a secret value: `aws.secretsmanager.SecretVersion` is blocked unless a named exemption allows it. */
export const secretsmanagerSecretversionNotManagedByProgram = resourceRule(
    {
        name: "secretsmanager-secretversion-not-managed-by-program",
        description: "Secret values must not be set by the program: aws.secretsmanager.SecretVersion is not allowed.",
        severity: "critical",
        controls,
        remediation:
            "remove the SecretVersion; the value comes from the secret's rotation function, from RDS, or from a person through the runbook. A value generated in place must be a Pulumi secret output and needs a named exemption with a reason for this rule and URN in policies/pack-config.json.",
    },
    ({ args, props, report }) => {
        if (args.type !== "aws:secretsmanager/secretVersion:SecretVersion") return;
        const what = props.secretString !== undefined ? "secretString" : props.secretBinary !== undefined ? "secretBinary" : "a value";
        report(`SecretVersion '${args.name}' writes ${what} into a secret from the program, so the value passes through Pulumi state`);
    },
);

export default secretsmanagerSecretversionNotManagedByProgram;
