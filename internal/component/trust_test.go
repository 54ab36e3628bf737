package component_test

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/toe/action"
)

// loadTestdata loads a document from testdata with every action module.
func loadTestdata(t *testing.T, name string) (*component.Document, error) {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return component.Load(name, data, action.Set{})
}

// TestTrustDocumentKeepsWhatWasWritten checks that unquoted numbers keep
// their text in every string input, parameter and constant, and that
// allowedValues and Windows-only modules validate on any platform.
func TestTrustDocumentKeepsWhatWasWritten(t *testing.T) {
	t.Parallel()
	d, err := loadTestdata(t, "trust.yaml")
	if err != nil {
		t.Fatalf("trust.yaml must be valid on every platform:\n%v", err)
	}
	build, validate := d.Phase("build"), d.Phase("validate")
	file0 := build.Step("WriteConfig").Inputs.Items[0]
	release := build.Step("Release").Inputs.Get("commands").Items
	tests := []struct {
		what string
		got  string
		want string
	}{
		{"parameter default", *d.Parameters[0].Default, "0755"},
		{"allowedValues", strings.Join(d.Parameters[1].AllowedValues, ","), "stable,beta,010"},
		{"constant value", d.Constants[0].Value, "0022"},
		{"CreateFile content", file0.Get("content").String(), "010"},
		{"CreateFile permissions", file0.Get("permissions").String(), "0644"},
		{"command", release[4].String(), "echo 0777"},
		{"SetRegistry value", validate.Step("Registry").Inputs.Items[0].Get("value").String(), "010"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q as written", tt.what, tt.got, tt.want)
		}
	}
	// Only the well-formed references are expressions; item and
	// inventory_hostname name no parameter, so they validate and stay text.
	var refs []string
	for _, c := range release {
		for _, e := range component.ParseExprs(c.String()) {
			refs = append(refs, e.Ref.Text)
		}
	}
	for _, c := range build.Step("Playbook").Inputs.Get("commands").Items {
		for _, e := range component.ParseExprs(c.String()) {
			refs = append(refs, e.Ref.Text)
		}
	}
	want := []string{"build.WriteConfig.inputs[0].permissions", "Channel", "Umask", "item", "inventory_hostname"}
	if !slices.Equal(refs, want) {
		t.Errorf("references = %q, want %q", refs, want)
	}
}

// TestTrustProblemsAtTheirFields checks every problem in
// trust-problems.yaml: each at the line and column of the field (of the
// reference itself, inside a block of script too), quoting what the
// author wrote, and nothing else.
func TestTrustProblemsAtTheirFields(t *testing.T) {
	t.Parallel()
	_, err := loadTestdata(t, "trust-problems.yaml")
	var ps component.Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load: %v, want problems", err)
	}
	want := []string{
		`trust-problems.yaml:7:16: parameters[0].Channel.default: the default "nightly" is not one of the allowedValues: "stable", "beta"`,
		`trust-problems.yaml:11:7: parameters[1].Flavour.allowedValue: unknown key "allowedValue" (did you mean "allowedValues"?); a parameter has type, default, description, allowedValues`,
		`trust-problems.yaml:16:17: phases[0].steps[0].action: unknown action "ExecuteBsh" (did you mean "ExecuteBash"?)`,
		`trust-problems.yaml:23:26: phases[0].steps[1].inputs[0].permissions: permissions must be 3 or 4 octal digits such as "0755" or "644", got "01777777"`,
		`trust-problems.yaml:28:21: phases[0].steps[2].inputs.commands[0]: {{ biuld.Unknown.outputs.stdout }}: this document has no phase "biuld" (did you mean "build"?)`,
		`trust-problems.yaml:29:21: phases[0].steps[2].inputs.commands[1]: {{ build.Unknwon.outputs.stdout }}: phase "build" has no step "Unknwon" (did you mean "Unknown"?)`,
		`trust-problems.yaml:30:21: phases[0].steps[2].inputs.commands[2]: {{ Chanel }} is not a parameter or constant of this document; did you mean {{ Channel }}?`,
		`trust-problems.yaml:34:17: phases[0].steps[2].inputs.commands[3]: {{ build.Refs.outputs.stdout }}: step build.Refs runs after this one (or is this one), so it has no outputs yet`,
		`trust-problems.yaml:35:51: phases[0].steps[2].inputs.commands[3]: {{ CHANNEL }} is not a parameter or constant of this document; did you mean {{ Channel }}?`,
		`trust-problems.yaml:36:19: phases[0].steps[2].inputs.commands[3]: {{ Flavor }} is not a parameter or constant of this document; did you mean {{ Flavour }}?`,
		`trust-problems.yaml:43:13: phases[1].steps[0].inputs[0].value: required`,
		`trust-problems.yaml:45:13: phases[1].steps[0].inputs[0].valeu: unknown input "valeu" (did you mean "value"?); this module takes path, name, value, type`,
		`trust-problems.yaml:51:19: phases[1].steps[1].inputs.reboot: must be Allow, Force or Skip, got "Later"`,
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("missing problem:\n  %s", w)
		}
	}
	for _, g := range got {
		if !slices.Contains(want, g) {
			t.Errorf("unexpected problem:\n  %s", g)
		}
	}
}

// TestExpandOnlyWellFormedReferences checks the rule in docs/toe.md: a
// reference is substituted, everything else is left exactly as written.
func TestExpandOnlyWellFormedReferences(t *testing.T) {
	t.Parallel()
	vals := map[string]string{"Name": "N", "loop.index": "0", "L.value": "v", "build.A.outputs.stdout": "OUT", "build.A.inputs.path": "/p"}
	resolve := func(r component.Ref) (string, bool, error) {
		v, ok := vals[strings.ReplaceAll(strings.ReplaceAll(r.Text, "[0]", ""), " ", "")]
		return v, ok, nil
	}
	tests := []struct{ in, want string }{
		{`{{ Name }}`, `N`},
		{`{{Name}}-{{  Name  }}`, `N-N`},
		{`{{ loop.index }}:{{ L.value }}`, `0:v`},
		{`x={{ build.A.outputs.stdout }} {{ build.A.inputs.path }}`, `x=OUT /p`},
		{`{{ build.A.outputs[0].stdout }}`, `OUT`},
		{`echo "$ID${VERSION_ID:+.${VERSION_ID}}"`, `echo "$ID${VERSION_ID:+.${VERSION_ID}}"`},
		{`a stray {{ build.A.outputs.stdout`, `a stray {{ build.A.outputs.stdout`},
		{`{{ stray {{ Name }}`, `{{ stray N`},
		{`{{{ Name }}}`, `{N}`},
		{`}} {{ Name }}`, `}} N`},
		{`{{ ansible_facts | combine({'x': 1}) }}`, `{{ ansible_facts | combine({'x': 1}) }}`},
		{`{{ ansible_facts.distribution }} {{ .Go.Template }} {{}}`, `{{ ansible_facts.distribution }} {{ .Go.Template }} {{}}`},
		{`{{ build.A.output.stdout }} {{ a.b.c }} {{ x y }}`, `{{ build.A.output.stdout }} {{ a.b.c }} {{ x y }}`},
		{`{{ Unknown }}`, `{{ Unknown }}`}, // the resolver leaves it; validation reports only a near miss
		{`msg="{{ item }} on {{ inventory_hostname }} for {{ Name }}"`, `msg="{{ item }} on {{ inventory_hostname }} for N"`},
		{`a{{2}} {{ ab }} {{ L.index.x }}`, `a{{2}} {{ ab }} {{ L.index.x }}`}, // too short for a parameter name
		{strings.Repeat("{", 3000) + " Name }}", strings.Repeat("{", 2998) + "N"},
	}
	for _, tt := range tests {
		got, err := component.Expand(tt.in, resolve)
		if err != nil || got != tt.want {
			t.Errorf("Expand(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
