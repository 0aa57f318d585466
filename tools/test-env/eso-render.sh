#!/usr/bin/env bash
# Builds tools/eso-render (ESO's template engine v2: Go text/template + Sprig, pinned in its go.mod/go.sum) into
# .cache/eso-render, for the Airflow task-file tests. Modules come from the Go module proxy. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=.cache/eso-render
want=$(cat tools/eso-render/go.mod tools/eso-render/go.sum tools/eso-render/main.go | sha256sum | cut -d' ' -f1)
if [ -x "$OUT/eso-render" ] && [ "$(cat "$OUT/.source-sha256" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
started=$(date +%s)
mkdir -p "$OUT"
(cd tools/eso-render && go build -mod=readonly -trimpath -o "../../$OUT/eso-render" .)
echo "$want" > "$OUT/.source-sha256"
echo "Built the ESO template renderer into $OUT in $(( $(date +%s) - started )) s"
