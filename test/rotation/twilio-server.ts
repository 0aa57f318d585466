// A local HTTP server that follows Twilio's documented Key resource v2010 (https://www.twilio.com/docs/usage/api/keys)
// for one account: POST/GET /2010-04-01/Accounts/{AccountSid}/Keys.json (form FriendlyName, at most 64 chars;
// paged with PageSize/PageToken and next_page_uri), DELETE .../Keys/{Sid}.json, and one page of Messages for the
// verify call. HTTP Basic with a key SID and secret; the Keys resource answers only Main keys (401 for an unknown
// key, 403 for a Standard key); the secret is returned only when the key is created. Errors are Twilio's
// `{"code","message","more_info","status"}`.
import { randomBytes } from "crypto";
import { basic, FakeHttp, startFakeHttp } from "./vendor-fake-http";

interface Key {
    sid: string;
    friendlyName: string;
    secret: string;
    main: boolean;
    created: number;
}

/** The server and its state, which tests inspect. */
export interface TwilioServer extends FakeHttp {
    readonly accountSid: string;
    readonly keys: Map<string, Key>;
    /** Adds a key directly (a Main or Standard key a person made in the Console). */
    seedKey(friendlyName: string, main: boolean): Key;
    isLive(sid: string, secret: string): boolean;
}

const hex = (n: number) => randomBytes(n).toString("hex");
const twilioError = (status: number, code: number, message: string) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

/** Starts the server on a free loopback port. */
export async function startTwilioServer(): Promise<TwilioServer> {
    const accountSid = `AC${hex(16)}`;
    const keys = new Map<string, Key>();
    let serial = 0;
    const newKey = (friendlyName: string, main: boolean): Key => ({ sid: `SK${hex(16)}`, friendlyName, secret: hex(16), main, created: serial++ });
    const live = (sid: string, secret: string) => keys.get(sid)?.secret === secret;
    const base = `/2010-04-01/Accounts/${accountSid}`;
    const view = (k: Key) => ({ sid: k.sid, friendly_name: k.friendlyName, date_created: new Date(0).toUTCString(), date_updated: new Date(0).toUTCString() });
    const fake = await startFakeHttp((req) => {
        const [sid, secret] = basic(req);
        if (!live(sid, secret)) return { status: 401, body: twilioError(401, 20003, "Authenticate") };
        const path = req.url.pathname;
        if (path === `${base}/Messages.json` && req.method === "GET") return { status: 200, body: { messages: [], next_page_uri: null, page: 0, page_size: 1 } };
        if (!path.startsWith(`${base}/Keys`)) return { status: 404, body: twilioError(404, 20404, "The requested resource was not found") };
        if (!keys.get(sid)!.main) return { status: 403, body: twilioError(403, 20008, "Standard keys cannot access the Keys resource") };
        if (path === `${base}/Keys.json` && req.method === "POST") {
            const name = new URLSearchParams(req.body).get("FriendlyName") ?? "";
            if (name.length > 64) return { status: 400, body: twilioError(400, 21201, "FriendlyName is too long") };
            const k = newKey(name, false);
            keys.set(k.sid, k);
            return { status: 201, body: { ...view(k), secret: k.secret } };
        }
        if (path === `${base}/Keys.json` && req.method === "GET") {
            const size = Math.min(Number(req.url.searchParams.get("PageSize") ?? "50"), 1000);
            const after = Number(req.url.searchParams.get("PageToken")?.replace(/^PA/, "") ?? "-1");
            const sorted = [...keys.values()].sort((a, b) => a.created - b.created).filter((k) => k.created > after);
            const page = sorted.slice(0, size);
            const more = sorted.length > size;
            return {
                status: 200,
                body: { keys: page.map(view), page_size: size, next_page_uri: more ? `${base}/Keys.json?PageSize=${size}&PageToken=PA${page[page.length - 1]!.created}` : null },
            };
        }
        const m = new RegExp(`^${base}/Keys/([^/]+)\\.json$`).exec(path);
        const k = m ? keys.get(decodeURIComponent(m[1]!)) : undefined;
        if (!k) return { status: 404, body: twilioError(404, 20404, "The requested resource was not found") };
        if (req.method === "GET") return { status: 200, body: view(k) };
        if (req.method === "DELETE") {
            keys.delete(k.sid);
            return { status: 204 };
        }
        return { status: 405, body: twilioError(405, 20004, "Method not allowed") };
    }, (status) => twilioError(status, status === 429 ? 20429 : status >= 500 ? 20500 : status === 401 ? 20003 : 20008, status === 429 ? "Too Many Requests" : "Refused"));
    return {
        ...fake,
        accountSid,
        keys,
        seedKey(friendlyName: string, main: boolean) {
            const k = newKey(friendlyName, main);
            keys.set(k.sid, k);
            return k;
        },
        isLive: live,
    };
}
