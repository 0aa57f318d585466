import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "../../components/iam";

/** One request to decide with the IAM simulator. */
export interface DecisionRequest {
    readonly principal: string;
    readonly action: string;
    readonly resource: string;
    readonly resourceAccount: string;
    readonly identityPolicy?: PolicyDocument;
    readonly resourcePolicy?: PolicyDocument;
    readonly context?: Record<string, string | string[]>;
}

/** Runs iam-simulate and returns Allowed, ExplicitlyDenied or ImplicitlyDenied; a simulator error fails the test. */
export async function decide(req: DecisionRequest): Promise<string> {
    const res = await runSimulation(
        {
            request: {
                principal: req.principal,
                action: req.action,
                resource: { resource: req.resource, accountId: req.resourceAccount },
                contextVariables: req.context ?? {},
            },
            identityPolicies: req.identityPolicy ? [{ name: "identity", policy: req.identityPolicy }] : [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: req.resourcePolicy,
        },
        {},
    );
    if (res.resultType === "error") throw new Error(`iam-simulate rejected the request: ${JSON.stringify(res.errors)}`);
    return res.overallResult;
}
