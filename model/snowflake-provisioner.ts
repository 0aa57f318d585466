// The two Snowflake keys CI may read, one per CI role of an environment (docs/snowflake.md, "Provider credentials"):
// the provisioning key, so that `pulumi up` (deploy role) signs in as FL_<ENV>_PROVISIONER, and the previewer key, so
// that `pulumi preview` (preview role) signs in as FL_<ENV>_PREVIEWER, whose role holds no privilege.
import { exactSecretArnPattern, fullSecretName } from "./names";

/** Catalog name of the provisioning user's key pair (catalog/platform.yaml). */
export const SNOWFLAKE_PROVISIONER_SECRET = "platform/snowflake-provisioner";

/** Full Secrets Manager name of the provisioning key in one environment, such as `prod/platform/snowflake-provisioner`. */
export function provisionerSecretName(environment: string): string {
    return fullSecretName(environment, SNOWFLAKE_PROVISIONER_SECRET);
}

/** ARN pattern of exactly that secret (Secrets Manager appends `-` and six random characters to every ARN). */
export function provisionerSecretArnPattern(accountId: string, environment: string, region = "*"): string {
    return exactSecretArnPattern(accountId, provisionerSecretName(environment), region);
}

/** Catalog name of the previewer's key pair (catalog/platform.yaml): the one value the preview role may read. */
export const SNOWFLAKE_PREVIEWER_SECRET = "platform/snowflake-previewer";

/** Full Secrets Manager name of the previewer key in one environment, such as `prod/platform/snowflake-previewer`. */
export function previewerSecretName(environment: string): string {
    return fullSecretName(environment, SNOWFLAKE_PREVIEWER_SECRET);
}

/** ARN pattern of exactly the previewer secret. */
export function previewerSecretArnPattern(accountId: string, environment: string, region = "*"): string {
    return exactSecretArnPattern(accountId, previewerSecretName(environment), region);
}
