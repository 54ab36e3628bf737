package toe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/toe"
	"github.com/goldsmith-dev/goldsmith/internal/toe/action"
)

func load(t *testing.T, name, doc string) toe.Input {
	t.Helper()
	d, err := component.Load(name, []byte(doc), action.Set{})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return toe.Input{Doc: d, Location: name}
}

// syncBuffer is a console that tests may read while a run writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRebootResume stands in for a restart: the reboot hook records the
// request, and running again with the same execution id resumes. A step
// exiting 194 runs again after the restart; the Reboot module's step does
// not; steps before the reboot do not run twice; the `if` is evaluated once.
func TestRebootResume(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	doc := strings.ReplaceAll(`schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Before
        action: ExecuteBash
        inputs: {commands: ['echo x >> DIR/before']}
      - name: KernelUpdate
        action: ExecuteBash
        if: {fileExists: DIR/before}
        inputs:
          commands:
            - |
              if [ -f DIR/rebooted ]; then echo "second run"; exit 0; fi
              touch DIR/rebooted
              exit 194
      - name: PlainReboot
        action: Reboot
        inputs: {delaySeconds: 0}
  - name: validate
    steps:
      - name: After
        action: ExecuteBash
        inputs: {commands: ['echo after >> DIR/after', 'cat DIR/after | wc -l']}
`, "DIR", dir)
	in := load(t, "reboot.yaml", doc)
	reboots := 0
	opts := toe.RunOptions{ExecutionID: "reboot-test", LogDir: filepath.Join(dir, "logs"), StateDir: filepath.Join(dir, "state"),
		Reboot: func(context.Context, time.Duration) error { reboots++; return nil }}
	var runDirs []string
	for i := 0; i < 3; i++ {
		res, err := toe.Run(context.Background(), []toe.Input{in}, opts)
		if err != nil {
			t.Fatalf("run %d: %v", i+1, err)
		}
		runDirs = append(runDirs, res.RunDir)
		if want := i < 2; res.Rebooting != want {
			t.Fatalf("run %d: Rebooting = %v, want %v", i+1, res.Rebooting, want)
		}
		if !res.Rebooting {
			if res.Summary.Status != toe.StatusSuccess || res.Summary.ExecutedStepCount != 4 {
				t.Fatalf("final summary %+v", res.Summary)
			}
		}
	}
	if reboots != 2 {
		t.Errorf("reboots = %d, want 2", reboots)
	}
	if runDirs[0] != runDirs[2] {
		t.Errorf("the resumed run wrote to %s, not the original run folder %s", runDirs[2], runDirs[0])
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "before")); string(b) != "x\n" {
		t.Errorf("step Before ran %q times; want once", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "after")); string(b) != "after\n" {
		t.Errorf("step After ran %q; want once", b)
	}
	var rep toe.Report
	b, err := os.ReadFile(filepath.Join(runDirs[2], toe.DetailedOutputFile))
	if err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(b, &rep)
	var names []string
	for _, p := range rep.Documents[0].Phases {
		for _, s := range p.Steps {
			names = append(names, p.Name+"."+s.Name+"="+string(s.Status))
		}
	}
	if got := strings.Join(names, " "); got != "build.Before=success build.KernelUpdate=success build.PlainReboot=success validate.After=success" {
		t.Errorf("report steps: %s", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "state", "toe-state-reboot-test.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("state file left after the run finished: %v", err)
	}
}

// TestCancelKillsTreeAndWritesReports cancels a run mid-step (as Ctrl-C
// does): the step's whole process tree dies and the reports are written.
func TestCancelKillsTreeAndWritesReports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "pid")
	in := load(t, "slow.yaml", `schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Slow
        action: ExecuteBash
        inputs: {commands: ['sleep 60 & echo $! > `+pidFile+`; echo started; wait']}
`)
	ctx, cancel := context.WithCancel(context.Background())
	con := &syncBuffer{}
	opts := toe.RunOptions{ExecutionID: "cancel", LogDir: dir, Console: con}
	done := make(chan struct{})
	var res *toe.Result
	var err error
	go func() { res, err = toe.Run(ctx, []toe.Input{in}, opts); close(done) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(con.String(), "started") {
		if time.Now().After(deadline) {
			t.Fatal("the step never started")
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	cancel()
	<-done
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("cancel took %s", took)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if res.Report.Status != toe.StatusCancelled {
		t.Errorf("status %s, want cancelled", res.Report.Status)
	}
	if _, err := os.Stat(filepath.Join(res.RunDir, toe.DetailedOutputFile)); err != nil {
		t.Errorf("no report after cancel: %v", err)
	}
	b, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if pid == 0 {
		t.Fatal("no pid recorded")
	}
	for i := 0; ; i++ {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			break
		}
		if i > 200 {
			t.Fatalf("grandchild %d still alive after cancel", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRequiredParameter checks that a missing required parameter stops
// the run before any step.
func TestRequiredParameter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := load(t, "p.yaml", `schemaVersion: 1.0
parameters:
  - Needed: {type: string}
phases: [{name: build, steps: [{name: A, action: ExecuteBash, inputs: {commands: ['touch `+dir+`/ran']}}]}]
`)
	_, err := toe.Run(context.Background(), []toe.Input{in}, toe.RunOptions{LogDir: dir})
	var ps component.Problems
	if !errors.As(err, &ps) || !strings.Contains(err.Error(), `parameter "Needed" has no default`) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "ran")); err == nil {
		t.Error("a step ran although a required parameter was missing")
	}
	res, err := toe.Run(context.Background(), []toe.Input{in}, toe.RunOptions{LogDir: dir, Parameters: map[string]string{"Needed": "yes"}})
	if err != nil || res.Summary.Status != toe.StatusSuccess {
		t.Fatalf("with the parameter: %v", err)
	}
}
