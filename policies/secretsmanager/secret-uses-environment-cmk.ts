import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.7"], pciDss: ["3.5.1", "3.6.1"] };

const KEY_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/;

/** Every Secrets Manager secret is encrypted with a customer-managed key of its own account, never `aws/secretsmanager`. */
export const secretsmanagerSecretUsesEnvironmentCmk: ResourceValidationPolicy = {
    name: "secretsmanager-secret-uses-environment-cmk",
    description: "Secrets Manager secrets must be encrypted with the environment's customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    validateResource: validateResourceOfType(aws.secretsmanager.Secret, (secret, args, reportViolation) => {
        const fix = "set kmsKeyId to the key ARN from EnvironmentKey (ManagedSecret does this for you).";
        const keyId = secret.kmsKeyId;
        if (keyId === undefined || keyId === null || keyId === "") {
            reportViolation(`Secret '${args.name}' has no kmsKeyId, so AWS would use the shared aws/secretsmanager key; ${fix}`);
            return;
        }
        if (typeof keyId !== "string") return;
        if (/alias\/aws\/secretsmanager$/.test(keyId)) {
            reportViolation(`Secret '${args.name}' uses the AWS-managed aws/secretsmanager key, which cannot be scoped to the environment; ${fix}`);
            return;
        }
        const match = KEY_ARN.exec(keyId);
        if (!match) {
            reportViolation(`Secret '${args.name}' names its key as '${keyId}'; use the full key ARN so the account can be checked; ${fix}`);
            return;
        }
        const providerAccount = accountFromProvider(args.provider?.props);
        if (providerAccount && match[2] !== providerAccount) {
            reportViolation(`Secret '${args.name}' is encrypted with a key of account ${match[2]}, but the stack deploys to account ${providerAccount}; ${fix}`);
        }
    }),
};

function accountFromProvider(props: Record<string, any> | undefined): string | undefined {
    const allowed = props?.allowedAccountIds;
    const list = typeof allowed === "string" ? safeParse(allowed) : allowed;
    return Array.isArray(list) && list.length === 1 ? String(list[0]) : undefined;
}

function safeParse(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

export default secretsmanagerSecretUsesEnvironmentCmk;
