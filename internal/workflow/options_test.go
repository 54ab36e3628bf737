package workflow

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/machine"
	"github.com/goldsmith-dev/goldsmith/internal/recipe"
)

// TestOptionsPathsAbsolute: the folders a build hands to QEMU, or that
// the step cache records, are absolute whatever the caller gives.
func TestOptionsPathsAbsolute(t *testing.T) {
	t.Chdir(t.TempDir())
	o, err := Options{Recipe: &recipe.Recipe{}, OutDir: "out", TempDir: "tmp", AgentBinary: "bin/goldsmith", Machines: noMachines{}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]string{"OutDir": o.OutDir, "TempDir": o.TempDir, "AgentBinary": o.AgentBinary} {
		if !filepath.IsAbs(p) {
			t.Errorf("%s = %q, want an absolute path", name, p)
		}
	}
}

// noMachines is a Launcher for tests that never launch a machine.
type noMachines struct{}

func (noMachines) Launch(context.Context, machine.Spec) (machine.Machine, error) {
	return nil, errors.New("this test launches no machine")
}

func (noMachines) Describe(context.Context) machine.Description {
	return machine.Description{Kind: "none"}
}

// logRecorder is a Reporter that keeps Logf's messages.
type logRecorder struct {
	nopReporter
	lines *[]string
}

func (r logRecorder) Logf(format string, args ...any) {
	*r.lines = append(*r.lines, fmt.Sprintf(format, args...))
}

// TestCacheSaveFailureWarns: a step cache entry that cannot be saved does
// not fail the build, but says so, with the cause, in the build output and
// the manifest.
func TestCacheSaveFailureWarns(t *testing.T) {
	var lines []string
	b := &vmBuild{opts: Options{Reporter: logRecorder{lines: &lines}}, manifest: &Manifest{Cache: &CacheSummary{}}}
	c := &Component{Name: "nginx"}
	err := b.cacheFailed(c, errors.New("qemu-img: Could not open backing image"))
	var skip *Skip
	if !errors.As(err, &skip) {
		t.Fatalf("cacheFailed returned %v, want a Skip (the build goes on)", err)
	}
	want := "saving the entry after component nginx failed: qemu-img: Could not open backing image"
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "WARNING: step cache: "+want) {
		t.Errorf("build output %q, want a WARNING naming the cause (%s)", lines, want)
	}
	if b.manifest.Cache.Warning != want || c.Cache == nil || c.Cache.Status != "unavailable" || c.Cache.Note != want {
		t.Errorf("manifest: warning %q, component cache %+v; want both to name the cause", b.manifest.Cache.Warning, c.Cache)
	}
}
