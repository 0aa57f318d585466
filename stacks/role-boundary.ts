// The resource options of every layer the deploy role applies: its provider, and the transformation that puts the
// platform boundary on each IAM role below it (components/github-deploy/boundary-transform.ts).
import * as pulumi from "@pulumi/pulumi";
import { platformBoundaryTransformation } from "../components/github-deploy/boundary-transform";
import { EnvironmentPlatform } from "./platform";

/** Options for a component the deploy role creates: the environment's provider, and the boundary on every role under it. */
export function deployedLayerOptions(platform: EnvironmentPlatform): pulumi.ComponentResourceOptions {
    return { provider: platform.provider, transformations: [platformBoundaryTransformation(platform.config.accountId, platform.config.namePrefix)] };
}
