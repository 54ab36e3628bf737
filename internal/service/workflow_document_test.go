package service

import (
	"strings"
	"testing"
)

func TestParsedWorkflow(t *testing.T) {
	t.Parallel()
	const steps = "steps:\n  - name: Launch\n    action: LaunchInstance\n"
	for _, tc := range []struct {
		name, doc, problem string
		params             int
	}{
		{"number schema", "schemaVersion: 1.0\n" + steps, "", 0},
		{"string schema", "schemaVersion: \"1.0\"\n" + steps, "", 0},
		{"missing schema", steps, "schemaVersion: required", 0},
		{"parameters", "schemaVersion: 1.0\nparameters:\n  - name: a\n    type: integer\n    default: 3\n" + steps, "", 1},
		{"duplicate parameter", "schemaVersion: 1.0\nparameters:\n  - {name: a, type: string}\n  - {name: a, type: string}\n" + steps, "declared twice", 0},
		{"duplicate step", "schemaVersion: 1.0\n" + steps + "  - name: Launch\n    action: TerminateInstance\n", "steps[1].name", 0},
		{"bad step name", "schemaVersion: 1.0\nsteps:\n  - name: 1x\n    action: LaunchInstance\n", "steps[0].name", 0},
		{"bad onFailure", "schemaVersion: 1.0\n" + steps + "    onFailure: Retry\n", "onFailure", 0},
		{"timeout", "schemaVersion: 1.0\n" + steps + "    timeoutSeconds: 50000\n", "timeoutSeconds", 0},
		{"output", "schemaVersion: 1.0\n" + steps + "outputs:\n  - name: x\n", "outputs[0]", 0},
		{"not a mapping", "- a\n- b\n", "not valid YAML", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			params, err := parsedWorkflow(tc.doc)
			if tc.problem == "" {
				if err != nil || len(params) != tc.params {
					t.Fatalf("params %+v, err %v", params, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.problem) {
				t.Fatalf("err = %v, want %q", err, tc.problem)
			}
		})
	}
}
