import { strict as assert } from "assert";
import { githubSubject, GithubRepository, platformBoundaryArn, pulumiSecretsProviderUrl } from "../../components/github-deploy";
import { roleNames } from "../../model/names";
import { previewerSecretName, provisionerSecretName } from "../../model/snowflake-provisioner";
import { ENVIRONMENTS } from "../../model/config";
import { decide, decideAssume, Decision, PERMISSIVE_RESOURCE_POLICY, PlanIam, plannedEnvironment, PlannedRole, PlannedSecret } from "../support/plan-iam";
import { PolicyDocument } from "../../components/iam";
import { previewGithubEnvironment } from "../../model/preview-gate";

const envs = (): PlanIam[] => ENVIRONMENTS.map((e) => plannedEnvironment(e));

async function decisionsOver(secrets: PlannedSecret[], decideOne: (secret: PlannedSecret) => Promise<Decision>): Promise<Map<Decision, string[]>> {
    const byDecision = new Map<Decision, string[]>();
    for (const secret of secrets) {
        const d = await decideOne(secret);
        byDecision.set(d, [...(byDecision.get(d) ?? []), secret.arn]);
    }
    return byDecision;
}

function assertNoneAllowed(byDecision: Map<Decision, string[]>, what: string): void {
    const allowed = byDecision.get("Allowed") ?? [];
    assert.equal(allowed.length, 0, `${what} is allowed for: ${allowed.slice(0, 5).join(", ")}${allowed.length > 5 ? ` and ${allowed.length - 5} more` : ""}`);
}

describe("GitHub deploy roles under IAM simulation (planned roles of dev, staging and prod)", function () {
    before(() => {
        envs();
    });

    for (const environment of ENVIRONMENTS) {
        for (const roleKind of ["preview", "deploy"] as const) {
            const roleOf = (env: PlanIam): PlannedRole => (roleKind === "preview" ? env.previewRole : env.deployRole);

            const except = roleKind === "deploy" ? " but the Snowflake provisioning key" : " but the Snowflake previewer key";
            it(`${environment} ${roleKind} role cannot read the value of any of its environment's secrets${except}`, async () => {
                const env = plannedEnvironment(environment);
                assert.ok(env.secrets.length > 100, `expected the full catalog in ${environment}, found ${env.secrets.length} secrets`);
                const action = "secretsmanager:GetSecretValue";
                // Each role's one exception is proven in test/cicd/provisioner-read.iam.test.ts.
                const exception = roleKind === "deploy" ? provisionerSecretName(environment) : previewerSecretName(environment);
                const checked = env.secrets.filter((secret) => !secret.arn.includes(`:secret:${exception}-`));
                assert.equal(checked.length, env.secrets.length - 1, `exactly one secret is the ${roleKind} role's exception`);
                const byDecision = await decisionsOver(checked, (secret) =>
                    decide({ role: roleOf(env), action, resourceArn: secret.arn, resourceAccount: env.accountId, resourcePolicy: secret.policy }),
                );
                assertNoneAllowed(byDecision, `${action} by ${roleOf(env).name}`);
                assert.deepEqual([...byDecision.keys()], ["ExplicitlyDenied"], `${action} must be denied explicitly, not only by omission`);
                // BatchGetSecretValue takes no resource ARN; it must be denied outright as well.
                assert.equal(await decide({ role: roleOf(env), action: "secretsmanager:BatchGetSecretValue", resourceArn: "*", resourceAccount: env.accountId }), "ExplicitlyDenied");
            });

            it(`${environment} ${roleKind} role cannot decrypt with the environment key, even through Secrets Manager`, async () => {
                const env = plannedEnvironment(environment);
                for (const via of [undefined, "secretsmanager.us-east-1.amazonaws.com"]) {
                    const d = await decide({
                        role: roleOf(env),
                        action: "kms:Decrypt",
                        resourceArn: env.environmentKey.arn,
                        resourceAccount: env.accountId,
                        resourcePolicy: env.environmentKey.policy,
                        context: via ? { "kms:ViaService": via } : {},
                    });
                    assert.equal(d, "ExplicitlyDenied", `kms:Decrypt via ${via ?? "a direct call"}`);
                }
            });

            it(`${environment} ${roleKind} role can decrypt the stack's data key with its own Pulumi key and read state`, async () => {
                const env = plannedEnvironment(environment);
                const role = roleOf(env);
                assert.equal(await decide({ role, action: "kms:Decrypt", resourceArn: env.pulumiKey.arn, resourceAccount: env.accountId, resourcePolicy: env.pulumiKey.policy }), "Allowed");
                assert.equal(
                    await decide({ role, action: "s3:GetObject", resourceArn: `arn:aws:s3:::${env.stateBucket.name}/.pulumi/stacks/finledger-secrets-platform/${environment}.json`, resourceAccount: env.accountId, resourcePolicy: env.stateBucket.policy }),
                    "Allowed",
                );
            });

            it(`${environment} ${roleKind} role cannot read SSM parameter values`, async () => {
                const env = plannedEnvironment(environment);
                const d = await decide({ role: roleOf(env), action: "ssm:GetParameter", resourceArn: `arn:aws:ssm:us-east-1:${env.accountId}:parameter/any/secure-string`, resourceAccount: env.accountId });
                assert.equal(d, "ExplicitlyDenied");
            });

            for (const other of ENVIRONMENTS.filter((e) => e !== environment)) {
                it(`${environment} ${roleKind} role cannot use ${other}'s Pulumi key or state`, async () => {
                    const env = plannedEnvironment(environment);
                    const target = plannedEnvironment(other);
                    const role = roleOf(env);
                    for (const action of ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]) {
                        assert.notEqual(await decide({ role, action, resourceArn: target.pulumiKey.arn, resourceAccount: target.accountId, resourcePolicy: target.pulumiKey.policy }), "Allowed", action);
                    }
                    for (const action of ["s3:GetObject", "s3:PutObject"]) {
                        const resourceArn = `arn:aws:s3:::${target.stateBucket.name}/.pulumi/stacks/finledger-secrets-platform/${other}.json`;
                        assert.notEqual(await decide({ role, action, resourceArn, resourceAccount: target.accountId, resourcePolicy: target.stateBucket.policy }), "Allowed", action);
                    }
                });
            }
        }
    }

    it("the preview role of each environment writes nothing but Pulumi lock files, chains into no role and stays in its account", async () => {
        for (const env of envs()) {
            const role = env.previewRole;
            const state = (key: string) => `arn:aws:s3:::${env.stateBucket.name}/${key}`;
            assert.equal(await decide({ role, action: "s3:PutObject", resourceArn: state(".pulumi/locks/organization/finledger-secrets-platform/dev/abc.json"), resourceAccount: env.accountId, resourcePolicy: env.stateBucket.policy }), "Allowed");
            assert.notEqual(await decide({ role, action: "s3:PutObject", resourceArn: state(".pulumi/stacks/finledger-secrets-platform/dev.json"), resourceAccount: env.accountId, resourcePolicy: env.stateBucket.policy }), "Allowed");
            assert.equal(
                await decide({ role, action: "sts:AssumeRole", resourceArn: `arn:aws:iam::${env.accountId}:role/${roleNames.workload(`fl-${env.environment}`, "airflow-payments")}`, resourceAccount: env.accountId }),
                "ExplicitlyDenied",
                "the preview role never chains into a workload role",
            );
            for (const other of envs().filter((o) => o.environment !== env.environment)) {
                const anySecret = other.secrets[0].arn;
                assert.notEqual(
                    await decide({ role, action: "secretsmanager:DescribeSecret", resourceArn: anySecret, resourceAccount: other.accountId, resourcePolicy: PERMISSIVE_RESOURCE_POLICY }),
                    "Allowed",
                    `${env.environment} preview reads ${other.environment} metadata`,
                );
            }
            const firstSecret = env.secrets[0];
            for (const action of ["secretsmanager:UpdateSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteSecret", "secretsmanager:PutSecretValue"]) {
                assert.notEqual(await decide({ role, action, resourceArn: firstSecret.arn, resourceAccount: env.accountId, resourcePolicy: firstSecret.policy }), "Allowed", `${env.environment} preview ${action}`);
            }
        }
    });

    it("each deploy role manages its own environment's secrets, keys, platform roles and state", async () => {
        for (const env of envs()) {
            const role = env.deployRole;
            const ok = async (action: string, resourceArn: string, resourcePolicy?: PolicyDocument) =>
                assert.equal(await decide({ role, action, resourceArn, resourceAccount: env.accountId, resourcePolicy }), "Allowed", `${env.environment} deploy ${action} on ${resourceArn}`);
            const secret = env.secrets[0];
            for (const action of ["secretsmanager:UpdateSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:TagResource", "secretsmanager:RotateSecret"]) await ok(action, secret.arn, secret.policy);
            for (const action of ["kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:TagResource"]) await ok(action, env.environmentKey.arn, env.environmentKey.policy);
            // Only under the platform boundary (test/cicd/separation.iam.test.ts proves the refusal without it).
            assert.equal(
                await decide({
                    role,
                    action: "iam:PutRolePolicy",
                    resourceArn: `arn:aws:iam::${env.accountId}:role/${roleNames.workload(`fl-${env.environment}`, "airflow-payments")}`,
                    resourceAccount: env.accountId,
                    context: { "iam:PermissionsBoundary": platformBoundaryArn(env.accountId, `fl-${env.environment}`) },
                }),
                "Allowed",
                `${env.environment} deploy iam:PutRolePolicy under the boundary`,
            );
            await ok("s3:PutObject", `arn:aws:s3:::${env.stateBucket.name}/.pulumi/stacks/finledger-secrets-platform/${env.environment}.json`, env.stateBucket.policy);
            await ok("kms:GenerateDataKey", env.pulumiKey.arn, env.pulumiKey.policy);
        }
    });

    it("no deploy role can change its own access, the preview role, the OIDC provider, the state bucket or the Pulumi key", async () => {
        for (const env of envs()) {
            const role = env.deployRole;
            const denied = async (action: string, resourceArn: string, resourcePolicy?: typeof env.pulumiKey.policy) =>
                assert.equal(await decide({ role, action, resourceArn, resourceAccount: env.accountId, resourcePolicy }), "ExplicitlyDenied", `${env.environment} deploy ${action} on ${resourceArn}`);
            for (const target of [env.deployRole.arn, env.previewRole.arn]) {
                for (const action of ["iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePolicy"]) await denied(action, target);
            }
            await denied("iam:UpdateOpenIDConnectProviderThumbprint", env.oidcProviderArn);
            for (const action of ["s3:PutBucketPolicy", "s3:DeleteBucket", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration"]) await denied(action, `arn:aws:s3:::${env.stateBucket.name}`, env.stateBucket.policy);
            for (const action of ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:CreateGrant"]) await denied(action, env.pulumiKey.arn, env.pulumiKey.policy);
            await denied("sts:AssumeRole", `arn:aws:iam::${env.accountId}:role/${roleNames.workload(`fl-${env.environment}`, "airflow-payments")}`);
        }
    });

    for (const environment of ENVIRONMENTS) {
        for (const other of ENVIRONMENTS.filter((e) => e !== environment)) {
            it(`${environment} deploy role cannot act on ${other}'s resources, even if ${other}'s resource policies allowed everyone`, async () => {
                const role = plannedEnvironment(environment).deployRole;
                const target = plannedEnvironment(other);
                const attempt = (action: string, resourceArn: string) => decide({ role, action, resourceArn, resourceAccount: target.accountId, resourcePolicy: PERMISSIVE_RESOURCE_POLICY });
                const secretActions = ["secretsmanager:UpdateSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:DeleteSecret", "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"];
                for (const action of secretActions) {
                    assertNoneAllowed(await decisionsOver(target.secrets, (secret) => attempt(action, secret.arn)), `${action} by ${role.name} on ${other}`);
                }
                for (const action of ["kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:Decrypt", "kms:DescribeKey"]) {
                    for (const key of [target.environmentKey.arn, target.pulumiKey.arn]) assert.notEqual(await attempt(action, key), "Allowed", `${action} on ${key}`);
                }
                for (const action of ["iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:GetRole"]) {
                    assert.notEqual(await attempt(action, target.deployRole.arn), "Allowed", `${action} on ${target.deployRole.arn}`);
                }
                for (const action of ["s3:PutObject", "s3:GetObject"]) {
                    assert.notEqual(await attempt(action, `arn:aws:s3:::${target.stateBucket.name}/.pulumi/stacks/finledger-secrets-platform/${other}.json`), "Allowed", action);
                }
            });
        }
    }
});

describe("GitHub OIDC trust of the planned roles", () => {
    const repoOf = (env: PlanIam): GithubRepository => {
        // The plan's own trust subject tells which repository and format the config chose; rebuild it from the config.
        const stmt = env.deployRole.trust.Statement[0];
        const sub = (stmt.Condition!.StringEquals as Record<string, string>)["token.actions.githubusercontent.com:sub"];
        const m = /^repo:([A-Za-z0-9-]+)-(\d+)\/([A-Za-z0-9._-]+)-(\d+):/.exec(sub);
        assert.ok(m, `the stack files choose the immutable format, so the subject '${sub}' carries numeric ids`);
        return { org: m[1], ownerId: m[2], repo: m[3], repositoryId: m[4], subjectFormat: "immutable" };
    };

    // A reviewed environment's preview role trusts its GitHub environment instead: test/cicd/preview-gate.iam.test.ts.
    for (const environment of ENVIRONMENTS.filter((e) => previewGithubEnvironment(e) === undefined)) {
        it(`${environment} preview role admits this repository's pull requests and nothing else`, async () => {
            const env = plannedEnvironment(environment);
            const repo = repoOf(env);
            const assume = (sub: string, aud?: string) => decideAssume(env.previewRole, env.oidcProviderArn, { sub, aud });
            const prSub = githubSubject(repo, { kind: "pull_request" });
            assert.equal(await assume(prSub), "Allowed", prSub);
            const rejected = {
                "a fork's pull request": githubSubject({ ...repo, org: "attacker", ownerId: "99887766" }, { kind: "pull_request" }),
                "the fork under its legacy subject": `repo:attacker/${repo.repo}:pull_request`,
                "another repository of the organisation": githubSubject({ ...repo, repo: "data-pipelines", repositoryId: "77665544" }, { kind: "pull_request" }),
                "a recycled name with another repository id": githubSubject({ ...repo, repositoryId: "1" }, { kind: "pull_request" }),
                "the legacy subject of the same repository": githubSubject({ ...repo, subjectFormat: "legacy" }, { kind: "pull_request" }),
                "a deploy job of this environment": githubSubject(repo, { kind: "environment", name: environment }),
                "a push to main": `repo:${repo.org}-${repo.ownerId}/${repo.repo}-${repo.repositoryId}:ref:refs/heads/main`,
                "a wildcard subject": `repo:${repo.org}-${repo.ownerId}/${repo.repo}-${repo.repositoryId}:*`,
                "a fully wild subject": "*",
            };
            for (const [what, sub] of Object.entries(rejected)) assert.equal(await assume(sub), "ImplicitlyDenied", `${what} (${sub})`);
            assert.equal(await assume(prSub, "https://github.com/attacker"), "ImplicitlyDenied", "another audience");
        });
    }

    for (const environment of ENVIRONMENTS) {
        it(`${environment} deploy role admits only jobs bound to the GitHub environment '${environment}'`, async () => {
            const env = plannedEnvironment(environment);
            const repo = repoOf(env);
            const assume = (sub: string) => decideAssume(env.deployRole, env.oidcProviderArn, { sub });
            assert.equal(await assume(githubSubject(repo, { kind: "environment", name: environment })), "Allowed");
            for (const other of ENVIRONMENTS.filter((e) => e !== environment)) {
                assert.equal(await assume(githubSubject(repo, { kind: "environment", name: other })), "ImplicitlyDenied", `environment ${other}`);
            }
            for (const sub of [
                githubSubject(repo, { kind: "pull_request" }),
                githubSubject({ ...repo, org: "attacker", ownerId: "99887766" }, { kind: "environment", name: environment }),
                githubSubject({ ...repo, repo: "data-pipelines", repositoryId: "77665544" }, { kind: "environment", name: environment }),
                `repo:${repo.org}-${repo.ownerId}/${repo.repo}-${repo.repositoryId}:environment:*`,
                `repo:${repo.org}-${repo.ownerId}/${repo.repo}-${repo.repositoryId}:environment:${environment.toUpperCase()}x`,
            ]) {
                assert.equal(await assume(sub), "ImplicitlyDenied", sub);
            }
        });

        it(`${environment} roles trust exactly StringEquals on sub and aud, and the stack file's secrets provider is the component's key alias`, () => {
            const env = plannedEnvironment(environment);
            for (const role of [env.previewRole, env.deployRole]) {
                assert.equal(role.trust.Statement.length, 1);
                const [stmt] = role.trust.Statement;
                assert.deepEqual(Object.keys(stmt.Condition ?? {}), ["StringEquals"]);
                assert.deepEqual(Object.keys(stmt.Condition!.StringEquals).sort(), ["token.actions.githubusercontent.com:aud", "token.actions.githubusercontent.com:sub"]);
                assert.deepEqual(stmt.Principal, { Federated: env.oidcProviderArn });
            }
            const YAML = require("yaml") as typeof import("yaml");
            const fs = require("fs") as typeof import("fs");
            const file = YAML.parse(fs.readFileSync(`Pulumi.${environment}.yaml`, "utf8"));
            assert.equal(file.secretsprovider, pulumiSecretsProviderUrl(`fl-${environment}`, "us-east-1"));
        });
    }

    it("a trust policy with a StringLike wildcard would admit a fork: the simulation is sensitive to the subject", async () => {
        const env = plannedEnvironment("dev");
        const loose: PlannedRole = {
            ...env.previewRole,
            trust: {
                Version: "2012-10-17",
                Statement: [{ ...env.previewRole.trust.Statement[0], Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:*:pull_request", "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } } }],
            },
        };
        assert.equal(await decideAssume(loose, env.oidcProviderArn, { sub: "repo:attacker/secrets-platform:pull_request" }), "Allowed");
    });
});
