#!/usr/bin/env bash
# Builds tools/promql-check (Prometheus' own rule-file validation and PromQL engine, pinned by its go.sum) from the Go
# module proxy, once. The binary is cached under .test-runtime/promql-check/<sha256 of go.mod, go.sum and main.go>/,
# so it is rebuilt only when one of them changes. Prints the binary's path on stdout; build progress and the build time
# go to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=tools/promql-check
key=$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" | sha256sum | cut -c1-16)
OUT=".test-runtime/promql-check/$key"
BIN="$OUT/promql-check"
if [ ! -x "$BIN" ]; then
  command -v go >/dev/null || { echo "promql-check: the go command is not on PATH; install Go 1.26 (see README)." >&2; exit 1; }
  echo "Building promql-check (Prometheus rulefmt + PromQL engine) into $OUT ..." >&2
  start=$(date +%s)
  mkdir -p "$OUT"
  (cd "$SRC" && go build -mod=readonly -trimpath -ldflags="-s -w" -o "../../$BIN.tmp" .)
  mv "$BIN.tmp" "$BIN"
  find .test-runtime/promql-check -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
  echo "Built promql-check in $(( $(date +%s) - start ))s." >&2
fi
echo "$BIN"
