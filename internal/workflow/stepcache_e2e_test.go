package workflow_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/machine/qemu"
	"github.com/goldsmith-dev/goldsmith/internal/stepcache"
	"github.com/goldsmith-dev/goldsmith/internal/toe"
	"github.com/goldsmith-dev/goldsmith/internal/workflow"
)

// quietReporter is testReporter without the listing lines the cache test
// prints by the thousand.
type quietReporter struct{ testReporter }

func (r quietReporter) ComponentEvent(c *workflow.Component, stage string, e toe.Event) {
	if strings.HasPrefix(e.Line, "TREE ") || strings.HasPrefix(e.Line, "PKG ") {
		return
	}
	r.testReporter.ComponentEvent(c, stage, e)
}

// cacheRecipe writes components a, b and c (each writes its value) and a
// recipe a=va, b=vb, c=vc, tree into dir, and returns the recipe path.
func cacheRecipe(t *testing.T, dir, va, vb, vc string) string {
	t.Helper()
	tmpl, err := os.ReadFile("testdata/stepcache/layer.yaml.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	tree, _ := filepath.Abs("testdata/stepcache/tree.yaml")
	var comps strings.Builder
	for _, c := range []struct{ name, value string }{{"a", va}, {"b", vb}, {"c", vc}} {
		p := filepath.Join(dir, c.name+".yaml")
		if err := os.WriteFile(p, []byte(strings.ReplaceAll(string(tmpl), "NAME", c.name)), 0o644); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&comps, "  - componentArn: %s\n    parameters: [{name: Value, value: [%q]}]\n", p, c.value)
	}
	fmt.Fprintf(&comps, "  - componentArn: %s\n", tree)
	// A 3 GiB root volume: the disk grows after the booted base is saved.
	r := fmt.Sprintf("name: cached\nsemanticVersion: 1.0.0\nparentImage: debian-12\nworkingDirectory: /tmp\n"+
		"blockDeviceMappings: [{deviceName: /dev/vda, ebs: {volumeSize: 3}}]\ncomponents:\n%s", comps.String())
	p := filepath.Join(dir, fmt.Sprintf("recipe-%s-%s-%s.yaml", va, vb, vc))
	if err := os.WriteFile(p, []byte(r), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// cacheRun is one build of the cache test.
type cacheRun struct {
	manifest *workflow.Manifest
	out      string
}

// ran reports which components' build phases ran (not from the cache).
func (r cacheRun) ran() string {
	var out []string
	for _, s := range r.manifest.Timings.Steps {
		if strings.HasPrefix(s.Step, "build:") && s.Status == "success" {
			out = append(out, strings.TrimPrefix(s.Step, "build:"))
		}
	}
	return strings.Join(out, ",")
}

// lines returns the tree component's validate output lines with prefix.
func (r cacheRun) lines(t *testing.T, prefix string) []string {
	t.Helper()
	var out []string
	err := filepath.Walk(filepath.Join(r.out, "logs", "validate"), func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || info.Name() != "console.log" || !strings.Contains(p, "-tree") {
			return err
		}
		data, err := os.ReadFile(p)
		for _, l := range strings.Split(string(data), "\n") {
			if i := strings.Index(l, prefix); i >= 0 {
				out = append(out, l[i:])
			}
		}
		return err
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("no %q lines in the tree component's console log (%v)", prefix, err)
	}
	return out
}

// TestStepCache builds a-b-c without reading the cache, then changes b (b
// and c run, from a's disk), then changes c (only c runs, from b's disk).
// The last, mostly cached build must equal the first, uncached one file for
// file: the changed values have the same length, so the tree listing
// (type, mode, size, path) and the package list must match exactly, and
// the contents are checked on their own.
func TestStepCache(t *testing.T) {
	vmTest(t)
	dir, tmp := t.TempDir(), t.TempDir()
	cache := &stepcache.Cache{Dir: filepath.Join(dir, "cache")}
	run := func(name, recipePath string, noCache bool) cacheRun {
		t.Helper()
		out := filepath.Join(dir, name)
		res, err := workflow.Build(t.Context(), workflow.Options{
			Recipe: loadRecipe(t, recipePath), OutDir: out, TempDir: tmp, AgentBinary: agentBinary(t), Machines: qemu.Launcher{},
			NoNetwork: true, Reporter: quietReporter{testReporter{t}}, Cache: cache, NoCache: noCache,
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		assertNothingLeft(t, tmp)
		return cacheRun{res.Manifest, out}
	}
	status := func(r cacheRun) string {
		var s []string
		for _, c := range r.manifest.Components {
			if c.Cache == nil {
				s = append(s, c.Name+"=none")
				continue
			}
			s = append(s, c.Name+"="+c.Cache.Status)
		}
		return strings.Join(s, " ")
	}
	content := func(r cacheRun) string { return strings.Join(r.lines(t, "CONTENT "), " ") }

	// An entry for a-b-c exists already, to show --no-cache does not read it.
	first := run("first", cacheRecipe(t, dir, "1", "1", "1"), true)
	if got, want := status(first), "a=stored b=stored c=stored tree=stored"; got != want {
		t.Fatalf("first build: cache %s, want %s", got, want)
	}
	if got := first.ran(); got != "a,b,c" {
		t.Fatalf("first build ran %q", got)
	}
	if entries, err := cache.List(t.Context()); err != nil || len(entries) != 5 {
		t.Fatalf("cache has %d entries (%v), want 5 (the booted base and 4 components)", len(entries), err)
	}
	if b := first.manifest.Cache.Boot; b == nil || b.Status != "stored" || first.manifest.Cache.Resumed != "" {
		t.Fatalf("first build: booted base %+v, resumed %q; want it stored, and a boot", b, first.manifest.Cache.Resumed)
	}
	// Cached builds resume the build VM saved with their last cached entry.
	resumed := func(r cacheRun, after string) {
		t.Helper()
		var want string
		for _, c := range r.manifest.Components {
			if c.Name == after {
				want = c.Cache.Entry
			}
		}
		if b := r.manifest.Cache.Boot; b == nil || b.Status != "hit" || want == "" || r.manifest.Cache.Resumed != want {
			t.Fatalf("booted base %+v, resumed from %q; want the state saved after %s (%s)", b, r.manifest.Cache.Resumed, after, want)
		}
	}

	second := run("changed-b", cacheRecipe(t, dir, "1", "2", "2"), false)
	if got, want := status(second), "a=hit b=stored c=stored tree=stored"; got != want {
		t.Fatalf("b changed: cache %s, want %s", got, want)
	}
	if got := second.ran(); got != "b,c" {
		t.Fatalf("b changed: build phases ran for %q, want b,c", got)
	}
	resumed(second, "a")
	if got, want := content(second), "CONTENT /opt/gs/a=1 CONTENT /opt/gs/b=2 CONTENT /opt/gs/c=2"; got != want {
		t.Fatalf("content: %s, want %s", got, want)
	}

	third := run("changed-c", cacheRecipe(t, dir, "1", "2", "3"), false)
	if got, want := status(third), "a=hit b=hit c=stored tree=stored"; got != want {
		t.Fatalf("c changed: cache %s, want %s", got, want)
	}
	if got := third.ran(); got != "c" {
		t.Fatalf("c changed: build phases ran for %q, want only c", got)
	}
	resumed(third, "b")
	if m := third.manifest; m.Cache == nil || m.Cache.Hits != 2 || m.Cache.Saved <= 0 {
		t.Fatalf("manifest step cache summary: %+v", m.Cache)
	}
	if got, want := content(third), "CONTENT /opt/gs/a=1 CONTENT /opt/gs/b=2 CONTENT /opt/gs/c=3"; got != want {
		t.Fatalf("cached build content: %s, want %s", got, want)
	}
	// Each build's root file system fills the 3 GiB volume (more than
	// 2.5 GiB: the base image's disk is 2 GiB).
	for _, r := range []cacheRun{first, second, third} {
		var mib int
		if _, err := fmt.Sscanf(r.lines(t, "ROOTFS ")[0], "ROOTFS %dM", &mib); err != nil || mib < 2560 {
			t.Errorf("root file system of %s: %q (%v), want about 3 GiB", r.out, r.lines(t, "ROOTFS ")[0], err)
		}
	}
	for _, prefix := range []string{"PKG ", "TREE "} {
		if d := diffLines(first.lines(t, prefix), third.lines(t, prefix)); d != "" {
			t.Errorf("the cached and the uncached build differ (%s lines; - uncached, + cached):\n%s", prefix, d)
		}
	}
}

// diffLines lists lines only in a (-) or only in b (+), at most 40.
func diffLines(a, b []string) string {
	count := map[string]int{}
	for _, l := range a {
		count[l]++
	}
	for _, l := range b {
		count[l]--
	}
	var out []string
	for l, n := range count {
		switch {
		case n > 0:
			out = append(out, "- "+l)
		case n < 0:
			out = append(out, "+ "+l)
		}
	}
	if len(out) > 40 {
		out = append(out[:40], fmt.Sprintf("... %d more", len(out)-40))
	}
	return strings.Join(out, "\n")
}

// TestStepCacheRelativeDir builds with the step cache, output and VM
// folders given relative to the working directory (as `goldsmith build
// --cache-dir cache -o out` gives them), then builds again: the rebuild
// must start from the entries the first build saved. Relative backing
// paths once broke this silently (QEMU reads them from the layer's folder).
func TestStepCacheRelativeDir(t *testing.T) {
	vmTest(t)
	dir := t.TempDir()
	agent := agentBinary(t) // before the chdir: it builds ../../cmd/goldsmith
	tmpl, err := os.ReadFile("testdata/stepcache/layer.yaml.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	comp := filepath.Join(dir, "a.yaml")
	recipePath := filepath.Join(dir, "recipe.yaml")
	if err := os.WriteFile(comp, []byte(strings.ReplaceAll(string(tmpl), "NAME", "a")), 0o644); err != nil {
		t.Fatal(err)
	}
	r := fmt.Sprintf("name: relative\nsemanticVersion: 1.0.0\nparentImage: debian-12\ncomponents:\n"+
		"  - componentArn: %s\n    parameters: [{name: Value, value: [\"1\"]}]\n", comp)
	if err := os.WriteFile(recipePath, []byte(r), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if err := os.Mkdir("tmp", 0o755); err != nil {
		t.Fatal(err)
	}
	cache := &stepcache.Cache{Dir: "cache"}
	run := func(out string) *workflow.Manifest {
		t.Helper()
		res, err := workflow.Build(t.Context(), workflow.Options{
			Recipe: loadRecipe(t, recipePath), OutDir: out, TempDir: "tmp", AgentBinary: agent, NoNetwork: true, Machines: qemu.Launcher{},
			SkipTests: true, Reporter: quietReporter{testReporter{t}}, Cache: cache,
		})
		if err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		assertNothingLeft(t, filepath.Join(dir, "tmp"))
		m := res.Manifest
		if m.Cache == nil || m.Cache.Warning != "" {
			t.Fatalf("%s: step cache %+v; want it used without a warning", out, m.Cache)
		}
		return m
	}
	use := func(m *workflow.Manifest) string {
		s := "boot=none"
		if b := m.Cache.Boot; b != nil {
			s = "boot=" + b.Status
		}
		for _, c := range m.Components {
			if c.Cache != nil {
				s += " " + c.Name + "=" + c.Cache.Status
			}
		}
		return s
	}

	if got, want := use(run("first")), "boot=stored a=stored"; got != want {
		t.Fatalf("first build: cache %s, want %s", got, want)
	}
	entries, err := cache.List(t.Context())
	if err != nil || len(entries) != 2 {
		t.Fatalf("cache has %d entries (%v), want 2 (the booted base and a)", len(entries), err)
	}
	for _, e := range entries {
		if !filepath.IsAbs(e.Path) || !filepath.IsAbs(e.Backing) {
			t.Errorf("entry %s (%s): path %q, backing %q; want absolute paths", e.Key, e.Component, e.Path, e.Backing)
		}
	}
	second := run("second")
	if got, want := use(second), "boot=hit a=hit"; got != want {
		t.Fatalf("rebuild: cache %s, want %s (the first build's entries unusable?)", got, want)
	}
	if second.Cache.Hits != 1 {
		t.Fatalf("rebuild: %d cache hits, want 1", second.Cache.Hits)
	}
}
