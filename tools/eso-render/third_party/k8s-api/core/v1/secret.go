// Package v1 declares the part of k8s.io/api/core/v1's Secret that ESO's template engine uses: the object's labels and
// annotations (promoted from ObjectMeta, as in the real type) and its data.
package v1

// ObjectMeta holds the metadata fields the template engine writes.
type ObjectMeta struct {
	Labels      map[string]string
	Annotations map[string]string
}

// Secret holds the fields the template engine writes; the renderer prints Data.
type Secret struct {
	ObjectMeta
	Data map[string][]byte
}
