/*
Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Trimmed by FinLedger: only the template declarations of ESO v0.19.2's apis/externalsecrets/v1/externalsecret_types.go
// (lines 121-155, without TemplateFrom), copied unchanged; pkg/template/v2 needs nothing else from the API package.
// See tools/eso-render/NOTICE.md.

package v1

// +kubebuilder:validation:Enum=v2
type TemplateEngineVersion string

const (
	TemplateEngineV2 TemplateEngineVersion = "v2"
)

// +kubebuilder:validation:Enum=Values;KeysAndValues
type TemplateScope string

const (
	TemplateScopeValues        TemplateScope = "Values"
	TemplateScopeKeysAndValues TemplateScope = "KeysAndValues"
)

// +kubebuilder:validation:Enum=Data;Annotations;Labels
type TemplateTarget string

const (
	TemplateTargetData        TemplateTarget = "Data"
	TemplateTargetAnnotations TemplateTarget = "Annotations"
	TemplateTargetLabels      TemplateTarget = "Labels"
)
