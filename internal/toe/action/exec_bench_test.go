package action

import (
	"io"
	"log/slog"
	"os/exec"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

// BenchmarkExecuteBashTrue measures ExecuteBash's overhead over a bare
// bash start (BenchmarkBareBashTrue): script write, decoding, process
// group, console plumbing.
func BenchmarkExecuteBashTrue(b *testing.B) {
	m, _ := Lookup("ExecuteBash")
	env := &Env{Console: io.Discard, Log: slog.New(slog.DiscardHandler), ScratchDir: b.TempDir()}
	in := sysBenchInputs(b, `commands: ["true"]`)
	for b.Loop() {
		if _, err := m.Run(b.Context(), env, in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBareBashTrue(b *testing.B) {
	for b.Loop() {
		if err := exec.Command("bash", "-c", "true").Run(); err != nil {
			b.Fatal(err)
		}
	}
}

func sysBenchInputs(b *testing.B, yml string) *component.Value {
	b.Helper()
	v, err := component.ParseYAML([]byte(yml))
	if err != nil {
		b.Fatal(err)
	}
	return v
}
