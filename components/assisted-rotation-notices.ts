import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { Catalog } from "../model/catalog";
import { isAssistedStrategy, ROTATION_STRATEGIES } from "../model/strategies";
import { TYPE } from "./tokens";

/** One team to notify: its id (the secrets' `owner`) and its contact address. */
export interface NoticeRecipient {
    readonly team: string;
    readonly contact: string;
}

/** The teams that own an assisted secret in this catalog (already filtered to one environment) and have a contact. */
export function assistedNoticeRecipients(catalog: Catalog): NoticeRecipient[] {
    const owners = new Set(catalog.secrets.filter((s) => isAssistedStrategy(s.rotation.strategy)).map((s) => s.owner));
    return (catalog.teams ?? []).filter((t) => owners.has(t.id)).map((t) => ({ team: t.id, contact: t.contact })).sort((a, b) => a.team.localeCompare(b.team));
}

/**
 * The SNS filter policy (on the message body, which is the EventBridge event) that lets through only the expiry
 * check's findings about assisted secrets this team owns: window open, missed deadline, revocation overdue.
 */
export function ownerFilterPolicy(team: string): Record<string, unknown> {
    return { detail: { owner: [team], strategy: ROTATION_STRATEGIES.filter((s) => isAssistedStrategy(s)) } };
}

/** Inputs of {@link AssistedRotationNotices}. */
export interface AssistedRotationNoticesArgs {
    /** The environment's alert topic, which the `secret-expiry` rule already publishes the findings to. */
    readonly topicArn: pulumi.Input<string>;
    /** Who gets which notices; see {@link assistedNoticeRecipients}. */
    readonly recipients: readonly NoticeRecipient[];
}

/**
 * Assisted-rotation notices to each owning team: an e-mail subscription on the alert topic, filtered to that team's
 * assisted findings, so the ticket-ready message (secret, environment, deadline, steps) reaches the people who act.
 * The address must confirm the subscription once (SNS e-mail).
 */
export class AssistedRotationNotices extends pulumi.ComponentResource {
    constructor(name: string, args: AssistedRotationNoticesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.AssistedRotationNotices, name, {}, opts);
        for (const r of args.recipients) {
            new aws.sns.TopicSubscription(
                `${name}-${r.team}`,
                { topic: args.topicArn, protocol: "email", endpoint: r.contact, filterPolicyScope: "MessageBody", filterPolicy: JSON.stringify(ownerFilterPolicy(r.team)) },
                { parent: this },
            );
        }
        this.registerOutputs({ teams: args.recipients.map((r) => r.team) });
    }
}
