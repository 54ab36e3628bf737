package component_test

import (
	"os"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/toe/action"
)

// TestTyposAllReported checks that one validation reports every problem in
// a document, each with file, line, column and path.
func TestTyposAllReported(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/typos.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = component.Load("typos.yaml", data, action.Set{})
	if err == nil {
		t.Fatal("no problems reported")
	}
	got := err.Error()
	want := []string{
		`typos.yaml:3:1: paramters: unknown key "paramters" (did you mean "parameters"?)`,
		`typos.yaml:6:5: parameters[0].ab: name "ab" must be 3 to 128 letters`,
		`typos.yaml:7:13: parameters[0].ab.type: the only type is string, got "int"`,
		`typos.yaml:15:15: phases[0].steps[1].name: step name "bad name!" must be`,
		`typos.yaml:17:20: phases[0].steps[1].onFailure: must be Abort, Continue or Ignore, got "Stop"`,
		`typos.yaml:18:25: phases[0].steps[1].timeoutSeconds: must be a positive number of seconds, or -1`,
		`typos.yaml:19:22: phases[0].steps[1].maxAttempts: must be an integer of at least 1`,
		`typos.yaml:21:28: phases[0].steps[1].inputs.commands[0]: {{ build.Later.outputs.stdout }}: step build.Later runs after this one`,
		`phases[0].steps[2].loop.for: from 1 to 10 by -1 never reaches the end`,
		`phases[0].steps[2].if.and[0].stringEqual: unknown operator "stringEqual" (did you mean "stringEquals"?)`,
		`phases[0].steps[2].inputs.commands[0]: {{ build.Good.outputs.stdot }}: ExecuteBash steps output [stdout], not "stdot"`,
		`phases[0].steps[3].name: step name "Later" is used twice in this phase`,
		`phases[0].steps[3].inputs: CreateFile takes a list of items`,
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("missing problem %q", w)
		}
	}
	if strings.Contains(got, "Missing") {
		t.Errorf("{{ Missing }} is near no parameter, so it is text, but it was reported")
	}
	if t.Failed() {
		t.Logf("all problems:\n%s", got)
	}
}

func TestParseTable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string // want "" means valid
	}{
		{"minimal", "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: A\n        action: ExecuteBash\n        inputs: {commands: [echo]}\n", ""},
		{"schema as int", "schemaVersion: 1\nphases: [{name: test, steps: [{name: A, action: ExecuteBash, inputs: {commands: [echo]}}]}]\n", ""},
		{"schema 2", "schemaVersion: 2.0\nphases: [{name: test, steps: [{name: A, action: ExecuteBash, inputs: {commands: [echo]}}]}]\n", "schemaVersion: must be 1.0"},
		{"no schema", "phases: [{name: test, steps: [{name: A, action: ExecuteBash, inputs: {commands: [echo]}}]}]\n", "schemaVersion: required"},
		{"no family phase", "schemaVersion: 1.0\nphases: [{name: other, steps: [{name: A, action: ExecuteBash, inputs: {commands: [echo]}}]}]\n", "at least one of the phases build, validate or test"},
		{"duplicate phase", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: [echo]}}]}, {name: build, steps: [{name: B, action: ExecuteBash, inputs: {commands: [echo]}}]}]\n", `phase "build" appears twice`},
		{"yaml error", "schemaVersion: 1.0\nphases: [\n", "YAML syntax"},
		{"not a map", "- a\n- b\n", "must be a YAML map"},
		{"two docs", "schemaVersion: 1.0\n---\nschemaVersion: 1.0\n", "more than one YAML document"},
		{"unknown action", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: executebash, inputs: {commands: [echo]}}]}]\n", `case-sensitive: "ExecuteBash"`},
		{"missing commands", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {}}]}]\n", "phases[0].steps[0].inputs.commands: required"},
		{"wrong type", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: echo}}]}]\n", "inputs.commands: must be a list of strings"},
		{"nesting limit", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, if: {not: {not: {not: {not: {not: {stringIsEmpty: ''}}}}}}, inputs: {commands: [echo]}}]}]\n", "nest more than 4 levels"},
		{"nesting ok", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, if: {not: {not: {not: {not: {stringIsEmpty: ''}}}}}, inputs: {commands: [echo]}}]}]\n", ""},
		{"then else", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, if: {stringEquals: a, value: b, then: Skip, else: Abort}, inputs: {commands: [echo]}}]}]\n", ""},
		{"bad then", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, if: {stringEquals: a, value: b, then: Run}, inputs: {commands: [echo]}}]}]\n", "if.then: must be Execute, Skip or Abort"},
		{"missing value", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, if: {stringEquals: a}, inputs: {commands: [echo]}}]}]\n", "stringEquals needs `value`"},
		{"bad delimiter", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, loop: {forEach: {list: 'a|b', delimiter: '|'}}, inputs: {commands: [echo]}}]}]\n", "loop.forEach.delimiter: must be exactly one of"},
		{"update by zero", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, loop: {for: {start: 1, end: 3, updateBy: 0}}, inputs: {commands: [echo]}}]}]\n", "updateBy: must not be 0"},
		{"loop dup names", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, loop: {name: l, forEach: [a]}, inputs: {commands: [echo]}}, {name: B, action: ExecuteBash, loop: {name: l, forEach: [a]}, inputs: {commands: [echo]}}]}]\n", `loop name "l" is used twice`},
		{"wrong loop name", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, loop: {name: l, forEach: [a]}, inputs: {commands: ['{{ m.value }}']}}]}]\n", `refers to loop "m"`},
		{"unclosed braces are text", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: ['{{ x', 'echo }}', '${A:+${A}}']}}]}]\n", ""},
		{"unknown action at its field", "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: A\n        action: ExecuteBsh\n", `t.yaml:6:17: phases[0].steps[0].action: unknown action "ExecuteBsh" (did you mean "ExecuteBash"?)`},
		{"duplicate step at its name", "schemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - {name: A, action: ExecuteBash, inputs: {commands: [a]}}\n      - action: ExecuteBash\n        name: A\n        inputs: {commands: [a]}\n", `t.yaml:7:15: phases[0].steps[1].name: step name "A" is used twice`},
		{"allowedValues not a list", "schemaVersion: 1.0\nparameters: [{Ch: {type: string, allowedValues: stable}}]\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: [a]}}]}]\n", "parameters[0].Ch.allowedValues: must be a non-empty list of strings"},
		{"allowedValues default as written", "schemaVersion: 1.0\nparameters: [{Mode: {type: string, default: 0755, allowedValues: ['0755', '0700']}}]\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: [a]}}]}]\n", ""},
		{"allowedValues octal default refused as written", "schemaVersion: 1.0\nparameters: [{Mode: {type: string, default: 0755, allowedValues: ['493']}}]\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: [a]}}]}]\n", `default "0755" is not one of the allowedValues: "493"`},
		{"unquoted 0700 permissions", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: SetFilePermissions, inputs: [{path: /tmp/x, permissions: 0700}]}]}]\n", ""},
		{"bad octal quoted as written", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: SetFilePermissions, inputs: [{path: /tmp/x, permissions: 0o644}]}]}]\n", `got "0o644"`},
		{"integer field in hex", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, timeoutSeconds: 0x10, inputs: {commands: [a]}}]}]\n", ""},
		{"misspelt section is text", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: ['{{ build.A.output.stdout }}']}}]}]\n", ""},
		{"reference to a missing phase", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: ['{{ biuld.A.outputs.stdout }}']}}]}]\n", `this document has no phase "biuld" (did you mean "build"?)`},
		{"bad regex", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: Assert, inputs: {patternMatches: '(', value: x}}]}]\n", "not a valid regular expression"},
		{"windows module valid anywhere", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: SetRegistry, inputs: [{path: 'HKLM:\\x', name: a, value: b, type: SZ}]}]}]\n", ""},
		{"windows module inputs checked", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: InstallMSI, inputs: {path: x.msi, logFil: x.log}}]}]\n", `unknown input "logFil" (did you mean "logFile"?)`},
		{"unknown single names are text", "schemaVersion: 1.0\nparameters: [{Channel: {type: string, default: a}}]\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: ['{{ item }} {{ inventory_hostname }} {{ Chan }}']}}]}]\n", ""},
		{"near miss by case", "schemaVersion: 1.0\nparameters: [{Channel: {type: string, default: a}}]\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: ['{{ CHANNEL }}']}}]}]\n", "{{ CHANNEL }} is not a parameter or constant of this document; did you mean {{ Channel }}?"},
		{"near miss two edits from a long name", "schemaVersion: 1.0\nparameters: [{Channel: {type: string, default: a}}]\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: ['{{ chanl }}']}}]}]\n", "did you mean {{ Channel }}?"},
		{"near miss one edit from a short name", "schemaVersion: 1.0\nconstants: [{Tag: {type: string, value: a}}]\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: ['{{ Tags }}']}}]}]\n", "did you mean {{ Tag }}?"},
		{"two edits from a short name is text", "schemaVersion: 1.0\nconstants: [{Tag: {type: string, value: a}}]\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: ['{{ Tagss }}']}}]}]\n", ""},
		{"loop name as a single name", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, loop: {name: pkgs, forEach: [a]}, inputs: {commands: ['{{ pkg }}']}}]}]\n", "{{ pkg }} is not a parameter or constant of this document; did you mean {{ pkgs.value }}?"},
		{"loop name out of scope is text", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, loop: {name: pkgs, forEach: [a]}, inputs: {commands: [a]}}, {name: B, action: ExecuteBash, inputs: {commands: ['{{ pkgs }}']}}]}]\n", ""},
		{"required param ok", "schemaVersion: 1.0\nparameters: [{Need: {type: string}}]\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: ['{{ Need }}']}}]}]\n", ""},
		{"constant without value", "schemaVersion: 1.0\nconstants: [{Konst: {type: string}}]\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: [echo]}}]}]\n", "constants[0].Konst.value: required"},
		{"param and constant clash", "schemaVersion: 1.0\nparameters: [{Same: {type: string, default: a}}]\nconstants: [{Same: {type: string, value: b}}]\nphases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: [echo]}}]}]\n", `name "Same" is used twice`},
		{"execdoc timeout", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: ExecuteDocument, timeoutSeconds: 10, inputs: {document: x.yaml}}]}]\n", "ExecuteDocument steps have no timeout"},
		{"inputs ref bad key", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: CreateFile, inputs: [{path: /tmp/x}]}, {name: B, action: ExecuteBash, inputs: {commands: ['{{ build.A.inputs[0].pth }}']}}]}]\n", `have no "pth" (did you mean "path"?)`},
		{"inputs ref bad index", "schemaVersion: 1.0\nphases: [{name: build, steps: [{name: A, action: CreateFile, inputs: [{path: /tmp/x}]}, {name: B, action: ExecuteBash, inputs: {commands: ['{{ build.A.inputs[3].path }}']}}]}]\n", "index 3 is out of range"},
		{"alias bomb", "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n", "too large after expanding aliases"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := component.Load("t.yaml", []byte(tt.doc), action.Set{})
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("want valid, got:\n%v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("want a problem containing %q, got none", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("want a problem containing %q, got:\n%v", tt.want, err)
			}
		})
	}
}
