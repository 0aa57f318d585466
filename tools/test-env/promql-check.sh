#!/usr/bin/env bash
# Builds tools/promql-check (Prometheus' own rule-file validation and PromQL engine, pinned by its go.sum) from the Go
# module proxy, once, into .test-runtime/promql-check/ (tools/test-env/go-tool.sh). Prints the binary's path on stdout.
exec bash "$(dirname "$0")/go-tool.sh" tools/promql-check .test-runtime/promql-check "promql-check (Prometheus rulefmt + PromQL engine)"
