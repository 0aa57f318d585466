#!/usr/bin/env bash
# The test environment, installed by `npm test` itself: every step is pinned, idempotent (a stamp per step, so a
# second run takes well under a second) and cached under a git-ignored folder. Tests never reach a real AWS,
# Kubernetes or Snowflake.
#   - .venv-test: moto server and Airflow 2.11 with the Amazon provider (test/python/requirements.lock)
#   - .cache/airflow-k8s-client: the Kubernetes Python client for the Airflow task-file tests
#   - .cache/eso-template-engine: External Secrets Operator's own template engine (v0.19.2's package, copied with its
#     licence into tools/eso-render; its imports from the Go module proxy)
#   - .test-runtime/admission-engine: Kubernetes' own ValidatingAdmissionPolicy plugin, built from the Go module proxy
#   - .test-runtime/rbac-check: Kubernetes' own RBAC comparison (component-helpers' Covers), built from the Go module proxy
#   - .test-runtime/helm, .test-runtime/promql-check: Helm's CLI and Prometheus' rule checker + PromQL engine, built
#     from the Go module proxy (the Airflow chart package itself is looked up in Helm's repository cache: test/support/helm.ts)
#   - .test-runtime/clients: a Kafka broker and the Snowflake drivers for the end-to-end tests
#   - /usr/bin/chromium: Debian's chromium for the access-report browser test, with apt-get only when missing
# The Go builds (admission engine, ESO's template engine, helm, promql-check) are the longest cold steps; they run in the background while
# the Python and Java steps install, and the script waits for them before the tests start.
set -euo pipefail
cd "$(dirname "$0")/../.."

# The RBAC checker builds right after the admission engine, in the same background job: both compile client-go, and
# the second build then finds it in Go's build cache instead of compiling it a second time in parallel.
{ bash tools/test-env/admission-engine.sh >/dev/null && bash tools/test-env/rbac-check.sh >/dev/null; } &
engine=$!
bash tools/test-env/eso-render.sh >/dev/null &
eso_render=$!
bash tools/test-env/helm.sh >/dev/null &
helm=$!
bash tools/test-env/promql-check.sh >/dev/null &
promql=$!

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
bash tools/test-env/airflow-k8s-client.sh
# The real consumer clients of the end-to-end tests (Kafka broker, Snowflake drivers): their own script and cache.
bash tools/test-env/clients.sh
# Debian's chromium for the access-report browser test (its own script says how long it took, or why it could not).
bash tools/test-env/chromium.sh

if ! wait "$eso_render"; then
  echo "Building ESO's template engine failed; run 'bash tools/test-env/eso-render.sh' to see why." >&2
  exit 1
fi
if ! wait "$engine"; then
  echo "Building the admission engine or the RBAC checker failed; run 'bash tools/test-env/admission-engine.sh' and 'bash tools/test-env/rbac-check.sh' to see why." >&2
  exit 1
fi
for step in "helm:$helm" "promql-check:$promql"; do
  if ! wait "${step#*:}"; then
    echo "Building ${step%%:*} failed; run 'bash tools/test-env/${step%%:*}.sh' to see why." >&2
    exit 1
  fi
done
