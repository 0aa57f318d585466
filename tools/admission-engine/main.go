// Command admission-engine runs Kubernetes' own ValidatingAdmissionPolicy admission plugin
// (k8s.io/apiserver/pkg/admission/plugin/policy/validating, the code kube-apiserver runs) offline.
//
// It reads one JSON document on stdin:
//
//	{ "objects":  [ Namespace | ValidatingAdmissionPolicy | ValidatingAdmissionPolicyBinding, ... ],
//	  "requests": [ { "operation": "CREATE" | "UPDATE", "object": Pod, "oldObject": Pod?,
//	                  "subResource": "" | "ephemeralcontainers",
//	                  "user": { "username": "...", "groups": [...] }? }, ... ] }
//
// and prints one JSON document on stdout: { "results": [ { "allowed": bool, "message": "..." }, ... ] },
// one result per request in order. The policies and namespaces are served to the plugin by an in-memory
// client (client-go's fake clientset), so matching (matchConstraints, namespaceSelector), CEL compilation,
// evaluation, messageExpression and validationActions are all the upstream implementation's.
package main

import (
	"context"
	"flag"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/initializer"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	"k8s.io/apiserver/pkg/util/compatibility"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes/fake"
	clientscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/component-base/featuregate"
	"k8s.io/klog/v2"
)

type requestUser struct {
	Username string   `json:"username"`
	Groups   []string `json:"groups"`
}

type request struct {
	Operation string          `json:"operation"`
	Object    json.RawMessage `json:"object"`
	OldObject json.RawMessage `json:"oldObject"`
	// SubResource is empty for the pod itself, or "ephemeralcontainers" (kubectl debug).
	SubResource string       `json:"subResource"`
	User        *requestUser `json:"user"`
}

type input struct {
	Objects  []json.RawMessage `json:"objects"`
	Requests []request         `json:"requests"`
}

type result struct {
	Allowed bool   `json:"allowed"`
	Message string `json:"message,omitempty"`
}

func main() {
	// ADMISSION_ENGINE_VERBOSITY=2 shows the plugin's own logs, such as a messageExpression that failed to evaluate.
	if v := os.Getenv("ADMISSION_ENGINE_VERBOSITY"); v != "" {
		klog.InitFlags(nil)
		_ = flag.Set("v", v)
	}
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "admission-engine: %v\n", err)
		os.Exit(2)
	}
}

func run(in io.Reader, out io.Writer) error {
	var doc input
	dec := json.NewDecoder(in)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("stdin is not the expected JSON document {objects, requests}: %w", err)
	}
	decoder := serializer.NewCodecFactory(clientscheme.Scheme).UniversalDeserializer()

	var objects []runtime.Object
	for i, raw := range doc.Objects {
		obj, _, err := decoder.Decode(raw, nil, nil)
		if err != nil {
			return fmt.Errorf("objects[%d] cannot be decoded (give apiVersion and kind): %w", i, err)
		}
		switch obj.(type) {
		case *corev1.Namespace, *admissionregistrationv1.ValidatingAdmissionPolicy, *admissionregistrationv1.ValidatingAdmissionPolicyBinding:
			objects = append(objects, obj)
		default:
			return fmt.Errorf("objects[%d] is a %T; only Namespace, ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding are served", i, obj)
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plugin, err := startPlugin(ctx, objects)
	if err != nil {
		return err
	}

	results := make([]result, 0, len(doc.Requests))
	for i, req := range doc.Requests {
		attrs, err := attributesOf(decoder, req)
		if err != nil {
			return fmt.Errorf("requests[%d]: %w", i, err)
		}
		verr := plugin.Validate(ctx, attrs, admission.NewObjectInterfacesFromScheme(clientscheme.Scheme))
		if verr != nil {
			results = append(results, result{Allowed: false, Message: verr.Error()})
		} else {
			results = append(results, result{Allowed: true})
		}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"results": results})
}

// startPlugin builds the upstream plugin exactly as kube-apiserver's admission initializer does, but with
// client-go's in-memory clientset holding the given objects, and waits until its informers have synced.
func startPlugin(ctx context.Context, objects []runtime.Object) (*validating.Plugin, error) {
	client := fake.NewSimpleClientset(objects...)
	factory := informers.NewSharedInformerFactory(client, 0)
	dynamicClient := dynamicfake.NewSimpleDynamicClient(runtime.NewScheme())
	restMapper := meta.NewDefaultRESTMapper(nil)
	restMapper.Add(corev1.SchemeGroupVersion.WithKind("Pod"), meta.RESTScopeNamespace)

	plugin, err := validating.NewPlugin(nil)
	if err != nil {
		return nil, err
	}
	initializer.New(client, dynamicClient, factory, authorizerfactory.NewAlwaysDenyAuthorizer(),
		featuregate.NewFeatureGate(), compatibility.DefaultBuildEffectiveVersion(), ctx.Done(), restMapper,
	).Initialize(plugin)
	plugin.SetRESTMapper(restMapper)
	if err := plugin.ValidateInitialization(); err != nil {
		return nil, fmt.Errorf("the ValidatingAdmissionPolicy plugin did not initialise: %w", err)
	}
	factory.Start(ctx.Done())
	for typ, ok := range factory.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return nil, fmt.Errorf("informer for %v did not sync", typ)
		}
	}
	// The policy source compiles policies asynchronously; the plugin reports ready once it has.
	deadline := time.Now().Add(30 * time.Second)
	for !plugin.WaitForReady() {
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("the ValidatingAdmissionPolicy plugin was not ready after 30s")
		}
	}
	return plugin, nil
}

func attributesOf(decoder runtime.Decoder, req request) (admission.Attributes, error) {
	op := admission.Operation(req.Operation)
	if op != admission.Create && op != admission.Update {
		return nil, fmt.Errorf("operation %q is not supported; use CREATE or UPDATE", req.Operation)
	}
	obj, gvk, err := decoder.Decode(req.Object, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("object cannot be decoded (give apiVersion and kind): %w", err)
	}
	var old runtime.Object
	if len(req.OldObject) > 0 && string(req.OldObject) != "null" {
		if old, _, err = decoder.Decode(req.OldObject, nil, nil); err != nil {
			return nil, fmt.Errorf("oldObject cannot be decoded: %w", err)
		}
	}
	if op == admission.Update && old == nil {
		return nil, fmt.Errorf("an UPDATE needs oldObject")
	}
	accessor, err := meta.Accessor(obj)
	if err != nil {
		return nil, err
	}
	mapping, err := restMappingOf(gvk.GroupKind().WithVersion(gvk.Version))
	if err != nil {
		return nil, err
	}
	var info user.Info = &user.DefaultInfo{Name: "system:serviceaccount:kube-system:replicaset-controller"}
	if req.User != nil {
		info = &user.DefaultInfo{Name: req.User.Username, Groups: req.User.Groups}
	}
	if req.SubResource != "" && req.SubResource != "ephemeralcontainers" {
		return nil, fmt.Errorf("subResource %q is not supported; use \"\" or \"ephemeralcontainers\"", req.SubResource)
	}
	var options runtime.Object = &metav1.CreateOptions{}
	if op == admission.Update {
		options = &metav1.UpdateOptions{}
	}
	return admission.NewAttributesRecord(obj, old, *gvk, accessor.GetNamespace(), accessor.GetName(),
		mapping, req.SubResource, op, options, false, info), nil
}

// restMappingOf names the resource of a request's kind; the engine is used for pods only.
func restMappingOf(gvk schema.GroupVersionKind) (schema.GroupVersionResource, error) {
	if gvk == corev1.SchemeGroupVersion.WithKind("Pod") {
		return corev1.SchemeGroupVersion.WithResource("pods"), nil
	}
	return schema.GroupVersionResource{}, fmt.Errorf("requests for %v are not supported; send v1 Pods", gvk)
}
