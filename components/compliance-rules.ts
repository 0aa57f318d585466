import * as aws from "./aws";
import * as pulumi from "@pulumi/pulumi";
import { AUTOMATED_STRATEGIES, CatalogSecret, MAX_ROTATION_DAYS } from "../model/catalog";
import { TYPE } from "./tokens";
import { TAG } from "../model/names";

/** One AWS Config managed rule, as plain data. */
export interface ConfigRuleSpec {
    /** Short id; the rule is named `<prefix>-<id>`. */
    readonly id: string;
    /** The AWS managed rule identifier. */
    readonly sourceIdentifier: string;
    readonly description: string;
    /** Managed-rule parameters (AWS Config wants them as strings). */
    readonly parameters: Record<string, string>;
    /** Tag scope: only secrets carrying this tag value are evaluated. Default: every secret. */
    readonly scope?: { readonly tagKey: string; readonly tagValue: string };
}

/** Days after which a secret nobody read is flagged. */
export const UNUSED_SECRET_DAYS = 90;

/**
 * The Config rules of an environment, with parameters from the catalog. Rotation rules are scoped by tag: one per
 * automated rotation strategy (its longest catalog period), plus one for critical secrets at the critical limit.
 * Manual secrets are left to the daily `expires-at` check, because they have no rotation for Config to check.
 */
export function buildConfigRules(secrets: ReadonlyArray<Pick<CatalogSecret, "name" | "criticality" | "rotation">>, keyArns: readonly string[]): ConfigRuleSpec[] {
    const longestByStrategy = new Map<string, number>();
    for (const s of secrets) {
        if (!AUTOMATED_STRATEGIES.has(s.rotation.strategy)) continue;
        longestByStrategy.set(s.rotation.strategy, Math.max(longestByStrategy.get(s.rotation.strategy) ?? 0, s.rotation.days));
    }
    const rules: ConfigRuleSpec[] = [];
    const rotationPair = (id: string, days: number, scope: { tagKey: string; tagValue: string }, what: string) => {
        rules.push({
            id: `secret-rotation-enabled-${id}`,
            sourceIdentifier: "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
            description: `${what} have rotation enabled at least every ${days} days.`,
            parameters: { maximumAllowedRotationFrequency: String(days) },
            scope,
        });
        rules.push({
            id: `secret-periodic-rotation-${id}`,
            sourceIdentifier: "SECRETSMANAGER_SECRET_PERIODIC_ROTATION",
            description: `${what} were rotated within the last ${days} days.`,
            parameters: { maxDaysSinceRotation: String(days) },
            scope,
        });
    };
    if (secrets.some((s) => s.criticality === "critical")) {
        rotationPair("critical", MAX_ROTATION_DAYS.critical, { tagKey: TAG.criticality, tagValue: "critical" }, "Critical secrets");
    }
    for (const [strategy, days] of [...longestByStrategy].sort(([a], [b]) => a.localeCompare(b))) {
        rotationPair(strategy, days, { tagKey: TAG.rotationStrategy, tagValue: strategy }, `Secrets rotated by ${strategy}`);
    }
    rules.push(
        {
            id: "secret-scheduled-rotation-success",
            sourceIdentifier: "SECRETSMANAGER_SCHEDULED_ROTATION_SUCCESS_CHECK",
            description: "Secrets with rotation enabled rotated successfully on their schedule.",
            parameters: {},
            scope: { tagKey: TAG.managedBy, tagValue: "pulumi" },
        },
        {
            id: "secret-using-cmk",
            sourceIdentifier: "SECRETSMANAGER_USING_CMK",
            description: "Secrets are encrypted with the environment's customer-managed key, not aws/secretsmanager.",
            parameters: { kmsKeyArns: keyArns.join(",") },
            scope: { tagKey: TAG.managedBy, tagValue: "pulumi" },
        },
        {
            id: "secret-unused",
            sourceIdentifier: "SECRETSMANAGER_SECRET_UNUSED",
            description: `Secrets were read within the last ${UNUSED_SECRET_DAYS} days; an unused secret should be removed from the catalog.`,
            parameters: { unusedForDays: String(UNUSED_SECRET_DAYS) },
            scope: { tagKey: TAG.managedBy, tagValue: "pulumi" },
        },
    );
    return rules;
}

/** Arguments of {@link SecretsComplianceRules}. */
export interface SecretsComplianceRulesArgs {
    /** Prefix of resource names, such as `fl-prod`. */
    readonly namePrefix: string;
    /** The environment's secrets as the catalog describes them (RDS-managed ones excluded: RDS owns them). */
    readonly secrets: ReadonlyArray<Pick<CatalogSecret, "name" | "criticality" | "rotation">>;
    /** The environment key and its replica: the only keys a secret may use. */
    readonly keyArns: ReadonlyArray<pulumi.Input<string>>;
}

/**
 * AWS Config managed rules over the environment's secrets. They need the account's configuration recorder, which
 * the account baseline (not this stack) owns; see docs/controls.md.
 */
export class SecretsComplianceRules extends pulumi.ComponentResource {
    /** Rule names by id. */
    readonly ruleNames: Record<string, string>;

    constructor(name: string, args: SecretsComplianceRulesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.SecretsComplianceRules, name, {}, opts);
        if (args.keyArns.length === 0) throw new pulumi.ResourceError(`SecretsComplianceRules ${name}: keyArns is empty; pass the environment key's ARN.`, this);
        const keyArns = pulumi.all(args.keyArns as pulumi.Input<string>[]);
        // Rule shapes do not depend on the key ARNs, so they are built once with a placeholder and the real ARNs
        // are filled in as an output.
        const specs = buildConfigRules(args.secrets, ["KEY"]);
        this.ruleNames = {};
        for (const spec of specs) {
            const ruleName = `${args.namePrefix}-${spec.id}`;
            new aws.cfg.Rule(
                `${name}-${spec.id}`,
                {
                    name: ruleName,
                    description: spec.description,
                    source: { owner: "AWS", sourceIdentifier: spec.sourceIdentifier },
                    inputParameters:
                        spec.sourceIdentifier === "SECRETSMANAGER_USING_CMK"
                            ? keyArns.apply((arns) => JSON.stringify({ kmsKeyArns: arns.join(",") }))
                            : Object.keys(spec.parameters).length > 0
                              ? JSON.stringify(spec.parameters)
                              : undefined,
                    scope: { complianceResourceTypes: ["AWS::SecretsManager::Secret"], ...(spec.scope ?? {}) },
                },
                { parent: this },
            );
            this.ruleNames[spec.id] = ruleName;
        }
        this.registerOutputs({ ruleNames: this.ruleNames });
    }
}
