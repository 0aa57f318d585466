import { resourceRule } from "../define";
import { accountOfArn } from "../inspect/policy-documents";
import { isUnknown } from "../inspect/values";
import { ControlRefs } from "../pack-info";
import { environmentOf, otherEnvironments } from "../settings";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.7"], pciDss: ["3.5.1", "3.6.1"] };

const KEY_ARN = /^arn:aws:kms:([a-z0-9-]+):(\d{12}):key\/[A-Za-z0-9-]+$/;

/** Every Secrets Manager secret (and replica) is encrypted with its environment's customer-managed key, never `aws/secretsmanager` or another environment's key. */
export const secretsmanagerSecretUsesEnvironmentCmk = resourceRule(
    {
        name: "secretsmanager-secret-uses-environment-cmk",
        description: "Secrets Manager secrets must be encrypted with the environment's customer-managed KMS key.",
        severity: "high",
        controls,
        remediation: "set kmsKeyId (and each replica's kmsKeyId) to the key ARN from EnvironmentKey; ManagedSecret does this for you.",
    },
    ({ args, props, settings, report }) => {
        if (args.type !== "aws:secretsmanager/secret:Secret") return;
        const env = environmentOf(settings, args.urn);
        const others = otherEnvironments(settings, args.urn);
        const check = (keyId: unknown, where: string) => {
            if (isUnknown(keyId)) return;
            if (keyId === undefined || keyId === null || keyId === "") {
                report(`Secret '${args.name}' has no ${where}, so AWS would use the shared aws/secretsmanager key`);
                return;
            }
            if (typeof keyId !== "string") {
                report(`Secret '${args.name}' has a ${where} that is not a string`);
                return;
            }
            if (/(^|:)alias\/aws\/secretsmanager$/.test(keyId)) {
                report(`Secret '${args.name}' uses the AWS-managed aws/secretsmanager key in ${where}, which cannot be scoped to the environment`);
                return;
            }
            const other = others.find((o) => accountOfArn(keyId) === o.accountId || keyId.includes(`alias/${o.namePrefix}-`));
            if (other) {
                report(`Secret '${args.name}' is encrypted (${where}) with a key of the ${other.name} environment (account ${other.accountId}); each environment's secrets use only its own key`);
                return;
            }
            const match = KEY_ARN.exec(keyId);
            if (!match) {
                report(`Secret '${args.name}' names its key in ${where} as '${keyId}'; use the full key ARN so the account can be checked`);
                return;
            }
            if (env && match[2] !== env.accountId) {
                report(`Secret '${args.name}' is encrypted (${where}) with a key of account ${match[2]}, but the ${env.name} environment's account is ${env.accountId}`);
            }
        };
        check(props.kmsKeyId, "kmsKeyId");
        const replicas = Array.isArray(props.replicas) ? props.replicas : [];
        replicas.forEach((r, i) => check(r && typeof r === "object" ? (r as Record<string, unknown>).kmsKeyId : undefined, `replicas[${i}].kmsKeyId`));
    },
);

export default secretsmanagerSecretUsesEnvironmentCmk;
