#!/usr/bin/env bash
# Builds tools/eso-render (External Secrets Operator's own template engine v2, copied from the pinned ESO release with
# its license, see tools/eso-render/NOTICE.md; the other modules come from the Go module proxy, pinned by go.sum) once,
# into .cache/eso-template-engine/ (tools/test-env/go-tool.sh). Prints the binary's path on stdout.
exec bash "$(dirname "$0")/go-tool.sh" tools/eso-render .cache/eso-template-engine "ESO's template engine"
