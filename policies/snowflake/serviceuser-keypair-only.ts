import { resourceRule } from "../define";
import { isUnknown, knownString } from "../inspect/values";
import { ControlRefs } from "../pack-info";

/** Controls this rule serves. */
export const controls: ControlRefs = { soc2: ["CC6.1", "CC6.2"], pciDss: ["8.3.1", "8.3.2", "8.6.1"] };

const SERVICE_USER_TYPES = new Set(["snowflake:index/serviceUser:ServiceUser", "snowflake:index/legacyServiceUser:LegacyServiceUser"]);
const PERSON_OR_LEGACY_TYPES = new Set(["snowflake:index/user:User", "snowflake:index/legacyServiceUser:LegacyServiceUser"]);

/**
 * A Snowflake service user authenticates with an RSA key pair only: no password. A platform user (named with an
 * environment's Snowflake role prefix) is TYPE = SERVICE, never a person or a legacy service user. A user without a
 * key is allowed: the program never sets a key (the first one comes through the first-value command and the
 * rotation, which owns both slots), so a missing key in a plan is the expected state, not a weakness.
 */
export const snowflakeServiceuserKeypairOnly = resourceRule(
    {
        name: "snowflake-serviceuser-keypair-only",
        description: "Snowflake service users must have no password, and the platform's users must be TYPE = SERVICE (key pair only).",
        severity: "high",
        controls,
        remediation:
            "create the user as snowflake.ServiceUser (components/snowflake-service-user.ts) with no password; its key pair is a catalog secret that the rotation writes into the two key slots.",
    },
    ({ args, props, settings, report }) => {
        const name = knownString(props.name) ?? args.name;
        const platformPrefix = settings.environments.find((e) => name.toUpperCase().startsWith(e.snowflakeRolePrefix.toUpperCase()));
        const typeProp = typeof props.userType === "string" ? props.userType.toUpperCase() : undefined;
        if (platformPrefix && PERSON_OR_LEGACY_TYPES.has(args.type) && typeProp !== "SERVICE") {
            const kind = args.type.endsWith(":LegacyServiceUser") ? "a LEGACY_SERVICE user (password sign-in)" : "a TYPE = PERSON user";
            report(`Snowflake user '${name}' carries the ${platformPrefix.name} prefix ${platformPrefix.snowflakeRolePrefix} but is ${kind}; the platform's users are service users`);
        }
        const isServiceUser = SERVICE_USER_TYPES.has(args.type) || (args.type === "snowflake:index/user:User" && typeProp === "SERVICE");
        if (!isServiceUser && !platformPrefix) return;
        if (props.password !== undefined && props.password !== null && !isUnknown(props.password)) {
            report(`Snowflake user '${name}' sets a password`);
        }
    },
);

export default snowflakeServiceuserKeypairOnly;
