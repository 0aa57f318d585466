// eso-render renders ExternalSecret templates (engine v2) the way External Secrets Operator does: Go text/template
// with Sprig's text function map minus env and expandenv, and missingkey=error. It reads a JSON object
// {"templates": {key: template}, "data": {key: value}} on stdin and writes {key: rendered} as JSON on stdout.
// ESO-only functions (pkcs12, jwk, filterPEM) are absent: the platform's templates do not use them.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

type input struct {
	Templates map[string]string `json:"templates"`
	Data      map[string]string `json:"data"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "eso-render: bad input:", err)
		os.Exit(2)
	}
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	out := map[string]string{}
	for key, text := range in.Templates {
		t, err := template.New(key).Option("missingkey=error").Funcs(funcs).Parse(text)
		if err != nil {
			fmt.Fprintf(os.Stderr, "eso-render: template %s does not parse: %v\n", key, err)
			os.Exit(1)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, in.Data); err != nil {
			fmt.Fprintf(os.Stderr, "eso-render: template %s fails: %v\n", key, err)
			os.Exit(1)
		}
		out[key] = buf.String()
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(1)
	}
}
