package testneed_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// handRolledCI is a test reading CI itself: such a check drifts from
// testneed.InCI (CI=1 passed as "not CI" in the console's browser test).
var handRolledCI = regexp.MustCompile(`Getenv\("CI"\)|LookupEnv\("CI"\)`)

// TestNoHandRolledCIChecks: no test outside this package decides by itself
// whether it runs under CI; every "a real part is missing" goes through
// testneed, so that under CI=true it fails instead of skipping.
func TestNoHandRolledCIChecks(t *testing.T) {
	root := filepath.Join("..", "..")
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the repository root is not at %s: %v", root, err)
	}
	seen := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") || filepath.Dir(path) == "." {
			return nil
		}
		seen++
		if filepath.Base(filepath.Dir(path)) == "testneed" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if loc := handRolledCI.FindIndex(b); loc != nil {
			line := 1 + strings.Count(string(b[:loc[0]]), "\n")
			t.Errorf("%s:%d reads CI itself: use testneed.Missing (or testneed.InCI) instead", path, line)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 50 {
		t.Fatalf("found only %d test files under %s: the walk cannot see the repository's tests", seen, root)
	}
}
