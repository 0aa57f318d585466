import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { secretsmanagerSecretUsesEnvironmentCmk } from "./secretsmanager/secret-uses-environment-cmk";

/** Every rule of the pack. The pack entry, `plan` and `policy:check` all read this one list. */
export const policies: Array<ResourceValidationPolicy | StackValidationPolicy> = [secretsmanagerSecretUsesEnvironmentCmk];
