import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { ENVIRONMENTS, EnvironmentName } from "./config";
import { AUTOMATED_STRATEGIES, CRITICAL_STRATEGIES, ROTATION_STRATEGIES, STRATEGIES, strategiesForKind } from "./strategies";
import { VENDOR_IDS, VENDORS } from "./vendors";
import { MSK_SECRET_PREFIX } from "./names";
import { parseYamlDocument } from "./yaml";

/** What a secret holds. The kind decides which rotation strategies can apply. */
export const SECRET_KINDS = [
    "snowflake-keypair",
    "kafka-scram",
    "postgres-password",
    "rds-master-password",
    "api-token",
    "ssh-private-key",
    "pgp-private-key",
    "basic-auth",
    "airflow-fernet-key",
    "airflow-webserver-secret-key",
] as const;
export type SecretKind = (typeof SECRET_KINDS)[number];

export { AUTOMATED_STRATEGIES, ROTATION_STRATEGIES } from "./strategies";
export type { RotationStrategy } from "./strategies";

export const CRITICALITIES = ["critical", "high", "standard"] as const;
export type Criticality = (typeof CRITICALITIES)[number];

/** The longest rotation period each criticality allows, in days (PCI DSS 8.3.9 and our SOC 2 policy). */
export const MAX_ROTATION_DAYS: Readonly<Record<Criticality, number>> = { critical: 30, high: 90, standard: 365 };

export const WORKLOAD_TYPES = ["airflow", "airflow-core", "dbt", "spark"] as const;
export type WorkloadType = (typeof WORKLOAD_TYPES)[number];

const kebab = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const k8sName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a Kubernetes name (lower-case letters, digits, dashes)").max(63);

const secretSchema = z.strictObject({
    name: z
        .string()
        .regex(/^(AmazonMSK_)?[a-z][a-z0-9_-]*(\/[a-z0-9][a-z0-9_.-]*)+$/, "a path such as airflow/connections/pg_ledger_ro (lower case, '/'-separated, at least two segments)")
        .max(400),
    kind: z.enum(SECRET_KINDS),
    description: z.string().min(10, "a sentence that says what the secret is for"),
    owner: z.string().regex(kebab, "a team id such as team-payments"),
    criticality: z.enum(CRITICALITIES),
    rotation: z.strictObject({
        strategy: z.enum(ROTATION_STRATEGIES),
        days: z.number().int().min(1).max(365),
    }),
    environments: z.array(z.enum(ENVIRONMENTS)).min(1),
    consumers: z.array(z.string()).default([]),
    /** api-token secrets: the vendor that issues the token (model/vendors.ts). */
    vendor: z.enum(VENDOR_IDS).optional(),
});

const teamSchema = z.strictObject({
    id: z.string().regex(kebab, "a team id such as team-payments"),
    /** Where assisted-rotation notices go: an e-mail address the team reads (an SNS e-mail subscription). */
    contact: z.string().regex(/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i, "an e-mail address the team reads"),
});

const workloadSchema = z.strictObject({
    id: z.string().regex(kebab, "a workload id such as airflow-payments").max(48),
    type: z.enum(WORKLOAD_TYPES),
    description: z.string().min(10),
    owner: z.string().regex(kebab, "a team id such as team-payments"),
    namespace: k8sName,
    serviceAccount: k8sName,
    environments: z.array(z.enum(ENVIRONMENTS)).min(1).optional(),
    dags: z.array(z.string().regex(/^[a-z][a-z0-9_]*$/, "a DAG id in snake case")).optional(),
});

const fileSchema = z.strictObject({
    secrets: z.array(z.unknown()).optional(),
    workloads: z.array(z.unknown()).optional(),
    teams: z.array(z.unknown()).optional(),
});

/** A team that owns secrets, with the contact that assisted-rotation notices go to. */
export type CatalogTeam = z.infer<typeof teamSchema> & { readonly file: string };

/** One secret of the catalog, as written. `name` is relative: the environment's prefix is added by the stack. */
export type CatalogSecret = z.infer<typeof secretSchema> & { readonly file: string };
/** One workload: a group of tasks that shares one Kubernetes service account and one IAM role. */
export type CatalogWorkload = Omit<z.infer<typeof workloadSchema>, "environments"> & {
    readonly environments: EnvironmentName[];
    readonly file: string;
};

/** The whole validated inventory. */
export interface Catalog {
    readonly secrets: readonly CatalogSecret[];
    readonly workloads: readonly CatalogWorkload[];
    /** Teams with a contact (optional: only owners of assisted secrets need one). */
    readonly teams?: readonly CatalogTeam[];
}

/** A catalog that cannot be used. The message lists every problem with its file and key. */
export class CatalogError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`Invalid catalog:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "CatalogError";
    }
}

function where(file: string, list: string, index: number, label?: unknown): string {
    return `${file}: ${list}[${index}]${typeof label === "string" ? ` (${label})` : ""}`;
}

function zodProblems(prefix: string, error: z.ZodError): string[] {
    return error.issues.flatMap((issue) => {
        const key = issue.path.join(".");
        if (issue.code === "unrecognized_keys") {
            return issue.keys.map((k) => `${prefix}: unknown key '${key ? `${key}.` : ""}${k}'; check the spelling against catalog/README.md.`);
        }
        return [`${prefix}: key '${key || "(item)"}' ${issue.message}.`];
    });
}

/** Parses catalog documents (file name to YAML text) and checks references across them. Throws CatalogError on any problem. */
export function parseCatalog(documents: ReadonlyArray<{ file: string; text: string }>): Catalog {
    const problems: string[] = [];
    const secrets: CatalogSecret[] = [];
    const workloads: CatalogWorkload[] = [];
    const teams: CatalogTeam[] = [];

    for (const { file, text } of documents) {
        let doc: unknown;
        try {
            doc = parseYamlDocument(text);
        } catch (err) {
            problems.push(`${file}: invalid YAML: ${(err as Error).message.split("\n")[0]}`);
            continue;
        }
        const top = fileSchema.safeParse(doc ?? {});
        if (!top.success) {
            problems.push(...zodProblems(file, top.error).map((p) => `${p} A catalog file holds only 'secrets', 'workloads' and 'teams'.`));
            continue;
        }
        (top.data.secrets ?? []).forEach((item, i) => {
            const parsed = secretSchema.safeParse(item);
            const label = (item as { name?: unknown } | null)?.name;
            if (!parsed.success) problems.push(...zodProblems(where(file, "secrets", i, label), parsed.error));
            else secrets.push({ ...parsed.data, file });
        });
        (top.data.workloads ?? []).forEach((item, i) => {
            const parsed = workloadSchema.safeParse(item);
            const label = (item as { id?: unknown } | null)?.id;
            if (!parsed.success) problems.push(...zodProblems(where(file, "workloads", i, label), parsed.error));
            else workloads.push({ ...parsed.data, environments: parsed.data.environments ?? [...ENVIRONMENTS], file });
        });
        (top.data.teams ?? []).forEach((item, i) => {
            const parsed = teamSchema.safeParse(item);
            const label = (item as { id?: unknown } | null)?.id;
            if (!parsed.success) problems.push(...zodProblems(where(file, "teams", i, label), parsed.error));
            else teams.push({ ...parsed.data, file });
        });
    }
    const teamById = new Map<string, CatalogTeam>();
    for (const t of teams) {
        const first = teamById.get(t.id);
        if (first) problems.push(`${t.file}: team '${t.id}' is a duplicate of the one in ${first.file}; team ids must be unique.`);
        else teamById.set(t.id, t);
    }

    const workloadById = new Map<string, CatalogWorkload>();
    for (const w of workloads) {
        const first = workloadById.get(w.id);
        if (first) problems.push(`${w.file}: workload '${w.id}' is a duplicate of the one in ${first.file}; workload ids must be unique.`);
        else workloadById.set(w.id, w);
        const otherEnv = ENVIRONMENTS.find((e) => new RegExp(`(^|-)${e}(-|$)`).test(w.namespace) || new RegExp(`(^|-)${e}(-|$)`).test(w.serviceAccount));
        if (otherEnv) {
            problems.push(
                `${w.file}: workload '${w.id}' uses namespace '${w.namespace}' / service account '${w.serviceAccount}', which names the environment '${otherEnv}'; each environment has its own cluster, so namespaces and service accounts must not name an environment.`,
            );
        }
        if (w.type === "airflow" && (!w.dags || w.dags.length === 0)) {
            problems.push(`${w.file}: workload '${w.id}' is an Airflow domain with no 'dags'; list the DAG ids whose tasks run under it.`);
        }
        if (w.type !== "airflow" && w.dags) {
            problems.push(`${w.file}: workload '${w.id}' has 'dags' but its type is '${w.type}'; only Airflow domains own DAGs.`);
        }
    }
    const saOwner = new Map<string, string>();
    for (const w of workloads) {
        const key = `${w.namespace}/${w.serviceAccount}`;
        const other = saOwner.get(key);
        if (other && other !== w.id) problems.push(`${w.file}: workloads '${other}' and '${w.id}' share the service account ${key}; each workload needs its own.`);
        else saOwner.set(key, w.id);
    }
    const dagOwner = new Map<string, string>();
    for (const w of workloads) {
        for (const dag of w.dags ?? []) {
            const other = dagOwner.get(dag);
            if (other) problems.push(`${w.file}: DAG '${dag}' is listed under both '${other}' and '${w.id}'; a DAG runs under exactly one domain.`);
            else dagOwner.set(dag, w.id);
        }
    }

    const secretByName = new Map<string, CatalogSecret>();
    for (const s of secrets) {
        const first = secretByName.get(s.name);
        if (first) {
            problems.push(`${s.file}: secret '${s.name}' is a duplicate of the one in ${first.file}; secret names must be unique.`);
            continue;
        }
        secretByName.set(s.name, s);
        const allowed = strategiesForKind(s.kind);
        if (!allowed.includes(s.rotation.strategy)) {
            problems.push(`${s.file}: secret '${s.name}': rotation.strategy '${s.rotation.strategy}' does not fit kind '${s.kind}'; use ${allowed.join(" or ")}.`);
        }
        const max = MAX_ROTATION_DAYS[s.criticality];
        if (s.rotation.days > max) {
            problems.push(`${s.file}: secret '${s.name}' is ${s.criticality} but rotation.days is ${s.rotation.days}; ${s.criticality} secrets rotate every ${max} days or less.`);
        }
        if (s.criticality === "critical" && !CRITICAL_STRATEGIES.has(s.rotation.strategy)) {
            problems.push(`${s.file}: secret '${s.name}' is critical but rotates '${s.rotation.strategy}'; critical secrets need an automated strategy (${[...AUTOMATED_STRATEGIES].join(", ")}) or assisted.`);
        }
        if (s.criticality === "critical" && STRATEGIES[s.rotation.strategy].runner === "assisted" && !teamById.has(s.owner)) {
            problems.push(`${s.file}: secret '${s.name}' is critical and rotates 'assisted', but its owner '${s.owner}' has no contact; add the team with a 'contact' under 'teams:' (catalog/teams.yaml) so the rotation notices reach a person.`);
        }
        if ((s.rotation.strategy === "vendor-api" || STRATEGIES[s.rotation.strategy].runner === "assisted") && !s.vendor) {
            problems.push(`${s.file}: secret '${s.name}' rotates '${s.rotation.strategy}' without 'vendor'; name the vendor (one of ${VENDOR_IDS.join(", ")}) so its rotation can be checked.`);
        }
        if (s.vendor && s.kind !== "api-token") {
            problems.push(`${s.file}: secret '${s.name}' has 'vendor' but its kind is '${s.kind}'; only api-token secrets name a vendor.`);
        }
        if (s.vendor && s.rotation.strategy === "vendor-api" && !VENDORS[s.vendor].tokenApi) {
            problems.push(`${s.file}: secret '${s.name}' rotates 'vendor-api' but ${s.vendor} documents no API to issue and revoke tokens (model/vendors.ts); use 'assisted'.`);
        }
        const mskNamed = STRATEGIES[s.rotation.strategy].names === "msk";
        if (mskNamed && !s.name.startsWith(MSK_SECRET_PREFIX)) {
            problems.push(`${s.file}: secret '${s.name}' is a Kafka SCRAM credential; MSK only associates secrets whose name starts with '${MSK_SECRET_PREFIX}'.`);
        }
        if (!mskNamed && s.name.startsWith(MSK_SECRET_PREFIX)) {
            problems.push(`${s.file}: secret '${s.name}' starts with '${MSK_SECRET_PREFIX}' but its kind is '${s.kind}'; only kafka-scram secrets use that prefix.`);
        }
        if (new Set(s.environments).size !== s.environments.length) {
            problems.push(`${s.file}: secret '${s.name}' lists an environment twice in 'environments'.`);
        }
        const envToken = ENVIRONMENTS.find((e) => s.name.split(/[/_-]/).includes(e));
        if (envToken) {
            problems.push(`${s.file}: secret '${s.name}' names the environment '${envToken}'; names are relative and the stack adds the environment, so remove it.`);
        }
        const seen = new Set<string>();
        for (const consumer of s.consumers) {
            if (seen.has(consumer)) problems.push(`${s.file}: secret '${s.name}' lists consumer '${consumer}' twice.`);
            seen.add(consumer);
            const w = workloadById.get(consumer);
            if (!w) {
                problems.push(`${s.file}: secret '${s.name}' names consumer '${consumer}', which is not a workload id in catalog/; add the workload or fix the id.`);
                continue;
            }
            const missing = s.environments.filter((e) => !w.environments.includes(e));
            if (missing.length > 0) {
                problems.push(`${s.file}: secret '${s.name}' exists in ${missing.join(", ")}, where its consumer '${consumer}' does not run; narrow the secret's environments or extend the workload's.`);
            }
        }
    }
    if (problems.length > 0) throw new CatalogError(problems);
    return { secrets, workloads, teams };
}

/** Reads every `*.yaml` file of a catalog directory (sorted, so the result is stable) and parses it. */
export function loadCatalog(dir: string): Catalog {
    if (!fs.existsSync(dir)) throw new CatalogError([`${dir}: no catalog directory; it holds the secrets and workloads as YAML.`]);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml")).sort();
    if (files.length === 0) throw new CatalogError([`${dir}: no *.yaml file; the catalog cannot be empty.`]);
    const documents = files.map((f) => ({ file: path.join(path.basename(dir), f), text: fs.readFileSync(path.join(dir, f), "utf8") }));
    // `plan` validates the catalog before the program runs and the program loads it again; the same texts parse to
    // the same catalog, so the second load reuses the first (the catalog is immutable once parsed).
    const key = JSON.stringify(documents);
    const cached = parsedCatalogs.get(key);
    if (cached) return cached;
    const catalog = parseCatalog(documents);
    parsedCatalogs.set(key, catalog);
    return catalog;
}

const parsedCatalogs = new Map<string, Catalog>();

/** The catalog as one environment sees it: only the secrets and workloads that exist there. */
export function catalogForEnvironment(catalog: Catalog, env: EnvironmentName): Catalog {
    return {
        secrets: catalog.secrets.filter((s) => s.environments.includes(env)),
        workloads: catalog.workloads.filter((w) => w.environments.includes(env)),
        teams: catalog.teams,
    };
}

/** Multiplies a catalog synthetically, for benchmarks and size-limit tests: copy n gets the suffix `-xN`. */
export function scaleCatalog(catalog: Catalog, factor: number): Catalog {
    if (!Number.isInteger(factor) || factor < 1) throw new Error(`The scale factor must be a positive integer, got ${factor}.`);
    if (factor === 1) return catalog;
    const secrets: CatalogSecret[] = [];
    const workloads: CatalogWorkload[] = [];
    for (let n = 0; n < factor; n++) {
        const suffix = n === 0 ? "" : `-x${n + 1}`;
        for (const w of catalog.workloads) {
            workloads.push({ ...w, id: `${w.id}${suffix}`.slice(0, 48), serviceAccount: `${w.serviceAccount}${suffix}`, dags: w.dags?.map((d) => (n === 0 ? d : `${d}_x${n + 1}`)) });
        }
        for (const s of catalog.secrets) {
            secrets.push({ ...s, name: `${s.name}${suffix}`, consumers: s.consumers.map((c) => `${c}${suffix}`.slice(0, 48)) });
        }
    }
    return { secrets, workloads, teams: catalog.teams };
}
