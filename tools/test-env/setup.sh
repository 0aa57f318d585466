#!/usr/bin/env bash
# Installs the pinned Python test tools (moto server, Airflow 2.x with the Amazon provider) into .venv-test, after
# building the admission engine (tools/test-env/admission-engine.sh).
# Idempotent: it reinstalls only when test/python/requirements.lock changes. Tests never reach a real AWS.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/test-env/admission-engine.sh >/dev/null
VENV=.venv-test
LOCK=test/python/requirements.lock
STAMP="$VENV/.lock-sha256"
want=$(sha256sum "$LOCK" | cut -d' ' -f1)
if ! { [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && [ -x "$VENV/bin/moto_server" ]; }; then
echo "Installing the pinned Python test environment into $VENV (moto, Airflow) ..."
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --disable-pip-version-check --quiet --no-deps -r "$LOCK"
"$VENV/bin/pip" check --disable-pip-version-check >/dev/null || { "$VENV/bin/pip" check; exit 1; }
echo "$want" > "$STAMP"
fi
bash "$(dirname "$0")/airflow-k8s-client.sh"
bash "$(dirname "$0")/eso-render.sh"
