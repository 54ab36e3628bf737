package recipe_test

import (
	"os"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/recipe"
)

func TestReferenceRecipe(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../examples/reference-recipe.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := recipe.Parse("reference-recipe.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "reference-golden" || r.ParentImage != "debian-12" || len(r.Components) != 4 || r.RootVolumeGiB != 4 {
		t.Fatalf("parsed %+v", r)
	}
	if got := r.Components[1].Values()["ServerName"]; got != "reference.golden" {
		t.Errorf("ServerName = %q", got)
	}
}

func TestRecipeProblems(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, doc, want string }{
		{"json", `{"name":"web","semanticVersion":"1.0.0","parentImage":"debian-12","components":[{"componentArn":"update-linux"}]}`, ""},
		{"missing", `{"name":"web"}`, "semanticVersion: required"},
		{"version", "name: web\nsemanticVersion: 1.0\nparentImage: debian-12\ncomponents: [{componentArn: a}]\n", "2:18: semanticVersion: must be major.minor.patch"},
		{"typo", "name: web\nsemanticVersion: 1.0.0\nparentImage: debian-12\ncomponent: [{componentArn: a}]\n", `4:1: component: unknown key "component" (did you mean "components"?)`},
		{"param shape", "name: web\nsemanticVersion: 1.0.0\nparentImage: debian-12\ncomponents: [{componentArn: a, parameters: [{name: x}]}]\n", "components[0].parameters[0]: must be {name"},
		{"volume", "name: web\nsemanticVersion: 1.0.0\nparentImage: debian-12\ncomponents: [{componentArn: a}]\nblockDeviceMappings: [{ebs: {volumeSize: big}}]\n", "blockDeviceMappings[0].ebs.volumeSize: must be a size in GiB"},
		{"cache off", "name: web\nsemanticVersion: 1.0.0\nparentImage: debian-12\ncomponents: [{componentArn: a, cache: false}]\n", ""},
		{"cache typo", "name: web\nsemanticVersion: 1.0.0\nparentImage: debian-12\ncomponents: [{componentArn: a, cache: nope}]\n", "4:39: components[0].cache: must be true or false"},
		{"too many", "name: web\nsemanticVersion: 1.0.0\nparentImage: debian-12\ncomponents: [" + strings.Repeat("{componentArn: a},", 21) + "]\n", "at most 20 components"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := recipe.Parse("r.yaml", []byte(tc.doc))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}
