// The three environments' accounts and region as the committed stack files declare them, for tests that need an ARN
// without reading a stack file. test/model/accounts.test.ts keeps these equal to Pulumi.<env>.yaml.

/** Account id of each environment. */
export const ACCOUNTS = { dev: "402817365190", staging: "518204967331", prod: "736491028554" } as const;

/** An environment name. */
export type Environment = keyof typeof ACCOUNTS;

/** The dev account, the one most single-environment tests use. */
export const DEV = ACCOUNTS.dev;

/** The home region of every environment. */
export const REGION = "us-east-1";
