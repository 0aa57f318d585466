import { policies } from "../../policies/registry";
import { targetsFromExport, targetsFromPreview } from "../check/targets";
import { PackConfig, runPolicies } from "../policy-runner";
import { asPreview, asStackExport, CorpusCase } from "./cases";

/** Per class and form: bad cases caught and clean look-alikes flagged. */
export interface ClassScore {
    readonly cls: string;
    readonly form: "stack-export" | "preview";
    bad: number;
    caught: number;
    clean: number;
    flagged: number;
}

const resourceRules = policies.filter((p) => "validateResource" in p);

/**
 * Runs the pack on every case in both forms. A bad case is caught when its owning rule reports a mandatory
 * violation; a clean look-alike is flagged when its owning rule or any resource rule reports one.
 */
export async function evaluateCorpus(cases: readonly CorpusCase[], config: PackConfig): Promise<ClassScore[]> {
    const scores = new Map<string, ClassScore>();
    for (const c of cases) {
        const owner = policies.find((p) => p.name === c.rule);
        if (!owner) throw new Error(`Corpus class ${c.cls} names rule ${c.rule}, which is not in policies/registry.ts.`);
        const rules = c.bad ? [owner] : [...new Set([owner, ...resourceRules])];
        for (const form of ["stack-export", "preview"] as const) {
            const targets = form === "stack-export" ? targetsFromExport(asStackExport(c), c.cls) : targetsFromPreview(asPreview(c), c.cls);
            const violations = (await runPolicies(targets, rules, config)).filter((v) => v.level === "mandatory");
            const key = `${c.cls}|${form}`;
            const s = scores.get(key) ?? { cls: c.cls, form, bad: 0, caught: 0, clean: 0, flagged: 0 };
            if (c.bad) {
                s.bad++;
                if (violations.length > 0) s.caught++;
            } else {
                s.clean++;
                if (violations.length > 0) s.flagged++;
            }
            scores.set(key, s);
        }
    }
    return [...scores.values()];
}
