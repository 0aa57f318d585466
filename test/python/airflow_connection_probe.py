"""Airflow connection probe, run by test/kinds/airflow-connections-end-to-end.test.ts inside the pinned test venv.

Airflow resolves each connection id through LocalFilesystemBackend from the JSON file the test rendered (the form an
ExternalSecret template writes), using only Airflow's public API. For each connection it reports the fields Airflow
built and what the hook side makes of them: HttpHook's session auth and base URL for HTTP connections, and for a
Snowflake connection the private key loaded from private_key_content the way the Snowflake provider does (base64,
then PEM). Secrets are reported as SHA-256 digests, never as values. Input: PROBE_INPUT (JSON); output: one JSON line.
"""
import base64
import hashlib
import json
import os

from airflow.hooks.base import BaseHook

INPUT = json.loads(os.environ["PROBE_INPUT"])


def sha(value):
    return None if value is None else hashlib.sha256(value.encode()).hexdigest()


def describe(conn_id):
    conn = BaseHook.get_connection(conn_id)
    out = {
        "conn_type": conn.conn_type,
        "host": conn.host,
        "port": conn.port,
        "schema": conn.schema,
        "login": conn.login,
        "password_sha256": sha(conn.password),
        "extra_sha256": {k: sha(str(v)) for k, v in conn.extra_dejson.items()},
        "uri_roundtrip": None,
    }
    # The URI form (AIRFLOW_CONN_*) must carry the same connection.
    from airflow.models.connection import Connection

    again = Connection(uri=conn.get_uri())
    # Airflow parses an empty host or schema of a URI as "" rather than None; both mean "not set".
    out["uri_roundtrip"] = [again.conn_type, again.host or None, again.port, again.schema or None, again.login, sha(again.password)] == [
        conn.conn_type,
        conn.host or None,
        conn.port,
        conn.schema or None,
        conn.login,
        sha(conn.password),
    ] and again.extra_dejson == conn.extra_dejson
    if conn.conn_type == "http":
        from airflow.providers.http.hooks.http import HttpHook

        hook = HttpHook(method="GET", http_conn_id=conn_id)
        session = hook.get_conn()
        auth = session.auth
        out["http"] = {
            "base_url": hook.base_url,
            "auth_login": getattr(auth, "username", None) if auth is not None else None,
            "auth_password_sha256": sha(getattr(auth, "password", None)) if auth is not None else None,
        }
    if conn.conn_type == "snowflake":
        from cryptography.hazmat.primitives import serialization

        pem = base64.b64decode(conn.extra_dejson["private_key_content"])
        key = serialization.load_pem_private_key(pem, password=None)
        out["snowflake"] = {"key_size": key.key_size, "account": conn.extra_dejson.get("account")}
    return out


print(json.dumps({conn_id: describe(conn_id) for conn_id in INPUT["connIds"]}))
