const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** True when every character is printable text (tabs and newlines included); binary decodes fail this. */
function isPrintableText(text: string): boolean {
    if (text.length === 0 || text.includes("\uFFFD")) return false;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
        if (c === 0x7f) return false;
    }
    return true;
}

/** The UTF-8 text a base64 string encodes, or undefined when it is not base64 or decodes to binary. */
export function decodeBase64Text(value: string): string | undefined {
    const compact = value.length > 76 && /\s/.test(value) ? value.replace(/\s+/g, "") : value;
    if (compact.length < 4 || compact.length % 4 !== 0 || !BASE64.test(compact)) return undefined;
    const text = Buffer.from(compact, "base64").toString("utf8");
    return isPrintableText(text) ? text : undefined;
}

/**
 * True for a string that may be base64 of text worth reading (a script, JSON, a config blob): long enough that a
 * name or a word is unlikely to pass, and in the base64 alphabet. Hex digests and words pass this cheap test but
 * decode to binary, which {@link decodeBase64Text} rejects.
 */
export function mayBeBase64Text(value: string): boolean {
    return value.length >= 16 && value.length % 4 === 0 && BASE64.test(value);
}

/** Map fields each resource type holds as base64 by contract; their values are decoded before detectors judge them. */
const BASE64_MAPS: Readonly<Record<string, readonly string[]>> = {
    "kubernetes:core/v1:Secret": ["data"],
    "kubernetes:core/v1:SecretPatch": ["data"],
    "kubernetes:core/v1:ConfigMap": ["binaryData"],
    "kubernetes:core/v1:ConfigMapPatch": ["binaryData"],
};
/** Scalar fields each resource type holds as base64 by contract. */
const BASE64_FIELDS: Readonly<Record<string, readonly string[]>> = {
    "aws:ec2/launchTemplate:LaunchTemplate": ["userData"],
    "aws:ec2/instance:Instance": ["userDataBase64"],
    "aws:ec2/launchConfiguration:LaunchConfiguration": ["userDataBase64"],
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": ["userDataBase64"],
};

/**
 * A shallow copy of a resource's properties with the fields its type holds as base64 decoded to text (Kubernetes
 * Secret `data`, ConfigMap `binaryData`, launch-template `userData`), so detectors judge the value, not its
 * encoding. The Kubernetes provider turns `stringData` into base64 `data` before policies run. Values that
 * decode to binary stay as they are.
 */
export function decodeKnownBase64(type: string, props: Record<string, unknown>): Record<string, unknown> {
    const maps = BASE64_MAPS[type];
    const fields = BASE64_FIELDS[type];
    if (!maps && !fields) return props;
    const out: Record<string, unknown> = { ...props };
    for (const field of maps ?? []) {
        const map = props[field];
        if (map === null || typeof map !== "object" || Array.isArray(map)) continue;
        const decoded: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(map as Record<string, unknown>)) decoded[k] = typeof v === "string" ? (decodeBase64Text(v) ?? v) : v;
        out[field] = decoded;
    }
    for (const field of fields ?? []) {
        const v = props[field];
        if (typeof v === "string") out[field] = decodeBase64Text(v) ?? v;
    }
    return out;
}
