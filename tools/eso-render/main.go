// eso-render renders an ExternalSecret's target Secret data with External Secrets Operator's own template engine
// (third_party/external-secrets/pkg/template/v2, ESO v0.19.2's package, see NOTICE.md), after fetching the way ESO's
// controller and its AWS Secrets Manager provider do. It reads one JSON object on stdin:
//
//	{"dataFrom": [<remote value of each spec.dataFrom[].extract, in order>],
//	 "data": [{"secretKey": <spec.data[].secretKey>, "value": <remote value, whole>}],
//	 "template": {"data": {key: template}, "mergePolicy": "Replace"|"Merge"}}   // omit "template" for none
//
// and writes {"data": {key: value}} (the target Secret's data) as JSON on stdout. Errors go to stderr, exit 1.
package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"

	corev1 "k8s.io/api/core/v1"

	esv1 "github.com/external-secrets/external-secrets/apis/externalsecrets/v1"
	v2 "github.com/external-secrets/external-secrets/pkg/template/v2"
)

type dataEntry struct {
	SecretKey string `json:"secretKey"`
	Value     string `json:"value"`
}

type templateSpec struct {
	Data        map[string]string `json:"data"`
	MergePolicy string            `json:"mergePolicy"`
}

type input struct {
	DataFrom []string      `json:"dataFrom"`
	Data     []dataEntry   `json:"data"`
	Template *templateSpec `json:"template"`
}

// secretMap decodes a remote JSON object as ESO v0.19.2's AWS provider does for dataFrom.extract
// (pkg/provider/aws/secretsmanager/secretsmanager.go, GetSecretMap): a JSON string becomes its text, any other value
// keeps its raw JSON.
func secretMap(raw string, i int) (map[string][]byte, error) {
	kv := make(map[string]json.RawMessage)
	if err := json.Unmarshal([]byte(raw), &kv); err != nil {
		return nil, fmt.Errorf("error processing spec.dataFrom[%d].extract: unable to unmarshal secret: %w", i, err)
	}
	out := make(map[string][]byte)
	for k, v := range kv {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[k] = []byte(s)
		} else {
			out[k] = v
		}
	}
	return out, nil
}

func run(in input) (map[string]string, error) {
	// GetProviderSecretData: dataFrom first, merged in order, then each data entry by its secretKey.
	dataMap := make(map[string][]byte)
	for i, raw := range in.DataFrom {
		m, err := secretMap(raw, i)
		if err != nil {
			return nil, err
		}
		maps.Insert(dataMap, maps.All(m))
	}
	for _, d := range in.Data {
		dataMap[d.SecretKey] = []byte(d.Value)
	}
	// ApplyTemplate (creationPolicy Owner): a fresh Secret; without a template it holds the fetched data, with one it
	// holds the rendered keys, plus the fetched data under mergePolicy Merge or when the template has no data.
	secret := &corev1.Secret{Data: make(map[string][]byte)}
	if in.Template == nil {
		maps.Insert(secret.Data, maps.All(dataMap))
	} else {
		if in.Template.MergePolicy == "Merge" || len(in.Template.Data) == 0 {
			maps.Insert(secret.Data, maps.All(dataMap))
		}
		tpl := make(map[string][]byte, len(in.Template.Data))
		for k, v := range in.Template.Data {
			tpl[k] = []byte(v)
		}
		if err := v2.Execute(tpl, dataMap, esv1.TemplateScopeValues, esv1.TemplateTargetData, secret); err != nil {
			return nil, err
		}
	}
	out := make(map[string]string, len(secret.Data))
	for k, v := range secret.Data {
		out[k] = string(v)
	}
	return out, nil
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "eso-render: the input is not the expected JSON object:", err)
		os.Exit(2)
	}
	out, err := run(in)
	if err != nil {
		fmt.Fprintln(os.Stderr, "eso-render:", err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(map[string]any{"data": out}); err != nil {
		os.Exit(1)
	}
}
