package agent

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/testneed"
)

// TestDependencies keeps the agent small: it goes into every build VM.
func TestDependencies(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".").Output()
	if err != nil {
		testneed.Missing(t, "go list is not usable here: %v", err)
	}
	forbidden := []string{"/internal/store", "/internal/api", "/internal/queue", "/internal/console", "/internal/server", "riverqueue", "modernc.org/sqlite", "jackc/pgx"}
	for _, p := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if strings.Contains(p, f) || p == "database/sql" {
				t.Errorf("internal/agent depends on %s; the guest agent must stay dependency-light", p)
			}
		}
	}
}
