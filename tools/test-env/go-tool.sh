#!/usr/bin/env bash
# Builds one of the repository's Go helpers (a folder under tools/ with its own go.mod and go.sum, every dependency
# pinned there and fetched from the Go module proxy) once. The binary is cached under <cache>/<sha256 of every file of
# the folder>/<folder name>, so it is rebuilt only when one of them changes, and older builds are removed. Prints the
# binary's path on stdout; build progress and the build time go to stderr.
#   usage: go-tool.sh <source folder> <cache folder> <what it is, for messages> [-mod=readonly|-mod=mod]
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$1
CACHE=$2
WHAT=$3
MODFLAG=${4:--mod=readonly}
NAME=$(basename "$SRC")
key=$(cd "$SRC" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
OUT="$CACHE/$key"
BIN="$OUT/$NAME"
if [ ! -x "$BIN" ]; then
  command -v go >/dev/null || { echo "$NAME: the go command is not on PATH; install Go 1.26 (see README)." >&2; exit 1; }
  echo "Building $WHAT ($SRC) into $OUT ..." >&2
  start=$(date +%s)
  mkdir -p "$OUT"
  (cd "$SRC" && go build "$MODFLAG" -trimpath -ldflags="-s -w" -o "$OLDPWD/$BIN.tmp.$$" .)
  mv "$BIN.tmp.$$" "$BIN"
  find "$CACHE" -mindepth 1 -maxdepth 1 -type d ! -name "$key" -exec rm -rf {} +
  echo "Built $WHAT in $(( $(date +%s) - start ))s." >&2
fi
echo "$BIN"
