// Package machinetest is the conformance suite of machine.Launcher
// implementations: every implementation runs Run in its own tests, so the
// build workflow can rely on the same behaviour from each. It boots real
// machines (minutes under QEMU's TCG).
package machinetest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
	"github.com/goldsmith-dev/goldsmith/internal/machine"
)

// Setup is what the suite needs from the implementation's test.
type Setup struct {
	// Launcher is the implementation under test.
	Launcher machine.Launcher
	// Disk is a qcow2 image whose system starts the guest agent from
	// what the machine carries (Goldsmith's debian-12 base image, say).
	Disk string
	// Agent is the guest agent binary (cmd/goldsmith-agent).
	Agent string
	// BootTimeout bounds a boot up to the agent answering; default 5
	// minutes.
	BootTimeout time.Duration
}

// Run runs the suite. Its subtests share one booted machine where they
// can, since boots are slow.
func Run(t *testing.T, s Setup) {
	if s.BootTimeout == 0 {
		s.BootTimeout = 5 * time.Minute
	}
	t.Run("Describe", func(t *testing.T) {
		d := s.Launcher.Describe(t.Context())
		if d.Kind == "" || d.StateKey == "" {
			t.Errorf("Describe() = %+v: a machine kind and a state key are required", d)
		}
		if d2 := s.Launcher.Describe(t.Context()); d2 != d {
			t.Errorf("Describe() changed between calls: %+v, then %+v", d, d2)
		}
	})
	t.Run("TerminateBeforeBoot", func(t *testing.T) { terminateBeforeBoot(t, s) })
	t.Run("Lifecycle", func(t *testing.T) { lifecycle(t, s) })
}

// launch starts a machine in a new folder; the machine is terminated when
// the test ends.
func launch(t *testing.T, s Setup, name string) machine.Machine {
	t.Helper()
	dir, err := os.MkdirTemp("", "gs-mt-") // short: unix socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	m, err := s.Launcher.Launch(t.Context(), machine.Spec{Name: name, Dir: dir, Disk: s.Disk, Agent: s.Agent, MemoryMiB: 1024, CPUs: 2})
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Terminate(context.Background()); err != nil {
			t.Errorf("Terminate at cleanup: %v", err)
		}
	})
	return m
}

// terminateBeforeBoot: a machine terminated at once stops, Terminate is
// idempotent, and the disk it started from is untouched.
func terminateBeforeBoot(t *testing.T, s Setup) {
	before, err := os.Stat(s.Disk)
	if err != nil {
		t.Fatal(err)
	}
	m := launch(t, s, "mt-terminate")
	for i := range 2 {
		if err := m.Terminate(t.Context()); err != nil {
			t.Fatalf("Terminate #%d: %v", i+1, err)
		}
	}
	select {
	case <-m.Done():
	default:
		t.Fatal("Done is not closed after Terminate returned")
	}
	if after, err := os.Stat(s.Disk); err != nil || !after.ModTime().Equal(before.ModTime()) || after.Size() != before.Size() {
		t.Errorf("the Spec's disk changed (or vanished: %v): the machine must write to a layer of its own", err)
	}
}

// lifecycle boots a machine, talks to its agent, powers it off cleanly,
// captures its disk and terminates it twice.
func lifecycle(t *testing.T, s Setup) {
	m := launch(t, s, "mt-lifecycle")
	ctx, cancel := context.WithTimeout(t.Context(), s.BootTimeout)
	defer cancel()
	c, err := m.Agent(ctx)
	if err != nil {
		t.Fatalf("Agent: %v\n%s", err, consoleTail(m))
	}
	defer c.Close()
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatalf("the agent does not answer Info: %v", err)
	}
	if info.OS != "linux" || info.Hostname == "" {
		t.Errorf("agent Info = %+v, want a linux guest with a host name", info)
	}
	t.Run("Exec", func(t *testing.T) {
		var out bytes.Buffer
		code, err := c.Exec(ctx, agent.ExecRequest{Argv: []string{"sh", "-c", "echo conformance; echo mark > /var/tmp/machinetest; sync; exit 3"}}, agent.Stdio{Stdout: &out, Stderr: &out})
		if err != nil || code != 3 || strings.TrimSpace(out.String()) != "conformance" {
			t.Errorf("Exec = exit %d, %v, output %q; want exit 3 and \"conformance\"", code, err, out.String())
		}
	})
	t.Run("AgentSocketAndConsole", func(t *testing.T) {
		if st, err := os.Stat(m.AgentSocket()); err != nil || st.Mode()&os.ModeSocket == 0 {
			t.Errorf("AgentSocket %q is not a unix socket: %v", m.AgentSocket(), err)
		}
		if st, err := os.Stat(m.ConsoleLog()); err != nil || st.Size() == 0 {
			t.Errorf("ConsoleLog %q is missing or empty after a boot: %v", m.ConsoleLog(), err)
		}
	})
	t.Run("StopAndCapture", func(t *testing.T) {
		c.Close()
		sctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
		defer cancel()
		if err := m.Stop(sctx); err != nil {
			t.Fatalf("Stop: %v\n%s", err, consoleTail(m))
		}
		select {
		case <-m.Done():
		default:
			t.Fatal("Done is not closed after Stop returned")
		}
		if err := m.Err(); err != nil {
			t.Errorf("Err after a clean power-off = %v, want nil", err)
		}
		dst := filepath.Join(t.TempDir(), "captured.qcow2")
		if err := m.Capture(sctx, dst); err != nil {
			t.Fatalf("Capture: %v", err)
		}
		head := make([]byte, 4)
		f, err := os.Open(dst)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.Read(head); err != nil || string(head) != "QFI\xfb" {
			t.Errorf("the captured disk does not start with qcow2's magic: %q %v", head, err)
		}
	})
	t.Run("TerminateIsIdempotent", func(t *testing.T) {
		for i := range 2 {
			if err := m.Terminate(t.Context()); err != nil {
				t.Errorf("Terminate #%d after the machine stopped: %v", i+1, err)
			}
		}
	})
}

func consoleTail(m machine.Machine) string {
	b, _ := os.ReadFile(m.ConsoleLog())
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return "console:\n" + string(b)
}
