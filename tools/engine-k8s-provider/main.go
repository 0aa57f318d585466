// Command pulumi-resource-kubernetes serves the Kubernetes provider of `npm run test:engine`: the library of
// github.com/pulumi/pulumi-kubernetes/provider/v4 (pinned in go.mod, from the Go module proxy), with the schema and
// Terraform mapping that module ships. Upstream's own main embeds generated copies of those two files, which its
// module does not carry, so this one reads them from the folder of the binary (tools/test-env/engine.sh puts them
// there). Version is set by the linker to the release the pinned commit is tagged with.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
)

// Version is the provider release this build reports, set with -ldflags "-X main.Version=...".
var Version = "0.0.0-dev"

func main() {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-kubernetes: cannot find its own path: %v\n", err)
		os.Exit(1)
	}
	dir := filepath.Dir(exe)
	schema, err := os.ReadFile(filepath.Join(dir, "schema.json"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-kubernetes: %v; run tools/test-env/engine.sh, which copies schema.json beside the binary.\n", err)
		os.Exit(1)
	}
	mapping, err := os.ReadFile(filepath.Join(dir, "terraform-mapping.json"))
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-resource-kubernetes: %v; run tools/test-env/engine.sh, which copies terraform-mapping.json beside the binary.\n", err)
		os.Exit(1)
	}
	provider.Serve("kubernetes", Version, schema, mapping)
}
