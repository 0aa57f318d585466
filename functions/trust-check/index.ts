// The platform change check (named the trust check, its first job). An EventBridge rule sends it every trust change
// (CreateRole, UpdateAssumeRolePolicy) and policy change (PutRolePolicy, AttachRolePolicy) of a platform role
// (`fl-<env>-*`), and every CreateFunction and UpdateFunctionConfiguration of a platform function, by whoever makes
// it, deploy runs included. It judges trusts and policies on the document CloudTrail recorded (judge.ts,
// policy-judge.ts), and a function on its configuration read back with GetFunctionConfiguration plus what the request
// recorded (function-judge.ts), against the allowances the stack bundles with it, and sends one `finledger.audit`
// finding when the change is not one the plan produces. The `platform-change-outside-plan` detection routes findings
// to the audit alert topic. The only thing it reads in AWS is the configuration of the environment's functions.
import * as fs from "node:fs";
import * as path from "node:path";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetFunctionConfigurationCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { changedPlatformFunction, FUNCTION_ALLOWANCE_FILE, FUNCTION_FINDING_DETAIL_TYPE, FunctionAllowance, FunctionChangeEvent, FunctionFinding, judgeFunctionConfiguration } from "./function-judge";
import { ALLOWANCE_FILE, judgeTrustChange, TrustAllowance, TrustChangeEvent, TrustFinding, TRUST_CHANGE_EVENTS, TRUST_FINDING_DETAIL_TYPE, TRUST_FINDING_SOURCE } from "./judge";
import { judgePolicyChange, POLICY_ALLOWANCE_FILE, POLICY_CHANGE_EVENTS, POLICY_FINDING_DETAIL_TYPE, PolicyAllowance, PolicyChangeEvent, PolicyFinding } from "./policy-judge";

export * from "./judge";
export * from "./policy-judge";
export * from "./function-judge";

function readJson<T>(dir: string, file: string): T {
    const full = path.join(dir, file);
    if (!fs.existsSync(full)) throw new Error(`The trust check's package lacks ${file}; build it with roleTrustCheckPackage (components/role-trust-check.ts).`);
    return JSON.parse(fs.readFileSync(full, "utf8")) as T;
}

/** Reads the trust allowance bundled beside the function's code. */
export function readAllowance(dir: string = __dirname): TrustAllowance {
    return readJson<TrustAllowance>(dir, ALLOWANCE_FILE);
}

let events: EventBridgeClient | undefined;
let lambda: LambdaClient | undefined;
let trust: TrustAllowance | undefined;
let policies: PolicyAllowance | undefined;
let functions: FunctionAllowance | undefined;

type Finding = TrustFinding | PolicyFinding | FunctionFinding;
type ChangeEvent = TrustChangeEvent & PolicyChangeEvent & FunctionChangeEvent;

/** Judges one event: the finding, its detail type and the resource it names, or undefined when the change is planned. */
async function judge(detail: ChangeEvent): Promise<{ finding: Finding; detailType: string; resource: string } | undefined> {
    const eventName = detail.eventName ?? "";
    if ((TRUST_CHANGE_EVENTS as readonly string[]).includes(eventName)) {
        trust ??= readAllowance();
        const finding = judgeTrustChange(detail, trust);
        return finding && { finding, detailType: TRUST_FINDING_DETAIL_TYPE, resource: `arn:aws:iam::${trust.accountId}:role/${finding.roleName}` };
    }
    if ((POLICY_CHANGE_EVENTS as readonly string[]).includes(eventName)) {
        policies ??= readJson<PolicyAllowance>(__dirname, POLICY_ALLOWANCE_FILE);
        const finding = judgePolicyChange(detail, policies);
        return finding && { finding, detailType: POLICY_FINDING_DETAIL_TYPE, resource: `arn:aws:iam::${policies.accountId}:role/${finding.roleName}` };
    }
    functions ??= readJson<FunctionAllowance>(__dirname, FUNCTION_ALLOWANCE_FILE);
    const name = changedPlatformFunction(detail, functions);
    if (!name) return undefined;
    lambda ??= new LambdaClient({ region: process.env.AWS_REGION });
    // The configuration as Lambda holds it now: CloudTrail may leave the variables' values out of the record.
    const configuration = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    const finding = judgeFunctionConfiguration(detail, name, configuration, functions);
    return finding && { finding, detailType: FUNCTION_FINDING_DETAIL_TYPE, resource: `arn:aws:lambda:${functions.region}:${functions.accountId}:function:${name}` };
}

/** Lambda entry point: judges one CloudTrail event and sends a finding when the change is outside the plan. */
export async function handler(event: { id?: string; detail?: ChangeEvent }): Promise<{ finding?: Finding }> {
    const judged = event.detail ? await judge(event.detail) : undefined;
    const params = event.detail?.requestParameters;
    console.log(JSON.stringify({ event: event.id, eventName: event.detail?.eventName, target: params?.roleName ?? params?.functionName, finding: judged ? { outside: "principals" in judged.finding ? judged.finding.principals : judged.finding.outside } : null }));
    if (!judged) return {};
    events ??= new EventBridgeClient({ region: process.env.AWS_REGION });
    const res = await events.send(new PutEventsCommand({ Entries: [{ Source: TRUST_FINDING_SOURCE, DetailType: judged.detailType, Resources: [judged.resource], Detail: JSON.stringify(judged.finding) }] }));
    // Throwing makes Lambda retry the asynchronous invocation, so a finding is not lost to a throttled PutEvents.
    if ((res.FailedEntryCount ?? 0) > 0) throw new Error(`EventBridge rejected the ${judged.detailType} finding: ${res.Entries?.[0]?.ErrorMessage ?? "no reason given"}.`);
    return { finding: judged.finding };
}
