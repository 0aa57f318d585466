#!/usr/bin/env bash
# Builds tools/rbac-check (Kubernetes' own RBAC comparison, k8s.io/component-helpers/auth/rbac/validation.Covers, and
# client-go's kind scopes, run offline) once, from the Go module proxy, pinned by its go.sum, into
# .test-runtime/rbac-check/ (tools/test-env/go-tool.sh). Prints the binary's path on stdout.
exec bash "$(dirname "$0")/go-tool.sh" tools/rbac-check .test-runtime/rbac-check "the RBAC checker (k8s.io/component-helpers rbac validation)"
