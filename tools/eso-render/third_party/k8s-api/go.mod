// Stands in for k8s.io/api in this renderer only: ESO's template engine takes a *corev1.Secret and touches nothing
// but its labels, annotations and data, and the real package (with its generated protobuf code) would take most of
// the cold build time. See tools/eso-render/NOTICE.md.
module k8s.io/api

go 1.24
