import { strict as assert } from "assert";
import { EnvironmentDeclaration, Exemption, exemptionFor, environmentOf, issuerId, otherEnvironments, PACK_SETTINGS, PackSettings, settingsOf, settingsProblems } from "../../policies/settings";

const DEV = PACK_SETTINGS.environments.find((e) => e.name === "dev")!;
const TODAY = new Date("2026-12-02T12:00:00Z");
const URN = "urn:pulumi:dev::finledger-secrets-platform::kubernetes:core/v1:Secret::webhook";
const settings = (over: Partial<PackSettings>): PackSettings => ({ environments: [], exemptions: [], deprecatedLambdaRuntimes: [], ...over });
const exemption = (over: Partial<Exemption> = {}): Exemption => ({ policy: "kubernetes-secret-no-literal-data", urn: URN, reason: "Bootstrap token until IRSA lands.", ...over });
const WHERE = "policies/pack-config.json (pack-config-declares-environment)";

describe("policies/settings: the pack's shared settings, their problems and exemptions", () => {
    it("reads settings from the config the engine passes, each part falling back to the baked defaults", () => {
        const own = [exemption()];
        assert.deepEqual(settingsOf({ exemptions: own }, "kubernetes-secret-no-literal-data").exemptions, own);
        assert.equal(settingsOf({ exemptions: own }, "x").environments, PACK_SETTINGS.environments);
        assert.deepEqual(settingsOf({ environments: [DEV] }, "x").environments, [DEV]);
        assert.deepEqual(settingsOf({ deprecatedLambdaRuntimes: ["nodejs18.x"] }, "x").deprecatedLambdaRuntimes, ["nodejs18.x"]);
        assert.equal(settingsOf(undefined, "x").deprecatedLambdaRuntimes, PACK_SETTINGS.deprecatedLambdaRuntimes);
        assert.equal(settingsOf("not an object", "x").environments, PACK_SETTINGS.environments);
        assert.deepEqual(settingsOf({ exemptions: "none", environments: {} }, "x").exemptions, []);
    });
    it("lists every problem of a declaration at once, with the file, the entry, the index and the fix", () => {
        const broken = { name: "dev", accountId: "4028", namePrefix: "", oidcIssuer: "https://example.com/id/x", snowflakeDatabase: 5, snowflakeRolePrefix: "FL_DEV_" } as unknown as EnvironmentDeclaration;
        assert.deepEqual(settingsProblems(settings({ environments: [broken, DEV, "x" as unknown as EnvironmentDeclaration] })), [
            `${WHERE} environments[0].namePrefix is missing; copy it from Pulumi.dev.yaml.`,
            `${WHERE} environments[0].snowflakeDatabase is missing; copy it from Pulumi.dev.yaml.`,
            `${WHERE} environments[0].accountId '4028' is not a 12-digit AWS account id.`,
            `${WHERE} environments[0].oidcIssuer 'https://example.com/id/x' is not an EKS OIDC issuer URL (https://oidc.eks.<region>.amazonaws.com/id/<ID>).`,
            `${WHERE} environments[1].name 'dev' is declared twice; declare each environment once.`,
            `${WHERE} environments[2] is not an object; declare name, accountId, namePrefix, oidcIssuer, snowflakeDatabase and snowflakeRolePrefix.`,
        ]);
        assert.deepEqual(settingsProblems(settings({ environments: [{ accountId: 1 } as unknown as EnvironmentDeclaration] })).slice(0, 1), [`${WHERE} environments[0].name is missing; copy it from Pulumi.<env>.yaml.`]);
        assert.deepEqual(settingsProblems(settings({ environments: [DEV] })), []);
    });
    it("accepts an account id, issuer or Snowflake account only when the whole value has that form", () => {
        const fieldsWithProblems = (over: Partial<EnvironmentDeclaration>) => settingsProblems(settings({ environments: [{ ...DEV, ...over }] })).map((p) => p.split(" ")[2].replace(/^environments\[0\]\./, ""));
        for (const accountId of [`${DEV.accountId}1`, `x${DEV.accountId}`]) assert.deepEqual(fieldsWithProblems({ accountId }), ["accountId"], accountId);
        for (const oidcIssuer of [`${DEV.oidcIssuer}/x`, `x${DEV.oidcIssuer}`]) assert.deepEqual(fieldsWithProblems({ oidcIssuer }), ["oidcIssuer"], oidcIssuer);
        for (const snowflakeAccount of ["FINLEDGER-DEV.x", ".FINLEDGER-DEV"]) assert.deepEqual(fieldsWithProblems({ snowflakeAccount }), ["snowflakeAccount"], snowflakeAccount);
        assert.deepEqual(fieldsWithProblems({ snowflakeAccount: undefined }), [], "the Snowflake account is optional");
    });
    it("lists every problem of an exemption: misplaced, missing parts, short reason, bad or past expiry", () => {
        const at = (i: number) => `policies/pack-config.json (kubernetes-secret-no-literal-data) exemptions[${i}]`;
        const list = [exemption(), exemption({ policy: "other-rule" }), { reason: " short " } as Exemption, exemption({ expires: "31-12-2026" }), exemption({ expires: "2026-12-01" }), exemption({ expires: "2026-12-02" }), null as unknown as Exemption, exemption({ expires: 20261231 as unknown as string })];
        assert.deepEqual(settingsProblems(settings({ exemptions: list }), TODAY, "kubernetes-secret-no-literal-data"), [
            `${at(1)} exempts 'other-rule' but sits under the entry of 'kubernetes-secret-no-literal-data'; the engine passes each rule only its own entry, so move it under "other-rule".`,
            `${at(2)}.policy is missing; name the rule it exempts.`,
            `${at(2)}.urn is missing; name the exempted resource's URN.`,
            `${at(2)}.reason is missing or too short; say why the exception is acceptable.`,
            `${at(3)}.expires '31-12-2026' is not a YYYY-MM-DD date.`,
            `${at(4)} for kubernetes-secret-no-literal-data expired on 2026-12-01; remove it or renew it with a new review.`,
            `${at(6)} is not an object; give policy, urn and reason.`,
            `${at(7)}.expires '20261231' is not a YYYY-MM-DD date.`,
        ]);
        assert.deepEqual(settingsProblems(settings({ exemptions: [exemption({ policy: "" })] }), TODAY, "kubernetes-secret-no-literal-data"), [`${at(0)}.policy is missing; name the rule it exempts.`]);
        assert.deepEqual(settingsProblems(settings({ exemptions: [exemption({ urn: "" })] }), TODAY, "kubernetes-secret-no-literal-data"), [`${at(0)}.urn is missing; name the exempted resource's URN.`]);
    });
    it("applies an exemption only to its rule, its URN pattern, with a reason, until the end of its last day", () => {
        const s = (x: Exemption) => settings({ exemptions: [x] });
        assert.deepEqual(exemptionFor(s(exemption()), "kubernetes-secret-no-literal-data", URN, TODAY), exemption());
        assert.equal(exemptionFor(s(exemption()), "other-rule", URN, TODAY), undefined);
        assert.equal(exemptionFor(s(exemption()), "kubernetes-secret-no-literal-data", undefined, TODAY), undefined);
        assert.equal(exemptionFor(s(exemption()), "kubernetes-secret-no-literal-data", `${URN}-2`, TODAY), undefined, "the pattern is anchored");
        assert.equal(exemptionFor(s(exemption()), "kubernetes-secret-no-literal-data", `x${URN}`, TODAY), undefined);
        assert.ok(exemptionFor(s(exemption({ urn: "urn:pulumi:dev::*::kubernetes:core/v1:Secret::web*" })), "kubernetes-secret-no-literal-data", URN, TODAY));
        assert.equal(exemptionFor(s(exemption({ urn: "urn:pulumi:dev::finledger-secrets-platform::kubernetes:core/v1:Secret::web.ook" })), "kubernetes-secret-no-literal-data", URN, TODAY), undefined, "a dot is a dot");
        assert.equal(exemptionFor(s(exemption({ reason: "too short" })), "kubernetes-secret-no-literal-data", URN, TODAY), undefined);
        assert.ok(exemptionFor(s(exemption({ reason: " ten chars! " })), "kubernetes-secret-no-literal-data", URN, TODAY), "ten characters, spaces trimmed, are a reason");
        assert.equal(exemptionFor(s(exemption({ reason: 5 as unknown as string })), "kubernetes-secret-no-literal-data", URN, TODAY), undefined);
        assert.equal(exemptionFor(s(exemption({ urn: 5 as unknown as string })), "kubernetes-secret-no-literal-data", URN, TODAY), undefined);
        assert.ok(exemptionFor(s(exemption({ expires: "2026-12-02" })), "kubernetes-secret-no-literal-data", URN, TODAY), "the last day counts");
        assert.equal(exemptionFor(s(exemption({ expires: "2026-12-01" })), "kubernetes-secret-no-literal-data", URN, TODAY), undefined);
        assert.equal(exemptionFor(s(exemption({ expires: 7 as unknown as string })), "kubernetes-secret-no-literal-data", URN, TODAY), undefined);
        assert.equal(exemptionFor(settings({ exemptions: [null as unknown as Exemption] }), "kubernetes-secret-no-literal-data", URN, TODAY), undefined);
    });
    it("finds a URN's environment and the other environments, and an issuer's id", () => {
        const all = settings({ environments: PACK_SETTINGS.environments });
        assert.equal(environmentOf(all, URN)?.name, "dev");
        assert.equal(environmentOf(all, URN.replace(":dev::", ":qa::")), undefined);
        assert.deepEqual(otherEnvironments(all, URN).map((e) => e.name), ["staging", "prod"]);
        assert.deepEqual(otherEnvironments(settings({ environments: [null as unknown as EnvironmentDeclaration, DEV] }), URN.replace(":dev::", ":prod::")).map((e) => e.name), ["dev"]);
        assert.equal(issuerId(DEV.oidcIssuer), "5C8A3F1B2E9D4A7C6B0F1E2D3C4B5A69");
        assert.equal(issuerId(5 as unknown as string), "");
    });
});
