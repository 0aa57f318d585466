// What External Secrets Operator does with an ExternalSecret, for tests: fetch (`data` / `dataFrom.extract`), then
// render `target.template` with the v2 engine. Both steps run in ESO's own code (tools/eso-render); this module only
// reads the spec and refuses the features that renderer does not carry, so a spec that needs them fails its test
// instead of passing untested.
import { runEsoRender } from "./eso-render";

/** The fetched secret data ESO hands to the template: key to string. */
export type EsoData = Record<string, string>;

/** ESO's `dataFrom.extract` of a JSON object (its AWS provider's decoding): each top-level key to its string. */
export function extractJson(raw: string): EsoData {
    return runEsoRender({ dataFrom: [raw] });
}

/** Names the spec's features that the renderer does not carry; empty when it can render the spec exactly. */
function unsupported(spec: any): string[] {
    const out: string[] = [];
    (spec.data ?? []).forEach((d: any, i: number) => {
        for (const f of ["property", "version", "decodingStrategy", "conversionStrategy", "metadataPolicy"]) if (d.remoteRef?.[f] !== undefined) out.push(`data[${i}].remoteRef.${f}`);
        if (d.sourceRef !== undefined) out.push(`data[${i}].sourceRef`);
    });
    (spec.dataFrom ?? []).forEach((f: any, i: number) => {
        if (!f.extract) out.push(`dataFrom[${i}] other than extract`);
        for (const k of ["property", "version", "decodingStrategy", "conversionStrategy", "metadataPolicy"]) if (f.extract?.[k] !== undefined) out.push(`dataFrom[${i}].extract.${k}`);
        if (f.rewrite !== undefined) out.push(`dataFrom[${i}].rewrite`);
    });
    const t = spec.target?.template;
    if (t) {
        if (t.engineVersion !== "v2") out.push(`template engineVersion ${t.engineVersion}`);
        if (t.templateFrom !== undefined) out.push("template.templateFrom");
    }
    if (spec.target?.creationPolicy !== undefined && spec.target.creationPolicy !== "Owner") out.push(`creationPolicy ${spec.target.creationPolicy}`);
    return out;
}

/** The Kubernetes Secret data ESO would write for an ExternalSecret spec, given the remote values by key. */
export function renderExternalSecret(spec: any, remote: (key: string) => string): Record<string, string> {
    const gaps = unsupported(spec);
    if (gaps.length) throw new Error(`The test renderer does not carry ${gaps.join(", ")}; extend tools/eso-render before using them.`);
    const t = spec.target?.template;
    return runEsoRender({
        dataFrom: (spec.dataFrom ?? []).map((f: any) => remote(f.extract.key)),
        data: (spec.data ?? []).map((d: any) => ({ secretKey: d.secretKey, value: remote(d.remoteRef.key) })),
        template: t ? { data: t.data ?? {}, mergePolicy: t.mergePolicy } : undefined,
    });
}
