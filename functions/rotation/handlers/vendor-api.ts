// Lambda entry point: third-party API tokens. The adapter is chosen by the secret's `vendor` field.
import { lambdaHandler } from "../runtime";
import { vendorAdapters } from "../strategies/vendor-adapters";
import { vendorApiStrategy } from "../strategies/vendor-api";

/** Handles one rotation step for a vendor API token secret. Vendors without an adapter fail with a clear message. */
export const handler = lambdaHandler(() => vendorApiStrategy(vendorAdapters()));
