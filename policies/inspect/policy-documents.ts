import { asList, asRecord, display, isUnknown, parseJsonish } from "./values";

/** One statement with its lists normalised; values that are unknown during preview are left out. */
export interface Statement {
    readonly sid?: string;
    readonly effect: "Allow" | "Deny" | string;
    /** `"*"` for `Principal: "*"`; otherwise principal type to values. */
    readonly principal?: "*" | Record<string, string[]>;
    readonly notPrincipal: boolean;
    readonly actions: string[];
    readonly notAction: boolean;
    readonly resources: string[];
    readonly notResource: boolean;
    /** Operator to condition key to values. */
    readonly conditions: Record<string, Record<string, string[]>>;
}

/** Where a policy document sits and what it governs. */
export type DocumentKind = "trust" | "key" | "resource" | "identity";

/** An IAM policy document found in a resource's inputs. */
export interface FoundDocument {
    readonly path: string;
    readonly kind: DocumentKind;
    readonly statements: Statement[];
}

const KEY_POLICY_TYPES = new Set(["aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey", "aws:kms/keyPolicy:KeyPolicy", "aws:kms/externalKey:ExternalKey", "aws:kms/replicaExternalKey:ReplicaExternalKey"]);

function strings(value: unknown): string[] {
    return asList(value).filter((v): v is string => typeof v === "string" && !isUnknown(v));
}

function normaliseStatement(raw: Record<string, unknown>): Statement {
    const principalRaw = raw.Principal ?? raw.NotPrincipal;
    let principal: Statement["principal"];
    if (principalRaw === "*") principal = "*";
    else {
        const p = asRecord(principalRaw);
        if (p) {
            principal = {};
            for (const [k, v] of Object.entries(p)) principal[k] = strings(v);
        }
    }
    const conditions: Statement["conditions"] = {};
    for (const [op, block] of Object.entries(asRecord(raw.Condition) ?? {})) {
        const entries: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(asRecord(block) ?? {})) entries[k] = asList(v).filter((x) => !isUnknown(x)).map((x) => display(x));
        conditions[op] = entries;
    }
    return {
        sid: typeof raw.Sid === "string" ? raw.Sid : undefined,
        effect: typeof raw.Effect === "string" ? raw.Effect : "",
        principal,
        notPrincipal: raw.NotPrincipal !== undefined,
        actions: strings(raw.Action ?? raw.NotAction),
        notAction: raw.NotAction !== undefined,
        resources: strings(raw.Resource ?? raw.NotResource),
        notResource: raw.NotResource !== undefined,
        conditions,
    };
}

/** The statements of a document-shaped value, or undefined when the value is not a policy document. */
export function statementsOf(value: unknown): Statement[] | undefined {
    const doc = asRecord(typeof value === "string" ? parseJsonish(value) : value);
    if (!doc || doc.Statement === undefined) return undefined;
    return asList(doc.Statement)
        .map(asRecord)
        .filter((s): s is Record<string, unknown> => s !== undefined)
        .map(normaliseStatement);
}

/**
 * Every IAM policy document in a resource's inputs, wherever it hides: `policy`, `assumeRolePolicy`,
 * `inlinePolicies[].policy`, or any JSON string or object with a `Statement`.
 */
export function findPolicyDocuments(type: string, props: unknown): FoundDocument[] {
    // Several rules read the documents of the same resource; the engine hands them the same properties object.
    const memo = props !== null && typeof props === "object" ? documentsByProps.get(props) : undefined;
    if (memo && memo.type === type) return memo.found;
    const found = walkPolicyDocuments(type, props);
    if (props !== null && typeof props === "object") documentsByProps.set(props, { type, found });
    return found;
}

const documentsByProps = new WeakMap<object, { readonly type: string; readonly found: FoundDocument[] }>();

function walkPolicyDocuments(type: string, props: unknown): FoundDocument[] {
    const found: FoundDocument[] = [];
    const seen = new Set<object>();
    const visit = (value: unknown, path: string, depth: number): void => {
        if (depth > 32) return;
        if (typeof value === "string") {
            if (value.length < 20 || value.indexOf("Statement") < 0) return;
            const parsed = parseJsonish(value);
            if (parsed !== undefined) visit(parsed, path, depth + 1);
            return;
        }
        if (value === null || typeof value !== "object" || seen.has(value)) return;
        seen.add(value);
        if (Array.isArray(value)) {
            value.forEach((v, i) => visit(v, `${path}[${i}]`, depth + 1));
            return;
        }
        const statements = statementsOf(value);
        if (statements) {
            const kind: DocumentKind = /assumeRolePolicy$/.test(path)
                ? "trust"
                : KEY_POLICY_TYPES.has(type)
                  ? "key"
                  : statements.some((s) => s.principal !== undefined)
                    ? "resource"
                    : "identity";
            found.push({ path, kind, statements });
            return;
        }
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) visit(v, path === "" ? k : `${path}.${k}`, depth + 1);
    };
    visit(props, "", 0);
    return found;
}

/** Every principal value of a statement (AWS, Federated, Service, CanonicalUser), flattened. */
export function principalValues(s: Statement): string[] {
    if (s.principal === undefined) return [];
    if (s.principal === "*") return ["*"];
    return Object.values(s.principal).flat();
}

/** Every value of every condition of a statement, flattened. */
export function conditionValues(s: Statement): Array<{ operator: string; key: string; value: string }> {
    const out: Array<{ operator: string; key: string; value: string }> = [];
    for (const [operator, block] of Object.entries(s.conditions)) for (const [key, values] of Object.entries(block)) for (const value of values) out.push({ operator, key, value });
    return out;
}

/** The account id an ARN names, if any (`arn:aws:<svc>:<region>:<account>:...`). */
export function accountOfArn(arn: string): string | undefined {
    const m = /^arn:aws[a-z-]*:[a-z0-9-]*:[a-z0-9-]*:(\d{12}):/.exec(arn);
    return m?.[1];
}
