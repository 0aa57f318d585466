// The bridge from the kinds' value contract (model/secret-kinds.ts) to the rotation protocol: strategies parse
// and serialize through it, so a rotation can neither read nor write a value that the kind's consumers cannot use.
import type { SecretKind } from "../../model/catalog";
import { parseSecretValue, SecretValueError, serializeSecretValue } from "../../model/secret-kinds";
import { RotationError } from "./protocol";

function asRotationError<T>(fn: () => T): T {
    try {
        return fn();
    } catch (err) {
        if (err instanceof SecretValueError) throw new RotationError(err.message);
        throw err;
    }
}

/** Parses a stored value of a kind (and the strategy's extra rules); throws RotationError naming each bad field. */
export function parseStoredValue<T>(kind: SecretKind, raw: string, label: string, strategy?: string): T {
    return asRotationError(() => parseSecretValue<T>(kind, raw, label, strategy));
}

/** Serialises a value of a kind after checking it against the kind's schema; throws RotationError when it does not fit. */
export function serializeStoredValue(kind: SecretKind, value: unknown, strategy?: string): string {
    return asRotationError(() => serializeSecretValue(kind, value, strategy));
}
