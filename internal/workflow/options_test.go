package workflow

import (
	"path/filepath"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/recipe"
)

// TestOptionsPathsAbsolute: the folders a build hands to QEMU, or that
// the step cache records, are absolute whatever the caller gives.
func TestOptionsPathsAbsolute(t *testing.T) {
	t.Chdir(t.TempDir())
	o, err := Options{Recipe: &recipe.Recipe{}, OutDir: "out", TempDir: "tmp", AgentBinary: "bin/goldsmith"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]string{"OutDir": o.OutDir, "TempDir": o.TempDir, "AgentBinary": o.AgentBinary} {
		if !filepath.IsAbs(p) {
			t.Errorf("%s = %q, want an absolute path", name, p)
		}
	}
}
