package service

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
)

// workflowActions are the step actions of Image Builder workflow documents.
var workflowActions = []string{
	"ApplyImageConfigurations", "BootstrapInstanceForContainer", "CollectImageMetadata", "CollectImageScanFindings",
	"CreateImage", "DistributeImage", "ExecuteComponents", "ExecuteStateMachine", "LaunchInstance",
	"ModifyImageAttributes", "RegisterImage", "RunCommand", "RunSysPrep", "SanitizeInstance", "TerminateInstance",
	"WaitForAction", "WaitForSSMAgent",
}

var workflowParamTypes = []string{"string", "integer", "boolean", "stringList"}

var stepNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-_]{1,99}$`)

// MaxWorkflowStepTimeout is the longest step timeout, in seconds.
const MaxWorkflowStepTimeout = 43200

// workflowDocument is the structure of a workflow document the service checks.
type workflowDocument struct {
	Name          string `yaml:"name"`
	Description   string `yaml:"description"`
	SchemaVersion any    `yaml:"schemaVersion"`
	Parameters    []struct {
		Name        string `yaml:"name"`
		Type        string `yaml:"type"`
		Default     any    `yaml:"default"`
		Description string `yaml:"description"`
	} `yaml:"parameters"`
	Steps []struct {
		Name           string         `yaml:"name"`
		Action         string         `yaml:"action"`
		Description    string         `yaml:"description"`
		OnFailure      string         `yaml:"onFailure"`
		TimeoutSeconds *int           `yaml:"timeoutSeconds"`
		Inputs         map[string]any `yaml:"inputs"`
		If             map[string]any `yaml:"if"`
	} `yaml:"steps"`
	Outputs []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"outputs"`
}

// parsedWorkflow checks a workflow document's structure (YAML, schema
// version, parameters, steps, outputs) and returns the parameters it
// declares. Problems are reported with their path, e.g. steps[1].action.
func parsedWorkflow(data string) ([]WorkflowParameterDetail, error) {
	if strings.ContainsRune(data, 0) {
		return nil, apierr.InvalidParameterValue("The value supplied for parameter 'data' is not valid. It must not contain NUL characters.")
	}
	var doc workflowDocument
	if err := yaml.Unmarshal([]byte(data), &doc); err != nil {
		return nil, apierr.InvalidParameterValue("The workflow document in 'data' is not valid YAML: %s", yaml.FormatError(err, false, true)).WithCause(err)
	}
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, fmt.Sprintf(format, args...)) }
	switch v := doc.SchemaVersion; v {
	case 1.0, uint64(1), "1.0", "1":
	case nil:
		bad("schemaVersion: required (1.0)")
	default:
		bad("schemaVersion: %v is not supported; use 1.0", v)
	}
	var params []WorkflowParameterDetail
	for i, p := range doc.Parameters {
		switch {
		case p.Name == "":
			bad("parameters[%d].name: required", i)
		case slices.ContainsFunc(params, func(d WorkflowParameterDetail) bool { return d.Name == p.Name }):
			bad("parameters[%d].name: %q is declared twice", i, p.Name)
		}
		if !slices.Contains(workflowParamTypes, p.Type) {
			bad("parameters[%d].type: %q must be one of %s", i, p.Type, strings.Join(workflowParamTypes, ", "))
		}
		d := WorkflowParameterDetail{Name: p.Name, Type: p.Type, Description: p.Description}
		switch dv := p.Default.(type) {
		case nil:
		case []any:
			for _, e := range dv {
				d.DefaultValue = append(d.DefaultValue, fmt.Sprint(e))
			}
		default:
			d.DefaultValue = []string{fmt.Sprint(dv)}
		}
		params = append(params, d)
	}
	if len(doc.Steps) == 0 {
		bad("steps: at least one step is required")
	}
	var names []string
	for i, st := range doc.Steps {
		switch {
		case !stepNameRE.MatchString(st.Name):
			bad("steps[%d].name: %q must match %s", i, st.Name, stepNameRE)
		case slices.Contains(names, st.Name):
			bad("steps[%d].name: %q is used by another step", i, st.Name)
		}
		names = append(names, st.Name)
		if !slices.Contains(workflowActions, st.Action) {
			bad("steps[%d].action: %q is not a workflow action; use one of %s", i, st.Action, strings.Join(workflowActions, ", "))
		}
		if st.OnFailure != "" && st.OnFailure != "Abort" && st.OnFailure != "Continue" {
			bad("steps[%d].onFailure: %q must be Abort or Continue", i, st.OnFailure)
		}
		if t := st.TimeoutSeconds; t != nil && (*t < 0 || *t > MaxWorkflowStepTimeout) {
			bad("steps[%d].timeoutSeconds: %d must be between 0 and %d", i, *t, MaxWorkflowStepTimeout)
		}
		if len(st.Description) > 500 {
			bad("steps[%d].description: at most 500 characters", i)
		}
	}
	for i, o := range doc.Outputs {
		if o.Name == "" || o.Value == "" {
			bad("outputs[%d]: name and value are required", i)
		}
	}
	if len(probs) > 0 {
		return nil, apierr.InvalidParameterValue("The workflow document in 'data' is not valid: %s", strings.Join(probs, "; "))
	}
	return params, nil
}
