// The Pulumi program `npm run test:engine` runs under the real engine (test/engine/pack-under-engine.spec.ts): one
// workload's Kubernetes objects inside a ComponentResource, through a Kubernetes provider in renderYamlToDirectory
// mode, so `up` writes manifests to a folder and needs no cluster. Stack config picks the case:
//   engine:renderDir        the folder the provider renders into (required)
//   engine:withLiteralSecret "true" adds a Kubernetes Secret whose stringData holds engine:dbPassword (a secret
//                           config value the test builds at run time), which the provider turns into base64 data
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";

/** Arguments of EngineProbeWorkload. */
interface EngineProbeWorkloadArgs {
    /** The provider that renders the workload's manifests. */
    readonly provider: k8s.Provider;
    /** A password to put in a literal Kubernetes Secret's stringData; no Secret when absent. Default: none. */
    readonly literalPassword?: pulumi.Input<string>;
}

/** One workload's namespace, settings and (in the blocked case) a literal Secret, grouped as the platform's components group theirs. */
class EngineProbeWorkload extends pulumi.ComponentResource {
    /** The workload's namespace name. */
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: EngineProbeWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super("finledger:test:EngineProbeWorkload", name, {}, opts);
        const childOpts = { parent: this, provider: args.provider };
        const ns = new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name: "engine-probe" } }, childOpts);
        new k8s.core.v1.ConfigMap(`${name}-settings`, {
            metadata: { namespace: ns.metadata.name, name: "settings" },
            data: { LOG_LEVEL: "info", SECRETS_DIR: "/var/run/secrets/finledger" },
        }, childOpts);
        if (args.literalPassword !== undefined) {
            new k8s.core.v1.Secret(`${name}-db`, {
                metadata: { namespace: ns.metadata.name, name: "db" },
                stringData: { password: args.literalPassword },
            }, childOpts);
        }
        this.namespace = ns.metadata.name;
        this.registerOutputs({ namespace: this.namespace });
    }
}

const config = new pulumi.Config("engine");
const provider = new k8s.Provider("render", { renderYamlToDirectory: config.require("renderDir") });
const workload = new EngineProbeWorkload("probe", {
    provider,
    literalPassword: config.getBoolean("withLiteralSecret") ? config.requireSecret("dbPassword") : undefined,
});

export const namespace = workload.namespace;
