// Package recipe reads image recipe files for `goldsmith build`: the shape
// of Image Builder's CreateImageRecipe (name, semanticVersion, parentImage,
// components with parameters, blockDeviceMappings, workingDirectory) as
// JSON or YAML, validated with line, column and path for every problem;
// and the infrastructure settings a local build runs with.
package recipe

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

// Recipe is an image recipe.
type Recipe struct {
	File             string
	Name             string
	Description      string
	SemanticVersion  string
	ParentImage      string
	Components       []ComponentRef
	RootVolumeGiB    int // from blockDeviceMappings; 0: the base image's size
	WorkingDirectory string
	Tags             map[string]string
}

// ComponentRef is one entry of a recipe's component list.
type ComponentRef struct {
	// ComponentArn is an Image Builder component ARN, a managed component's
	// name (update-linux), or a path to a component file.
	ComponentArn string
	Parameters   []Parameter
	// NoCache opts the component out of the step cache (`cache: false`):
	// its build phase always runs, and so does every one after it.
	NoCache bool
	Pos     component.Pos
}

// Parameter is a component parameter value as Image Builder writes it:
// a list of strings, joined with "," when there are several.
type Parameter struct {
	Name  string
	Value []string
}

// Values returns the parameters as the runner takes them.
func (c ComponentRef) Values() map[string]string {
	out := map[string]string{}
	for _, p := range c.Parameters {
		out[p.Name] = strings.Join(p.Value, ",")
	}
	return out
}

// Limits from the Image Builder API.
const (
	MaxComponents = 20
	maxNameLen    = 128
)

var (
	nameRe    = regexp.MustCompile(`^[-_A-Za-z0-9][-_A-Za-z0-9 ]{1,126}[-_A-Za-z0-9]$`)
	versionRe = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
	topKeys   = []string{"name", "description", "semanticVersion", "parentImage", "components", "blockDeviceMappings", "workingDirectory", "tags", "additionalInstanceConfiguration"}
)

// Parse reads a recipe from JSON or YAML, reporting every problem.
func Parse(file string, data []byte) (*Recipe, error) {
	r := &component.Reporter{File: file}
	root, err := component.ParseYAML(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if root.Kind != component.Map {
		r.Add(root.Pos, "", "a recipe is a map with name, semanticVersion, parentImage and components")
		return nil, r.Err()
	}
	rc := &Recipe{File: file}
	for _, f := range root.Fields {
		switch f.Key {
		case "name":
			rc.Name = str(f.Value, f.Key, r)
			if !nameRe.MatchString(rc.Name) {
				r.Add(f.Value.Pos, "name", "must be 3 to 128 letters, digits, spaces, - or _")
			}
		case "description":
			rc.Description = str(f.Value, f.Key, r)
		case "semanticVersion":
			rc.SemanticVersion = str(f.Value, f.Key, r)
			if !versionRe.MatchString(rc.SemanticVersion) {
				r.Add(f.Value.Pos, "semanticVersion", "must be major.minor.patch, such as 1.0.0, got %q", rc.SemanticVersion)
			}
		case "parentImage":
			rc.ParentImage = str(f.Value, f.Key, r)
		case "components":
			rc.Components = components(f.Value, r)
		case "blockDeviceMappings":
			rc.RootVolumeGiB = volumes(f.Value, r)
		case "workingDirectory":
			rc.WorkingDirectory = str(f.Value, f.Key, r)
			if rc.WorkingDirectory != "" && !strings.HasPrefix(rc.WorkingDirectory, "/") {
				r.Add(f.Value.Pos, "workingDirectory", "must be an absolute path")
			}
		case "tags":
			rc.Tags = map[string]string{}
			if f.Value.Kind != component.Map {
				r.Add(f.Value.Pos, "tags", "must be a map of strings")
				continue
			}
			for _, t := range f.Value.Fields {
				rc.Tags[t.Key] = t.Value.String()
			}
		case "additionalInstanceConfiguration":
			// Accepted for compatibility; user data has no meaning for local builds.
		default:
			r.Add(f.KeyPos, f.Key, "unknown key %q%s; a recipe has %s", f.Key, component.Suggest(f.Key, topKeys), strings.Join(topKeys, ", "))
		}
	}
	for _, req := range []string{"name", "semanticVersion", "parentImage", "components"} {
		if _, ok := root.Field(req); !ok {
			r.Add(root.Pos, req, "required")
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	if rc.WorkingDirectory == "" {
		rc.WorkingDirectory = "/tmp"
	}
	return rc, nil
}

func str(v *component.Value, path string, r *component.Reporter) string {
	if v.Kind != component.Scalar {
		r.Add(v.Pos, path, "must be a string, not a %s", v.Kind)
		return ""
	}
	return v.Str
}

func components(v *component.Value, r *component.Reporter) []ComponentRef {
	if v.Kind != component.List || len(v.Items) == 0 {
		r.Add(v.Pos, "components", "must be a non-empty list of {componentArn, parameters}")
		return nil
	}
	if len(v.Items) > MaxComponents {
		r.Add(v.Pos, "components", "a recipe has at most %d components, this one has %d", MaxComponents, len(v.Items))
	}
	var out []ComponentRef
	for i, it := range v.Items {
		p := component.JoinPath("components", i)
		if it.Kind != component.Map {
			r.Add(it.Pos, p, "must be a map with componentArn and optional parameters")
			continue
		}
		c := ComponentRef{Pos: it.Pos}
		for _, f := range it.Fields {
			fp := component.JoinPath(p, f.Key)
			switch f.Key {
			case "componentArn":
				c.ComponentArn = str(f.Value, fp, r)
			case "parameters":
				c.Parameters = parameters(f.Value, fp, r)
			case "cache":
				switch strings.ToLower(f.Value.String()) {
				case "true":
				case "false":
					c.NoCache = true
				default:
					r.Add(f.Value.Pos, fp, "must be true or false")
				}
			default:
				r.Add(f.KeyPos, fp, "unknown key %q; a component entry has componentArn, parameters and cache", f.Key)
			}
		}
		if c.ComponentArn == "" {
			r.Add(it.Pos, component.JoinPath(p, "componentArn"), "required")
		}
		out = append(out, c)
	}
	return out
}

func parameters(v *component.Value, path string, r *component.Reporter) []Parameter {
	if v.Kind != component.List {
		r.Add(v.Pos, path, "must be a list of {name, value: [..]}")
		return nil
	}
	var out []Parameter
	for i, it := range v.Items {
		p := component.JoinPath(path, i)
		name := it.Get("name")
		val := it.Get("value")
		if it.Kind != component.Map || name == nil || val == nil {
			r.Add(it.Pos, p, "must be {name: ..., value: [...]}")
			continue
		}
		pr := Parameter{Name: name.String()}
		switch val.Kind {
		case component.List:
			for _, s := range val.Items {
				pr.Value = append(pr.Value, s.String())
			}
		case component.Scalar:
			// The API takes a list; a plain string is accepted for convenience.
			pr.Value = []string{val.Str}
		default:
			r.Add(val.Pos, component.JoinPath(p, "value"), "must be a list of strings")
		}
		out = append(out, pr)
	}
	return out
}

// volumes reads the root volume size (GiB) from blockDeviceMappings.
func volumes(v *component.Value, r *component.Reporter) int {
	if v.Kind != component.List {
		r.Add(v.Pos, "blockDeviceMappings", "must be a list")
		return 0
	}
	size := 0
	for i, it := range v.Items {
		p := component.JoinPath("blockDeviceMappings", i)
		ebs := it.Get("ebs")
		if ebs == nil {
			continue
		}
		vs := ebs.Get("volumeSize")
		if vs == nil {
			continue
		}
		n, err := strconv.Atoi(vs.String())
		if err != nil || n < 1 || n > 16384 {
			r.Add(vs.Pos, component.JoinPath(p, "ebs.volumeSize"), "must be a size in GiB from 1 to 16384, got %q", vs.String())
			continue
		}
		if i == 0 {
			size = n
		}
	}
	return size
}
