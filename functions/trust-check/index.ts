// The role-trust check. An EventBridge rule sends it every CreateRole and UpdateAssumeRolePolicy on a platform role
// (`fl-<env>-*`), by whoever makes it, deploy runs included; it judges the new trust document against the allowance
// the stack bundles with it (judge.ts) and sends one `finledger.audit` finding when the document is not one the plan
// produces. The `role-trust-outside-plan` detection routes findings to the audit alert topic. It reads nothing in AWS.
import * as fs from "node:fs";
import * as path from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { ALLOWANCE_FILE, judgeTrustChange, TrustAllowance, TrustChangeEvent, TrustFinding, TRUST_FINDING_DETAIL_TYPE, TRUST_FINDING_SOURCE } from "./judge";

export * from "./judge";

/** Reads the allowance bundled beside the function's code. */
export function readAllowance(dir: string = __dirname): TrustAllowance {
    const file = path.join(dir, ALLOWANCE_FILE);
    if (!fs.existsSync(file)) throw new Error(`The trust check's package lacks ${ALLOWANCE_FILE}; build it with roleTrustCheckPackage (components/role-trust-check.ts).`);
    return JSON.parse(fs.readFileSync(file, "utf8")) as TrustAllowance;
}

let events: EventBridgeClient | undefined;
let allowance: TrustAllowance | undefined;

/** Lambda entry point: judges one CloudTrail event and sends a finding when the trust is outside the plan. */
export async function handler(event: { id?: string; detail?: TrustChangeEvent }): Promise<{ finding?: TrustFinding }> {
    allowance ??= readAllowance();
    const finding = event.detail ? judgeTrustChange(event.detail, allowance) : undefined;
    console.log(JSON.stringify({ event: event.id, role: event.detail?.requestParameters?.roleName, finding: finding ? { principals: finding.principals } : null }));
    if (!finding) return {};
    events ??= new EventBridgeClient({ region: process.env.AWS_REGION });
    const res = await events.send(
        new PutEventsCommand({
            Entries: [{ Source: TRUST_FINDING_SOURCE, DetailType: TRUST_FINDING_DETAIL_TYPE, Resources: [`arn:aws:iam::${allowance.accountId}:role/${finding.roleName}`], Detail: JSON.stringify(finding) }],
        }),
    );
    // Throwing makes Lambda retry the asynchronous invocation, so a finding is not lost to a throttled PutEvents.
    if ((res.FailedEntryCount ?? 0) > 0) throw new Error(`EventBridge rejected the trust finding for ${finding.roleName}: ${res.Entries?.[0]?.ErrorMessage ?? "no reason given"}.`);
    return { finding };
}
