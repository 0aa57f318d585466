// Address ranges reserved for documentation (RFC 5737 for IPv4, RFC 3849 for IPv6): no real NAT gateway has one, so a
// stack file that lists them holds a placeholder. The stack files ship with such placeholders for
// `finledger:snowflake.allowedIpCidrs`; preflight refuses them where the Snowflake layer is built (docs/snowflake.md).

/** The documentation ranges: TEST-NET-1, -2 and -3 (RFC 5737) and 2001:db8::/32 (RFC 3849). */
export const DOCUMENTATION_RANGES = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "2001:db8::/32"] as const;

const IPV4_DOC_PREFIXES = ["192.0.2.", "198.51.100.", "203.0.113."];

/** Whether a CIDR lies inside a documentation range (an IPv4 /24 or narrower in TEST-NET-1..3, or any 2001:db8:: prefix of /32 or narrower). */
export function isDocumentationCidr(cidr: string): boolean {
    const [address = "", prefixText] = cidr.trim().split("/");
    const prefix = prefixText === undefined ? undefined : Number(prefixText);
    if (address.includes(":")) {
        const first = address.toLowerCase().split(":");
        return first[0] === "2001" && first[1] === "db8" && (prefix === undefined || prefix >= 32);
    }
    return IPV4_DOC_PREFIXES.some((p) => address.startsWith(p)) && (prefix === undefined || prefix >= 24);
}

/** The CIDRs of a list that are documentation placeholders, in order. */
export function documentationCidrs(cidrs: readonly string[]): string[] {
    return cidrs.filter(isDocumentationCidr);
}
