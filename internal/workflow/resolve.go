package workflow

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/managed"
	"github.com/goldsmith-dev/goldsmith/internal/recipe"
	"github.com/goldsmith-dev/goldsmith/internal/toe/action"
)

// Component is a recipe component, loaded and validated.
type Component struct {
	Index      int               `json:"index"`
	Name       string            `json:"name"`
	Version    string            `json:"version,omitempty"`
	Source     string            `json:"source"` // managed:<name>, a file path, or an ARN
	Digest     string            `json:"digest"`
	Parameters map[string]string `json:"parameters,omitempty"`
	Phases     []string          `json:"phases"`
	// CacheKey identifies the disk state after this component's build
	// phase: a hash of the base image and every component up to this one.
	CacheKey string `json:"cacheKey"`
	// NoCache: the recipe opted the component out of the step cache.
	NoCache bool `json:"noCache,omitempty"`
	// Cache is what the step cache did for its build phase.
	Cache *CacheUse `json:"cache,omitempty"`

	Doc *component.Document `json:"-"`
}

// HasPhase reports whether the document has the phase.
func (c *Component) HasPhase(name string) bool { return c.Doc.Phase(name) != nil }

// ResolveComponents loads every component of a recipe: managed components
// by name, files relative to the recipe's folder. All are validated, with
// their parameters, before anything boots; every problem is reported.
func ResolveComponents(r *recipe.Recipe) ([]*Component, error) {
	var out []*Component
	var problems component.Problems
	for i, ref := range r.Components {
		c, data, err := loadComponent(r, ref)
		if err != nil {
			problems = append(problems, component.Problem{File: r.File, Pos: ref.Pos, Path: fmt.Sprintf("components[%d].componentArn", i), Msg: err.Error()})
			continue
		}
		doc, err := component.Load(c.Source, data, action.Set{})
		if err != nil {
			var ps component.Problems
			if errAs(err, &ps) {
				problems = append(problems, ps...)
				continue
			}
			return nil, err
		}
		c.Index, c.Doc, c.Digest, c.Parameters, c.NoCache = i, doc, doc.Digest(), ref.Values(), ref.NoCache
		if c.Name == "" {
			c.Name = doc.Name
		}
		if c.Name == "" {
			c.Name = strings.TrimSuffix(filepath.Base(c.Source), filepath.Ext(c.Source))
		}
		for _, ph := range doc.Phases {
			c.Phases = append(c.Phases, ph.Name)
		}
		problems = append(problems, checkParameters(r, i, ref, doc)...)
		out = append(out, c)
	}
	if len(problems) > 0 {
		problems.Sort()
		return nil, problems
	}
	return out, nil
}

func errAs(err error, ps *component.Problems) bool {
	p, ok := err.(component.Problems)
	if ok {
		*ps = p
	}
	return ok
}

func loadComponent(r *recipe.Recipe, ref recipe.ComponentRef) (*Component, []byte, error) {
	s := ref.ComponentArn
	if strings.HasPrefix(s, "arn:") {
		a, err := arn.Parse(s)
		if err != nil {
			return nil, nil, err
		}
		if !a.IsAWSOwned() {
			return nil, nil, fmt.Errorf("%s is a component of a Goldsmith server; local builds take managed components by name or component files by path", s)
		}
		s = a.Name
		if !a.Version.IsZero() {
			s += "/" + a.Version.SemanticString()
		}
	}
	if looksLikeFile(s) {
		p := s
		if !filepath.IsAbs(p) && r.File != "" {
			p = filepath.Join(filepath.Dir(r.File), p)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, fmt.Errorf("read component file: %w", err)
		}
		return &Component{Source: p}, data, nil
	}
	m, err := managed.Get(s)
	if err != nil {
		return nil, nil, err
	}
	return &Component{Name: m.Name, Version: m.Version, Source: "managed:" + m.Name}, m.Data, nil
}

// looksLikeFile tells a component file ("c.yaml", "dir/c") from a managed
// component name, with or without a version ("update-linux/1.x.x").
func looksLikeFile(s string) bool {
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return strings.ContainsAny(s, "/\\") && !isVersioned(s)
}

// isVersioned reports "name/1.2.3" (a managed component with a version).
func isVersioned(s string) bool {
	_, v, ok := strings.Cut(s, "/")
	return ok && strings.Count(v, ".") == 2 && !strings.Contains(v, "/")
}

// checkParameters reports recipe parameters the document does not declare,
// required parameters the recipe does not give, and values outside a
// parameter's allowedValues.
func checkParameters(r *recipe.Recipe, i int, ref recipe.ComponentRef, doc *component.Document) component.Problems {
	var ps component.Problems
	declared := map[string]bool{}
	for _, p := range doc.Parameters {
		declared[p.Name] = true
		v, ok := ref.Values()[p.Name]
		switch {
		case !ok && p.Default == nil:
			ps = append(ps, component.Problem{File: r.File, Pos: ref.Pos, Path: fmt.Sprintf("components[%d].parameters", i),
				Msg: fmt.Sprintf("component %s needs parameter %q (it has no default)", doc.File, p.Name)})
		case ok:
			if err := p.Check(v); err != nil {
				ps = append(ps, component.Problem{File: r.File, Pos: ref.Pos, Path: fmt.Sprintf("components[%d].parameters", i),
					Msg: fmt.Sprintf("component %s: %v", doc.File, err)})
			}
		}
	}
	for _, p := range ref.Parameters {
		if !declared[p.Name] {
			ps = append(ps, component.Problem{File: r.File, Pos: ref.Pos, Path: fmt.Sprintf("components[%d].parameters", i),
				Msg: fmt.Sprintf("component %s has no parameter %q", doc.File, p.Name)})
		}
	}
	return ps
}

// CacheKeys sets each component's CacheKey: the disk state after
// component i depends on the disk the first component starts on (root: the
// base image's digest, or the key of the booted base, see bootKey), the
// recipe's working directory and root volume size, and, in order, every
// component up to i (document, version, parameters).
func CacheKeys(root string, r *recipe.Recipe, comps []*Component) {
	h := sha256.New()
	fmt.Fprintf(h, "goldsmith-step-cache-v2\nroot %s\nworkdir %s\nvolume %d\n", root, r.WorkingDirectory, r.RootVolumeGiB)
	for _, c := range comps {
		fmt.Fprintf(h, "component %s %s\n", c.Digest, c.Version)
		keys := make([]string, 0, len(c.Parameters))
		for k := range c.Parameters {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(h, "param %q=%q\n", k, c.Parameters[k])
		}
		c.CacheKey = "sha256:" + hex.EncodeToString(h.Sum(nil))
	}
}
