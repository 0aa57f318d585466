import { resourceRule } from "../define";
import { isUnknown, knownString } from "../inspect/values";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.2"], pciDss: ["8.3.1", "8.3.2", "8.6.1"] };

const SERVICE_USER_TYPES = new Set(["snowflake:index/serviceUser:ServiceUser", "snowflake:index/legacyServiceUser:LegacyServiceUser"]);

/** A Snowflake service user authenticates with an RSA key pair only: no password, and a public key in slot 1 or 2. */
export const snowflakeServiceuserKeypairOnly = resourceRule(
    {
        name: "snowflake-serviceuser-keypair-only",
        description: "Snowflake service users (TYPE = SERVICE) must have no password and must have an RSA public key.",
        severity: "high",
        controls,
        remediation:
            "create the user as snowflake.ServiceUser with rsaPublicKey (the rotation function fills slot 2 during a rotation) and no password; the private key lives only in Secrets Manager.",
    },
    ({ args, props, report }) => {
        const isServiceUser =
            SERVICE_USER_TYPES.has(args.type) || (args.type === "snowflake:index/user:User" && typeof props.userType === "string" && props.userType.toUpperCase() === "SERVICE");
        if (!isServiceUser) return;
        if (props.password !== undefined && props.password !== null && !isUnknown(props.password)) {
            report(`Snowflake service user '${args.name}' sets a password`);
        }
        if (isUnknown(props.rsaPublicKey) || isUnknown(props.rsaPublicKey2)) return;
        if (!knownString(props.rsaPublicKey) && !knownString(props.rsaPublicKey2)) report(`Snowflake service user '${args.name}' has no RSA public key (rsaPublicKey or rsaPublicKey2)`);
    },
);

export default snowflakeServiceuserKeypairOnly;
