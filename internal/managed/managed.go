// Package managed is the catalogue of components and workflows Goldsmith
// ships, the counterpart of Image Builder's Amazon-managed ones: components
// are usable in recipes by name (update-linux) or by name and version;
// workflows describe the steps every build runs.
package managed

import (
	"embed"
	"fmt"
	"sort"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
)

//go:embed components/*.yaml workflows/*.yaml
var files embed.FS

// Version is the version every shipped component currently has.
const Version = "1.0.0"

// Component is a shipped component document.
type Component struct {
	Name    string
	Version string
	Data    []byte
}

// Names lists the shipped components.
func Names() []string {
	entries, _ := files.ReadDir("components")
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}

// Get returns a shipped component by name, optionally with "/version"
// (x-wildcards allowed: update-linux/1.x.x).
func Get(ref string) (*Component, error) {
	name, version, _ := strings.Cut(strings.ToLower(ref), "/")
	data, err := files.ReadFile("components/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("there is no managed component %q; the managed components are %s", name, strings.Join(Names(), ", "))
	}
	if version != "" && !versionMatches(version, Version) {
		return nil, fmt.Errorf("managed component %s has version %s, not %s", name, Version, version)
	}
	return &Component{Name: name, Version: Version, Data: data}, nil
}

func versionMatches(pattern, v string) bool {
	p, err := arn.ParseVersion(pattern)
	if err != nil {
		return false
	}
	c, err := arn.ParseVersion(v)
	return err == nil && p.Matches(c)
}

// Workflow is a shipped workflow document: what a build's workflow
// executions of its type run.
type Workflow struct {
	Name string
	// Type is BUILD, TEST or DISTRIBUTION.
	Type    string
	Version string
	Data    []byte
}

// workflows are the shipped workflows' names and types, one per type.
var workflows = []struct{ name, typ string }{
	{"build-image", "BUILD"}, {"distribute-image", "DISTRIBUTION"}, {"test-image", "TEST"},
}

// Workflows lists the shipped workflows by name.
func Workflows() []Workflow {
	out := make([]Workflow, len(workflows))
	for i, w := range workflows {
		data, err := files.ReadFile("workflows/" + w.name + ".yaml")
		if err != nil {
			panic("managed workflow " + w.name + " is not embedded")
		}
		out[i] = Workflow{Name: w.name, Type: w.typ, Version: Version, Data: data}
	}
	return out
}

// WorkflowName is the shipped workflow of a type (BUILD, TEST or
// DISTRIBUTION).
func WorkflowName(typ string) string {
	for _, w := range workflows {
		if w.typ == typ {
			return w.name
		}
	}
	return ""
}
