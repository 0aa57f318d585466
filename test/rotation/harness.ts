// Test harness for rotation functions: plays Secrets Manager's rotation service against moto and injects faults.
//
// moto cannot run a Node.js Lambda (it needs Docker), so the harness does what the service does: it calls moto's
// RotateSecret, which stages AWSPENDING on a new version id with no value exactly as AWS does before the first
// invocation, and then invokes the handler's steps itself. moto answers the RotateSecret call with "Resource not
// found" for the Lambda ARN *after* staging the version; the harness expects exactly that answer.
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { randomUUID } from "crypto";
import { rotate, RotationEvent, RotationStep, ROTATION_STEPS, RotationStrategy, SecretStore, versionWithStage } from "../../functions/rotation/protocol";
import { FAKE_AWS_ENV, MotoServer } from "../support/moto";

/** A Secrets Manager client for moto. */
export function motoClient(moto: MotoServer): SecretsManagerClient {
    return new SecretsManagerClient({
        endpoint: moto.endpoint,
        region: FAKE_AWS_ENV.AWS_REGION,
        credentials: { accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY },
        maxAttempts: 1,
    });
}

const NO_LAMBDA_IN_MOTO = "arn:aws:lambda:us-east-1:123456789012:function:rotation-under-test";

/** Creates a secret with an initial AWSCURRENT value (the bootstrap a runbook does) and returns its ARN. */
export async function createSecret(client: SecretsManagerClient, name: string, value: string, tags: Record<string, string> = {}): Promise<string> {
    const r = await client.send(new CreateSecretCommand({ Name: name, SecretString: value, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
    return r.ARN!;
}

/** Creates a secret with no value, as Pulumi does. */
export async function createEmptySecret(client: SecretsManagerClient, name: string): Promise<string> {
    return (await client.send(new CreateSecretCommand({ Name: name }))).ARN!;
}

/**
 * Starts a rotation the way Secrets Manager does: a new version id staged AWSPENDING, no value yet. Like AWS, a
 * rotation whose AWSPENDING is still on a version other than AWSCURRENT is not replaced but reattempted with the
 * same token. AWSPENDING left next to AWSCURRENT marks a finished rotation for AWS; moto wrongly refuses to rotate
 * then ("Previous rotation request is still in progress"), so the harness clears that label first.
 */
export async function startRotation(client: SecretsManagerClient, secretId: string, days = 30): Promise<string> {
    const store = new SecretStore(client);
    const { stages } = await store.describe(secretId);
    const pending = versionWithStage(stages, "AWSPENDING");
    if (pending && !stages[pending]!.includes("AWSCURRENT")) return pending;
    if (pending) await store.moveStage(secretId, "AWSPENDING", undefined, pending);
    const token = randomUUID();
    try {
        await client.send(new RotateSecretCommand({ SecretId: secretId, ClientRequestToken: token, RotationLambdaARN: NO_LAMBDA_IN_MOTO, RotationRules: { AutomaticallyAfterDays: days } }));
    } catch (err) {
        if (!/Resource not found for ARN/.test((err as Error).message)) throw err;
    }
    return token;
}

/** The AWSCURRENT raw value (read by stage: moto's stage-less read lags behind UpdateSecretVersionStage). */
export async function currentValue(store: SecretStore, secretId: string): Promise<{ versionId: string; value: string }> {
    const v = await store.get(secretId, "AWSCURRENT");
    if (!v) throw new Error(`${secretId} has no AWSCURRENT value`);
    return v;
}

/** Runs all four steps once, without faults. */
export async function rotateOnce<V>(client: SecretsManagerClient, store: SecretStore, strategy: RotationStrategy<V>, secretId: string): Promise<string> {
    const token = await startRotation(client, secretId);
    for (const Step of ROTATION_STEPS) await rotate({ SecretId: secretId, ClientRequestToken: token, Step }, { store, strategy, log: () => undefined });
    return token;
}

/** Where a fault hits: the n-th outbound call (store or target system) of one step invocation. */
export type Fault =
    | { kind: "none" }
    /** The call throws before it reaches the service (network error, throttling, crash). */
    | { kind: "throw"; call: number }
    /** The call reaches the service and takes effect, but the caller sees a timeout (the Lambda is killed). */
    | { kind: "timeout"; call: number }
    /** Secrets Manager invokes the step twice (at-least-once delivery). */
    | { kind: "duplicate" };

/** An error the harness injected. */
export class InjectedFault extends Error {}

/** Counts outbound calls and fails the chosen one. Wrap every dependency of a step with the same counter. */
export class FaultCounter {
    /** Outbound calls made so far. */
    calls = 0;
    constructor(private readonly fault: Fault) {}

    /** Wraps an object so each async method call counts as one outbound call. */
    wrap<T extends object>(target: T): T {
        return new Proxy(target, {
            get: (obj, prop, receiver) => {
                const v = Reflect.get(obj, prop, receiver);
                if (typeof v !== "function" || prop === "constructor" || prop === "parse" || prop === "serialize" || prop === "wrap") return v;
                return (...args: unknown[]) => this.call(() => v.apply(obj, args));
            },
        });
    }

    private async call<R>(fn: () => Promise<R> | R): Promise<R> {
        const n = ++this.calls;
        if (this.fault.kind === "throw" && this.fault.call === n) throw new InjectedFault(`injected failure before call ${n}`);
        const r = await fn();
        if (this.fault.kind === "timeout" && this.fault.call === n) throw new InjectedFault(`injected timeout after call ${n}`);
        return r;
    }
}

/** Everything a step needs, built fresh for each invocation so faults are counted per invocation. */
export type StepDeps<V> = (counter: FaultCounter) => { store: SecretStore; strategy: RotationStrategy<V> };

/** Invokes one step under a fault. Returns whether the invocation (all of them, for a duplicate) succeeded. */
export async function invokeStep<V>(deps: StepDeps<V>, event: RotationEvent, fault: Fault): Promise<boolean> {
    const times = fault.kind === "duplicate" ? 2 : 1;
    let ok = true;
    for (let i = 0; i < times; i++) {
        const counter = new FaultCounter(i === 0 ? fault : { kind: "none" });
        const { store, strategy } = deps(counter);
        try {
            await rotate(event, { store, strategy, log: () => undefined });
        } catch (err) {
            if (!(err instanceof InjectedFault)) throw err;
            ok = false;
        }
    }
    return ok;
}

/** What the rotation service does after a failed step: retry it (Lambda's async retries) or give up for now. */
export interface StepPlan {
    readonly step: RotationStep;
    readonly faults: readonly Fault[];
}

/**
 * Runs one rotation attempt: each step is invoked with its faults in turn until an invocation succeeds or the
 * faults run out; a step that never succeeds abandons the attempt, as Secrets Manager does. Returns whether
 * finishSecret succeeded.
 */
export async function rotateWithFaults<V>(client: SecretsManagerClient, deps: StepDeps<V>, secretId: string, faultsByStep: Readonly<Record<RotationStep, readonly Fault[]>>): Promise<boolean> {
    const token = await startRotation(client, secretId);
    for (const step of ROTATION_STEPS) {
        const faults = faultsByStep[step].length ? faultsByStep[step] : [{ kind: "none" } as Fault];
        let done = false;
        for (const f of faults) {
            if (await invokeStep(deps, { SecretId: secretId, ClientRequestToken: token, Step: step }, f)) {
                done = true;
                break;
            }
        }
        if (!done) return false;
    }
    return true;
}

/** The version ids carrying each stage. */
export async function stagesOf(store: SecretStore, secretId: string): Promise<{ current?: string; previous?: string; pending?: string }> {
    const { stages } = await store.describe(secretId);
    return { current: versionWithStage(stages, "AWSCURRENT"), previous: versionWithStage(stages, "AWSPREVIOUS"), pending: versionWithStage(stages, "AWSPENDING") };
}

/** How many outbound calls each step makes in a clean rotation. */
export async function countCalls<V>(client: SecretsManagerClient, fixture: { secretId: string; deps: StepDeps<V> }): Promise<Record<RotationStep, number>> {
    const token = await startRotation(client, fixture.secretId);
    const counts = {} as Record<RotationStep, number>;
    for (const step of ROTATION_STEPS) {
        const counter = new FaultCounter({ kind: "none" });
        const { store, strategy } = fixture.deps(counter);
        await rotate({ SecretId: fixture.secretId, ClientRequestToken: token, Step: step }, { store, strategy, log: () => undefined });
        counts[step] = counter.calls;
    }
    return counts;
}
