// What the platform change check (components/role-trust-check.ts) compares a deploy run's IAM and Lambda changes
// with: every inline policy and every function configuration the environment's plan produces, built here by the same
// builders and tables the components and this stack use. The sign job builds it too (it becomes part of the check's
// signed package), from config and catalog alone, so values the plan only knows at deploy time become IAM patterns
// bound to the environment's account, regions and names: a secret's random suffix is `-??????`, a KMS key id is the
// shape AWS gives it (`mrk-` and 32 characters for the multi-Region environment key), and a value of a function's
// environment known only at deploy time (the cluster endpoint) is `null` (its key is checked, not its value).
// It always describes the full phase (model/phase.ts), whatever phase the stack is in: the check's package, and so
// its function, must not change when a stack moves from foundation to full, and allowing the policy or configuration
// of a role or function the foundation phase has not created yet allows nothing else.
import { BREAK_GLASS_POLICY_NAME, buildBreakGlassPolicy } from "../components/break-glass";
import { buildEventForwarderPolicy, EVENT_FORWARDER_POLICY_NAME } from "../components/audit-alerts";
import { buildCloudTrailLogsPolicy, CLOUDTRAIL_LOGS_POLICY_NAME, trailLogGroupName } from "../components/audit-trail";
import { buildRefreshRolePolicy, refreshVariables, REFRESH_POLICY_NAME } from "../components/eso-refresh";
import { buildEsoControllerPolicy, ESO_CONTROLLER_POLICY_NAME } from "../components/external-secrets";
import { LAMBDA_HANDLER, LAMBDA_RUNTIME } from "../components/function-code";
import { functionLogGroupName } from "../components/function-log-key";
import { logGroupArn, PolicyDocument, PolicyStatement, roleArn } from "../components/iam";
import { buildProbePolicy, probeVariables, PROBE_POLICY_NAME } from "../components/latency-probe";
import { replicaSecretArn, secretReadStatements } from "../components/managed-secret";
import { bootstrapOwnedRoles, buildTrustCheckPolicy, TRUST_CHECK_POLICY_NAME } from "../components/role-trust-check";
import { buildExpiryCheckPolicy, expiryCheckVariables, EXPIRY_CHECK_POLICY_NAME } from "../components/secret-expiry-check";
import { buildRotationPolicy, ROTATION_POLICY_NAME, rotationVariables } from "../components/secret-rotation";
import { buildWorkloadPolicy, WORKLOAD_POLICY_NAME } from "../components/workload-identity";
import { FunctionAllowance, PlannedFunction } from "../functions/trust-check/function-judge";
import { PolicyAllowance, RolePolicyAllowance } from "../functions/trust-check/policy-judge";
import { CANARY_SECRET, EnvironmentModel } from "../model/environment";
import { exactSecretArnPattern, functionNames, roleNames } from "../model/names";
import { secretsManagerEndpointUrl, strategyExtras } from "./rotation";


/** The ARN pattern of the environment key in one region: AWS gives a multi-Region key an id of `mrk-` and 32 hex digits, a single-Region key a UUID. */
export function environmentKeyArnPattern(region: string, accountId: string, multiRegion: boolean): string {
    return `arn:aws:kms:${region}:${accountId}:key/${multiRegion ? `mrk-${"?".repeat(32)}` : "????????-????-????-????-????????????"}`;
}


type Planned = RolePolicyAllowance["inline"][string];
const inline = (name: string, document: PolicyDocument | undefined): Record<string, Planned> => (document ? { [name]: document as unknown as Planned } : {});

/** Every inline policy (and attachment) the environment's plan gives the roles it manages, built by the components' builders with deploy-time values as patterns. */
export function buildPolicyAllowance(model: EnvironmentModel): PolicyAllowance {
    const { config } = model;
    const { accountId, region, namePrefix: prefix, environment } = config;
    const replicaRegion = config.replicaRegion;
    const keyArn = (r: string) => environmentKeyArnPattern(r, accountId, replicaRegion !== undefined);
    const lambdaLogs = (functionName: string) => logGroupArn(region, accountId, functionLogGroupName(functionName));
    const roles: Record<string, RolePolicyAllowance> = {};
    const give = (roleName: string, policies: Record<string, Planned>) => (roles[roleName] = { inline: policies, attached: [] });

    // The audit layer.
    give(roleNames.breakGlass(prefix), inline(BREAK_GLASS_POLICY_NAME, buildBreakGlassPolicy({ accountId, environment })));
    give(roleNames.cloudTrailLogs(prefix), inline(CLOUDTRAIL_LOGS_POLICY_NAME, buildCloudTrailLogsPolicy(logGroupArn(region, accountId, trailLogGroupName(environment)))));
    give(roleNames.eventForwarder(prefix), inline(EVENT_FORWARDER_POLICY_NAME, buildEventForwarderPolicy(accountId, region)));
    give(roleNames.expiryCheck(prefix), inline(EXPIRY_CHECK_POLICY_NAME, buildExpiryCheckPolicy({ accountId, region, logGroupArn: lambdaLogs(functionNames.expiryCheck(prefix)) })));
    give(roleNames.trustCheck(prefix), inline(TRUST_CHECK_POLICY_NAME, buildTrustCheckPolicy({ accountId, region, namePrefix: prefix, logGroupArn: lambdaLogs(roleNames.trustCheck(prefix)) })));

    const extras = strategyExtras(config);
    for (const r of model.rotations) {
        give(
            r.roleName,
            inline(
                ROTATION_POLICY_NAME,
                buildRotationPolicy({
                    accountId,
                    region,
                    environment,
                    strategy: r.strategy,
                    secretNamePrefixes: [r.secretNamePrefix],
                    keyArn: keyArn(region),
                    logGroupArn: lambdaLogs(r.functionName),
                    readOnlySecretArns: extras[r.strategy].readOnly,
                }),
            ),
        );
    }

    // What ManagedSecret.grantRead adds for one secret, with the replica as WorkloadIdentity asks for it.
    const readStatements = (catalogName: string, includeReplica: boolean): PolicyStatement[] => {
        const secret = model.secretsByName.get(catalogName)!;
        const arn = exactSecretArnPattern(accountId, secret.fullName, region);
        const withReplica = includeReplica && secret.replicated && replicaRegion !== undefined;
        return [...secretReadStatements(arn, keyArn(region), region), ...(withReplica ? secretReadStatements(replicaSecretArn(arn, replicaRegion), keyArn(replicaRegion), replicaRegion) : [])];
    };

    give(roleNames.esoController(prefix), inline(ESO_CONTROLLER_POLICY_NAME, buildEsoControllerPolicy()));
    for (const identity of model.identities) {
        give(identity.roleName, inline(WORKLOAD_POLICY_NAME, buildWorkloadPolicy(identity.roleName, identity.reads.flatMap((name) => readStatements(name, true)))));
    }
    give(roleNames.esoRefresh(prefix), inline(REFRESH_POLICY_NAME, buildRefreshRolePolicy(lambdaLogs(roleNames.esoRefresh(prefix)))));
    const probe = functionNames.latencyProbe(prefix);
    give(roleNames.latencyProbe(prefix), inline(PROBE_POLICY_NAME, buildProbePolicy(readStatements(CANARY_SECRET, false), lambdaLogs(probe), config.audit.probeVpc !== undefined)));
    const sorted = Object.fromEntries(Object.keys(roles).sort().map((k) => [k, roles[k]]));
    return { environment, accountId, namePrefix: prefix, bootstrapOwnedRoles: bootstrapOwnedRoles(prefix), roles: sorted };
}

/** Every function configuration the environment's plan produces: handler, runtime, role, variables (deploy-time values `null`), no layer. */
export function buildFunctionAllowance(model: EnvironmentModel): FunctionAllowance {
    const { config } = model;
    const { accountId, region, namePrefix: prefix, environment } = config;
    const functions: Record<string, PlannedFunction> = {};
    const plan = (name: string, role: string, variables: Record<string, string | null>) =>
        (functions[name] = { handler: LAMBDA_HANDLER, runtime: LAMBDA_RUNTIME, role: roleArn(accountId, role), variables, layers: [] });

    plan(functionNames.expiryCheck(prefix), roleNames.expiryCheck(prefix), expiryCheckVariables(environment, config.audit.expiryWarningDays));
    plan(roleNames.trustCheck(prefix), roleNames.trustCheck(prefix), {});
    const extras = strategyExtras(config);
    for (const r of model.rotations) plan(r.functionName, r.roleName, rotationVariables(secretsManagerEndpointUrl(config), extras[r.strategy].env));
    plan(roleNames.esoRefresh(prefix), roleNames.esoRefresh(prefix), refreshVariables<string | null>({ name: config.cluster.name, endpoint: null, caBase64: null }));
    plan(functionNames.latencyProbe(prefix), roleNames.latencyProbe(prefix), probeVariables(model.secretsByName.get(CANARY_SECRET)!.fullName, environment));
    const sorted = Object.fromEntries(Object.keys(functions).sort().map((k) => [k, functions[k]]));
    return { environment, accountId, region, namePrefix: prefix, functions: sorted };
}
