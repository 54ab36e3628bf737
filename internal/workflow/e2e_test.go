package workflow_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
	"github.com/goldsmith-dev/goldsmith/internal/machine/qemu"
	"github.com/goldsmith-dev/goldsmith/internal/recipe"
	"github.com/goldsmith-dev/goldsmith/internal/toe"
	"github.com/goldsmith-dev/goldsmith/internal/vmtest"
	"github.com/goldsmith-dev/goldsmith/internal/workflow"
)

func vmTest(t *testing.T) { vmtest.Require(t) }

// agentBinary builds the static guest agent, once per test run.
func agentBinary(t *testing.T) string { return vmtest.AgentBinary(t) }

func loadRecipe(t *testing.T, path string) *recipe.Recipe {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := recipe.Parse(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// assertNothingLeft checks that no QEMU runs from the build's temp folder
// and that the folder is empty.
func assertNothingLeft(t *testing.T, tmp string) {
	t.Helper()
	vmtest.NoQEMU(t, tmp)
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Errorf("cannot look into the temp folder: %v", err)
	}
	for _, e := range entries {
		t.Errorf("left behind in the temp folder: %s", e.Name())
	}
}

// TestBuildEndToEnd builds a small image from debian-12 with a component
// that has build, validate and test phases, boots it for the tests, and
// checks every output.
func TestBuildEndToEnd(t *testing.T) {
	vmTest(t)
	out, tmp := t.TempDir(), t.TempDir()
	res, err := workflow.Build(t.Context(), workflow.Options{
		Recipe: loadRecipe(t, "testdata/e2e/recipe.yaml"), OutDir: out, TempDir: tmp,
		Formats: []workflow.Format{workflow.QCOW2, workflow.VHDX}, AgentBinary: agentBinary(t), NoNetwork: true, Machines: qemu.Launcher{},
		Reporter: testReporter{t},
	})
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	m := res.Manifest
	if m.Status != "success" || len(m.Outputs) != 2 || m.Packages < 50 || m.Base.Digest == "" {
		t.Fatalf("manifest: %+v", m)
	}
	for _, o := range m.Outputs {
		sum, err := os.ReadFile(filepath.Join(out, o.File+".sha256"))
		if err != nil || !strings.HasPrefix(string(sum), o.SHA256+"  "+o.File) {
			t.Errorf("%s: sha256 file %q (%v)", o.File, sum, err)
		}
		info, err := exec.Command("qemu-img", "info", "--output=json", filepath.Join(out, o.File)).Output()
		if err != nil || !strings.Contains(string(info), `"format": "`+string(o.Format)+`"`) {
			t.Errorf("%s is not a %s image: %s", o.File, o.Format, info)
		}
	}
	c := m.Components[0]
	if c.Parameters["Message"] != "greetings" || !strings.HasPrefix(c.CacheKey, "sha256:") || !strings.HasPrefix(c.Digest, "sha256:") {
		t.Errorf("component in the manifest: %+v", c)
	}
	phases := map[string]bool{}
	for _, p := range m.Timings.Phases {
		phases[p.Phase] = p.Status == "success" && len(p.Steps) > 0
	}
	if !phases["build"] || !phases["validate"] || !phases["test"] {
		t.Errorf("phase timings: %+v", m.Timings.Phases)
	}
	var bom struct {
		Components []struct{ Name string } `json:"components"`
	}
	data, _ := os.ReadFile(filepath.Join(out, "sbom.cdx.json"))
	if json.Unmarshal(data, &bom) != nil || len(bom.Components) != m.Packages {
		t.Errorf("sbom has %d components, manifest says %d packages", len(bom.Components), m.Packages)
	}
	for _, f := range []string{"logs/build-vm-serial.log", "logs/test-vm-serial.log", "logs/build/01-hello", "logs/test/01-hello", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing output %s", f)
		}
	}
	console, _ := filepath.Glob(filepath.Join(out, "logs/build/01-hello/TOE_*/console.log"))
	if len(console) != 1 {
		t.Fatalf("the build phase's console.log is missing: %v", console)
	}
	text, _ := os.ReadFile(console[0])
	for _, want := range []string{"asking for a reboot", "resumed after the reboot", "running in a new boot"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("build phase console lacks %q: the reboot did not resume at the right step", want)
		}
	}
	runs, _ := filepath.Glob(filepath.Join(out, "logs/test/01-hello/TOE_*/detailedoutput.json"))
	if len(runs) != 1 {
		t.Errorf("the test phase's runner report is missing: %v", runs)
	}
	assertNothingLeft(t, tmp)
}

// TestBuildFailingTestPhase: the image's test fails, so the build fails,
// names the component, phase and step with the step's last output, leaves
// no image in the output folder, and no VM or temporary file anywhere.
func TestBuildFailingTestPhase(t *testing.T) {
	vmTest(t)
	out, tmp := t.TempDir(), t.TempDir()
	// With keep-on-failure the failed test VM stays up until the build's
	// context ends; meanwhile `goldsmith debug` reaches it through the agent.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	debugged := make(chan string, 1)
	go func() {
		defer cancel()
		debugged <- debugKeptVM(ctx, out)
	}()
	_, err := workflow.Build(ctx, workflow.Options{
		Recipe: loadRecipe(t, "testdata/e2e/failing-recipe.yaml"), OutDir: out, TempDir: tmp,
		AgentBinary: agentBinary(t), NoNetwork: true, Machines: qemu.Launcher{}, Reporter: testReporter{t}, KeepOnFailure: true,
	})
	cancel() // the build has returned: stop waiting for a kept VM
	if got := <-debugged; got != "built" {
		t.Errorf("debug shell in the kept VM: read %q from /etc/goldsmith-marker, want \"built\"", got)
	}
	if _, err := os.Stat(filepath.Join(out, workflow.DebugFile)); err == nil {
		t.Errorf("%s left after the build ended", workflow.DebugFile)
	}
	var f *workflow.Failure
	if !errors.As(err, &f) {
		t.Fatalf("err = %v, want a *workflow.Failure", err)
	}
	if f.Component != "failing-test" || f.Phase != "test" || f.Step != "ServiceAnswers" {
		t.Errorf("failure names %s/%s/%s", f.Component, f.Phase, f.Step)
	}
	msg := err.Error()
	for _, want := range []string{"component failing-test, phase test, step ServiceAnswers (ExecuteBash) failed", "exit status 3", "probing the service", "no answer on port 8080"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	images, _ := filepath.Glob(filepath.Join(out, "*.qcow2"))
	if len(images) != 0 {
		t.Errorf("a failed build left images: %v", images)
	}
	m, err := workflow.ReadManifest(out)
	if err != nil || m.Status != "failed" || !strings.Contains(m.Failure, "ServiceAnswers") {
		t.Errorf("manifest of the failed build: %+v, %v", m, err)
	}
	assertNothingLeft(t, tmp)
}

// debugKeptVM waits for a kept VM, runs a command in it as `goldsmith
// debug` does, and returns the command's output.
func debugKeptVM(ctx context.Context, out string) string {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		data, err := os.ReadFile(filepath.Join(out, workflow.DebugFile))
		if err != nil {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		var info workflow.DebugInfo
		if json.Unmarshal(data, &info) != nil {
			continue
		}
		dctx, dcancel := context.WithTimeout(ctx, 2*time.Minute)
		defer dcancel()
		c, err := agent.Dial(dctx, info.AgentSocket)
		if err != nil {
			return "dial: " + err.Error()
		}
		defer c.Close()
		var buf bytes.Buffer
		if _, err := c.Exec(dctx, agent.ExecRequest{Argv: []string{"cat", "/etc/goldsmith-marker"}}, agent.Stdio{Stdout: &buf}); err != nil {
			return "exec: " + err.Error()
		}
		return buf.String()
	}
	return "no VM was kept"
}

type testReporter struct{ t *testing.T }

func (r testReporter) StepStarted(name string) { r.t.Logf("==> %s", name) }
func (r testReporter) StepFinished(t workflow.Timing) {
	r.t.Logf("<== %s %s %s", t.Step, t.Status, t.Duration)
}
func (r testReporter) ComponentEvent(c *workflow.Component, stage string, e toe.Event) {
	if e.Line != "" {
		r.t.Logf("    %s/%s %s | %s", c.Name, e.Phase, e.Step, e.Line)
	}
}
func (r testReporter) Logf(format string, args ...any) { r.t.Logf("    "+format, args...) }
