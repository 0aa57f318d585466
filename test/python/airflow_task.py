"""Airflow task-process probe, run by test/runtime/airflow-files.test.ts and tools/bench-task-start.ts in the test venv.

Input: TASK_INPUT (JSON); output: one JSON line on stdout. No secret value is printed: values are SHA-256 digests.
Phases:
  policy  - load a DAGs folder with Airflow's DagBag (the cluster policy in airflow_local_settings.py runs there) and
            report import errors, each task's forced pod_override, and what pod_mutation_hook says about given pods;
  task    - in a fresh task process, look up connections and variables through Airflow's public API
            (BaseHook.get_connection, Variable.get) and report what resolved, what failed, the log lines, and
            whether the AWS SDK was ever loaded;
  bench   - one timed task start: Airflow imported, its ORM set up and a first (env-var) connection used, which every
            task that uses a connection pays; then the lookups.
"""
import hashlib
import json
import logging
import os
import sys
import time

INPUT = json.loads(os.environ["TASK_INPUT"])
T0 = time.perf_counter()


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.INFO)
        self.records = []

    def emit(self, record):
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += f" | {type(record.exc_info[1]).__name__}: {record.exc_info[1]}"
        self.records.append(f"{record.levelname} {record.name}: {text}")


capture = Capture()
logging.getLogger().addHandler(capture)


def digest(value):
    return hashlib.sha256((value or "").encode()).hexdigest()


def policy_phase():
    from airflow.models.dagbag import DagBag
    from airflow import settings
    from kubernetes.client import ApiClient

    bag = DagBag(dag_folder=INPUT["dagsFolder"], include_examples=False, safe_mode=False)
    api = ApiClient()
    tasks = {}
    for dag_id, dag in bag.dags.items():
        for task in dag.tasks:
            pod = (task.executor_config or {}).get("pod_override")
            tasks[f"{dag_id}.{task.task_id}"] = api.sanitize_for_serialization(pod) if pod is not None else None
    hooks = {}
    for name, pod_dict in INPUT.get("mutationPods", {}).items():
        pod = api._ApiClient__deserialize(pod_dict, "V1Pod")
        try:
            settings.pod_mutation_hook(pod)
            hooks[name] = None
        except Exception as exc:  # the hook's refusal is the result
            hooks[name] = f"{type(exc).__name__}: {exc}"
    errors = {os.path.relpath(k, INPUT["dagsFolder"]): v for k, v in bag.import_errors.items()}
    return {"importErrors": errors, "tasks": tasks, "mutationHook": hooks}


def lookups():
    from airflow.exceptions import AirflowNotFoundException
    from airflow.hooks.base import BaseHook
    from airflow.models import Variable

    out = {}
    for conn_id in INPUT.get("connections", []):
        start = time.perf_counter()
        try:
            c = BaseHook.get_connection(conn_id)
            out[f"conn:{conn_id}"] = {
                "conn_type": c.conn_type, "host": c.host, "login": c.login, "schema": c.schema, "port": c.port,
                "password_sha256": digest(c.password), "extra_sha256": digest(c.extra), "extra_keys": sorted(c.extra_dejson),
                "ms": (time.perf_counter() - start) * 1000,
            }
        except AirflowNotFoundException as exc:
            out[f"conn:{conn_id}"] = {"error": type(exc).__name__, "ms": (time.perf_counter() - start) * 1000}
    for key in INPUT.get("variables", []):
        start = time.perf_counter()
        try:
            out[f"var:{key}"] = {"value_sha256": digest(Variable.get(key)), "ms": (time.perf_counter() - start) * 1000}
        except KeyError as exc:
            out[f"var:{key}"] = {"error": type(exc).__name__, "ms": (time.perf_counter() - start) * 1000}
    return out


def seed_metastore(conn_id, key):
    from airflow.models import Connection, Variable
    from airflow.utils.session import create_session

    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id == conn_id).delete()
        session.query(Variable).filter(Variable.key == key).delete()
        session.add(Connection(conn_id=conn_id, conn_type="generic", login="metastore-copy", host="copy.example"))
        session.add(Variable(key=key, val="metastore-copy"))


def task_phase():
    import airflow  # noqa: F401  (initialises settings, local settings and the ORM, as `airflow tasks run` does)

    logging.getLogger().addHandler(capture)  # Airflow reconfigures logging on import

    if INPUT.get("seedMetastore"):
        seed_metastore(*INPUT["seedMetastore"])
    result = {"lookups": lookups()}
    result["awsSdkLoaded"] = sorted(m for m in ("boto3", "botocore") if m in sys.modules)
    return result


def bench_phase():
    # Airflow's own start-up that every task pays whatever the path: import, settings, ORM mappers, Connection model.
    import airflow  # noqa: F401
    from airflow.hooks.base import BaseHook  # noqa: F401
    from airflow.models import Connection, Variable  # noqa: F401
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    logging.getLogger().addHandler(capture)
    # Airflow's first connection use (Connection model, provider discovery): paid by any task that uses a connection,
    # wherever it comes from. An unmanaged env-var connection, so no variant's backend is asked for anything.
    BaseHook.get_connection("bench_warmup")
    ready = time.perf_counter()
    found = lookups()
    done = time.perf_counter()
    failed = [k for k, v in found.items() if "error" in v]
    return {"startupMs": (ready - T0) * 1000, "retrievalMs": (done - ready) * 1000, "failed": failed, "awsSdkLoaded": sorted(m for m in ("boto3", "botocore") if m in sys.modules)}


phase = INPUT["phase"]
result = {"policy": policy_phase, "task": task_phase, "bench": bench_phase}[phase]()
result["log"] = [line for line in capture.records if "finledger" in line or "secret" in line.lower() or "managed" in line.lower()]
sys.stdout.write(json.dumps(result) + "\n")
