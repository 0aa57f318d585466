#!/usr/bin/env bash
# Builds tools/eso-render (External Secrets Operator's own template engine v2, copied from the pinned ESO release
# with its license, see tools/eso-render/NOTICE.md; the other modules come from the Go module proxy, pinned by
# go.sum) once. The binary is cached under .cache/eso-template-engine/<sha256 of every file in tools/eso-render>/, so
# it is rebuilt only when one of them changes. Prints the binary's path on stdout; the build time goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=tools/eso-render
key=$(cd "$SRC" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
OUT=".cache/eso-template-engine/$key"
BIN="$OUT/eso-render"
if [ ! -x "$BIN" ]; then
  command -v go >/dev/null || { echo "eso-render: the go command is not on PATH; install Go 1.26 (see README)." >&2; exit 1; }
  echo "Building ESO's template engine (tools/eso-render) into $OUT ..." >&2
  start=$(date +%s)
  mkdir -p "$OUT"
  (cd "$SRC" && go build -mod=readonly -trimpath -ldflags="-s -w" -o "../../$BIN.tmp.$$" .)
  mv "$BIN.tmp.$$" "$BIN"
  # Older builds are never used again.
  find .cache/eso-template-engine -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
  echo "Built ESO's template engine in $(( $(date +%s) - start ))s." >&2
fi
echo "$BIN"
