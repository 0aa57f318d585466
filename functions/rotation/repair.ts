// Repairing a stuck rotation: AWSPENDING left on a version next to AWSCURRENT (the expiry check's "Rotation Stuck"
// finding). Two safe ways out, both leaving AWSCURRENT untouched until a tested value replaces it:
// - cancel: drop the AWSPENDING label. The pending value, if any, stays as an unlabelled version that Secrets
//   Manager deprecates; a credential it installed in the target system is the idle slot / idle user / an extra
//   vendor token, which the next rotation overwrites or (vendor-api) revokes, so nothing must be undone by hand.
// - complete: run the rotation's four steps for the pending token through the protocol core, which tests the
//   pending value before promoting it. That needs the strategy's access to the target system, so this command does
//   it for vendor-api secrets (adapters over HTTPS); for the others, `aws secretsmanager rotate-secret` makes the
//   rotation function reattempt the pending rotation with its own network access and credentials.
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import { TAG } from "../../model/names";
import { rotate, ROTATION_STEPS, RotationStrategy, SecretStore, versionWithStage } from "./protocol";

/** What the repair found and did. */
export interface RepairResult {
    readonly secretName: string;
    readonly action: "nothing-stuck" | "dropped-leftover-label" | "cancelled" | "completed";
    readonly pendingVersionId?: string;
    readonly currentVersionId?: string;
}

/** A repair that cannot be done this way; the message says what to do instead. */
export class RepairRefused extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RepairRefused";
    }
}

/** Cancels or completes the pending rotation of one secret. `strategyFor` returns the strategy to complete with. */
export async function repairRotation(
    store: SecretStore,
    secretId: string,
    mode: "cancel" | "complete",
    strategyFor: (strategyTag: string | undefined) => RotationStrategy<any> | undefined,
    log: (m: string) => void = () => undefined,
): Promise<RepairResult> {
    const meta = await store.describe(secretId);
    const current = versionWithStage(meta.stages, "AWSCURRENT");
    const pending = versionWithStage(meta.stages, "AWSPENDING");
    if (!pending) return { secretName: meta.name, action: "nothing-stuck", currentVersionId: current };
    if (pending === current) {
        // A finished rotation whose label removal was lost: dropping it is what finishSecret would have done.
        await store.moveStage(meta.arn, "AWSPENDING", undefined, pending);
        return { secretName: meta.name, action: "dropped-leftover-label", pendingVersionId: pending, currentVersionId: current };
    }
    if (mode === "cancel") {
        await store.moveStage(meta.arn, "AWSPENDING", undefined, pending);
        log(`Cancelled the pending rotation ${pending} of ${meta.name}; AWSCURRENT (${current ?? "none"}) is unchanged.`);
        return { secretName: meta.name, action: "cancelled", pendingVersionId: pending, currentVersionId: current };
    }
    // Secrets Manager omits Tags for a secret without any.
    const { Tags } = await store.client.send(new DescribeSecretCommand({ SecretId: meta.arn }));
    const strategyTag = Tags?.find((t) => t.Key === TAG.rotationStrategy)?.Value;
    const strategy = strategyFor(strategyTag);
    if (!strategy) {
        throw new RepairRefused(
            `${meta.name} rotates '${strategyTag ?? "(untagged)"}', which needs the rotation function's access to its target to complete; run 'aws secretsmanager rotate-secret --secret-id ${meta.name}' (Secrets Manager reattempts the pending rotation ${pending}) or cancel with --cancel.`,
        );
    }
    for (const Step of ROTATION_STEPS) await rotate({ SecretId: meta.arn, ClientRequestToken: pending, Step }, { store, strategy, log });
    return { secretName: meta.name, action: "completed", pendingVersionId: pending, currentVersionId: pending };
}
