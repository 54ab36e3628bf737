package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goldsmith-dev/goldsmith/internal/baseimage"
	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/recipe"
	"github.com/goldsmith-dev/goldsmith/internal/workflow"
)

// recipeFlags are the recipe flags build and validate share: the file and
// the component parameters the command line overrides.
type recipeFlags struct {
	file   string
	params []string
}

func (f *recipeFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.file, "file", "f", "", "recipe file (JSON or YAML)")
	cmd.Flags().StringArrayVar(&f.params, "parameter", nil, "override a component parameter of the recipe: NAME=VALUE (every component that sets NAME) or COMPONENT:NAME=VALUE (one component, by its name as in componentArn); repeatable")
	cmd.MarkFlagRequired("file")
}

// load reads the recipe, applies the --parameter overrides and loads and
// checks every component, touching nothing. Every error is exit status 2.
func (f *recipeFlags) load() (*recipe.Recipe, []*workflow.Component, error) {
	data, err := os.ReadFile(f.file)
	if err != nil {
		return nil, nil, invalidf("read the recipe: %w", err)
	}
	r, err := recipe.Parse(f.file, data)
	if err != nil {
		return nil, nil, invalidf("%w", err)
	}
	if err := applyParameters(r, f.params); err != nil {
		return nil, nil, invalidf("%w", err)
	}
	comps, err := workflow.ResolveComponents(r)
	if err != nil {
		return nil, nil, invalidf("the recipe's components are invalid; nothing was built:\n%w", err)
	}
	return r, comps, nil
}

// applyParameters applies NAME=VALUE and COMPONENT:NAME=VALUE overrides
// to the recipe's component parameters, like Packer's -var: a value given
// on the command line wins over the recipe's.
func applyParameters(r *recipe.Recipe, overrides []string) error {
	for _, o := range overrides {
		target, value, ok := strings.Cut(o, "=")
		if !ok || target == "" {
			return fmt.Errorf("--parameter %q: write NAME=VALUE or COMPONENT:NAME=VALUE", o)
		}
		comp, name := "", target
		if i := strings.LastIndex(target, ":"); i >= 0 {
			comp, name = target[:i], target[i+1:]
		}
		if name == "" {
			return fmt.Errorf("--parameter %q: the parameter name is empty", o)
		}
		matched := false
		var names []string
		for i := range r.Components {
			ref := &r.Components[i]
			names = append(names, refName(ref.ComponentArn))
			if comp != "" && comp != ref.ComponentArn && comp != refName(ref.ComponentArn) {
				continue
			}
			if comp == "" && !hasParameter(*ref, name) {
				continue
			}
			matched = true
			setParameter(ref, name, value)
		}
		if !matched && comp != "" {
			return fmt.Errorf("--parameter %q: the recipe has no component %q%s; its components are %s", o, comp, component.Suggest(comp, names), strings.Join(names, ", "))
		}
		if !matched {
			return fmt.Errorf("--parameter %q: no component of the recipe sets parameter %q; to give it to one, write --parameter COMPONENT:%s=VALUE (components: %s)", o, name, name, strings.Join(names, ", "))
		}
	}
	return nil
}

func hasParameter(ref recipe.ComponentRef, name string) bool {
	for _, p := range ref.Parameters {
		if p.Name == name {
			return true
		}
	}
	return false
}

func setParameter(ref *recipe.ComponentRef, name, value string) {
	for i := range ref.Parameters {
		if ref.Parameters[i].Name == name {
			ref.Parameters[i].Value = []string{value}
			return
		}
	}
	ref.Parameters = append(ref.Parameters, recipe.Parameter{Name: name, Value: []string{value}})
}

// refName is the short name of a componentArn: a file's name without its
// extension, a managed component's name, an ARN's component name.
func refName(s string) string {
	if rest, ok := strings.CutPrefix(s, "arn:"); ok {
		if _, after, ok := strings.Cut(rest, ":component/"); ok {
			name, _, _ := strings.Cut(after, "/")
			return name
		}
	}
	base := filepath.Base(s)
	if ext := filepath.Ext(base); ext == ".yaml" || ext == ".yml" || ext == ".json" {
		return strings.TrimSuffix(base, ext)
	}
	name, _, _ := strings.Cut(s, "/")
	return name
}

// checkParentImage checks that the recipe's parentImage is a known base
// image or a disk file, as the build will.
func checkParentImage(r *recipe.Recipe) error {
	if _, err := baseimage.Lookup(r.ParentImage); err == nil {
		return nil
	}
	if st, err := os.Stat(r.ParentImage); err == nil && !st.IsDir() {
		return nil
	}
	return invalidf("%s: parentImage %q is neither a known base image (debian-12) nor a disk file", r.File, r.ParentImage)
}

func newValidateCommand() *cobra.Command {
	var rf recipeFlags
	cmd := &cobra.Command{
		Use:   "validate -f RECIPE",
		Short: "Check a recipe and all its components without building (like packer validate)",
		Long: `Check a recipe file and every component it names (managed components by
name, component files by path): structure, every action and its inputs,
and that every parameter the recipe gives is declared and every required
one is given. --parameter overrides are applied first, as build applies
them. Nothing boots and nothing is written.`,
		Args: noArgs("-f"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			r, comps, err := rf.load()
			if err != nil {
				return err
			}
			if err := checkParentImage(r); err != nil {
				return err
			}
			names := make([]string, len(comps))
			for i, c := range comps {
				names[i] = c.Name
			}
			fmt.Fprintf(cmd.OutOrStdout(), "recipe %s %s is valid: %d component(s): %s\n", r.Name, r.SemanticVersion, len(comps), strings.Join(names, ", "))
			return nil
		},
	}
	rf.register(cmd)
	return cmd
}

// isRecipe reports whether a document that failed to load as a component
// is an image recipe (components and parentImage, no phases).
func isRecipe(data []byte) bool {
	root, err := component.ParseYAML(data)
	if err != nil || root.Kind != component.Map {
		return false
	}
	_, hasPhases := root.Field("phases")
	_, hasComponents := root.Field("components")
	_, hasParent := root.Field("parentImage")
	return !hasPhases && (hasComponents || hasParent)
}

// errRecipeNotComponent is toe's answer to a recipe given as a document.
func errRecipeNotComponent(loc string) error {
	return invalidf("%s is an image recipe, not a component document: check it with goldsmith validate -f %s", loc, loc)
}
