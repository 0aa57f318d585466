#!/usr/bin/env bash
# Builds Helm's own CLI (helm.sh/helm/v3, pinned; its go.sum pins every dependency) from the Go module proxy into
# .test-runtime/helm/<version>/helm, once, for the test that renders our Airflow values with the chart's templates.
# Prints the binary's path on stdout; build progress and the build time go to stderr. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=v3.22.0
OUT=".test-runtime/helm/$VERSION"
BIN="$OUT/helm"
if [ ! -x "$BIN" ]; then
  command -v go >/dev/null || { echo "helm: the go command is not on PATH; install Go 1.26 (see README)." >&2; exit 1; }
  echo "Building helm $VERSION into $OUT ..." >&2
  start=$(date +%s)
  mkdir -p "$OUT"
  GOBIN="$PWD/$OUT.tmp" go install -trimpath -ldflags="-s -w" "helm.sh/helm/v3/cmd/helm@$VERSION" >&2
  mv "$OUT.tmp/helm" "$BIN" && rmdir "$OUT.tmp"
  find .test-runtime/helm -mindepth 1 -maxdepth 1 -type d ! -name "$VERSION" -exec rm -rf {} +
  echo "Built helm $VERSION in $(( $(date +%s) - start ))s." >&2
fi
echo "$BIN"
