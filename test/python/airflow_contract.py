"""Airflow contract probe, run by test/runtime/airflow-contract.test.ts inside the pinned test venv.

It uses only Airflow's public API (BaseHook.get_connection, Variable.get) with the secrets-backend settings and
airflow_local_settings.py that the plan emits (the test puts them in the environment and AIRFLOW_HOME). It counts
the Secrets Manager and STS calls botocore makes, and times each lookup. Input: CONTRACT_INPUT (JSON); output: one
JSON line on stdout. No secret value is printed: passwords are reported as SHA-256 digests.
"""
import hashlib
import json
import logging
import os
import sys
import time

INPUT = json.loads(os.environ["CONTRACT_INPUT"])

# Count every AWS API call botocore makes in this process, by service and operation.
import botocore.client  # noqa: E402

CALLS = []
_original_make_api_call = botocore.client.BaseClient._make_api_call


def _counting_make_api_call(self, operation_name, api_params):
    CALLS.append(f"{self.meta.service_model.service_name}:{operation_name}")
    return _original_make_api_call(self, operation_name, api_params)


botocore.client.BaseClient._make_api_call = _counting_make_api_call


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.INFO)
        self.records = []

    def emit(self, record):
        self.records.append(f"{record.levelname} {record.name}: {record.getMessage()}")


capture = Capture()
logging.getLogger().addHandler(capture)

from airflow.exceptions import AirflowNotFoundException  # noqa: E402
from airflow.hooks.base import BaseHook  # noqa: E402
from airflow.models import Variable  # noqa: E402

logging.getLogger().addHandler(capture)  # Airflow reconfigures logging on import


def digest(value):
    return hashlib.sha256((value or "").encode()).hexdigest()


def timed(fn):
    before = len(CALLS)
    start = time.perf_counter()
    try:
        value, error = fn(), None
    except (AirflowNotFoundException, KeyError) as exc:
        value, error = None, type(exc).__name__
    elapsed_ms = (time.perf_counter() - start) * 1000
    return {"ms": round(elapsed_ms, 2), "calls": CALLS[before:], "error": error, **(value or {})}


def connection(conn_id):
    def get():
        c = BaseHook.get_connection(conn_id)
        return {"login": c.login, "host": c.host, "password_sha256": digest(c.password)}

    return get


def variable(key):
    def get():
        return {"value_sha256": digest(Variable.get(key))}

    return get


def seed_metastore_copies(conn_id, key):
    from airflow.models import Connection
    from airflow.utils.session import create_session

    with create_session() as session:
        session.add(Connection(conn_id=conn_id, conn_type="generic", login="stale-login", host="stale.example"))
        session.add(Variable(key=key, val="stale-metastore-value"))


result = {"phase": INPUT["phase"]}
managed = INPUT["managedConnections"]
var_key = INPUT["managedVariable"]
if INPUT["phase"] == "online":
    # Break the cold cost down: loading the backends (imports), then building the boto client (no network yet).
    from airflow.configuration import ensure_secrets_loaded

    start = time.perf_counter()
    backend = ensure_secrets_loaded()[0]
    result["backend_load_ms"] = round((time.perf_counter() - start) * 1000, 2)
    start = time.perf_counter()
    backend.client
    result["client_build_ms"] = round((time.perf_counter() - start) * 1000, 2)
    # Airflow's own first-use cost (Connection parsing, provider discovery), with no AWS call: an env-var connection.
    result["airflow_first_use"] = timed(connection("contract_warmup"))
    result["managed_cold"] = timed(connection(managed[0]))
    result["managed_warm_same"] = timed(connection(managed[0]))
    result["managed_warm_other"] = timed(connection(managed[1]))
    result["variable_first"] = timed(variable(var_key))
    result["variable_again"] = timed(variable(var_key))
    result["unmanaged"] = timed(connection(INPUT["unmanagedConnection"]))
    result["other_domain"] = timed(connection(INPUT["otherDomainConnection"]))
    result["unmanaged_variable"] = timed(variable(INPUT["unmanagedVariable"]))
else:
    if INPUT.get("metastoreCopies"):
        seed_metastore_copies(managed[0], var_key)
    result["managed_outage"] = timed(connection(managed[0]))
    result["variable_outage"] = timed(variable(var_key))
    result["unmanaged_env_copy"] = timed(connection(INPUT["unmanagedConnection"]))
result["log"] = [line for line in capture.records if "secret" in line.lower() or "managed" in line.lower()]
sys.stdout.write(json.dumps(result) + "\n")
