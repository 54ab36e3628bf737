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
	f.Add([]byte("- !!binary aGVsbG8="))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, _ := Parse("fuzz.yaml", data)
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
