// Which Snowflake identity the stack's provider signs in as, chosen by the CI job that runs Pulumi: `pulumi up` in a
// deploy job signs in as the provisioner (owns everything the stack creates), `pulumi preview` in a pull request as
// the previewer (its role holds no privilege). The job sets the variable beside the matching key (docs/snowflake.md).
import { ConfigError } from "./config";
import type { SnowflakePlan } from "./snowflake";

/** The environment variable a CI job sets to choose the identity; unset means the provisioner. */
export const SNOWFLAKE_IDENTITY_ENV = "FINLEDGER_SNOWFLAKE_IDENTITY";

/** The identities CI may sign in as. */
export const SNOWFLAKE_CI_IDENTITIES = ["provisioner", "previewer"] as const;
/** One of {@link SNOWFLAKE_CI_IDENTITIES}. */
export type SnowflakeCiIdentity = (typeof SNOWFLAKE_CI_IDENTITIES)[number];

/** Reads the identity from the variable's value; any other value is refused with the variable's name and the fix. */
export function snowflakeCiIdentity(value: string | undefined): SnowflakeCiIdentity {
    if (value === undefined || value === "") return "provisioner";
    if ((SNOWFLAKE_CI_IDENTITIES as readonly string[]).includes(value)) return value as SnowflakeCiIdentity;
    throw new ConfigError([
        { file: `environment variable ${SNOWFLAKE_IDENTITY_ENV}`, key: SNOWFLAKE_IDENTITY_ENV, found: `'${value}'`, expected: `provisioner (pulumi up in a deploy job, the default when unset) or previewer (pulumi preview in a pull request)` },
    ]);
}

/** The Snowflake user and role of that identity in one environment. */
export function snowflakeCiLogin(plan: SnowflakePlan, identity: SnowflakeCiIdentity): { readonly userName: string; readonly roleName: string } {
    return identity === "previewer" ? plan.previewer : plan.provisioner;
}
