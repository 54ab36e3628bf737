package testneed_test

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/testneed"
)

// TestMissing runs this test binary again with and without CI=true: a
// missing part skips the test outside CI and fails it under CI.
func TestMissing(t *testing.T) {
	cases := []struct {
		ci, want string
		fails    bool
	}{
		{"", "--- SKIP: TestMissingChild", false},
		{"false", "--- SKIP: TestMissingChild", false},
		{"true", "--- FAIL: TestMissingChild", true},
		{"1", "--- FAIL: TestMissingChild", true},
	}
	for _, tc := range cases {
		t.Run("CI="+tc.ci, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run", "^TestMissingChild$", "-test.v")
			cmd.Env = append(cmd.Environ(), "GOLDSMITH_TESTNEED_CHILD=1", "CI="+tc.ci)
			out, err := cmd.CombinedOutput()
			if (err != nil) != tc.fails || !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), "frobnicator-that-does-not-exist is not installed") {
				t.Fatalf("CI=%q: err %v, want failure %t and %q with the reason:\n%s", tc.ci, err, tc.fails, tc.want, out)
			}
		})
	}
}

// TestMissingChild is run by TestMissing.
func TestMissingChild(t *testing.T) {
	if os.Getenv("GOLDSMITH_TESTNEED_CHILD") != "1" {
		t.Skip("run by TestMissing")
	}
	testneed.Tools(t, "apt-get install frobnicator", "sh", "frobnicator-that-does-not-exist")
	t.Fatal("Tools returned though a tool is missing")
}
