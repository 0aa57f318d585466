#!/usr/bin/env bash
# The real Pulumi engine for `npm run test:engine` (not part of `npm test`): pinned, idempotent (a stamp per step: the
# binary itself, under a folder named by the hash of what built it) and cached under .test-runtime/engine/.
#   - cli/<key>/pulumi: the Pulumi CLI, github.com/pulumi/pulumi/pkg/v3's cmd/pulumi, built from the Go module proxy
#     with the versions pinned in tools/engine-cli/go.mod and go.sum (v3.274.1: the proxy does not serve pkg/v3 at
#     v3.270.0, the version of the pack's @pulumi/pulumi).
#   - kubernetes/<key>/pulumi-resource-kubernetes: the Kubernetes provider library pinned in
#     tools/engine-k8s-provider/go.mod (v4.25.0), served by tools/engine-k8s-provider/main.go, with the schema and
#     Terraform mapping copied beside it from the same module.
#   - language-host/pulumi-language-nodejs: the Node.js language host. The Go module proxy refuses its module
#     (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), so this script cannot build it; a developer
#     who has one of a nearby release puts it there (or names it in PULUMI_LANGUAGE_NODEJS). Without it nothing is
#     built (the engine could run neither program nor pack) and the engine test skips and says so.
#   - bin/: links to the three, the folder the engine test puts first on PATH.
# Prints each step's cold time; a warm run prints nothing but the summary line. Exits 1 only when a build fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=.test-runtime/engine
BIN="$ROOT/bin"
mkdir -p "$BIN"

# Without a language host the engine cannot run the program or the pack, so nothing is built (the cold builds take
# tens of minutes).
host=${PULUMI_LANGUAGE_NODEJS:-$ROOT/language-host/pulumi-language-nodejs}
if [ ! -x "$host" ]; then
  rm -f "$BIN/pulumi-language-nodejs"
  echo "engine: no Node.js language host at $host (the Go module proxy does not serve its module, so it is not built here); nothing built, and the engine test will skip." >&2
  exit 0
fi
ln -sfn "$(readlink -f "$host")" "$BIN/pulumi-language-nodejs"

if ! command -v go >/dev/null; then
  echo "engine: the go command is not on PATH, so the Pulumi CLI and the Kubernetes provider cannot be built; the engine test will skip." >&2
  exit 0
fi

# Hash of every file of a folder, so a changed pin rebuilds.
folder_key() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16); }

# build <source folder> <cache folder> <binary name> <package> <ldflags> <what>
build() {
  local src=$1 cache=$2 name=$3 pkg=$4 ldflags=$5 what=$6
  local out="$cache/$(folder_key "$src")"
  if [ ! -x "$out/$name" ]; then
    echo "engine: building $what into $out (cold: several minutes on 2 cores) ..." >&2
    local start; start=$(date +%s)
    mkdir -p "$out"
    (cd "$src" && go build -mod=readonly -trimpath -ldflags="-s -w $ldflags" -o "$OLDPWD/$out/$name.tmp.$$" "$pkg")
    mv "$out/$name.tmp.$$" "$out/$name"
    find "$cache" -mindepth 1 -maxdepth 1 -type d ! -name "$(basename "$out")" -exec rm -rf {} +
    echo "engine: built $what in $(( $(date +%s) - start ))s." >&2
  fi
  ln -sfn "$PWD/$out/$name" "$BIN/$name"
}

cli_version=$(cd tools/engine-cli && go list -mod=readonly -m -f '{{.Version}}' github.com/pulumi/pulumi/pkg/v3)
build tools/engine-cli "$ROOT/cli" pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$cli_version" "the Pulumi CLI $cli_version"

# The pinned commit is the one pulumi-kubernetes tagged v4.25.0 (tools/engine-k8s-provider/go.mod says so).
k8s_version=4.25.0
build tools/engine-k8s-provider "$ROOT/kubernetes" pulumi-resource-kubernetes . "-X main.Version=$k8s_version" \
  "the Kubernetes provider v$k8s_version"
k8s_module=$(cd tools/engine-k8s-provider && go list -mod=readonly -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)
k8s_bin_dir=$(dirname "$(readlink -f "$BIN/pulumi-resource-kubernetes")")
for f in schema.json terraform-mapping.json; do
  [ -f "$k8s_bin_dir/$f" ] || install -m 0644 "$k8s_module/cmd/pulumi-resource-kubernetes/$f" "$k8s_bin_dir/$f"
done

echo "engine: $(ls "$BIN" | tr '\n' ' ')in $BIN" >&2
