package agent

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/toe"
)

// rebootDoc's second step asks for a reboot (exit 194) the first time it
// runs and succeeds the second time.
const rebootDoc = `name: reboot
schemaVersion: 1.0
phases:
  - name: build
    steps:
      - name: Before
        action: ExecuteBash
        inputs:
          commands: ['echo before']
      - name: MaybeReboot
        action: ExecuteBash
        inputs:
          commands:
            - |
              if [ ! -f marker ]; then
                touch marker
                echo rebooting
                exit 194
              fi
              echo resumed
      - name: After
        action: ExecuteBash
        inputs:
          commands: ['echo after']
`

func checkRebootRun(t *testing.T, res *RunResult, err error, ev *events) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(ev.lines(), ","), "before,rebooting,resumed,after"; got != want {
		t.Errorf("output lines = %q, want %q (each once, in order)", got, want)
	}
	if n := ev.count(toe.EventReboot); n != 1 {
		t.Errorf("%d reboot events, want 1", n)
	}
	if res.Report.Status != toe.StatusSuccess || res.Summary.FailedStepCount != 0 {
		t.Errorf("status %s, summary %+v", res.Report.Status, res.Summary)
	}
}

// TestRunAcrossReboot: the reboot command stops the agent and starts a
// new one on the same port and state folder, as a reboot would. The
// client's Run goes on streaming and returns the final result.
func TestRunAcrossReboot(t *testing.T) {
	t.Parallel()
	v := newFakeVM(t, true)
	state, work := t.TempDir(), t.TempDir()
	o := testServerOptions(t, state)
	o.BootID = func() string { return "boot-0" }
	var mu sync.Mutex
	var stop func()
	rebooted := make(chan struct{})
	o.Reboot = func(context.Context) error {
		go func() {
			mu.Lock()
			defer mu.Unlock()
			stop()
			o2 := o
			o2.BootID = func() string { return "boot-1" }
			stop = startAgent(t, v, o2)
			close(rebooted)
		}()
		return nil
	}
	mu.Lock()
	stop = startAgent(t, v, o)
	mu.Unlock()
	c := v.dial(t, testCtx(t, 10*time.Second), ClientOptions{})
	var ev events
	res, err := c.Run(testCtx(t, 60*time.Second), RunRequest{Documents: []Document{{Name: "reboot.yaml", Data: []byte(rebootDoc)}}, WorkDir: work}, ev.add)
	checkRebootRun(t, res, err, &ev)
	<-rebooted
	if in, err := c.Info(testCtx(t, 5*time.Second)); err != nil || in.BootID != "boot-1" {
		t.Errorf("after the run: %+v, %v", in, err)
	}
}

// TestRunAcrossRebootProcess does the same with agent processes: the
// reboot command signals the agent to stop, as systemctl reboot does, and
// a new process takes over.
func TestRunAcrossRebootProcess(t *testing.T) {
	t.Parallel()
	v := newFakeVM(t, true)
	state, work := t.TempDir(), t.TempDir()
	p := agentProc(t, v, state)
	restarted := make(chan error, 1)
	go func() {
		st, err := p.Wait()
		if err == nil && !st.Success() {
			err = errors.New(st.String())
		}
		if err == nil {
			agentProc(t, v, state)
		}
		restarted <- err
	}()
	c := v.dial(t, testCtx(t, 20*time.Second), ClientOptions{})
	var ev events
	res, err := c.Run(testCtx(t, 60*time.Second), RunRequest{Documents: []Document{{Name: "reboot.yaml", Data: []byte(rebootDoc)}}, WorkDir: work}, ev.add)
	if rerr := <-restarted; rerr != nil {
		t.Fatalf("the first agent did not stop cleanly: %v", rerr)
	}
	checkRebootRun(t, res, err, &ev)
}

// TestGuestGone kills the agent process mid-run: the client must notice
// and give up within its keepalive and reconnect timeouts.
func TestGuestGone(t *testing.T) {
	t.Parallel()
	v := newFakeVM(t, false)
	p := agentProc(t, v, t.TempDir())
	const reconnect = time.Second
	c := v.dial(t, testCtx(t, 20*time.Second), ClientOptions{ReconnectTimeout: reconnect})
	in, err := c.Info(testCtx(t, 5*time.Second))
	if err != nil || in.PID != p.Pid || in.Version != "test-child" {
		t.Fatalf("info = %+v, %v; want the child agent", in, err)
	}
	doc := "name: slow\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Sleep\n        action: ExecuteBash\n        inputs:\n          commands: ['echo started', 'sleep 60']\n"
	started := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		_, err := c.Run(testCtx(t, 60*time.Second), RunRequest{Documents: []Document{{Name: "slow.yaml", Data: []byte(doc)}}, LogDir: t.TempDir()}, func(e toe.Event) {
			if e.Line == "started" {
				close(started)
			}
		})
		errc <- err
	}()
	<-started
	killed := time.Now()
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	err = <-errc
	took := time.Since(killed)
	if !errors.Is(err, ErrGuestGone) {
		t.Fatalf("run after the agent died: %v, want ErrGuestGone", err)
	}
	if limit := testTimeout + reconnect + 2*time.Second; took > limit {
		t.Errorf("the client took %s to give up, over %s", took, limit)
	}
	t.Logf("gave up %s after the kill: %v", took.Round(time.Millisecond), err)
	if _, err := c.Ping(testCtx(t, 5*time.Second)); !errors.Is(err, ErrGuestGone) {
		t.Errorf("ping after the agent died: %v", err)
	}
}
