// The Snowflake provisioning key: the one secret value the deploy role of an environment may read, so that
// `pulumi up` can sign in to Snowflake as FL_<ENV>_PROVISIONER (docs/snowflake.md, "Provider credentials").
import { fullSecretName } from "./names";

/** Catalog name of the provisioning user's key pair (catalog/platform.yaml). */
export const SNOWFLAKE_PROVISIONER_SECRET = "platform/snowflake-provisioner";

/** Full Secrets Manager name of the provisioning key in one environment, such as `prod/platform/snowflake-provisioner`. */
export function provisionerSecretName(environment: string): string {
    return fullSecretName(environment, SNOWFLAKE_PROVISIONER_SECRET);
}

/** ARN pattern of exactly that secret (Secrets Manager appends `-` and six random characters to every ARN). */
export function provisionerSecretArnPattern(accountId: string, environment: string, region = "*"): string {
    return `arn:aws:secretsmanager:${region}:${accountId}:secret:${provisionerSecretName(environment)}-??????`;
}
