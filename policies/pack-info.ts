/** The policy pack's name, as CI and `pulumi preview --policy-pack` report it. */
export const PACK_NAME = "finledger-secrets-guardrails";

/** SOC 2 and PCI DSS controls a rule serves, recorded on each policy for the control mapping. */
export interface ControlRefs {
    readonly soc2: readonly string[];
    readonly pciDss: readonly string[];
}

/** The environment a URN belongs to: the stack name is the environment (`urn:pulumi:<stack>::...`). */
export function environmentOfUrn(urn: string): string {
    return urn.split("::")[0]?.split(":")[2] ?? "";
}
