//go:build tools

// Package enginecli pins the Pulumi CLI (pkg/v3's cmd/pulumi) that `npm run test:engine` builds from the Go module
// proxy; tools/test-env/engine.sh builds it with `go build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi`.
package enginecli

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
