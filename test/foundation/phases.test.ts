import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { KAFKA_SERVICE_PRINCIPAL } from "../../components/managed-secret";
import { TYPE } from "../../components/tokens";
import { TAG } from "../../model/names";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { deploys, FULL_PHASE_PARTS } from "../../model/phase";
import type { PlanReport } from "../../tools/plan/report";
import { provisionerSecretName } from "../../model/snowflake-provisioner";
import { configProblems, stackConfigWith } from "../support/config-fixtures";
import { simulate } from "../support/iam-simulator";
import { planIam } from "../support/plan-iam";
import { copyProject, planReport, PROJECT_DIR, runPlanIn } from "../support/plan-cli";

type Resource = PlanReport["resources"][number];

/** The inputs a foundation resource has in the full phase: the same, less the first-value-pending tag. */
function withoutPendingTag(inputs: Record<string, unknown>): Record<string, unknown> {
    const tags = inputs.tags as Record<string, string> | undefined;
    if (!tags || !(TAG.firstValuePending in tags)) return inputs;
    const { [TAG.firstValuePending]: _pending, ...rest } = tags;
    return { ...inputs, tags: rest };
}
const isSlot = (r: Resource) => r.type === "aws:secretsmanager/secret:Secret" && /^AmazonMSK_.*\/user-[ab]$/.test(String((r.inputs as any).name));
const count = (report: PlanReport, type: string) => report.resources.filter((r) => r.type === type).length;
/** Resources of the Snowflake layer: the provider, every `snowflake:` resource and the Snowflake components. */
const snowflakeLayer = (report: PlanReport) => report.resources.filter((r) => r.type === "pulumi:providers:snowflake" || r.type.startsWith("snowflake:") || r.type.startsWith("finledger:snowflake:"));

/** The prod plan with `finledger:phase` set in a copy of the project, as `pulumi config set finledger:phase` would. */
function planWithPhase(phase: string): PlanReport {
    const dir = copyProject();
    try {
        const file = path.join(dir, "Pulumi.prod.yaml");
        fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(/^config:\n/m, `config:\n  finledger:phase: ${phase}\n`));
        const json = path.join(dir, "plan.json");
        const res = runPlanIn(dir, ["--stack", "prod", "--json", json]);
        assert.ok(fs.existsSync(json), `plan with phase ${phase} wrote no report (exit ${res.status}):\n${res.stderr}`);
        return JSON.parse(fs.readFileSync(json, "utf8")) as PlanReport;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("phased first deploy (finledger:phase)", function () {
    let foundation: PlanReport;
    let full: PlanReport;
    before(() => {
        foundation = planWithPhase("foundation");
        full = planReport("prod");
    });

    it("defaults to full, so existing stacks deploy everything", () => {
        assert.equal(parseEnvironmentConfig(readStackFile(PROJECT_DIR, "prod")).phase, "full");
        assert.ok(FULL_PHASE_PARTS.every((part) => deploys("full", part)));
        assert.ok(FULL_PHASE_PARTS.every((part) => !deploys("foundation", part)));
    });

    it("rejects an unknown phase, naming the file, the key and the allowed values", () => {
        const message = configProblems(stackConfigWith("prod", "finledger:phase", "values-first"));
        assert.match(message, /Pulumi\.prod\.yaml/);
        assert.match(message, /phase/);
        assert.match(message, /foundation or full/);
    });

    it("foundation creates the key, every secret container with its policy, the CI access and the audit trail", () => {
        assert.equal(foundation.violations.filter((v) => v.level === "mandatory").length, 0, JSON.stringify(foundation.violations.slice(0, 3)));
        assert.equal(count(foundation, "aws:secretsmanager/secret:Secret"), count(full, "aws:secretsmanager/secret:Secret"), "every container, MSK slots included");
        assert.equal(count(foundation, "aws:secretsmanager/secretPolicy:SecretPolicy"), count(foundation, "aws:secretsmanager/secret:Secret"));
        for (const type of [TYPE.EnvironmentKey, TYPE.GithubDeployAccess, "aws:cloudtrail/trail:Trail", "aws:iam/openIdConnectProvider:OpenIdConnectProvider"]) {
            assert.equal(count(foundation, type), 1, type);
        }
    });

    it("foundation creates nothing that reads, rotates or associates a value: no rotation, no MSK association, no cluster object, no probe", () => {
        for (const type of [
            "aws:secretsmanager/secretRotation:SecretRotation",
            TYPE.SecretRotation,
            "aws:msk/singleScramSecretAssociation:SingleScramSecretAssociation",
            "aws:msk/scramSecretAssociation:ScramSecretAssociation",
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            TYPE.LatencyProbe,
            TYPE.WorkloadIdentity,
        ]) {
            assert.equal(count(foundation, type), 0, `${type} in the foundation phase`);
        }
        const inCluster = foundation.resources.filter((r) => r.type.startsWith("kubernetes:") || r.type === "pulumi:providers:kubernetes");
        assert.deepEqual(inCluster.map((r) => r.type), []);
    });

    it("foundation builds no Snowflake object and no Snowflake provider, so it needs no provisioning key", () => {
        assert.deepEqual(snowflakeLayer(foundation).map((r) => r.urn), []);
    });

    it("foundation creates the provisioning key's container and the deploy role's read of it, so the key can be set before full", async () => {
        const name = provisionerSecretName("prod");
        const secrets = foundation.resources.filter((r) => r.type === "aws:secretsmanager/secret:Secret" && (r.inputs as any).name === name);
        assert.equal(secrets.length, 1, `${name} in the foundation plan`);
        const iam = planIam(foundation);
        const arn = String((secrets[0]!.outputs as any).arn);
        const policy = iam.secrets.find((s) => s.arn === arn)?.policy;
        const read = (role: typeof iam.deployRole) => simulate({ principal: role.arn, identityPolicies: role.identityPolicies, action: "secretsmanager:GetSecretValue", resource: arn, resourceAccount: iam.accountId, resourcePolicy: policy });
        assert.equal(await read(iam.deployRole), "Allowed");
        assert.notEqual(await read(iam.previewRole), "Allowed");
    });

    it("full builds the Snowflake layer: its provider, the network policy, every service user with its role, and the rotator", () => {
        const layer = snowflakeLayer(full);
        const types = (t: string) => layer.filter((r) => r.type === t).length;
        assert.equal(types("pulumi:providers:snowflake"), 1);
        assert.equal(types("snowflake:index/networkPolicy:NetworkPolicy"), 1);
        assert.equal(types(TYPE.SnowflakeRotator), 1);
        assert.ok(types(TYPE.SnowflakeServiceUser) > 50, `service users in full (${types(TYPE.SnowflakeServiceUser)})`);
        assert.equal(types("snowflake:index/serviceUser:ServiceUser"), types(TYPE.SnowflakeServiceUser) + 1, "one user per component, plus the rotator's");
        assert.ok(types(TYPE.SnowflakeWorkloadRole) > 50, `workload roles in full (${types(TYPE.SnowflakeWorkloadRole)})`);
    });

    it("full keeps every foundation resource with the same inputs, so the second phase only adds", () => {
        const fullByUrn = new Map(full.resources.map((r) => [r.urn, r]));
        const changed: string[] = [];
        for (const r of foundation.resources) {
            const later = fullByUrn.get(r.urn);
            if (!later) changed.push(`${r.urn} is gone`);
            else if (JSON.stringify(later.inputs) !== JSON.stringify(withoutPendingTag(r.inputs))) changed.push(`${r.urn} changes inputs`);
        }
        assert.deepEqual(changed, []);
        const pending = foundation.resources.filter((r) => (r.inputs as any).tags?.[TAG.firstValuePending] === "true");
        assert.ok(pending.length > 100, `the rotated secrets wait for their first value in foundation (${pending.length})`);
        assert.ok(full.resources.length > foundation.resources.length + 300, `full adds the consumers (${foundation.resources.length} -> ${full.resources.length})`);
    });

    it("full associates each MSK slot on its own and never with a cluster-wide association", () => {
        const slots = full.resources.filter(isSlot);
        const associations = full.resources.filter((r) => r.type === "aws:msk/singleScramSecretAssociation:SingleScramSecretAssociation");
        assert.ok(slots.length >= 2);
        assert.deepEqual(associations.map((a) => (a.inputs as any).secretArn).sort(), slots.map((s) => (s.outputs as any).arn).sort());
        assert.equal(count(full, "aws:msk/scramSecretAssociation:ScramSecretAssociation"), 0);
    });

    it("each MSK slot's policy keeps MSK's own read statement on that slot, and no other secret grants a service", () => {
        const policies = new Map(full.resources.filter((r) => r.type === "aws:secretsmanager/secretPolicy:SecretPolicy").map((r: Resource) => [(r.inputs as any).secretArn, JSON.parse((r.inputs as any).policy)]));
        for (const s of full.resources.filter((r) => r.type === "aws:secretsmanager/secret:Secret")) {
            const arn = (s.outputs as any).arn as string;
            const serviceStatements = policies.get(arn).Statement.filter((st: any) => st.Principal?.Service);
            if (isSlot(s)) {
                assert.deepEqual(serviceStatements, [{ Sid: "AWSKafkaResourcePolicy", Effect: "Allow", Principal: { Service: KAFKA_SERVICE_PRINCIPAL }, Action: "secretsmanager:getSecretValue", Resource: arn }]);
            } else {
                assert.deepEqual(serviceStatements, [], `${arn} grants a service`);
            }
        }
    });
});
