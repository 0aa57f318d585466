// Command rbac-check answers RBAC questions offline with Kubernetes' own code: whether the rules a group holds in a
// namespace cover a set of rules (k8s.io/component-helpers/auth/rbac/validation.Covers, the comparison kube-apiserver
// makes before it lets a subject without `escalate` create a Role or RoleBinding, and which for a one-verb rule is the
// authorisation decision itself), and the resource name and scope of built-in kinds (client-go's generated clients).
//
// It reads one JSON document on stdin:
//
//	{ "rbac":     [ ClusterRole | ClusterRoleBinding | Role | RoleBinding | any other object (ignored), ... ],
//	  "group":    "finledger-deployers",
//	  "requests": [ { "id": "...", "namespace": "" | "<ns>", "rules": [ PolicyRule, ... ] }, ... ],
//	  "kinds":    [ { "group": "apps", "kind": "Deployment" }, ... ] }
//
// and prints { "results": [ { "id", "covered", "uncovered": [PolicyRule] } ], "kinds": [ { "group", "kind",
// "resource", "namespaced": true | false | null } ] }. A request's namespace "" asks about cluster-wide rights only.
// The group's rules in a namespace are resolved as kube-apiserver's rule resolver does: the ClusterRoles its
// ClusterRoleBindings name, plus the Roles or ClusterRoles named by RoleBindings in that namespace.
// Scope is null for a kind client-go does not know (a custom resource): the caller decides those.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strings"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	clientscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/component-helpers/auth/rbac/validation"
)

type request struct {
	ID        string              `json:"id"`
	Namespace string              `json:"namespace"`
	Rules     []rbacv1.PolicyRule `json:"rules"`
}

type kindQuery struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
}

type input struct {
	RBAC     []json.RawMessage `json:"rbac"`
	Group    string            `json:"group"`
	Requests []request         `json:"requests"`
	Kinds    []kindQuery       `json:"kinds"`
}

type result struct {
	ID        string              `json:"id"`
	Covered   bool                `json:"covered"`
	Uncovered []rbacv1.PolicyRule `json:"uncovered"`
}

type kindAnswer struct {
	Group      string `json:"group"`
	Kind       string `json:"kind"`
	Resource   string `json:"resource"`
	Namespaced *bool  `json:"namespaced"`
}

type output struct {
	Results []result     `json:"results"`
	Kinds   []kindAnswer `json:"kinds"`
}

// objects holds the RBAC objects of the input by kind.
type objects struct {
	clusterRoles        map[string]rbacv1.ClusterRole
	roles               map[string]rbacv1.Role // key: namespace/name
	clusterRoleBindings []rbacv1.ClusterRoleBinding
	roleBindings        []rbacv1.RoleBinding
}

func decode(raw []json.RawMessage) (*objects, error) {
	o := &objects{clusterRoles: map[string]rbacv1.ClusterRole{}, roles: map[string]rbacv1.Role{}}
	for i, r := range raw {
		var head struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := json.Unmarshal(r, &head); err != nil {
			return nil, fmt.Errorf("rbac[%d]: %w", i, err)
		}
		if head.APIVersion != "rbac.authorization.k8s.io/v1" {
			continue
		}
		var err error
		switch head.Kind {
		case "ClusterRole":
			var x rbacv1.ClusterRole
			err = json.Unmarshal(r, &x)
			o.clusterRoles[x.Name] = x
		case "Role":
			var x rbacv1.Role
			err = json.Unmarshal(r, &x)
			o.roles[x.Namespace+"/"+x.Name] = x
		case "ClusterRoleBinding":
			var x rbacv1.ClusterRoleBinding
			err = json.Unmarshal(r, &x)
			o.clusterRoleBindings = append(o.clusterRoleBindings, x)
		case "RoleBinding":
			var x rbacv1.RoleBinding
			err = json.Unmarshal(r, &x)
			o.roleBindings = append(o.roleBindings, x)
		}
		if err != nil {
			return nil, fmt.Errorf("rbac[%d] (%s): %w", i, head.Kind, err)
		}
	}
	return o, nil
}

func hasGroup(subjects []rbacv1.Subject, group string) bool {
	for _, s := range subjects {
		if s.Kind == rbacv1.GroupKind && s.APIGroup == rbacv1.GroupName && s.Name == group {
			return true
		}
	}
	return false
}

// rulesFor resolves what the group holds in a namespace ("" for cluster-wide only), as the API server's resolver does.
func (o *objects) rulesFor(group, namespace string) ([]rbacv1.PolicyRule, error) {
	var rules []rbacv1.PolicyRule
	for _, b := range o.clusterRoleBindings {
		if !hasGroup(b.Subjects, group) {
			continue
		}
		if b.RoleRef.Kind != "ClusterRole" {
			return nil, fmt.Errorf("ClusterRoleBinding %s refers to a %s", b.Name, b.RoleRef.Kind)
		}
		cr, ok := o.clusterRoles[b.RoleRef.Name]
		if !ok {
			return nil, fmt.Errorf("ClusterRoleBinding %s refers to ClusterRole %s, which is not in the input", b.Name, b.RoleRef.Name)
		}
		rules = append(rules, cr.Rules...)
	}
	if namespace == "" {
		return rules, nil
	}
	for _, b := range o.roleBindings {
		if b.Namespace != namespace || !hasGroup(b.Subjects, group) {
			continue
		}
		switch b.RoleRef.Kind {
		case "ClusterRole":
			cr, ok := o.clusterRoles[b.RoleRef.Name]
			if !ok {
				return nil, fmt.Errorf("RoleBinding %s/%s refers to ClusterRole %s, which is not in the input", b.Namespace, b.Name, b.RoleRef.Name)
			}
			rules = append(rules, cr.Rules...)
		case "Role":
			r, ok := o.roles[namespace+"/"+b.RoleRef.Name]
			if !ok {
				return nil, fmt.Errorf("RoleBinding %s/%s refers to Role %s, which is not in the input", b.Namespace, b.Name, b.RoleRef.Name)
			}
			rules = append(rules, r.Rules...)
		}
	}
	return rules, nil
}

// builtinKinds maps each kind client-go has a typed client for to its resource and scope: a typed client's
// constructor takes a namespace exactly when the kind is namespaced (client-gen's +genclient:nonNamespaced).
func builtinKinds() (map[schema.GroupKind]kindAnswer, error) {
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: "http://127.0.0.1:1"})
	if err != nil {
		return nil, err
	}
	out := map[schema.GroupKind]kindAnswer{}
	v := reflect.ValueOf(cs)
	for i := 0; i < v.NumMethod(); i++ {
		m := v.Type().Method(i)
		if m.Type.NumIn() != 1 || m.Type.NumOut() != 1 || m.Name == "Discovery" {
			continue
		}
		groupClient := v.Method(i).Call(nil)[0]
		for j := 0; j < groupClient.NumMethod(); j++ {
			gm := groupClient.Type().Method(j)
			var typed reflect.Value
			namespaced := false
			switch {
			case gm.Type.NumIn() == 0 && gm.Type.NumOut() == 1 && gm.Name != "RESTClient":
				typed = groupClient.Method(j).Call(nil)[0]
			case gm.Type.NumIn() == 1 && gm.Type.In(0) == reflect.TypeOf("") && gm.Type.NumOut() == 1:
				typed = groupClient.Method(j).Call([]reflect.Value{reflect.ValueOf("x")})[0]
				namespaced = true
			default:
				continue
			}
			get := typed.MethodByName("Get")
			if !get.IsValid() || get.Type().NumOut() != 2 || get.Type().Out(0).Kind() != reflect.Pointer {
				continue
			}
			obj, ok := reflect.New(get.Type().Out(0).Elem()).Interface().(runtime.Object)
			if !ok {
				continue
			}
			gvks, _, err := clientscheme.Scheme.ObjectKinds(obj)
			if err != nil || len(gvks) == 0 {
				continue
			}
			ns := namespaced
			gk := gvks[0].GroupKind()
			out[gk] = kindAnswer{Group: gk.Group, Kind: gk.Kind, Resource: strings.ToLower(gm.Name), Namespaced: &ns}
		}
	}
	return out, nil
}

func run(in io.Reader, w io.Writer) error {
	var req input
	if err := json.NewDecoder(in).Decode(&req); err != nil {
		return fmt.Errorf("reading the request: %w", err)
	}
	objs, err := decode(req.RBAC)
	if err != nil {
		return err
	}
	out := output{Results: []result{}, Kinds: []kindAnswer{}}
	for _, r := range req.Requests {
		owner, err := objs.rulesFor(req.Group, r.Namespace)
		if err != nil {
			return err
		}
		covered, missing := validation.Covers(owner, r.Rules)
		if missing == nil {
			missing = []rbacv1.PolicyRule{}
		}
		sort.SliceStable(missing, func(a, b int) bool { return missing[a].String() < missing[b].String() })
		out.Results = append(out.Results, result{ID: r.ID, Covered: covered, Uncovered: missing})
	}
	if len(req.Kinds) > 0 {
		known, err := builtinKinds()
		if err != nil {
			return err
		}
		for _, k := range req.Kinds {
			gk := schema.GroupKind{Group: k.Group, Kind: k.Kind}
			if a, ok := known[gk]; ok {
				out.Kinds = append(out.Kinds, a)
				continue
			}
			// A custom resource: its plural by Kubernetes' own guess (what the CRD's plural conventionally is).
			plural, _ := meta.UnsafeGuessKindToResource(gk.WithVersion("v1"))
			out.Kinds = append(out.Kinds, kindAnswer{Group: k.Group, Kind: k.Kind, Resource: plural.Resource})
		}
	}
	return json.NewEncoder(w).Encode(out)
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rbac-check:", err)
		os.Exit(1)
	}
}
