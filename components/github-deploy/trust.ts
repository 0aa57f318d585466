// Who may assume the deploy-time roles: GitHub's OIDC issuer, the exact subject claim, and the trust policy built from it.
import { PolicyDocument, policyDocument } from "../iam";

/** GitHub's OIDC issuer; IAM names the provider after it and prefixes its claim keys with it. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
/** The audience that `aws-actions/configure-aws-credentials` requests. */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";
/** The condition key of the token's subject claim. */
export const SUB_KEY = `${GITHUB_OIDC_HOST}:sub`;
/** The condition key of the token's audience claim. */
export const AUD_KEY = `${GITHUB_OIDC_HOST}:aud`;

/** The GitHub repository whose workflows may assume the roles, and how its tokens name it. */
export interface GithubRepository {
    readonly org: string;
    readonly repo: string;
    /** `legacy` (repo:<org>/<repo>) or `immutable` (repo:<org>-<ownerId>/<repo>-<repositoryId>). */
    readonly subjectFormat: "legacy" | "immutable";
    /** The organisation's numeric id. Required for the immutable format. */
    readonly ownerId?: string;
    /** The repository's numeric id. Required for the immutable format. */
    readonly repositoryId?: string;
}

/** The part of a GitHub token's subject after the repository: a pull request, a job bound to a GitHub environment, or a push to a branch by a job bound to none. */
export type GithubContext = { readonly kind: "pull_request" } | { readonly kind: "environment"; readonly name: string } | { readonly kind: "branch"; readonly name: string };

/**
 * The exact `sub` claim GitHub puts in a workflow's OIDC token for this repository and context. The legacy format is
 * `repo:<org>/<repo>:<context>`; the immutable one (GitHub changelog 2026-04-23) appends the numeric owner and
 * repository ids, `repo:<org>-<ownerId>/<repo>-<repositoryId>:<context>`, so a deleted and re-created name cannot
 * mint a token the role trusts.
 */
export function githubSubject(github: GithubRepository, context: GithubContext): string {
    let repository: string;
    if (github.subjectFormat === "immutable") {
        if (!github.ownerId || !github.repositoryId) {
            throw new Error(`The immutable GitHub subject format needs ownerId and repositoryId for ${github.org}/${github.repo}; set them under finledger:github.`);
        }
        repository = `${github.org}-${github.ownerId}/${github.repo}-${github.repositoryId}`;
    } else {
        repository = `${github.org}/${github.repo}`;
    }
    const suffix = context.kind === "pull_request" ? "pull_request" : context.kind === "branch" ? `ref:refs/heads/${context.name}` : `environment:${context.name}`;
    return `repo:${repository}:${suffix}`;
}

/** The IAM ARN of the GitHub OIDC provider in an account. */
export function githubOidcProviderArn(accountId: string): string {
    return `arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
}

/**
 * A role trust policy for GitHub's OIDC tokens: exactly one subject and the STS audience, both with `StringEquals`.
 * No wildcard and no `StringLike`, so neither a fork, another repository, a branch nor another environment matches.
 */
export function buildGithubTrustPolicy(oidcProviderArn: string, subject: string): PolicyDocument {
    if (/[*?]/.test(subject)) throw new Error(`GitHub trust subject '${subject}' contains a wildcard; trust exactly one subject.`);
    return policyDocument([
        {
            Sid: "GithubActionsOidcExactSubject",
            Effect: "Allow",
            Principal: { Federated: oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { [AUD_KEY]: GITHUB_OIDC_AUDIENCE, [SUB_KEY]: subject } },
        },
    ]);
}
