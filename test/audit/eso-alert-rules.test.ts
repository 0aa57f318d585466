// The prod plan's PrometheusRule, checked by Prometheus' own code (tools/promql-check): the rule file passes what
// `promtool check rules` runs (model/rulefmt), and each alert's expression, evaluated by the real PromQL engine on
// synthetic ESO metrics, holds for its whole `for` duration when the failure it names happens, and stays empty when
// syncs are healthy or the namespace is not an Airflow one.
import { strict as assert } from "assert";
import * as YAML from "yaml";
import { planReport } from "../support/plan-cli";
import { PromqlInstant, promqlCheck } from "../support/promql";

type Rule = { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> };
const DOMAIN = "airflow-payments";
const ES = "airflow-connections-pg-payments-rw";
/** Minutes of synthetic history, one sample a minute, and the instant the alerts are judged at. */
const MINUTES = 120;
const AT = 110;

/** A counter that grows by one every `everyMinutes` (ESO's refresh), starting at `from`; flat before `from`. */
function counter(everyMinutes: number, from = 0, until = MINUTES): string {
    const values: number[] = [];
    let v = 0;
    for (let m = 0; m <= MINUTES; m++) {
        if (m >= from && m < until && m % everyMinutes === 0 && m > 0) v++;
        values.push(v);
    }
    return values.join(" ");
}
const flat = (value: number) => Array(MINUTES + 1).fill(value).join(" ");
const labels = (namespace: string, extra = "") => `{namespace="${namespace}",name="${ES}"${extra}}`;
const minutes = (d: string) => Number(/^(\d+)m$/.exec(d)?.[1] ?? NaN);

describe("ESO and Airflow task-file alerts, checked by Prometheus' own rule parser and PromQL engine", function () {
    this.timeout(600_000);
    let rules: Rule[] = [];
    let groupsYaml = "";
    const rule = (alert: string) => rules.find((r) => r.alert === alert)!;

    before(() => {
        const resource = planReport("prod").resources.find((r) => r.type === "kubernetes:monitoring.coreos.com/v1:PrometheusRule" && (r.inputs as any).metadata.name === "finledger-external-secrets")!;
        const spec = (resource.inputs as any).spec;
        groupsYaml = YAML.stringify({ groups: spec.groups });
        rules = spec.groups.flatMap((g: { rules: Rule[] }) => g.rules);
    });

    /** Evaluates an alert's expression every minute over its `for` duration up to AT. */
    function judge(alert: string, series: string[]): PromqlInstant[] {
        const r = rule(alert);
        const times = Array.from({ length: minutes(r.for) + 1 }, (_, i) => `${AT - minutes(r.for) + i}m`);
        return promqlCheck("", [{ name: alert, interval: "1m", series, expr: r.expr, times }]).results.get(alert)!;
    }
    const firesFor = (results: PromqlInstant[], namespace: string) => results.every((i) => i.series.some((s) => s.labels.namespace === namespace && s.labels.name === ES));
    const silent = (results: PromqlInstant[]) => results.every((i) => i.series.length === 0);

    it("the rule file passes Prometheus' rule validation (what promtool check rules runs), and a broken copy does not", () => {
        assert.deepEqual(promqlCheck(groupsYaml).errors, []);
        assert.ok(rules.length >= 4, `expected the ESO and Airflow task-file alerts, got ${rules.map((r) => r.alert)}`);
        const broken = YAML.stringify({ groups: [{ name: "broken", rules: [{ ...rules[0], expr: rules[0].expr.replace(/\)\s*[<>=]=?\s*\d+$/, "") }] }] });
        assert.match(promqlCheck(broken).errors.join("\n"), /could not parse expression/);
    });

    it("AirflowTaskSecretStale stays silent while a domain's ExternalSecret syncs every 15 minutes", () => {
        const healthy = judge("AirflowTaskSecretStale", [`externalsecret_sync_calls_total${labels(DOMAIN)} ${counter(15)}`]);
        assert.ok(silent(healthy), JSON.stringify(healthy));
        const healthyWithOldErrors = judge("AirflowTaskSecretStale", [
            `externalsecret_sync_calls_total${labels(DOMAIN)} ${counter(15)}`,
            `externalsecret_sync_calls_error${labels(DOMAIN)} ${counter(15, 0, 20)}`,
        ]);
        assert.ok(silent(healthyWithOldErrors), JSON.stringify(healthyWithOldErrors));
    });

    it("AirflowTaskSecretStale fires when every sync of a domain's ExternalSecret has failed for longer than a task accepts a file", () => {
        const failing = judge("AirflowTaskSecretStale", [
            `externalsecret_sync_calls_total${labels(DOMAIN)} ${counter(15)}`,
            `externalsecret_sync_calls_error${labels(DOMAIN)} ${counter(15, 45)}`,
        ]);
        assert.ok(firesFor(failing, DOMAIN), JSON.stringify(failing));
    });

    it("AirflowTaskSecretStale fires when no sync has run at all, even if the ExternalSecret never had an error series", () => {
        // ESO creates the error counter of an ExternalSecret only at its first error: a stuck controller leaves none.
        const stuck = judge("AirflowTaskSecretStale", [`externalsecret_sync_calls_total${labels(DOMAIN)} ${counter(15, 0, 40)}`]);
        assert.ok(firesFor(stuck, DOMAIN), JSON.stringify(stuck));
    });

    it("the Airflow task-file alerts ignore namespaces that are not Airflow's", () => {
        const dbt = judge("AirflowTaskSecretStale", [
            `externalsecret_sync_calls_total${labels("dbt")} ${counter(15)}`,
            `externalsecret_sync_calls_error${labels("dbt")} ${counter(15, 45)}`,
        ]);
        assert.ok(silent(dbt), JSON.stringify(dbt));
        const notReady = judge("AirflowTaskSecretNotReady", [`externalsecret_status_condition${labels("dbt", ',condition="Ready",status="False"')} ${flat(1)}`]);
        assert.ok(silent(notReady), JSON.stringify(notReady));
    });

    it("AirflowTaskSecretNotReady and ExternalSecretNotReady fire on a Ready=False condition, and not on Ready=True", () => {
        for (const alert of ["AirflowTaskSecretNotReady", "ExternalSecretNotReady"]) {
            const down = judge(alert, [`externalsecret_status_condition${labels(DOMAIN, ',condition="Ready",status="False"')} ${flat(1)}`]);
            assert.ok(firesFor(down, DOMAIN), `${alert}: ${JSON.stringify(down)}`);
            const up = judge(alert, [
                `externalsecret_status_condition${labels(DOMAIN, ',condition="Ready",status="False"')} ${flat(0)}`,
                `externalsecret_status_condition${labels(DOMAIN, ',condition="Ready",status="True"')} ${flat(1)}`,
            ]);
            assert.ok(silent(up), `${alert}: ${JSON.stringify(up)}`);
        }
    });

    it("ExternalSecretSyncErrors fires while sync calls error, and not after they stop", () => {
        const erroring = judge("ExternalSecretSyncErrors", [`externalsecret_sync_calls_error${labels("dbt")} ${counter(5, 60)}`]);
        assert.ok(firesFor(erroring, "dbt"), JSON.stringify(erroring));
        const recovered = judge("ExternalSecretSyncErrors", [`externalsecret_sync_calls_error${labels("dbt")} ${counter(5, 0, 60)}`]);
        assert.ok(silent(recovered), JSON.stringify(recovered));
    });
});
