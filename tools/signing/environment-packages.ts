// The packages one environment deploys, built exactly as the stack program builds them: every bundled function, the
// refresh function with that environment's targets table and the trust check with its allowance. The sign job signs
// these; the deploy program looks up the same hashes (test/cicd/code-signing.test.ts compares them with the plan).
import * as path from "path";
import { refreshPackage } from "../../components/eso-refresh";
import { buildTrustAllowance, roleTrustCheckPackage } from "../../components/role-trust-check";
import { FUNCTION_ENTRIES } from "../../functions/bundle";
import { FunctionPackage, functionPackage } from "../../functions/packages";
import { loadCatalog } from "../../model/catalog";
import { EnvironmentConfig } from "../../model/config";
import { assertValidModel, planEnvironment } from "../../model/environment";
import { planRefreshTargets } from "../../stacks/refresh";
import { buildFunctionAllowance, buildPolicyAllowance } from "../../stacks/change-allowance";

/** Every package an environment may deploy (a function its phase or catalog leaves out costs one signing job, once). */
export function environmentPackages(config: EnvironmentConfig, projectDir: string): FunctionPackage[] {
    const model = assertValidModel(planEnvironment(config, loadCatalog(path.join(projectDir, "catalog"))));
    const targets = planRefreshTargets(model.catalog, (n) => model.secretsByName.get(n)?.fullName);
    const withData: Record<string, () => FunctionPackage> = {
        "eso-refresh": () => refreshPackage(targets),
        "trust-check": () => roleTrustCheckPackage({ trust: buildTrustAllowance(config, model.catalog.workloads), policies: buildPolicyAllowance(model), functions: buildFunctionAllowance(model) }),
    };
    return Object.keys(FUNCTION_ENTRIES).map((name) => withData[name]?.() ?? functionPackage(name));
}
