import { resourceRule } from "../define";
import { isUnknown } from "../inspect/values";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1"], pciDss: ["3.6.4", "3.7.4"] };

/** Customer-managed symmetric keys rotate their key material automatically (at least yearly). */
export const kmsKeyRotationEnabled = resourceRule(
    {
        name: "kms-key-rotation-enabled",
        description: "Customer-managed KMS keys must have automatic key rotation on, with a period of 365 days or less.",
        severity: "high",
        controls,
        remediation: "set enableKeyRotation: true and rotationPeriodInDays between 90 and 365 on the key (EnvironmentKey does this).",
    },
    ({ args, props, report }) => {
        if (args.type !== "aws:kms/key:Key") return;
        const spec = props.customerMasterKeySpec ?? props.keySpec;
        // KMS rotates only symmetric encryption keys; asymmetric and HMAC keys cannot rotate.
        if (typeof spec === "string" && spec !== "SYMMETRIC_DEFAULT") return;
        if (isUnknown(props.enableKeyRotation)) return;
        if (props.enableKeyRotation !== true && props.enableKeyRotation !== "true") {
            report(`KMS key '${args.name}' does not have automatic rotation enabled`);
            return;
        }
        const period = props.rotationPeriodInDays;
        if (typeof period === "number" && period > 365) report(`KMS key '${args.name}' rotates every ${period} days, more than 365`);
    },
);

export default kmsKeyRotationEnabled;
