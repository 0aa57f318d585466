import * as aws from "./aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
// Types only: the model package is ESM and a dev dependency, so the stack builds plain objects typed by it, and the
// tests validate those same objects against the package's JSON schema.
import type { IExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";
import type { ISecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore";
import { ConsumerView, PLAIN_VALUE_KEY, StoredFormat } from "../model/secret-kinds";
import { PolicyDocument, policyDocument } from "./iam";
import { roleNames } from "../model/names";
import { TYPE } from "./tokens";
import { buildIrsaTrustPolicy } from "./workload-identity";
import { RETAIN_ON_DELETE } from "./retention";

/** The External Secrets Operator Helm chart, pinned. Bump it deliberately: the CRDs come with it (installCRDs). */
export const ESO_CHART = { chart: "external-secrets", version: "0.19.2", repo: "https://charts.external-secrets.io" } as const;
/** Helm release name of ESO; the chart labels its pods `app.kubernetes.io/instance=<release>`. */
export const ESO_RELEASE = "external-secrets";
/** Label on each ESO target Secret naming the service account whose SecretStore (and so whose identity) syncs it. */
export const SECRET_OWNER_LABEL = "secrets.finledger.io/owner-service-account";
/** Annotation on each ESO target Secret listing, comma-separated, the service accounts whose pods may reference it. */
export const SECRET_READERS_ANNOTATION = "secrets.finledger.io/reader-service-accounts";
/** Namespace and service account of the ESO controller. */
export const ESO_NAMESPACE = "external-secrets";
export const ESO_SERVICE_ACCOUNT = "external-secrets";

/** Actions the ESO controller is explicitly denied, whatever else is ever attached to its role. */
export const ESO_CONTROLLER_DENIED_ACTIONS = ["secretsmanager:*", "kms:Decrypt", "kms:GenerateDataKey*", "ssm:GetParameter*"];

/**
 * The controller's own role policy: an explicit deny of every secret read. The controller never reads with its
 * own identity: each SecretStore authenticates as its namespace's workload service account (`auth.jwt`), and STS's
 * AssumeRoleWithWebIdentity needs no permission. The role exists so that the AWS SDK in the controller resolves to
 * a principal that can read nothing, instead of falling back to the node's instance role.
 */
export function buildEsoControllerPolicy(): PolicyDocument {
    return policyDocument([{ Sid: "ControllerNeverReadsSecretsItself", Effect: "Deny", Action: [...ESO_CONTROLLER_DENIED_ACTIONS], Resource: "*" }]);
}

/** The name of the controller role's inline policy (the platform change check compares policies by name). */
export const ESO_CONTROLLER_POLICY_NAME = "deny-secret-reads";

/** The chart's values: CRDs, ServiceMonitors, IRSA on the controller, and no cluster-wide stores. */
export function buildExternalSecretsValues(controllerRoleArn: string): Record<string, unknown> {
    return {
        installCRDs: true,
        // ClusterSecretStore and ClusterExternalSecret would let one store's identity serve every namespace; only
        // namespaced SecretStores, each bound to its namespace's workload identity, are reconciled.
        processClusterStore: false,
        processClusterExternalSecret: false,
        processPushSecret: false,
        serviceAccount: { create: true, name: ESO_SERVICE_ACCOUNT, annotations: { "eks.amazonaws.com/role-arn": controllerRoleArn } },
        serviceMonitor: { enabled: true },
        webhook: { serviceMonitor: { enabled: true } },
        certController: { serviceMonitor: { enabled: true } },
    };
}

/** Inputs of {@link buildSecretStore}. */
export interface SecretStoreSpecInputs {
    readonly name: string;
    readonly namespace: string;
    /** The workload service account ESO authenticates as (its projected token is exchanged through IRSA). */
    readonly serviceAccount: string;
    /** The Secrets Manager region: the primary region, or the replica region during a regional failover. */
    readonly region: string;
    readonly labels?: Record<string, string>;
}

/** A namespaced SecretStore that reads Secrets Manager as one workload's own IRSA identity. */
export function buildSecretStore(inputs: SecretStoreSpecInputs): ISecretStore {
    return {
        apiVersion: "external-secrets.io/v1",
        kind: "SecretStore",
        metadata: { name: inputs.name, namespace: inputs.namespace, labels: inputs.labels },
        spec: {
            provider: {
                aws: {
                    service: "SecretsManager",
                    region: inputs.region,
                    auth: { jwt: { serviceAccountRef: { name: inputs.serviceAccount } } },
                },
            },
        },
    };
}

/** Inputs of {@link buildExternalSecret}. */
export interface ExternalSecretSpecInputs {
    readonly name: string;
    readonly namespace: string;
    /** The SecretStore (same namespace) to read through. */
    readonly storeName: string;
    /** The full Secrets Manager name. */
    readonly remoteKey: string;
    /** How often ESO re-reads the value, as a Go duration. */
    readonly refreshInterval: string;
    /** Name of the Kubernetes Secret ESO creates and owns. Default: `name`. */
    readonly targetName?: string;
    /**
     * The consumer's view of the secret's kind (model/secret-kinds.ts): each key of the Kubernetes Secret (a file name in
     * a secret volume) and its ESO v2 template over the stored value's fields. The Secret holds exactly these keys.
     */
    readonly view: Pick<ConsumerView, "keys">;
    /** How the kind is stored: JSON fields (read with `dataFrom.extract`) or a plain string (read whole as `.value`). */
    readonly storedFormat: StoredFormat;
    readonly labels?: Record<string, string>;
    /**
     * The service account that owns the target Secret (the store's identity). Set as the target's
     * {@link SECRET_OWNER_LABEL}. Default: no owner label.
     */
    readonly ownerServiceAccount?: string;
    /**
     * Service accounts whose pods may reference the target Secret (the admission policy enforces the same set). Set as
     * the target's {@link SECRET_READERS_ANNOTATION}. Default: no annotation.
     */
    readonly readerServiceAccounts?: readonly string[];
}

/**
 * An ExternalSecret (external-secrets.io/v1). ESO owns the Kubernetes Secret it creates (`creationPolicy: Owner`, so
 * nobody else writes it), and keeps it when the remote value is deleted (`deletionPolicy: Retain`), so a deleted or
 * unreachable secret never empties a running workload's mount.
 */
export function buildExternalSecret(inputs: ExternalSecretSpecInputs): IExternalSecret {
    const target: NonNullable<IExternalSecret["spec"]>["target"] = {
        name: inputs.targetName ?? inputs.name,
        creationPolicy: "Owner",
        deletionPolicy: "Retain",
        template: buildViewTemplate(inputs.view),
    };
    if (inputs.ownerServiceAccount || inputs.readerServiceAccounts) {
        // Template metadata only labels the target; the view's data stays as it is.
        target.template = {
            ...target.template!,
            metadata: {
                ...(inputs.ownerServiceAccount ? { labels: { [SECRET_OWNER_LABEL]: inputs.ownerServiceAccount } } : {}),
                ...(inputs.readerServiceAccounts ? { annotations: { [SECRET_READERS_ANNOTATION]: [...inputs.readerServiceAccounts].sort().join(",") } } : {}),
            },
        };
    }
    const spec: NonNullable<IExternalSecret["spec"]> = {
        refreshInterval: inputs.refreshInterval,
        secretStoreRef: { kind: "SecretStore", name: inputs.storeName },
        target,
        ...buildViewSource(inputs.remoteKey, inputs.storedFormat),
    };
    return { apiVersion: "external-secrets.io/v1", kind: "ExternalSecret", metadata: { name: inputs.name, namespace: inputs.namespace, labels: inputs.labels }, spec };
}

/** The template context of a view: every JSON field by name (`dataFrom.extract`), or a plain string value as `.value`. */
export function buildViewSource(remoteKey: string, format: StoredFormat): Pick<NonNullable<IExternalSecret["spec"]>, "data" | "dataFrom"> {
    return format === "json" ? { dataFrom: [{ extract: { key: remoteKey } }] } : { data: [{ secretKey: PLAIN_VALUE_KEY, remoteRef: { key: remoteKey } }] };
}

/** The target template of a view: engine v2 and `mergePolicy: Replace`, so the Secret holds the view's keys and no raw field. */
export function buildViewTemplate(view: Pick<ConsumerView, "keys">): { engineVersion: "v2"; mergePolicy: "Replace"; data: Record<string, string> } {
    return { engineVersion: "v2", mergePolicy: "Replace", data: { ...view.keys } };
}

/** Arguments of {@link ExternalSecretsOperator}. */
export interface ExternalSecretsOperatorArgs {
    /** Prefix of resource names, such as `fl-prod`; the controller role is `roleNames.esoController(prefix)`. */
    readonly namePrefix: string;
    readonly accountId: string;
    /** The cluster's OIDC issuer URL, for the controller's IRSA trust. */
    readonly oidcIssuer: string;
    /** Kubernetes provider of the environment's cluster. */
    readonly kubernetesProvider: k8s.Provider;
    /** Provider for the namespace, which a cluster administrator may have created already (it adopts it). Default: kubernetesProvider. */
    readonly namespaceProvider?: k8s.Provider;
    /** Chart version. Default: {@link ESO_CHART}.version. */
    readonly chartVersion?: string;
}

/**
 * External Secrets Operator: its namespace, the Helm release (pinned chart, CRDs, ServiceMonitors) and the
 * controller's own IRSA role, which reads nothing (see {@link buildEsoControllerPolicy}).
 */
export class ExternalSecretsOperator extends pulumi.ComponentResource {
    /** The Helm release; stores and ExternalSecrets depend on it for their CRDs. */
    readonly release: k8s.helm.v3.Release;
    /** The controller's role ARN. */
    readonly controllerRoleArn: pulumi.Output<string>;

    constructor(name: string, args: ExternalSecretsOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.ExternalSecretsOperator, name, {}, opts);
        const chartVersion = args.chartVersion ?? ESO_CHART.version;
        if (!/^\d+\.\d+\.\d+$/.test(chartVersion)) {
            throw new pulumi.ResourceError(`ExternalSecretsOperator ${name}: chartVersion '${chartVersion}' is not an exact version; pin one such as ${ESO_CHART.version}.`, this);
        }
        const roleName = roleNames.esoController(args.namePrefix);
        const role = new aws.iam.Role(
            `${name}-controller-role`,
            {
                name: roleName,
                description: "External Secrets Operator controller; reads no secret itself (stores use workload identities)",
                assumeRolePolicy: JSON.stringify(buildIrsaTrustPolicy(args.accountId, args.oidcIssuer, ESO_NAMESPACE, ESO_SERVICE_ACCOUNT)),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-controller-deny`,
            { role: role.name, name: ESO_CONTROLLER_POLICY_NAME, policy: JSON.stringify(buildEsoControllerPolicy()) },
            { parent: this },
        );
        this.controllerRoleArn = role.arn;

        const ns = new k8s.core.v1.Namespace(
            `${name}-ns`,
            { metadata: { name: ESO_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "pulumi" } } },
            { parent: this, provider: args.namespaceProvider ?? args.kubernetesProvider, ...RETAIN_ON_DELETE },
        );
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: ESO_RELEASE,
                chart: ESO_CHART.chart,
                version: chartVersion,
                repositoryOpts: { repo: ESO_CHART.repo },
                namespace: ns.metadata.name,
                atomic: true,
                values: this.controllerRoleArn.apply(buildExternalSecretsValues),
            },
            { parent: this, provider: args.kubernetesProvider },
        );
        this.registerOutputs({ controllerRoleArn: this.controllerRoleArn, chartVersion });
    }
}
