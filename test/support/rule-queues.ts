// EventBridge rules in moto with an SQS queue as their target: what arrives in the queue is what the rule matched.
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { planReport } from "./plan-cli";

/** A rule as a plan creates it. */
export interface QueuedRule {
    readonly name: string;
    readonly pattern: string;
    /** Default: ENABLED. */
    readonly state?: string;
}

/** The EventBridge rule of that name in a stack's plan (its pattern and state), as {@link ruleIntoQueue} takes it. */
export function plannedRule(stack: string, name: string): QueuedRule {
    const rule = planReport(stack).resources.find((r) => r.type === "aws:cloudwatch/eventRule:EventRule" && (r.inputs as Record<string, unknown>).name === name);
    if (!rule) throw new Error(`The ${stack} plan has no EventBridge rule named ${name}.`);
    const inputs = rule.inputs as Record<string, unknown>;
    return { name, pattern: String(inputs.eventPattern), state: String(inputs.state) };
}

/** Creates the rule with its pattern and state, and a queue of the same name as its one target; returns the queue's URL. */
export async function ruleIntoQueue(events: EventBridgeClient, sqs: SQSClient, rule: QueuedRule): Promise<string> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: rule.name }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    await events.send(new PutRuleCommand({ Name: rule.name, EventPattern: rule.pattern, State: (rule.state ?? "ENABLED") as "ENABLED" }));
    await events.send(new PutTargetsCommand({ Rule: rule.name, Targets: [{ Id: "queue", Arn: attrs.Attributes!.QueueArn! }] }));
    return QueueUrl!;
}

/** Every message now in the queue, parsed as JSON, removed from it by reading. */
export async function drainQueue(sqs: SQSClient, queueUrl: string): Promise<Array<Record<string, any>>> {
    const out: Array<Record<string, any>> = [];
    for (;;) {
        const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!res.Messages?.length) return out;
        out.push(...res.Messages.map((m) => JSON.parse(m.Body!)));
    }
}
