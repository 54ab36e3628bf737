package action

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

// xferRun runs a list module with the given items.
func xferRun(t *testing.T, env *Env, action string, items ...map[string]any) (Output, error) {
	t.Helper()
	m, ok := Lookup(action)
	if !ok {
		t.Fatalf("module %s not registered", action)
	}
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	if env.Console == nil {
		env.Console = &strings.Builder{}
	}
	return m.Run(context.Background(), env, component.FromGo(list))
}

// xferProblems validates a one-step document whose step has the given
// action and inputs (YAML, indented for the inputs key) and returns its
// problems as "path: message" lines.
func xferProblems(t *testing.T, action, inputs string) []string {
	t.Helper()
	doc := `name: test
schemaVersion: 1.0
parameters:
  - Dyn:
      type: string
      default: x
phases:
  - name: build
    steps:
      - name: Step
        action: ` + action + `
        inputs:
` + inputs
	_, err := component.Load("doc.yaml", []byte(doc), Set{})
	if err == nil {
		return nil
	}
	var ps component.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load: %v", err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.Path+": "+p.Msg)
	}
	return out
}

// xferWantProblem checks that exactly the given path has a problem whose
// message contains msg ("" when no problem is expected).
func xferWantProblem(t *testing.T, got []string, path, msg string) {
	t.Helper()
	if path == "" {
		if len(got) > 0 {
			t.Errorf("unexpected problems:\n%s", strings.Join(got, "\n"))
		}
		return
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], path+": ") || !strings.Contains(got[0], msg) {
		t.Errorf("problems:\n%s\nwant one at %s containing %q", strings.Join(got, "\n"), path, msg)
	}
}
