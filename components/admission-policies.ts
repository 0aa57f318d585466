// Kubernetes ValidatingAdmissionPolicies that keep each workload inside its own identity in the cluster:
// - secret isolation: a pod may reference (volume, projected volume, env, envFrom, image pull secret, CSI
//   node-publish secret) an ESO-synced Secret only when it runs as one of that Secret's reader service accounts;
// - pod identity: pods in an Airflow domain namespace run as that domain's task service account, the Airflow executor
//   launches task pods only in Airflow's task namespaces as each one's task account (the same rule as the cluster
//   policy in airflow_local_settings.py), a catalogued DAG's tasks run only in its domain's namespace, and the service
//   accounts of Airflow's core components and of the ESO controller run only those components' pods.
// CEL cannot read another object's labels from a pod request, so the reader sets are compiled into the policies from
// the same model that labels each target Secret (docs/access-patterns.md explains the choice). Tested with the real
// Kubernetes admission plugin in test/runtime/admission-policies.test.ts.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { TYPE } from "./tokens";

/** Name of the secret-isolation policy and of its binding. */
export const SECRET_ISOLATION_POLICY = "finledger-secret-isolation";
/** Name of the pod-identity policy and of its binding. */
export const POD_IDENTITY_POLICY = "finledger-pod-identity";

/** One ESO-synced Kubernetes Secret and the service accounts (of its namespace) whose pods may reference it. */
export interface SecretReaders {
    readonly namespace: string;
    /** Name of the Kubernetes Secret (the ExternalSecret's target). */
    readonly secretName: string;
    /** Service accounts of the catalog workloads, in `namespace`, that consume the secret. */
    readonly serviceAccounts: readonly string[];
}

/** An Airflow task namespace, the task service account its task pods run as, and the catalogued DAGs that run there. */
export interface TaskAccount {
    readonly namespace: string;
    readonly serviceAccount: string;
    /** Ids of the domain's DAGs (the catalog's `dags`); the executor labels each task pod `dag_id=<id>`. */
    readonly dags: readonly string[];
}

/** A service account reserved for one component: only that component's pods may run as it. */
export interface ReservedIdentity {
    readonly namespace: string;
    readonly serviceAccount: string;
    /** What the component is, for messages, such as `Airflow scheduler`. */
    readonly component: string;
    /** Labels the component's chart puts on its pods; a pod running as the account must carry all of them. */
    readonly podLabels: Readonly<Record<string, string>>;
    /** Kubernetes usernames allowed to create the component's pods (its controller, or the Airflow executor). */
    readonly creators: readonly string[];
}

/** Inputs of {@link buildAdmissionPolicies}. */
export interface AdmissionPolicyInputs {
    readonly secretReaders: readonly SecretReaders[];
    /** The Airflow domains: every pod of a domain's namespace is one of its task pods. */
    readonly taskAccounts: readonly TaskAccount[];
    /**
     * The task group of DAGs outside every domain folder (the core worker's account, in the core namespace, where
     * Airflow's own components also run); absent when the catalog has no Airflow.
     */
    readonly defaultTaskAccount?: TaskAccount;
    readonly reservedIdentities: readonly ReservedIdentity[];
    /** Username of the Airflow KubernetesExecutor (the scheduler's service account), which creates task pods. */
    readonly airflowExecutor: string;
}

/** The problems of a set of inputs, each a full sentence; empty when the inputs can be compiled into policies. */
export function admissionInputProblems(inputs: AdmissionPolicyInputs): string[] {
    const problems: string[] = [];
    const dns1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
    const seen = new Set<string>();
    for (const r of inputs.secretReaders) {
        const id = `${r.namespace}/${r.secretName}`;
        if (seen.has(id)) problems.push(`Secret ${id} is listed twice in secretReaders; merge its service accounts into one entry.`);
        seen.add(id);
        if (r.serviceAccounts.length === 0) problems.push(`Secret ${id} has no reader service account; every synced Secret needs at least one consumer in its namespace.`);
    }
    const dagHome = new Map<string, string>();
    for (const t of inputs.taskAccounts) {
        if (!dns1123.test(t.namespace) || !dns1123.test(t.serviceAccount)) problems.push(`Task account ${t.namespace}/${t.serviceAccount} is not a valid namespace/service account name (lower-case letters, digits, dashes).`);
        for (const dag of t.dags) {
            // The executor writes dag_id as a label value; longer or unusual ids are hashed and would not match.
            if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(dag)) problems.push(`DAG id '${dag}' of namespace ${t.namespace} is not a valid label value of at most 63 characters; Airflow would hash it in the dag_id label, so shorten it in the catalog.`);
            const home = dagHome.get(dag);
            if (home && home !== t.namespace) problems.push(`DAG id '${dag}' is listed for both ${home} and ${t.namespace}; a DAG belongs to one domain, so remove it from one catalog file.`);
            dagHome.set(dag, t.namespace);
        }
    }
    const dflt = inputs.defaultTaskAccount;
    if (dflt) {
        if (!dns1123.test(dflt.namespace) || !dns1123.test(dflt.serviceAccount)) problems.push(`Default task account ${dflt.namespace}/${dflt.serviceAccount} is not a valid namespace/service account name (lower-case letters, digits, dashes).`);
        if (inputs.taskAccounts.some((t) => t.namespace === dflt.namespace)) problems.push(`Namespace ${dflt.namespace} is both an Airflow domain's and the core namespace of the default task group; give the domain its own namespace.`);
        if (dflt.dags.length > 0) problems.push(`The default task group ${dflt.namespace}/${dflt.serviceAccount} lists DAGs (${dflt.dags.join(", ")}); only Airflow domains own DAGs.`);
    }
    for (const r of inputs.reservedIdentities) {
        if (r.creators.length === 0) problems.push(`Reserved identity ${r.namespace}/${r.serviceAccount} (${r.component}) lists no creator; name the controller that creates its pods.`);
        if (Object.keys(r.podLabels).length === 0) problems.push(`Reserved identity ${r.namespace}/${r.serviceAccount} (${r.component}) lists no pod label; give the labels its chart sets.`);
    }
    return problems;
}

/** The username kube-controller-manager's ReplicaSet controller creates a Deployment's pods as (EKS uses per-controller credentials). */
export const REPLICASET_CONTROLLER = "system:serviceaccount:kube-system:replicaset-controller";
/** The username of the StatefulSet controller. */
export const STATEFULSET_CONTROLLER = "system:serviceaccount:kube-system:statefulset-controller";
/** The username of the Job controller, which creates a Job's pods (the Airflow chart's database migration). */
export const JOB_CONTROLLER = "system:serviceaccount:kube-system:job-controller";

/** The Kubernetes username of a service account, as it appears in `request.userInfo.username`. */
export function serviceAccountUsername(namespace: string, serviceAccount: string): string {
    return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

/** A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1), as plain data. */
export interface ValidatingAdmissionPolicyObject {
    readonly apiVersion: "admissionregistration.k8s.io/v1";
    readonly kind: "ValidatingAdmissionPolicy";
    readonly metadata: { readonly name: string; readonly labels: Record<string, string> };
    readonly spec: {
        readonly failurePolicy: "Fail";
        readonly matchConstraints: {
            readonly resourceRules: ReadonlyArray<Record<string, readonly string[]>>;
            readonly namespaceSelector: Record<string, never>;
            readonly objectSelector: Record<string, never>;
            readonly matchPolicy: "Equivalent";
        };
        readonly variables: ReadonlyArray<{ readonly name: string; readonly expression: string }>;
        readonly validations: ReadonlyArray<{ readonly expression: string; readonly message: string; readonly messageExpression: string; readonly reason: "Forbidden" }>;
    };
}

/** A ValidatingAdmissionPolicyBinding (admissionregistration.k8s.io/v1), as plain data. */
export interface ValidatingAdmissionPolicyBindingObject {
    readonly apiVersion: "admissionregistration.k8s.io/v1";
    readonly kind: "ValidatingAdmissionPolicyBinding";
    readonly metadata: { readonly name: string; readonly labels: Record<string, string> };
    readonly spec: { readonly policyName: string; readonly validationActions: readonly ["Deny"] };
}

/** A policy and the binding that enforces it. */
export interface AdmissionPolicy {
    readonly policy: ValidatingAdmissionPolicyObject;
    readonly binding: ValidatingAdmissionPolicyBindingObject;
}

const LABELS = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "finledger-secrets-platform" };

/** A CEL string literal: single-quoted, with backslashes and quotes escaped. */
export function celString(value: string): string {
    return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** A CEL map literal with sorted keys, from entries whose values are already CEL expressions. */
function celMap(entries: ReadonlyArray<[string, string]>): string {
    return `{${[...entries]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => `${celString(k)}: ${v}`)
        .join(", ")}}`;
}

function celList(values: readonly string[]): string {
    return `[${[...values].sort().map(celString).join(", ")}]`;
}

// The service account a pod runs as: spec.serviceAccountName, else the deprecated spec.serviceAccount, else `default`
// (what the ServiceAccount admission plugin fills in before validating policies run).
const SERVICE_ACCOUNT = `has(object.spec.serviceAccountName) && object.spec.serviceAccountName != '' ? object.spec.serviceAccountName : (has(object.spec.serviceAccount) && object.spec.serviceAccount != '' ? object.spec.serviceAccount : 'default')`;
const POD = `request.namespace + '/' + (has(object.metadata.name) && object.metadata.name != '' ? object.metadata.name : object.metadata.?generateName.orValue('') + '*')`;

// Every namespace and object, written out as the API server would default them: the plugin refuses nil selectors.
function matchPods(operations: readonly string[], resources: readonly string[]): ValidatingAdmissionPolicyObject["spec"]["matchConstraints"] {
    return { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations, resources }], namespaceSelector: {}, objectSelector: {}, matchPolicy: "Equivalent" };
}

function binding(policyName: string): ValidatingAdmissionPolicyBindingObject {
    return {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingAdmissionPolicyBinding",
        metadata: { name: policyName, labels: { ...LABELS } },
        spec: { policyName, validationActions: ["Deny"] },
    };
}

/** One referenced-secret check: how to test every reference of one kind, and how to list the offending names. */
interface SecretSource {
    readonly what: string;
    readonly all: (ok: (name: string) => string) => string;
    readonly offending: (ok: (name: string) => string) => string;
}

// Every place a pod spec names a Secret of its own namespace. Nested lists are joined per item and then across items,
// so the policy uses no CEL function newer than Kubernetes 1.29 (strings.join, optionals).
const SECRET_SOURCES: readonly SecretSource[] = [
    {
        what: "secret volumes",
        all: (ok) => `variables.volumes.all(v, !has(v.secret) || ${ok("v.secret.?secretName.orValue('')")})`,
        offending: (ok) => `variables.volumes.filter(v, has(v.secret) && !${ok("v.secret.?secretName.orValue('')")}).map(v, v.secret.?secretName.orValue('')).join(', ')`,
    },
    {
        what: "projected volumes",
        all: (ok) => `variables.volumes.all(v, !has(v.projected) || v.projected.?sources.orValue([]).all(s, !has(s.secret) || ${ok("s.secret.?name.orValue('')")}))`,
        offending: (ok) =>
            `variables.volumes.filter(v, has(v.projected)).map(v, v.projected.?sources.orValue([]).filter(s, has(s.secret) && !${ok("s.secret.?name.orValue('')")}).map(s, s.secret.?name.orValue('')).join(', ')).filter(x, x != '').join(', ')`,
    },
    {
        what: "CSI volume nodePublishSecretRef",
        all: (ok) => `variables.volumes.all(v, !has(v.csi) || !has(v.csi.nodePublishSecretRef) || ${ok("v.csi.nodePublishSecretRef.?name.orValue('')")})`,
        offending: (ok) =>
            `variables.volumes.filter(v, has(v.csi) && has(v.csi.nodePublishSecretRef) && !${ok("v.csi.nodePublishSecretRef.?name.orValue('')")}).map(v, v.csi.nodePublishSecretRef.?name.orValue('')).join(', ')`,
    },
    {
        what: "env secretKeyRef",
        all: (ok) => `variables.containers.all(c, c.?env.orValue([]).all(e, !has(e.valueFrom) || !has(e.valueFrom.secretKeyRef) || ${ok("e.valueFrom.secretKeyRef.?name.orValue('')")}))`,
        offending: (ok) =>
            `variables.containers.map(c, c.?env.orValue([]).filter(e, has(e.valueFrom) && has(e.valueFrom.secretKeyRef) && !${ok("e.valueFrom.secretKeyRef.?name.orValue('')")}).map(e, e.valueFrom.secretKeyRef.?name.orValue('')).join(', ')).filter(x, x != '').join(', ')`,
    },
    {
        what: "envFrom secretRef",
        all: (ok) => `variables.containers.all(c, c.?envFrom.orValue([]).all(e, !has(e.secretRef) || ${ok("e.secretRef.?name.orValue('')")}))`,
        offending: (ok) =>
            `variables.containers.map(c, c.?envFrom.orValue([]).filter(e, has(e.secretRef) && !${ok("e.secretRef.?name.orValue('')")}).map(e, e.secretRef.?name.orValue('')).join(', ')).filter(x, x != '').join(', ')`,
    },
    {
        what: "imagePullSecrets",
        all: (ok) => `object.spec.?imagePullSecrets.orValue([]).all(r, ${ok("r.?name.orValue('')")})`,
        offending: (ok) => `object.spec.?imagePullSecrets.orValue([]).filter(r, !${ok("r.?name.orValue('')")}).map(r, r.?name.orValue('')).join(', ')`,
    },
];

/**
 * The secret-isolation policy: in every namespace, a pod whose spec names a synced Secret (any {@link SECRET_SOURCES})
 * must run as one of that Secret's readers. Secrets the platform does not sync are not constrained here.
 */
export function buildSecretIsolationPolicy(readers: readonly SecretReaders[]): AdmissionPolicy {
    for (const s of SECRET_SOURCES) if (/['\\]/.test(s.what)) throw new Error(`components/admission-policies.ts: SECRET_SOURCES description "${s.what}" is spliced into a CEL string; remove its quote or backslash.`);
    const byNamespace = new Map<string, Array<[string, string]>>();
    for (const r of readers) byNamespace.set(r.namespace, [...(byNamespace.get(r.namespace) ?? []), [r.secretName, celList(r.serviceAccounts)]]);
    const table = celMap([...byNamespace].map(([ns, entries]) => [ns, celMap(entries)]));
    const ok = (name: string) => `(!(${name} in variables.readers) || variables.serviceAccount in variables.readers[${name}])`;
    return {
        policy: {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicy",
            metadata: { name: SECRET_ISOLATION_POLICY, labels: { ...LABELS } },
            spec: {
                failurePolicy: "Fail",
                // Volumes and env are immutable once a pod exists; ephemeral containers are the one way to add references later.
                matchConstraints: matchPods(["CREATE", "UPDATE"], ["pods", "pods/ephemeralcontainers"]),
                variables: [
                    { name: "serviceAccount", expression: SERVICE_ACCOUNT },
                    { name: "pod", expression: POD },
                    { name: "readersByNamespace", expression: table },
                    { name: "readers", expression: `request.namespace in variables.readersByNamespace ? variables.readersByNamespace[request.namespace] : {}` },
                    { name: "volumes", expression: `object.spec.?volumes.orValue([])` },
                    { name: "containers", expression: `object.spec.?containers.orValue([]) + object.spec.?initContainers.orValue([]) + object.spec.?ephemeralContainers.orValue([])` },
                ],
                validations: SECRET_SOURCES.map((s) => ({
                    expression: s.all(ok),
                    reason: "Forbidden" as const,
                    message: `A pod's ${s.what} name a Secret synced for another service account; a pod may reference only the Secrets of the workload it runs as.`,
                    messageExpression: `'Pod ' + variables.pod + ' runs as service account ' + variables.serviceAccount + ', but its ${s.what} name Secret(s) ' + ${s.offending(ok)} + ' that External Secrets syncs for other service accounts of namespace ' + request.namespace + '. A pod may reference only the Secrets of the workload it runs as: consume the secret through your own workload (a catalog consumers entry), not another job\\'s Secret.'`,
                })),
            },
        },
        binding: binding(SECRET_ISOLATION_POLICY),
    };
}

/**
 * The pod-identity policy: pods in an Airflow domain namespace run as that domain's task service account; the Airflow
 * executor launches pods only in a task namespace (a domain's, or the default group's), as that namespace's task
 * account, and a catalogued DAG's pods only in its domain's namespace; a reserved service account (Airflow core, ESO
 * controller) runs only pods of its component: with its labels, created by its controller. Matches CREATE only: a
 * pod's service account cannot change afterwards.
 */
export function buildPodIdentityPolicy(taskAccounts: readonly TaskAccount[], defaultTask: TaskAccount | undefined, reserved: readonly ReservedIdentity[], airflowExecutor: string): AdmissionPolicy {
    const tasks = new Map<string, string[]>();
    for (const t of taskAccounts) tasks.set(t.namespace, [...(tasks.get(t.namespace) ?? []), t.serviceAccount]);
    const launch = new Map(tasks);
    if (defaultTask) launch.set(defaultTask.namespace, [...(launch.get(defaultTask.namespace) ?? []), defaultTask.serviceAccount]);
    // Sorted, as pod_mutation_hook lists them: `namespace: account`.
    const launchText = [...launch].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([ns, sas]) => `${ns}: ${[...sas].sort().join(" or ")}`).join(", ");
    const dagNamespaces = celMap(taskAccounts.flatMap((t) => t.dags.map((d): [string, string] => [d, celString(t.namespace)])));
    const key = (r: ReservedIdentity) => `${r.namespace}/${r.serviceAccount}`;
    const labels = celMap(reserved.map((r) => [key(r), celMap(Object.entries(r.podLabels).map(([k, v]) => [k, celString(v)]))]));
    const creators = celMap(reserved.map((r) => [key(r), celList(r.creators)]));
    const components = celMap(reserved.map((r) => [key(r), celString(r.component)]));
    // Map iteration order is not defined in CEL, so the message's label list is written here, sorted.
    const labelText = celMap(reserved.map((r) => [key(r), celString(Object.entries(r.podLabels).map(([k, v]) => `${k}=${v}`).sort().join(", "))]));
    const isReserved = `variables.identity in variables.reservedComponents`;
    return {
        policy: {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "ValidatingAdmissionPolicy",
            metadata: { name: POD_IDENTITY_POLICY, labels: { ...LABELS } },
            spec: {
                failurePolicy: "Fail",
                matchConstraints: matchPods(["CREATE"], ["pods"]),
                variables: [
                    { name: "serviceAccount", expression: SERVICE_ACCOUNT },
                    { name: "pod", expression: POD },
                    { name: "identity", expression: `request.namespace + '/' + variables.serviceAccount` },
                    { name: "podLabels", expression: `object.metadata.?labels.orValue({})` },
                    { name: "taskAccounts", expression: celMap([...tasks].map(([ns, sas]) => [ns, celList(sas)])) },
                    { name: "reservedComponents", expression: components },
                    { name: "reservedLabels", expression: labels },
                    { name: "reservedCreators", expression: creators },
                    { name: "reservedLabelText", expression: labelText },
                    { name: "dagId", expression: `'dag_id' in variables.podLabels ? variables.podLabels['dag_id'] : ''` },
                    { name: "dagNamespaces", expression: dagNamespaces },
                    { name: "launchAccounts", expression: celMap([...launch].map(([ns, sas]) => [ns, celList(sas)])) },
                ],
                validations: [
                    {
                        expression: `!(request.namespace in variables.taskAccounts) || variables.serviceAccount in variables.taskAccounts[request.namespace]`,
                        reason: "Forbidden",
                        message: "Pods in an Airflow domain namespace must run as that domain's task service account.",
                        messageExpression: `'Pod ' + variables.pod + ' runs as service account ' + variables.serviceAccount + ', but pods in Airflow domain namespace ' + request.namespace + ' must run as its task service account ' + variables.taskAccounts[request.namespace].join(' or ') + '. Remove service_account_name from the pod_override: the cluster policy sets it from the DAG\\'s folder.'`,
                    },
                    {
                        // The executor's own labels (dag_id) are merged after pod_override, so a DAG cannot choose them. The
                        // catalog lists each domain's DAG ids; the cluster policy places a DAG by its folder, so the two agree
                        // when every DAG of a domain folder is listed in that domain's catalog file.
                        expression: `request.userInfo.username != ${celString(airflowExecutor)} || (request.namespace in variables.taskAccounts ? (variables.dagId in variables.dagNamespaces && variables.dagNamespaces[variables.dagId] == request.namespace) : !(variables.dagId in variables.dagNamespaces))`,
                        reason: "Forbidden",
                        message: "The Airflow executor may launch a DAG's task pods only in that DAG's domain namespace.",
                        messageExpression: `'Pod ' + variables.pod + ' was launched by the Airflow executor for DAG ' + (variables.dagId == '' ? '(no dag_id label)' : variables.dagId) + ', but ' + (variables.dagId in variables.dagNamespaces ? 'that DAG belongs to domain namespace ' + variables.dagNamespaces[variables.dagId] + ', not ' + request.namespace : 'namespace ' + request.namespace + ' runs only the DAGs its catalog file lists') + '. A DAG\\'s tasks run only in its own domain namespace, as its task service account: keep the DAG in its domain\\'s folder and list its id in that domain\\'s catalog file.'`,
                    },
                    {
                        expression: `!(${isReserved}) || request.userInfo.username in variables.reservedCreators[variables.identity]`,
                        reason: "Forbidden",
                        message: "Only a component's own controller may create pods that run as its reserved service account.",
                        messageExpression: `'Pod ' + variables.pod + ' runs as service account ' + variables.identity + ', which is reserved for the ' + variables.reservedComponents[variables.identity] + ', but it was created by ' + request.userInfo.username + '; only ' + variables.reservedCreators[variables.identity].join(', ') + ' may create pods that run as it.'`,
                    },
                    {
                        expression: `!(${isReserved}) || variables.reservedLabels[variables.identity].all(k, k in variables.podLabels && variables.podLabels[k] == variables.reservedLabels[variables.identity][k])`,
                        reason: "Forbidden",
                        message: "A pod that runs as a reserved service account must carry its component's labels.",
                        messageExpression: `'Pod ' + variables.pod + ' runs as service account ' + variables.identity + ', which is reserved for the ' + variables.reservedComponents[variables.identity] + ', but it lacks the component\\'s labels ' + variables.reservedLabelText[variables.identity] + '.'`,
                    },
                    {
                        // The same rule as pod_mutation_hook in airflow_local_settings.py, held here if that code is bypassed.
                        expression: `request.userInfo.username != ${celString(airflowExecutor)} || (request.namespace in variables.launchAccounts && variables.serviceAccount in variables.launchAccounts[request.namespace])`,
                        reason: "Forbidden",
                        message: "The Airflow executor launches pods only in Airflow's task namespaces, each as that namespace's task service account.",
                        messageExpression: `'Pod ' + variables.pod + ' was launched by the Airflow executor as service account ' + variables.serviceAccount + ', but Airflow launches pods only in its task namespaces, each as that namespace\\'s task account (' + ${celString(launchText)} + '). The cluster policy in airflow_local_settings.py sets both from the DAG\\'s folder; a pod_override cannot change them.'`,
                    },
                ],
            },
        },
        binding: binding(POD_IDENTITY_POLICY),
    };
}

/** Both policies with their bindings, in a stable order. */
export function buildAdmissionPolicies(inputs: AdmissionPolicyInputs): AdmissionPolicy[] {
    const problems = admissionInputProblems(inputs);
    if (problems.length > 0) throw new Error(`The admission policies cannot be built from the catalog (catalog/*.yaml):\n- ${problems.join("\n- ")}`);
    return [buildSecretIsolationPolicy(inputs.secretReaders), buildPodIdentityPolicy(inputs.taskAccounts, inputs.defaultTaskAccount, inputs.reservedIdentities, inputs.airflowExecutor)];
}

/** Arguments of {@link AdmissionPolicies}. */
export interface AdmissionPoliciesArgs {
    /** What the policies enforce, computed from the catalog (see stacks/runtime.ts). */
    readonly inputs: AdmissionPolicyInputs;
    /** Kubernetes provider of the environment's cluster. */
    readonly kubernetesProvider: k8s.Provider;
}

/** Registers the admission policies and their Deny bindings in the cluster. */
export class AdmissionPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: AdmissionPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE.AdmissionPolicies, name, {}, opts);
        const childOpts = { parent: this, provider: args.kubernetesProvider };
        for (const { policy, binding: b } of buildAdmissionPolicies(args.inputs)) {
            const vap = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(`${name}-${policy.metadata.name}`, policy as unknown as k8s.admissionregistration.v1.ValidatingAdmissionPolicyArgs, childOpts);
            new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(`${name}-${b.metadata.name}-binding`, b as unknown as k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingArgs, {
                ...childOpts,
                dependsOn: [vap],
            });
        }
        this.registerOutputs({});
    }
}
