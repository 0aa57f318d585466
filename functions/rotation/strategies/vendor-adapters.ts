// The adapter registry: every vendor whose token API the vendor-api strategy can drive. model/vendors.ts says,
// per vendor, whether such an API exists; test/rotation/vendor-registry.test.ts checks the two agree and that no
// catalog secret is wired to a strategy that cannot succeed.
import { DatadogAdapter } from "./datadog";
import { SendGridAdapter } from "./sendgrid";
import { TwilioAdapter } from "./twilio";
import { VendorTokenAdapter } from "./vendor-api";

/** One adapter per vendor id, as a secret's `vendor` field and the catalog's `vendor` key name it. */
export function vendorAdapters(fetchImpl: typeof fetch = fetch): Readonly<Record<string, VendorTokenAdapter<any>>> {
    return { datadog: new DatadogAdapter(fetchImpl), sendgrid: new SendGridAdapter(fetchImpl), twilio: new TwilioAdapter(fetchImpl) };
}
