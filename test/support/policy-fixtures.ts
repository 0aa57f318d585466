import { strict as assert } from "assert";
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { PlanReport } from "../../tools/plan/report";
import { PackConfig, PolicyTarget, runPolicies, Violation } from "../../tools/policy-runner";

/** The accounts of the three environments, as Pulumi.<env>.yaml declares them. */
export { ACCOUNTS } from "./accounts";

/** A URN of a resource in a stack of this project. */
export function urnOf(stack: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::finledger-secrets-platform::${type}::${name}`;
}

/** A custom resource as a policy target; outputs default to the inputs (as the mocks answer). */
export function target(type: string, name: string, inputs: Record<string, unknown>, opts: { stack?: string; outputs?: Record<string, unknown>; urn?: string } = {}): PolicyTarget {
    const urn = opts.urn ?? urnOf(opts.stack ?? "dev", type, name);
    return { urn, type, name, custom: true, dependencies: [], propertyDependencies: {}, protect: false, ignoreChanges: [], inputs, outputs: opts.outputs ?? inputs };
}

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** Runs one policy on targets through the shared runner (same config, exemption and error handling as plan). */
export async function violationsOf(policy: AnyPolicy, targets: PolicyTarget | PolicyTarget[], config: PackConfig = {}): Promise<Violation[]> {
    return runPolicies(Array.isArray(targets) ? targets : [targets], [policy], config);
}

/** Asserts that the policy reports exactly the matching violation(s), each with a fix. */
export async function assertViolation(policy: AnyPolicy, targets: PolicyTarget | PolicyTarget[], message: RegExp, config: PackConfig = {}): Promise<Violation[]> {
    const violations = await violationsOf(policy, targets, config);
    assert.ok(violations.length > 0, `expected ${policy.name} to report ${message}, but it reported nothing`);
    assert.ok(
        violations.some((v) => message.test(v.message)),
        `expected a ${policy.name} violation matching ${message}; got:\n${violations.map((v) => v.message).join("\n")}`,
    );
    for (const v of violations) {
        assert.equal(v.policy, policy.name);
        assert.doesNotMatch(v.message, /The rule failed to run/);
        assert.match(v.message, / Fix: \S/, "every message carries the remediation hint");
    }
    return violations;
}

/** Asserts that the policy reports nothing. */
export async function assertCompliant(policy: AnyPolicy, targets: PolicyTarget | PolicyTarget[], config: PackConfig = {}): Promise<void> {
    const violations = await violationsOf(policy, targets, config);
    assert.deepEqual(
        violations.map((v) => v.message),
        [],
        `expected ${policy.name} to stay quiet`,
    );
}

/** A deep copy with one change applied, so each test changes exactly one field of a compliant baseline. */
export function withChange<T>(value: T, change: (copy: T) => void): T {
    const copy = structuredClone(value);
    change(copy);
    return copy;
}

/** The policy targets of a plan report (the JSON `plan --json` writes). */
export function targetsOfReport(report: PlanReport): PolicyTarget[] {
    return report.resources.map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        parent: r.parent,
        custom: !/^finledger:/.test(r.type),
        dependencies: [],
        propertyDependencies: {},
        protect: false,
        ignoreChanges: [],
        inputs: r.inputs as Record<string, unknown>,
        outputs: r.outputs as Record<string, unknown>,
    }));
}

/** A `pulumi stack export` (deployment version 3) of targets, with an optional secret envelope on chosen paths. */
export function stackExportOf(targets: readonly PolicyTarget[]): Record<string, unknown> {
    return {
        version: 3,
        deployment: {
            manifest: { time: "2026-11-28T00:00:00Z", magic: "0", version: "v3.270.0" },
            secrets_providers: { type: "cloud", state: { url: "awskms://alias/fl-dev-pulumi-secrets?region=us-east-1" } },
            resources: targets.map((t) => ({
                urn: t.urn,
                custom: t.custom,
                id: typeof t.outputs.id === "string" ? t.outputs.id : undefined,
                type: t.type,
                inputs: t.inputs,
                outputs: t.outputs,
                parent: t.parent,
                provider: t.provider,
                dependencies: t.dependencies,
                propertyDependencies: t.propertyDependencies,
            })),
        },
    };
}

/** Fake credentials built from pieces at run time, so no secret-shaped literal is ever committed. */
export const fake = {
    /** A GitHub personal access token shape. */
    githubToken: (seed = 1) => ["gh", "p_", randomAlnum(36, seed)].join(""),
    /** An AWS access key id shape. */
    awsAccessKeyId: (seed = 2) => ["AK", "IA", randomUpper(16, seed)].join(""),
    /** A PEM private key shape with a random body. */
    pemPrivateKey: (seed = 3) => [["-----BEGIN", "PRIVATE KEY-----"].join(" "), randomBase64(64, seed), randomBase64(64, seed + 1), ["-----END", "PRIVATE KEY-----"].join(" ")].join("\n"),
    /** A random password-like string. */
    password: (seed = 4) => `${randomAlnum(14, seed)}!${randomAlnum(6, seed + 7)}`,
    /** A Slack bot token shape. */
    slackToken: (seed = 5) => ["xo", "xb-", randomDigits(12, seed), "-", randomDigits(13, seed + 1), "-", randomAlnum(24, seed + 2)].join(""),
};

function rng(seed: number): () => number {
    let s = seed * 2654435761 + 12345;
    return () => {
        s = (s * 1103515245 + 12345) & 0x7fffffff;
        return s / 0x7fffffff;
    };
}

function pick(alphabet: string, length: number, seed: number): string {
    const r = rng(seed);
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(r() * alphabet.length) % alphabet.length];
    return out;
}

/** Random letters and digits. */
export function randomAlnum(length: number, seed: number): string {
    return pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", length, seed);
}
/** Random upper-case letters and digits. */
export function randomUpper(length: number, seed: number): string {
    return pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", length, seed);
}
/** Random digits. */
export function randomDigits(length: number, seed: number): string {
    return pick("0123456789", length, seed);
}
/** Random base64 characters. */
export function randomBase64(length: number, seed: number): string {
    return pick("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", length, seed);
}
