// Which Snowflake user and account a snowflake-keypair value must name, so `secret:set` refuses a value that would
// make a workload (or the rotator, or the provider) sign in as someone else or into another environment's account.
import type { SnowflakePlan } from "./snowflake";
import { SNOWFLAKE_PREVIEWER_SECRET, SNOWFLAKE_PROVISIONER_SECRET } from "./snowflake-provisioner";

/** The planned Snowflake user of a key-pair catalog secret: a service user, the rotator, the provisioner or the previewer; undefined for unmanaged (BI) keys. */
export function plannedSnowflakeUserOf(plan: SnowflakePlan, catalogName: string): string | undefined {
    if (catalogName === SNOWFLAKE_PROVISIONER_SECRET) return plan.provisioner.userName;
    if (catalogName === SNOWFLAKE_PREVIEWER_SECRET) return plan.previewer.userName;
    if (catalogName === plan.rotator.secretName) return plan.rotator.userName;
    return plan.users.find((u) => u.secretName === catalogName)?.name;
}

/** Sentences naming each mismatch between a value's `account`/`user` and the plan; empty when they match. */
export function snowflakeValueIdentityProblems(plan: SnowflakePlan, catalogName: string, value: { readonly account?: unknown; readonly user?: unknown }): string[] {
    const problems: string[] = [];
    if (String(value.account ?? "").toUpperCase() !== plan.account.identifier.toUpperCase()) {
        problems.push(`account is '${String(value.account)}', but this environment's Snowflake account is '${plan.account.identifier}' (finledger:snowflake.account); set account to it.`);
    }
    const user = plannedSnowflakeUserOf(plan, catalogName);
    if (user !== undefined && String(value.user ?? "").toUpperCase() !== user.toUpperCase()) {
        problems.push(`user is '${String(value.user)}', but the stack plans '${user}' for secret '${catalogName}'; set user to '${user}'.`);
    }
    return problems;
}
