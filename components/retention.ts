// What a deploy must never destroy when a resource leaves the program: a rename in the catalog or in the code, a
// secret taken out of the catalog, a refactor that moves a resource. Pulumi then drops the resource from its state
// and leaves the real one in place; removing it for good is a person's decision (docs/cicd.md, "Day-2 safety").
import * as pulumi from "@pulumi/pulumi";

/**
 * Resource types that hold values, keys, logs or a live environment. Every resource of these types is created with
 * {@link RETAIN_ON_DELETE} (or `protect`), which `test/foundation/retention.test.ts` checks on every environment's plan.
 */
export const RETAINED_TYPES = [
    // A namespace holds every workload, synced Secret and Airflow task of a team.
    "kubernetes:core/v1:Namespace",
    // A secret holds its value and its version history.
    "aws:secretsmanager/secret:Secret",
    // A key is needed to decrypt every secret version and log it ever encrypted.
    "aws:kms/key:Key",
    "aws:kms/replicaKey:ReplicaKey",
    // Buckets hold the audit trail, its access logs, the Pulumi state and audit query results.
    "aws:s3/bucket:Bucket",
    // Log groups hold the trail and the rotation functions' history, which SOC 2 evidence relies on.
    "aws:cloudwatch/logGroup:LogGroup",
] as const;

/** Options that keep the real resource when Pulumi deletes it from the stack. Spread into the resource's options. */
export const RETAIN_ON_DELETE: Readonly<Pick<pulumi.CustomResourceOptions, "retainOnDelete">> = { retainOnDelete: true };
