// Stuck rotations (pure): a rotation that keeps failing leaves AWSPENDING on a version next to, not on, AWSCURRENT.
// Secrets Manager then reattempts it each window and the failure alarm fires each time, which on-call learns to
// ignore; this finding names the secret and how long it has been stuck, once a day, until someone repairs it
// (`npm run rotation:repair`, docs/rotation.md).

/** One secret's versions as ListSecrets and ListSecretVersionIds show them. */
export interface SecretVersions {
    readonly name: string;
    readonly arn: string;
    /** Version id to its stages and creation time. */
    readonly versions: ReadonlyArray<{ readonly id: string; readonly stages: readonly string[]; readonly created: Date }>;
}

/** A rotation whose AWSPENDING version is older than allowed. */
export interface StuckRotation {
    readonly secretName: string;
    readonly secretArn: string;
    readonly pendingVersionId: string;
    readonly pendingSince: string;
    readonly hoursStuck: number;
}

/** Pending versions (not AWSCURRENT) created more than `maxHours` ago. */
export function findStuckRotations(secrets: readonly SecretVersions[], now: Date, maxHours: number): StuckRotation[] {
    const out: StuckRotation[] = [];
    for (const s of secrets) {
        for (const v of s.versions) {
            if (!v.stages.includes("AWSPENDING") || v.stages.includes("AWSCURRENT")) continue;
            const hours = (now.getTime() - v.created.getTime()) / 3_600_000;
            if (hours > maxHours) out.push({ secretName: s.name, secretArn: s.arn, pendingVersionId: v.id, pendingSince: v.created.toISOString(), hoursStuck: Math.floor(hours) });
        }
    }
    return out;
}
