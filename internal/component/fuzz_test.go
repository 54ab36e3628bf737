package component

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the parser and validator: no input,
// however malformed, may panic.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.yaml")
	for _, s := range seeds {
		b, _ := os.ReadFile(s)
		f.Add(b)
	}
	f.Add([]byte("schemaVersion: 1.0\nphases: [{name: build, steps: [{name: a, action: ExecuteBash, inputs: {commands: [x]}}]}]"))
	f.Add([]byte("a: &x [*x]"))
	f.Add([]byte("phases:\n  - name: build\n    steps:\n      - name: s\n        if: {and: [{not: {not: {not: {not: {stringIsEmpty: ''}}}}}]}\n"))
	f.Add([]byte("{{"))
	f.Add([]byte("schemaVersion: 1.0\nparameters: [{Abc: {type: string, default: 0755, allowedValues: [0755, x]}}]\nphases: [{name: build, steps: [{name: a, action: ExecuteBash, inputs: {commands: ['{{{ Abc }}} ${A:+${A}}} {{ x | y }} {{ build.a.outputs.stdout']}}]}]"))
	f.Add([]byte("- !!binary aGVsbG8="))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, _ := Parse("fuzz.yaml", data)
		for _, e := range ParseExprs(string(data)) {
			if e.Start < 0 || e.End > len(data) || string(data[e.Start:e.Start+2]) != "{{" || string(data[e.End-2:e.End]) != "}}" {
				t.Fatalf("expression %+v is not a {{ }} span of the input", e)
			}
		}
		if d != nil {
			Validate(d, nil)
			for _, ph := range d.Phases {
				for _, s := range ph.Steps {
					if s.Loop != nil {
						s.Loop.Iterations(func(x string) (string, error) { return x, nil })
					}
					if s.If != nil {
						s.If.Eval(func(x string) (string, error) { return x, nil })
					}
				}
			}
		}
	})
}
