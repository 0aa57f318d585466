import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { signedArtifactPrefix, SignedArtifact } from "../../model/code-signing";
import { signingProfileName } from "../../model/names";

/** The account and regions whose ARNs the mocks build. */
export interface MockEnvironment {
    readonly accountId: string;
    readonly region: string;
    /** The EKS cluster's OIDC issuer URL, which `eks:getCluster` returns. */
    readonly clusterOidcIssuer?: string;
    /**
     * Whether the artifacts bucket holds a signed package (and its manifest) for every package the program asks for,
     * as after the sign job of this commit, or for none, as before it. Default: `all`.
     */
    readonly signedPackages?: "all" | "none";
}

/** `manifests/<hex>.json` in `<prefix>-function-artifacts-<account>`: the package hash and the environment's name prefix. */
function manifestLocation(bucket: string, key: string): { prefix: string; sha256Hex: string } | undefined {
    const b = /^(.+)-function-artifacts-\d{12}$/.exec(bucket);
    const k = /^manifests\/([0-9a-f]{64})\.json$/.exec(key);
    return b && k ? { prefix: b[1], sha256Hex: k[1] } : undefined;
}

function hex(seed: string, length: number): string {
    let out = "";
    for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${seed}#${i}`).digest("hex");
    return out.slice(0, length);
}

function uuid(seed: string): string {
    const h = hex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Secrets Manager appends six random characters to a secret's ARN; these are derived from the name, so plans are stable. */
function secretSuffix(name: string): string {
    const h = createHash("sha256").update(name).digest();
    return Array.from(h.subarray(0, 6), (b) => SUFFIX_ALPHABET[b % SUFFIX_ALPHABET.length]).join("");
}

/**
 * Pulumi mocks that answer like AWS would for one environment: IDs and ARNs carry the environment's account and
 * the resource's own region (from its provider), names are auto-named like the AWS provider does, and every
 * invoke this product does not use is an error, so a new data source never passes silently.
 */
export class PlatformMocks implements pulumi.runtime.Mocks {
    private readonly providerRegions = new Map<string, string>();

    constructor(private readonly env: MockEnvironment) {}

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        switch (args.token) {
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return { accountId: this.env.accountId, arn: `arn:aws:sts::${this.env.accountId}:assumed-role/plan/mock`, userId: "AROAPLANMOCK:plan", id: this.env.accountId };
            case "aws:index/getRegion:getRegion":
                return { name: this.env.region, region: this.env.region, id: this.env.region };
            case "aws:eks/getCluster:getCluster": {
                const name = String(args.inputs.name);
                const issuer = this.env.clusterOidcIssuer ?? `https://oidc.eks.${this.env.region}.amazonaws.com/id/${hex(name, 32).toUpperCase()}`;
                return {
                    id: name,
                    name,
                    arn: `arn:aws:eks:${this.env.region}:${this.env.accountId}:cluster/${name}`,
                    endpoint: `https://${hex(`${name}#endpoint`, 32).toUpperCase()}.gr7.${this.env.region}.eks.amazonaws.com`,
                    // Base64 of a placeholder, not a certificate: the plan never connects to the cluster.
                    certificateAuthorities: [{ data: Buffer.from(`mock CA of ${name}`).toString("base64") }],
                    identities: [{ oidcs: [{ issuer }] }],
                    status: "ACTIVE",
                    version: "1.31",
                };
            }
            case "aws:index/getPartition:getPartition":
                return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
            // The artifacts bucket after (or before) the sign job: a listing by the manifest's key, then the manifest.
            case "aws:s3/getObjects:getObjects": {
                const bucket = String(args.inputs.bucket);
                const prefix = String(args.inputs.prefix ?? "");
                const signed = this.env.signedPackages !== "none" && manifestLocation(bucket, prefix) !== undefined;
                return { id: bucket, bucket, prefix, keys: signed ? [prefix] : [], commonPrefixes: [], owners: [], requestCharged: "" };
            }
            case "aws:s3/getObject:getObject": {
                const bucket = String(args.inputs.bucket);
                const key = String(args.inputs.key);
                const where = this.env.signedPackages !== "none" ? manifestLocation(bucket, key) : undefined;
                if (!where) throw new Error(`NoSuchKey: s3://${bucket}/${key} (the plan mocks hold only signing manifests of the artifacts bucket).`);
                const jobId = uuid(`signing-job#${where.sha256Hex}`);
                const manifest: SignedArtifact = {
                    packageSha256: where.sha256Hex,
                    bucket,
                    key: `${signedArtifactPrefix(where.sha256Hex)}${jobId}.zip`,
                    versionId: hex(`version#${where.sha256Hex}`, 32),
                    jobId,
                    profileVersionArn: `arn:aws:signer:${this.env.region}:${this.env.accountId}:/signing-profiles/${signingProfileName(where.prefix)}/${hex(where.prefix, 10)}`,
                };
                return { id: `${bucket}/${key}`, bucket, key, body: JSON.stringify(manifest), contentType: "application/json", versionId: hex(`manifest#${where.sha256Hex}`, 32) };
            }
            default:
                throw new Error(`The plan mocks do not know the invoke '${args.token}'. Add it to tools/plan/mocks.ts with a realistic answer.`);
        }
    }

    private regionOf(args: pulumi.runtime.MockResourceArgs): string {
        if (args.provider) {
            const id = args.provider.split("::").pop() ?? "";
            const region = this.providerRegions.get(id);
            if (region) return region;
        }
        return this.env.region;
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
        const inputs = args.inputs ?? {};
        const account = this.env.accountId;
        const seed = `${args.type}::${args.name}`;
        if (args.type.startsWith("pulumi:providers:")) {
            const id = `${args.name}-${hex(seed, 8)}`;
            this.providerRegions.set(id, typeof inputs.region === "string" ? inputs.region : this.env.region);
            return { id, state: inputs };
        }
        const region = this.regionOf(args);
        const autoName = `${args.name}-${hex(seed, 7)}`;
        const [pkg, moduleAndType] = args.type.split(":");
        const module = (moduleAndType ?? "").split("/")[0];

        if (pkg === "kubernetes") {
            const metadata = { ...(inputs.metadata ?? {}) };
            metadata.name ??= autoName;
            const id = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : metadata.name;
            return { id, state: { ...inputs, metadata: { ...metadata, uid: uuid(seed) } } };
        }
        if (pkg === "snowflake") {
            const name = inputs.name ?? autoName.toUpperCase().replace(/-/g, "_");
            return { id: name, state: { ...inputs, name, fullyQualifiedName: `"${name}"` } };
        }
        if (pkg !== "aws") return { id: hex(seed, 16), state: inputs };

        const name: string = inputs.name ?? autoName;
        switch (args.type) {
            case "aws:eks/accessEntry:AccessEntry": {
                // arn:aws:eks:<region>:<account>:access-entry/<cluster>/role/<account>/<role name>/<uuid>, as EKS returns it.
                const principal = String(inputs.principalArn ?? "");
                const entryArn = `arn:aws:eks:${region}:${account}:access-entry/${inputs.clusterName}/role/${principal.split(":")[4]}/${principal.split("/").pop()}/${uuid(seed)}`;
                return { id: `${inputs.clusterName}:${principal}`, state: { ...inputs, accessEntryArn: entryArn, userName: principal } };
            }
            case "aws:eks/accessPolicyAssociation:AccessPolicyAssociation":
                return { id: `${inputs.clusterName}#${inputs.principalArn}#${inputs.policyArn}`, state: { ...inputs } };
            case "aws:kms/key:Key": {
                const keyId = inputs.multiRegion ? `mrk-${hex(seed, 32)}` : uuid(seed);
                return { id: keyId, state: { ...inputs, keyId, arn: `arn:aws:kms:${region}:${account}:key/${keyId}` } };
            }
            case "aws:kms/replicaKey:ReplicaKey": {
                const keyId = String(inputs.primaryKeyArn ?? "").split("/").pop() || `mrk-${hex(seed, 32)}`;
                return { id: keyId, state: { ...inputs, keyId, arn: `arn:aws:kms:${region}:${account}:key/${keyId}` } };
            }
            case "aws:kms/alias:Alias":
                return { id: name, state: { ...inputs, name, arn: `arn:aws:kms:${region}:${account}:${name}`, targetKeyArn: `arn:aws:kms:${region}:${account}:key/${inputs.targetKeyId}` } };
            case "aws:secretsmanager/secret:Secret": {
                const arn = `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${secretSuffix(name)}`;
                const replicas = (inputs.replicas ?? []).map((r: { region: string }) => ({ ...r, status: "InSync", statusMessage: "Replication succeeded" }));
                return { id: arn, state: { ...inputs, name, arn, replicas } };
            }
            case "aws:iam/role:Role":
                return { id: name, state: { ...inputs, name, arn: `arn:aws:iam::${account}:role${inputs.path ?? "/"}${name}`, uniqueId: `AROA${hex(seed, 17).toUpperCase()}` } };
            case "aws:iam/policy:Policy":
                return { id: `arn:aws:iam::${account}:policy${inputs.path ?? "/"}${name}`, state: { ...inputs, name, arn: `arn:aws:iam::${account}:policy${inputs.path ?? "/"}${name}`, policyId: `ANPA${hex(seed, 17).toUpperCase()}` } };
            case "aws:iam/openIdConnectProvider:OpenIdConnectProvider": {
                const arn = `arn:aws:iam::${account}:oidc-provider/${String(inputs.url ?? "").replace(/^https:\/\//, "")}`;
                return { id: arn, state: { ...inputs, arn } };
            }
            case "aws:iam/rolePolicy:RolePolicy":
                return { id: `${inputs.role}:${name}`, state: { ...inputs, name } };
            case "aws:signer/signingProfile:SigningProfile": {
                const arn = `arn:aws:signer:${region}:${account}:/signing-profiles/${name}`;
                const version = hex(name, 10);
                return { id: name, state: { ...inputs, name, arn, version, versionArn: `${arn}/${version}`, status: "Active" } };
            }
            case "aws:lambda/codeSigningConfig:CodeSigningConfig": {
                const configId = `csc-${hex(seed, 17)}`;
                return { id: `arn:aws:lambda:${region}:${account}:code-signing-config:${configId}`, state: { ...inputs, configId, arn: `arn:aws:lambda:${region}:${account}:code-signing-config:${configId}` } };
            }
            case "aws:cloudwatch/logGroup:LogGroup":
                return { id: name, state: { ...inputs, name, arn: `arn:aws:logs:${region}:${account}:log-group:${name}` } };
            case "aws:cloudwatch/metricAlarm:MetricAlarm":
                return { id: name, state: { ...inputs, name, arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${name}` } };
            case "aws:sqs/queue:Queue": {
                const arn = `arn:aws:sqs:${region}:${account}:${name}`;
                return { id: `https://sqs.${region}.amazonaws.com/${account}/${name}`, state: { ...inputs, name, arn, url: `https://sqs.${region}.amazonaws.com/${account}/${name}` } };
            }
        }
        if (module === "s3" && /:Bucket(V2)?$/.test(args.type)) {
            const bucket: string = inputs.bucket ?? autoName;
            return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com`, region } };
        }
        const arnByModule: Record<string, string> = {
            sns: `arn:aws:sns:${region}:${account}:${name}`,
            lambda: `arn:aws:lambda:${region}:${account}:function:${name}`,
            cloudtrail: `arn:aws:cloudtrail:${region}:${account}:trail/${name}`,
            cloudwatch: `arn:aws:events:${region}:${account}:rule/${name}`,
            athena: `arn:aws:athena:${region}:${account}:workgroup/${name}`,
            cfg: `arn:aws:config:${region}:${account}:config-rule/${name}`,
            ec2: `arn:aws:ec2:${region}:${account}:${name}`,
        };
        const arn = arnByModule[module] ?? `arn:aws:${module}:${region}:${account}:${name}`;
        const id = module === "sns" || module === "cloudtrail" ? arn : name;
        return { id, state: { ...inputs, name: inputs.name ?? name, arn } };
    }
}
