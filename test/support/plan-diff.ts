// What `pulumi up` would delete when the program goes from one plan to the next: every resource whose URN the new
// plan no longer registers. A delete of a resource with retainOnDelete (or protect) never reaches the cloud.
import type { PlanReport } from "../../tools/plan/report";
import { RETAINED_TYPES } from "../../components/retention";

type Resource = PlanReport["resources"][number];

/** Resources of `before` that `after` no longer registers: the deletes `up` would plan. */
export function plannedDeletes(before: PlanReport, after: PlanReport): Resource[] {
    const kept = new Set(after.resources.map((r) => r.urn));
    return before.resources.filter((r) => !kept.has(r.urn));
}

/** Resources of `after` that `before` did not register: the creates `up` would plan. */
export function plannedCreates(before: PlanReport, after: PlanReport): Resource[] {
    return plannedDeletes(after, before);
}

/** Of some planned deletes, those that would destroy a stateful resource for real: a retained type without retainOnDelete or protect. */
export function liveStatefulDeletes(deletes: readonly Resource[]): Resource[] {
    return deletes.filter((r) => (RETAINED_TYPES as readonly string[]).includes(r.type) && !r.retainOnDelete && !r.protect);
}
