import * as pulumi from "@pulumi/pulumi";
import { PlatformMocks } from "../../tools/plan/mocks";

/** Resolves an Output's value in a test (mocks return known values). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Installs the plan's mocks for one account and region, the way the plan does, before components are built. */
export async function useMocks(accountId = "736491028554", region = "us-east-1", stack = "prod"): Promise<void> {
    await pulumi.runtime.setMocks(new PlatformMocks({ accountId, region }), "finledger-secrets-platform", stack, false);
}
