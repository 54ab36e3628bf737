package workflow

import (
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/recipe"
)

func TestLooksLikeFile(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"update-linux": false, "update-linux/1.0.0": false, "update-linux/1.x.x": false,
		"hello.yaml": true, "components/nginx.yaml": true, "dir/component": true, "c.json": true, `dir\c`: true,
	} {
		if got := looksLikeFile(s); got != want {
			t.Errorf("looksLikeFile(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestCacheKeys: a component's key covers the base, the recipe's disk
// settings and every component up to it, so a change invalidates that
// component and every later one, never an earlier one.
func TestCacheKeys(t *testing.T) {
	t.Parallel()
	comps := func(pa, docC string) []*Component {
		return []*Component{
			{Name: "a", Digest: "da", Version: "1.0.0", Parameters: map[string]string{"P": pa}},
			{Name: "b", Digest: "db", Version: "1.0.0"},
			{Name: "c", Digest: docC, Version: "1.0.0"},
		}
	}
	keys := func(base string, r *recipe.Recipe, cs []*Component) []string {
		CacheKeys(base, r, cs)
		return []string{cs[0].CacheKey, cs[1].CacheKey, cs[2].CacheKey}
	}
	r := &recipe.Recipe{WorkingDirectory: "/tmp"}
	ref := keys("base1", r, comps("1", "dc"))
	for _, tc := range []struct {
		name    string
		got     []string
		changed string // which keys differ from ref
	}{
		{"same", keys("base1", r, comps("1", "dc")), "---"},
		{"c's document", keys("base1", r, comps("1", "dc2")), "--x"},
		{"a's parameter", keys("base1", r, comps("2", "dc")), "xxx"},
		{"base image", keys("base2", r, comps("1", "dc")), "xxx"},
		{"working directory", keys("base1", &recipe.Recipe{WorkingDirectory: "/var/tmp"}, comps("1", "dc")), "xxx"},
		{"root volume", keys("base1", &recipe.Recipe{WorkingDirectory: "/tmp", RootVolumeGiB: 8}, comps("1", "dc")), "xxx"},
	} {
		var diff []byte
		for i := range ref {
			if tc.got[i] == ref[i] {
				diff = append(diff, '-')
			} else {
				diff = append(diff, 'x')
			}
		}
		if string(diff) != tc.changed {
			t.Errorf("%s: changed keys %s, want %s", tc.name, diff, tc.changed)
		}
	}
}
