// How a secret's stored JSON (by kind, as the rotation strategies write it) becomes an Airflow Connection, and the
// files ESO renders for a domain's task pods from it. One descriptor per kind drives both the pure mapping (used by
// tests and docs) and the ESO template (what runs in the cluster), so the two cannot drift apart.
import type { SecretKind } from "../model/catalog";

/** The Airflow Connection fields a file carries (Airflow's JSON connection format). */
export interface AirflowConnection {
    readonly conn_type: string;
    readonly host?: string;
    readonly login?: string;
    readonly password?: string;
    readonly schema?: string;
    readonly port?: number;
    readonly extra?: Record<string, unknown>;
}

/** Airflow Connection attributes filled from one stored JSON property each. */
type ConnectionField = "host" | "login" | "password" | "schema" | "port";

/** How one kind's stored JSON maps to a Connection. */
export interface ConnectionView {
    readonly connType: string;
    /** Connection attribute to stored property; a property absent from the value leaves the attribute unset. */
    readonly fields: Partial<Record<ConnectionField, string>>;
    /** `extra` key to stored property. */
    readonly extra?: Readonly<Record<string, string>>;
    /** Stored properties never copied into the connection (rotation bookkeeping), when the rest goes to `extra`. */
    readonly omit?: readonly string[];
    /** Copy every stored property not used above (and not omitted) into `extra`, e.g. Snowflake's warehouse and role. */
    readonly restToExtra?: boolean;
}

/**
 * The connection view of each kind an Airflow domain may hold as a connection. Property names are those the
 * rotation strategies write (functions/rotation/strategies/*): Postgres `username`/`password`/`host`/`port`/`dbname`,
 * Snowflake `account`/`user`/`privateKey`, vendor tokens `vendor` plus the vendor's fields.
 */
export const CONNECTION_VIEWS: Readonly<Partial<Record<SecretKind, ConnectionView>>> = {
    "postgres-password": {
        connType: "postgres",
        fields: { host: "host", port: "port", schema: "dbname", login: "username", password: "password" },
    },
    "snowflake-keypair": {
        connType: "snowflake",
        fields: { login: "user" },
        extra: { account: "account", private_key_content: "privateKey" },
        // The fingerprint is rotation bookkeeping; everything else the runtime layer adds (warehouse, role, database) is extra.
        omit: ["publicKeyFingerprint"],
        restToExtra: true,
    },
    "basic-auth": {
        connType: "http",
        fields: { host: "host", port: "port", login: "username", password: "password" },
    },
    "ssh-private-key": {
        connType: "ssh",
        fields: { host: "host", port: "port", login: "username" },
        extra: { private_key: "privateKey", host_key: "hostKey" },
    },
    "api-token": {
        connType: "http",
        fields: { host: "host", login: "login", password: "token" },
        omit: ["supersedesTokenId"],
        restToExtra: true,
    },
};

/** The connection view of a kind, or an error that names the secret and the kinds that have one. */
export function connectionViewOf(kind: SecretKind, catalogName: string): ConnectionView {
    const view = CONNECTION_VIEWS[kind];
    if (!view) {
        throw new Error(
            `Secret '${catalogName}' is an Airflow connection of kind '${kind}', which has no connection view; use one of ${Object.keys(CONNECTION_VIEWS).join(", ")} or add a view to CONNECTION_VIEWS in components/airflow-connections.ts.`,
        );
    }
    return view;
}

function usedProperties(view: ConnectionView): Set<string> {
    return new Set([...Object.values(view.fields), ...Object.values(view.extra ?? {}), ...(view.omit ?? [])]);
}

/** The Airflow Connection a stored value of `kind` stands for (the pure mapping; ESO renders the same through a template). */
export function airflowConnectionFromSecret(kind: SecretKind, stored: Record<string, unknown>, catalogName = "(value)"): AirflowConnection {
    const view = connectionViewOf(kind, catalogName);
    const out: Record<string, unknown> = { conn_type: view.connType };
    for (const [attr, prop] of Object.entries(view.fields)) if (prop in stored) out[attr] = stored[prop];
    const extra: Record<string, unknown> = {};
    for (const [key, prop] of Object.entries(view.extra ?? {})) if (prop in stored) extra[key] = stored[prop];
    if (view.restToExtra) {
        const used = usedProperties(view);
        for (const [prop, value] of Object.entries(stored)) if (!used.has(prop)) extra[prop] = value;
    }
    if (Object.keys(extra).length > 0) out.extra = extra;
    return out as unknown as AirflowConnection;
}

/** Keys of the Kubernetes Secret ESO renders for one managed connection or variable. */
export const AIRFLOW_FILE_KEYS = { value: "value.json", syncedAt: "synced-at" } as const;

const goString = (s: string) => JSON.stringify(s);

/**
 * The ESO template (engine v2: Go text/template with Sprig) that renders one connection's file: a JSON object
 * `{ "<conn_id>": { conn_type, ... } }`, Airflow's JSON connection format. The stored value arrives whole as `.value`.
 */
export function connectionFileTemplate(kind: SecretKind, connId: string, catalogName = connId): string {
    const view = connectionViewOf(kind, catalogName);
    const lines = ["{{- $v := .value | fromJson -}}", `{{- $c := dict "conn_type" ${goString(view.connType)} -}}`, `{{- $e := dict -}}`];
    for (const [attr, prop] of Object.entries(view.fields)) lines.push(`{{- if hasKey $v ${goString(prop)} }}{{ $_ := set $c ${goString(attr)} (get $v ${goString(prop)}) }}{{ end -}}`);
    for (const [key, prop] of Object.entries(view.extra ?? {})) lines.push(`{{- if hasKey $v ${goString(prop)} }}{{ $_ := set $e ${goString(key)} (get $v ${goString(prop)}) }}{{ end -}}`);
    if (view.restToExtra) {
        const used = [...usedProperties(view)].map(goString).join(" ");
        lines.push(`{{- range $k, $x := omit $v ${used} }}{{ $_ := set $e $k $x }}{{ end -}}`);
    }
    lines.push(`{{- if $e }}{{ $_ := set $c "extra" $e }}{{ end -}}`);
    lines.push(`{{ dict ${goString(connId)} $c | toJson }}`);
    return lines.join("\n");
}

/** The ESO template of one variable's file: `{ "<key>": "<the stored string>" }`, the format Airflow's file backends read. */
export function variableFileTemplate(key: string): string {
    return `{{ dict ${goString(key)} .value | toJson }}`;
}

/**
 * The template of the sync stamp: the Unix time at which ESO rendered the Secret. It changes on every refresh, so ESO
 * rewrites the Secret and the kubelet the file, and a task can tell how old its copy is.
 */
export const SYNCED_AT_TEMPLATE = "{{ now | unixEpoch }}";
