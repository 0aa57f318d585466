#!/usr/bin/env bash
# Installs the pinned Kubernetes Python client (test/python/k8s-client.lock) into .cache/airflow-k8s-client, for the
# Airflow cluster-policy and task-file tests (PYTHONPATH). The shared venv stays as its lock says. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR=.cache/airflow-k8s-client
LOCK=test/python/k8s-client.lock
STAMP="$DIR/.lock-sha256"
want=$(sha256sum "$LOCK" | cut -d' ' -f1)
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
  exit 0
fi
started=$(date +%s)
rm -rf "$DIR"
.venv-test/bin/pip install --disable-pip-version-check --quiet --no-deps --target "$DIR" -r "$LOCK"
echo "$want" > "$STAMP"
echo "Installed the Kubernetes Python client into $DIR in $(( $(date +%s) - started )) s"
