package agent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/toe"
)

const echoDoc = `name: echo
schemaVersion: 1.0
parameters:
  - Who:
      type: string
      default: nobody
phases:
  - name: build
    steps:
      - name: Hello
        action: ExecuteBash
        inputs:
          commands:
            - echo "hello {{ Who }}"
      - name: Loop
        action: ExecuteBash
        loop:
          forEach:
            list: 'a;b;c'
            delimiter: ';'
        inputs:
          commands: ['echo item-{{ loop.value }}']
  - name: test
    steps:
      - name: Fail
        action: ExecuteBash
        inputs:
          commands:
            - echo failing
            - exit 3
`

// events collects a run's events for assertions.
type events struct {
	mu  sync.Mutex
	all []toe.Event
}

func (e *events) add(ev toe.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) lines() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.all {
		if ev.Kind == toe.EventStepOutput {
			out = append(out, ev.Line)
		}
	}
	return out
}

func (e *events) count(kind toe.EventKind) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.all {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

func TestRun(t *testing.T) {
	t.Parallel()
	v := newFakeVM(t, false)
	state := t.TempDir()
	startAgent(t, v, testServerOptions(t, state))
	c := v.dial(t, testCtx(t, 10*time.Second), ClientOptions{})
	ctx := testCtx(t, 60*time.Second)
	work := t.TempDir()

	var ev events
	res, err := c.Run(ctx, RunRequest{
		Documents:  []Document{{Name: "echo.yaml", Data: []byte(echoDoc), Parameters: map[string]string{"Who": "guest"}}},
		Phases:     []string{"build"},
		WorkDir:    work,
		Parameters: map[string]string{"Who": "everyone"},
	}, ev.add)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(ev.lines(), ","), "hello guest,item-a,item-b,item-c"; got != want {
		t.Errorf("output lines = %q, want %q", got, want)
	}
	if res.Report.Status != toe.StatusSuccess || res.Summary.ExecutedStepCount != 2 || res.Summary.FailedStepCount != 0 {
		t.Errorf("report status %s, summary %+v", res.Report.Status, res.Summary)
	}
	if ev.count(toe.EventStepStart) != 2 || ev.count(toe.EventStepEnd) != 2 || ev.count(toe.EventPhaseEnd) != 1 {
		t.Errorf("events: %+v", ev.all)
	}
	if !strings.HasPrefix(res.RunDir, filepath.Join(state, "logs")) {
		t.Errorf("run folder %s is not under the default log folder", res.RunDir)
	}
	if _, err := os.Stat(filepath.Join(res.RunDir, "detailedoutput.json")); err != nil {
		t.Errorf("run folder: %v", err)
	}

	// A failing step: the result comes back with an error wrapping
	// toe.ErrFailed that names the step.
	res, err = c.Run(ctx, RunRequest{Documents: []Document{{Name: "echo.yaml", Data: []byte(echoDoc)}}, Phases: []string{"test"}, LogDir: t.TempDir()}, nil)
	if !errors.Is(err, toe.ErrFailed) || !strings.Contains(err.Error(), "Fail") {
		t.Errorf("failing run: %v", err)
	}
	if res == nil || res.Report.Status != toe.StatusFailed || res.Summary.FailedStepCount != 1 {
		t.Errorf("failing run result: %+v", res)
	}

	// An invalid document: nothing runs, the problems come back.
	_, err = c.Run(ctx, RunRequest{Documents: []Document{{Name: "bad.yaml", Data: []byte("name: bad\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: X\n        action: NoSuchAction\n")}}}, nil)
	var ps component.Problems
	if !errors.Is(err, ErrInvalidDocuments) || !errors.As(err, &ps) || len(ps) == 0 || ps[0].File != "bad.yaml" {
		t.Errorf("invalid run: %v (problems %v)", err, ps)
	}
}

// TestRunIdempotent: the same execution id attaches instead of running
// twice, and gets every event again from the start; another request
// under the same id is refused.
func TestRunIdempotent(t *testing.T) {
	t.Parallel()
	v := newFakeVM(t, false)
	startAgent(t, v, testServerOptions(t, t.TempDir()))
	c := v.dial(t, testCtx(t, 10*time.Second), ClientOptions{})
	ctx := testCtx(t, 60*time.Second)
	req := RunRequest{ExecutionID: "same-id", Documents: []Document{{Name: "echo.yaml", Data: []byte(echoDoc)}}, Phases: []string{"build"}, LogDir: t.TempDir()}
	var first, second events
	if _, err := c.Run(ctx, req, first.add); err != nil {
		t.Fatal(err)
	}
	res, err := c.Run(ctx, req, second.add)
	if err != nil || res.Report.ExecutionID != "same-id" {
		t.Fatal(err)
	}
	if len(first.all) != len(second.all) || len(first.all) == 0 {
		t.Errorf("attached run saw %d events, the first %d", len(second.all), len(first.all))
	}
	req.Phases = []string{"test"}
	if _, err := c.Run(ctx, req, nil); err == nil || !strings.Contains(err.Error(), "already used") {
		t.Errorf("a different run under the same id: %v", err)
	}
}

func TestRunCancel(t *testing.T) {
	t.Parallel()
	v := newFakeVM(t, false)
	startAgent(t, v, testServerOptions(t, t.TempDir()))
	c := v.dial(t, testCtx(t, 10*time.Second), ClientOptions{})
	ctx, cancel := context.WithCancel(testCtx(t, 60*time.Second))
	doc := "name: slow\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Sleep\n        action: ExecuteBash\n        inputs:\n          commands: ['echo started', 'sleep 60']\n"
	req := RunRequest{ExecutionID: "to-cancel", Documents: []Document{{Name: "slow.yaml", Data: []byte(doc)}}, LogDir: t.TempDir()}
	_, err := c.Run(ctx, req, func(e toe.Event) {
		if e.Kind == toe.EventStepOutput && e.Line == "started" {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled run: %v", err)
	}
	// The guest run stops too: attaching again yields its cancelled result.
	_, err = c.Run(testCtx(t, 30*time.Second), req, nil)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "to-cancel") {
		t.Errorf("attach to the cancelled run: %v", err)
	}
}
