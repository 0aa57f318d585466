// An EKS bearer token, as `aws eks get-token` makes one: a presigned STS GetCallerIdentity URL that names the cluster
// in the signed `x-k8s-aws-id` header, base64url-encoded after `k8s-aws-v1.`. EKS checks it with STS and maps the
// caller's role through its access entry; the function needs no IAM permission for it.
import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";

/** The prefix EKS expects on a token. */
export const EKS_TOKEN_PREFIX = "k8s-aws-v1.";

/** How long a token's URL stays valid; EKS accepts at most 15 minutes and the function needs it for seconds. */
export const EKS_TOKEN_EXPIRES_SECONDS = 60;

/** AWS credentials, as the SDK resolves them. */
export interface AwsCredentials {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
}

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Buffer {
    if (typeof data === "string") return data;
    return ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
}

/** SHA-256 (or HMAC-SHA-256 with a key) in the shape the signer takes, from node:crypto. */
class NodeSha256 {
    private readonly hash;
    constructor(secret?: SourceData) {
        this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
    }
    update(data: SourceData): void {
        this.hash.update(bytes(data));
    }
    async digest(): Promise<Uint8Array> {
        return new Uint8Array(this.hash.digest());
    }
}

/** A bearer token for the EKS cluster `clusterName`, signed with `credentials` for STS in `region`. */
export async function eksToken(args: { readonly clusterName: string; readonly region: string; readonly credentials: AwsCredentials; readonly now?: Date }): Promise<string> {
    const hostname = `sts.${args.region}.amazonaws.com`;
    const signer = new SignatureV4({ service: "sts", region: args.region, credentials: args.credentials, sha256: NodeSha256, uriEscapePath: true, applyChecksum: false });
    const signed = await signer.presign(
        {
            method: "GET",
            protocol: "https:",
            hostname,
            path: "/",
            query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
            headers: { host: hostname, "x-k8s-aws-id": args.clusterName },
        } as any,
        { expiresIn: EKS_TOKEN_EXPIRES_SECONDS, signingDate: args.now },
    );
    const query = Object.entries(signed.query ?? {})
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join("&");
    const url = `https://${hostname}/?${query}`;
    return EKS_TOKEN_PREFIX + Buffer.from(url).toString("base64url");
}
