import * as fs from "fs";
import { PolicyTarget } from "../policy-runner";
import { SECRET_PLACEHOLDER } from "../plan/engine";

/** A policy:check input file that cannot be read as a stack export or a preview. */
export class InputFileError extends Error {}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const UNKNOWN = /^(1c4a061d-8072-4f0a-a4cb-0ff528b18fe7|3eeb2bf0-c639-47a8-9e75-3b44932eb421|04da6b54-80e4-46f7-96ec-b56ff0331ba9|6a19a0b0-7e62-4c92-b797-7f8e31da9cc2|030794c1-ac77-496b-92df-f27374a8bd58|e48ece36-62e2-4504-bad9-02848725956a|dd056dcd-154b-4c76-9bd3-c8f88648b5ff)$/;

/** What {@link readPolicyInput} found. */
export interface PolicyInput {
    readonly format: "stack-export" | "preview";
    readonly stack: string;
    readonly targets: PolicyTarget[];
}

/** Replaces secret envelopes with the placeholder (never decrypting) and notes whether unknowns occur. */
function unwrap(value: unknown, state: { unknown: boolean }): unknown {
    if (typeof value === "string") {
        if (UNKNOWN.test(value)) state.unknown = true;
        return value;
    }
    if (Array.isArray(value)) return value.map((v) => unwrap(v, state));
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) return SECRET_PLACEHOLDER;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) out[k] = unwrap(v, state);
        return out;
    }
    return value;
}

function stringList(value: unknown): string[] {
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** Turns one resource state (`apitype.ResourceV3`, as in exports and preview steps) into a policy target. */
export function targetOfState(state: Record<string, unknown>, where: string): PolicyTarget {
    const urn = state.urn;
    const type = state.type;
    if (typeof urn !== "string" || !urn.startsWith("urn:pulumi:")) throw new InputFileError(`${where} has no valid urn (expected "urn:pulumi:<stack>::<project>::<type>::<name>").`);
    if (typeof type !== "string" || type === "") throw new InputFileError(`${where} (${urn}) has no type.`);
    const flags = { unknown: false };
    const inputs = unwrap(state.inputs ?? {}, flags);
    const outputs = unwrap(state.outputs ?? {}, flags);
    if (typeof inputs !== "object" || inputs === null || Array.isArray(inputs)) throw new InputFileError(`${where} (${urn}) has inputs that are not an object.`);
    if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) throw new InputFileError(`${where} (${urn}) has outputs that are not an object.`);
    const propertyDependencies: Record<string, string[]> = {};
    for (const [k, v] of Object.entries((state.propertyDependencies ?? {}) as Record<string, unknown>)) propertyDependencies[k] = stringList(v);
    return {
        urn,
        type,
        name: urn.split("::").pop() ?? urn,
        parent: typeof state.parent === "string" && state.parent !== "" ? state.parent : undefined,
        provider: typeof state.provider === "string" && state.provider !== "" ? state.provider : undefined,
        custom: state.custom === true,
        dependencies: stringList(state.dependencies),
        propertyDependencies,
        protect: state.protect === true,
        retainOnDelete: state.retainOnDelete === true,
        ignoreChanges: stringList(state.ignoreChanges),
        inputs: inputs as Record<string, unknown>,
        outputs: { id: typeof state.id === "string" && state.id !== "" ? state.id : undefined, ...(outputs as Record<string, unknown>) },
        hasUnknowns: flags.unknown,
    };
}

/** The targets of a `pulumi stack export` (deployment version 3). Resources pending deletion are skipped. */
export function targetsFromExport(doc: Record<string, any>, file: string): PolicyTarget[] {
    if (doc.version !== 3) throw new InputFileError(`${file} is a stack export of version ${JSON.stringify(doc.version)}; policy:check reads version 3 (pulumi stack export from Pulumi 3).`);
    const resources = doc.deployment?.resources ?? [];
    if (!Array.isArray(resources)) throw new InputFileError(`${file}: deployment.resources is not an array.`);
    return resources
        .filter((r: any) => r && r.delete !== true)
        .map((r: unknown, i: number) => {
            if (!r || typeof r !== "object") throw new InputFileError(`${file}: deployment.resources[${i}] is not an object.`);
            return targetOfState(r as Record<string, unknown>, `${file}: deployment.resources[${i}]`);
        });
}

/** The targets of `pulumi preview --json`: each step's new state, last step per URN wins; deletions are skipped. */
export function targetsFromPreview(doc: Record<string, any>, file: string): PolicyTarget[] {
    if (!Array.isArray(doc.steps)) throw new InputFileError(`${file}: steps is not an array.`);
    const byUrn = new Map<string, PolicyTarget>();
    doc.steps.forEach((step: any, i: number) => {
        if (!step || typeof step !== "object") throw new InputFileError(`${file}: steps[${i}] is not an object.`);
        if (step.newState === undefined || step.newState === null) return; // delete, discard, delete-replaced
        if (typeof step.newState !== "object") throw new InputFileError(`${file}: steps[${i}].newState is not an object.`);
        const target = targetOfState(step.newState, `${file}: steps[${i}].newState`);
        byUrn.set(target.urn, target);
    });
    return [...byUrn.values()];
}

/** Reads a stack export or a preview from a file; every problem is an InputFileError naming the file. */
export function readPolicyInput(file: string): PolicyInput {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err) {
        throw new InputFileError(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
    }
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (err) {
        throw new InputFileError(`${file} is not valid JSON (${(err as Error).message}); pass the output of 'pulumi stack export' or 'pulumi preview --json'.`);
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new InputFileError(`${file} is not a JSON object; pass the output of 'pulumi stack export' or 'pulumi preview --json'.`);
    const obj = doc as Record<string, any>;
    let format: PolicyInput["format"];
    let targets: PolicyTarget[];
    if (obj.deployment !== undefined) {
        format = "stack-export";
        targets = targetsFromExport(obj, file);
    } else if (obj.steps !== undefined) {
        format = "preview";
        targets = targetsFromPreview(obj, file);
    } else {
        throw new InputFileError(`${file} has neither 'deployment' (pulumi stack export) nor 'steps' (pulumi preview --json).`);
    }
    const stacks = new Set(targets.map((t) => t.urn.split("::")[0].split(":")[2]));
    if (stacks.size > 1) throw new InputFileError(`${file} mixes resources of stacks ${[...stacks].join(", ")}; check one stack at a time.`);
    return { format, stack: [...stacks][0] ?? "", targets };
}
