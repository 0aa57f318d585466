// A minimal strategy for unit tests of the protocol core: its credential is a random id that a target system
// (a set) accepts once set() installed it. It records every call with the versions and context it received, so a
// test can say exactly what the core handed to the strategy and how often.
import { randomUUID } from "crypto";
import { RotationContext, RotationError, RotationStrategy, SecretVersion } from "../../../functions/rotation/protocol";

/** The value the recording strategy stores. */
export interface CounterValue {
    readonly generation: number;
    readonly credential: string;
}

/** One strategy call as the core made it. */
export interface StrategyCall {
    readonly method: "create" | "set" | "test" | "afterFinish";
    /** Version ids handed over, in argument order ("-" for an absent previous). */
    readonly versions: readonly string[];
    readonly values: readonly CounterValue[];
    readonly ctx: { secretId: string; token: string };
}

/** The recording strategy with its target system. */
export interface RecordingStrategy extends RotationStrategy<CounterValue> {
    readonly calls: StrategyCall[];
    /** Credentials the target system accepts. */
    readonly installed: Set<string>;
}

/** A first value for a secret (generation 0, a fresh credential the target accepts). */
export function firstValue(target?: Set<string>): string {
    const v: CounterValue = { generation: 0, credential: randomUUID() };
    target?.add(v.credential);
    return JSON.stringify(v);
}

/** Builds the strategy; `withAfterFinish: false` leaves the optional hook out, as most strategies do. */
export function recordingStrategy(opts: { withAfterFinish?: boolean } = {}): RecordingStrategy {
    const calls: StrategyCall[] = [];
    const installed = new Set<string>();
    const note = (method: StrategyCall["method"], versions: Array<SecretVersion<CounterValue> | undefined>, ctx: RotationContext<CounterValue>) =>
        calls.push({ method, versions: versions.map((v) => v?.versionId ?? "-"), values: versions.flatMap((v) => (v ? [v.value] : [])), ctx: { secretId: ctx.secretId, token: ctx.token } });
    const strategy: RecordingStrategy = {
        name: "recording",
        calls,
        installed,
        parse(raw, label) {
            const v = JSON.parse(raw) as CounterValue;
            if (typeof v.generation !== "number" || typeof v.credential !== "string") throw new RotationError(`The ${label} value of the recording secret needs 'generation' and 'credential'.`);
            return v;
        },
        serialize: (v) => JSON.stringify({ generation: v.generation, credential: v.credential }),
        async create(current, ctx) {
            note("create", [current], ctx);
            return { generation: current.value.generation + 1, credential: randomUUID() };
        },
        async set(current, pending, ctx) {
            note("set", [current, pending], ctx);
            installed.add(pending.value.credential);
        },
        async test(pending, ctx) {
            note("test", [pending], ctx);
            if (!installed.has(pending.value.credential)) throw new RotationError(`The target does not accept the pending credential of generation ${pending.value.generation}.`);
        },
    };
    if (opts.withAfterFinish !== false) {
        strategy.afterFinish = async (current, previous, ctx) => {
            note("afterFinish", [current, previous], ctx);
        };
    }
    return strategy;
}
