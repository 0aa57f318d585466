// The HTTP layer every vendor adapter shares: one call with a timeout signal and a lenient JSON body, and the
// reading of vendor status codes into permanent or transient errors whose message says what to do.
import * as assert from "assert";
import { RotationError } from "../../../functions/rotation/protocol";
import { vendorCall, VendorApiError, vendorError } from "../../../functions/rotation/strategies/vendor-http";

describe("vendor HTTP layer", () => {
    describe("vendorCall", () => {
        /** A fetch that answers with `body`, `status` and `headers`, and records what it was asked. */
        function fetchAnswering(body: string, status = 200, headers: Record<string, string> = {}) {
            const asked: Array<{ url: string; init: RequestInit }> = [];
            const impl = (async (url: string, init: RequestInit) => {
                asked.push({ url, init });
                return new Response(body === "" ? null : body, { status, headers });
            }) as unknown as typeof fetch;
            return { impl, asked };
        }

        it("sends the method, headers and body with a timeout signal, and parses a JSON answer", async () => {
            const { impl, asked } = fetchAnswering('{"data":{"id":"k1"}}', 201);
            const init = { method: "POST", headers: { Accept: "application/json" }, body: "{}" };
            assert.deepStrictEqual(await vendorCall(impl, "https://vendor.invalid/keys", init, 5000), { status: 201, json: { data: { id: "k1" } }, retryAfter: undefined });
            assert.strictEqual(asked[0]!.url, "https://vendor.invalid/keys");
            assert.deepStrictEqual({ method: asked[0]!.init.method, headers: asked[0]!.init.headers, body: asked[0]!.init.body }, init);
            assert.ok(asked[0]!.init.signal instanceof AbortSignal);
            assert.strictEqual(asked[0]!.init.signal.aborted, false);
        });

        it("aborts the request once the timeout passes", async () => {
            const { impl, asked } = fetchAnswering("{}");
            await vendorCall(impl, "https://vendor.invalid/", { method: "GET", headers: {} }, 1);
            await new Promise((r) => setTimeout(r, 20));
            assert.strictEqual(asked[0]!.init.signal!.aborted, true);
        });

        it("reads an empty or non-JSON body as no JSON, and passes Retry-After on", async () => {
            assert.deepStrictEqual(await vendorCall(fetchAnswering("", 204).impl, "https://vendor.invalid/", { method: "DELETE", headers: {} }, 5000), { status: 204, json: undefined, retryAfter: undefined });
            assert.deepStrictEqual(await vendorCall(fetchAnswering("<html>busy</html>", 429, { "Retry-After": "30" }).impl, "https://vendor.invalid/", { method: "GET", headers: {} }, 5000), {
                status: 429,
                json: undefined,
                retryAfter: "30",
            });
        });
    });

    describe("vendorError", () => {
        const hint = "the key needs api_keys.create";
        const check = (status: number, retryAfter: string | undefined, transient: boolean, message: string) => {
            const err = vendorError("sendgrid", "create an API key", { status, json: undefined, retryAfter }, hint);
            assert.ok(err instanceof VendorApiError && err instanceof RotationError);
            assert.deepStrictEqual({ name: err.name, vendor: err.vendor, status: err.status, transient: err.transient, message: err.message }, { name: "VendorApiError", vendor: "sendgrid", status, transient, message });
        };

        it("401: permanent, the credential must be replaced", () =>
            check(401, undefined, false, "sendgrid rejected the credential used to create an API key (HTTP 401); it is revoked, wrong or incomplete: put a working one into the secret (docs/rotation.md, bootstrap)."));
        it("403: permanent, with the scope hint", () => check(403, undefined, false, `sendgrid refused to create an API key (HTTP 403); ${hint}.`));
        it("429: transient, with Retry-After when the vendor sent it", () => {
            check(429, "30", true, "sendgrid rate-limited the request to create an API key (HTTP 429, retry after 30 s); the step is retried by Secrets Manager.");
            check(429, undefined, true, "sendgrid rate-limited the request to create an API key (HTTP 429); the step is retried by Secrets Manager.");
        });
        it("5xx: transient, from 500 on", () => {
            for (const s of [500, 503]) check(s, undefined, true, `sendgrid failed to create an API key (HTTP ${s}); a vendor outage, the step is retried by Secrets Manager.`);
        });
        it("any other status: permanent, pointing at the adapter's API reference", () => {
            for (const s of [400, 404, 499]) check(s, undefined, false, `sendgrid answered HTTP ${s} when trying to create an API key; see the vendor's API reference cited in functions/rotation/strategies/sendgrid.ts.`);
        });
    });
});
