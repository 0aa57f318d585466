// The one request the refresh function makes of the Kubernetes API, as plain data: a JSON merge patch that sets ESO's
// `force-sync` annotation on one ExternalSecret. Nothing else of the object changes, so the patch can never alter
// what the ExternalSecret reads or where it writes.
import { FORCE_SYNC_ANNOTATION, RefreshTarget } from "../../model/event-refresh";

/** The content type of a JSON merge patch (RFC 7386), which the Kubernetes API accepts on PATCH. */
export const MERGE_PATCH_CONTENT_TYPE = "application/merge-patch+json";

/** API group and version of the ExternalSecrets the stack creates (components/external-secrets.ts). */
export const EXTERNAL_SECRET_API = "external-secrets.io/v1";

/** The API path of one ExternalSecret. */
export function externalSecretPath(target: RefreshTarget): string {
    return `/apis/${EXTERNAL_SECRET_API}/namespaces/${encodeURIComponent(target.namespace)}/externalsecrets/${encodeURIComponent(target.name)}`;
}

/** The merge patch that asks ESO to resync now: `force-sync` set to `value`, which must differ from the last one sent. */
export function forceSyncPatch(value: string): { metadata: { annotations: Record<string, string> } } {
    return { metadata: { annotations: { [FORCE_SYNC_ANNOTATION]: value } } };
}

/**
 * The annotation value for one event: its id, so a retried delivery of the same event patches the same value (ESO
 * syncs once) while every new event changes it (ESO syncs again).
 */
export function forceSyncValue(event: { readonly id?: string; readonly time?: string }, now: Date): string {
    return event.id ? `event-${event.id}` : `at-${now.toISOString()}`;
}
