import { strict as assert } from "assert";
import { parseEnvironmentConfig, readStackFile } from "../../model/config";
import { configProblems, stackConfigWith } from "../support/config-fixtures";
import { PROJECT_DIR } from "../support/plan-cli";

/** The prod stack file with `finledger:audit` replaced. */
const withAudit = (audit: Record<string, unknown>) => stackConfigWith("prod", "finledger:audit", audit);
const problemsOf = configProblems;

const base = {
    alertSubscriptions: [{ protocol: "email", endpoint: "oncall@finledger.com" }],
    breakGlassPrincipals: ["arn:aws:iam::736491028554:user/breakglass-operator-a"],
};

describe("finledger:audit config", () => {
    it("every stack file has a valid audit section with defaults applied", () => {
        for (const env of ["dev", "staging", "prod"]) {
            const config = parseEnvironmentConfig(readStackFile(PROJECT_DIR, env));
            assert.ok(config.audit.alertSubscriptions.length > 0);
            assert.ok(config.audit.expiryWarningDays >= 1);
            assert.equal(config.audit.logArchive, undefined);
        }
        assert.equal(parseEnvironmentConfig(withAudit(base)).audit.expiryWarningDays, 14);
    });

    it("rejects a webhook that carries a credential, naming the key and the fix", () => {
        const msg = problemsOf(withAudit({ ...base, alertSubscriptions: [{ protocol: "https", endpoint: `https://hooks.slack.com/services/T000/B000/${"x".repeat(24)}` }] }));
        assert.match(msg, /Pulumi\.prod\.yaml: key 'finledger:audit\.alertSubscriptions\.0\.endpoint'/);
        assert.match(msg, /keep them in Secrets Manager/);
        const query = problemsOf(withAudit({ ...base, alertSubscriptions: [{ protocol: "https", endpoint: "https://alerts.finledger.com/hook?key=abc" }] }));
        assert.match(query, /alertSubscriptions\.0\.endpoint/);
    });

    it("accepts a plain https endpoint and an email address", () => {
        const ok = parseEnvironmentConfig(
            withAudit({ ...base, alertSubscriptions: [{ protocol: "https", endpoint: "https://alerts.finledger.com/secrets-platform" }, { protocol: "email", endpoint: "a@finledger.com" }] }),
        );
        assert.equal(ok.audit.alertSubscriptions.length, 2);
    });

    it("rejects an email endpoint that is not an address", () => {
        assert.match(problemsOf(withAudit({ ...base, alertSubscriptions: [{ protocol: "email", endpoint: "not-an-address" }] })), /alertSubscriptions\.0\.endpoint/);
    });

    it("rejects a break-glass principal of another account and a log archive in the same account, both at once", () => {
        const msg = problemsOf(
            withAudit({
                ...base,
                breakGlassPrincipals: ["arn:aws:iam::402817365190:user/breakglass-operator-a"],
                logArchive: { accountId: "736491028554", bucketName: "fl-log-archive" },
            }),
        );
        assert.match(msg, /breakGlassPrincipals\[0\]'.*no other account may break glass/);
        assert.match(msg, /logArchive\.accountId'.*separate log-archive account/);
    });

    it("rejects an unknown key and an out-of-range warning window", () => {
        const msg = problemsOf(withAudit({ ...base, expiryWarningDays: 400, pagerDutyKey: "x" }));
        assert.match(msg, /expiryWarningDays'.*at most 90 days/);
        assert.match(msg, /pagerDutyKey'.*an unknown key/);
    });
});
