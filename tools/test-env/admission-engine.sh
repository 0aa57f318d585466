#!/usr/bin/env bash
# Builds tools/admission-engine (Kubernetes' own ValidatingAdmissionPolicy plugin, run offline) once, from the Go
# module proxy, pinned by its go.sum, into .test-runtime/admission-engine/ (tools/test-env/go-tool.sh). Prints the
# binary's path on stdout.
exec bash "$(dirname "$0")/go-tool.sh" tools/admission-engine .test-runtime/admission-engine "the admission engine (k8s.io/apiserver ValidatingAdmissionPolicy plugin)" -mod=mod
