#!/usr/bin/env bash
# Builds tools/admission-engine (Kubernetes' own ValidatingAdmissionPolicy plugin, run offline) once, from the Go
# module proxy, pinned by its go.sum. The binary is cached under .test-runtime/admission-engine/<sha256 of go.mod,
# go.sum and main.go>/, so it is rebuilt only when one of them changes. Prints the binary's path on stdout; build
# progress and the build time go to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=tools/admission-engine
key=$(cat "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" | sha256sum | cut -c1-16)
OUT=".test-runtime/admission-engine/$key"
BIN="$OUT/admission-engine"
if [ ! -x "$BIN" ]; then
  command -v go >/dev/null || { echo "admission-engine: the go command is not on PATH; install Go 1.26 (see README)." >&2; exit 1; }
  echo "Building the admission engine (k8s.io/apiserver ValidatingAdmissionPolicy plugin) into $OUT ..." >&2
  start=$(date +%s)
  mkdir -p "$OUT"
  (cd "$SRC" && GOFLAGS=-mod=mod go build -trimpath -ldflags="-s -w" -o "../../$BIN.tmp" .)
  mv "$BIN.tmp" "$BIN"
  # Older builds are never used again.
  find .test-runtime/admission-engine -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
  echo "Built the admission engine in $(( $(date +%s) - start ))s." >&2
fi
echo "$BIN"
