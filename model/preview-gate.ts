// Which environments' pull-request previews pass through a reviewed GitHub environment. A `pull_request` job's OIDC
// subject is the same for every branch and every copy of pr.yml, so a job condition cannot keep a PR away from a
// role that trusts that subject; a GitHub environment with required reviewers can, because the job's subject then
// names the environment and GitHub issues the token only after a reviewer approves the job.

/** Environments whose preview role trusts only the reviewed GitHub environment `<env>-preview`, never `pull_request`. */
export const REVIEWED_PREVIEW_ENVIRONMENTS: readonly string[] = ["prod"];

/** The GitHub environment a preview of `environment` must run in, or undefined when any pull request of the repository may preview it. */
export function previewGithubEnvironment(environment: string): string | undefined {
    return REVIEWED_PREVIEW_ENVIRONMENTS.includes(environment) ? `${environment}-preview` : undefined;
}
