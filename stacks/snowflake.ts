// The Snowflake layer: the environment's own Snowflake provider (pinned to the environment's account and signed in as
// its provisioning user), one network policy, one role per workload that reads Snowflake, one key-pair-only service
// user per key-pair secret, and the rotator. Everything comes from the environment model (model/snowflake.ts).
import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";
import { SnowflakeRotator } from "../components/snowflake-rotator";
import { SnowflakeServiceUser } from "../components/snowflake-service-user";
import { SnowflakeWorkloadRole } from "../components/snowflake-workload-role";
import type { SnowflakePlan } from "../model/snowflake";
import { SnowflakeCiIdentity, snowflakeCiLogin } from "../model/snowflake-ci-identity";
import { buildPaced } from "./pacing";
import { EnvironmentPlatform } from "./platform";

/** What the Snowflake layer exports: user names by catalog secret, and the rotator's user. */
export interface SnowflakeLayer {
    readonly provider: snowflake.Provider;
    readonly usersBySecret: ReadonlyMap<string, SnowflakeServiceUser>;
    readonly rotator: SnowflakeRotator;
}

/**
 * The provider's arguments: the account and the CI identity (the provisioner for `pulumi up`, the privilege-less
 * previewer for PR previews), and no credential. The private key is never a program input, so it is in no config
 * file, state file or plan; the Snowflake provider reads it from the `SNOWFLAKE_PRIVATE_KEY` environment variable of
 * the process that runs Pulumi (docs/snowflake.md, "Provider credentials").
 */
export function snowflakeProviderArgs(plan: SnowflakePlan, identity: SnowflakeCiIdentity = "provisioner"): snowflake.ProviderArgs {
    const login = snowflakeCiLogin(plan, identity);
    return {
        organizationName: plan.account.organizationName,
        accountName: plan.account.accountName,
        user: login.userName,
        role: login.roleName,
        authenticator: "SNOWFLAKE_JWT",
    };
}

/** Builds the Snowflake layer of one environment. */
export async function buildSnowflake(platform: EnvironmentPlatform, identity: SnowflakeCiIdentity): Promise<SnowflakeLayer> {
    const { config, model } = platform;
    const plan = model.snowflake;
    const prefix = config.namePrefix;
    const provider = new snowflake.Provider(`${prefix}-snowflake`, snowflakeProviderArgs(plan, identity));
    const opts: pulumi.CustomResourceOptions = { provider };

    const network = new snowflake.NetworkPolicy(
        `${prefix}-snowflake-egress`,
        { name: plan.networkPolicy.name, allowedIpLists: [...plan.networkPolicy.allowedIpCidrs], comment: `The ${config.environment} cluster's NAT egress: the only addresses the platform's service users connect from` },
        opts,
    );
    const roles = new Map<string, SnowflakeWorkloadRole>();
    await buildPaced(plan.roles, (r) => roles.set(r.name, new SnowflakeWorkloadRole(`${prefix}-sf-role-${r.workloadId}`, { role: r }, { providers: [provider] })));
    const usersBySecret = new Map<string, SnowflakeServiceUser>();
    await buildPaced(plan.users, (u) => {
        usersBySecret.set(
            u.secretName,
            new SnowflakeServiceUser(`${prefix}-sf-user-${u.name.toLowerCase()}`, { user: u, networkPolicyName: network.name, dependsOn: [network, roles.get(u.defaultRole)!.role] }, { providers: [provider] }),
        );
    });
    const rotator = new SnowflakeRotator(
        `${prefix}-sf-rotator`,
        { rotator: plan.rotator, networkPolicyName: network.name, users: new Map([...usersBySecret.values()].map((u) => [u.userName, u])) },
        { providers: [provider], dependsOn: [network] },
    );
    return { provider, usersBySecret, rotator };
}

/** Stack outputs of the Snowflake layer (names only). */
export function snowflakeOutputs(layer: SnowflakeLayer) {
    return {
        snowflakeServiceUsers: Object.fromEntries([...layer.usersBySecret].map(([secret, u]) => [secret, u.userName])),
        snowflakeRotatorUser: layer.rotator.userName,
    };
}
