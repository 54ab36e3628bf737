package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/server/servertest"
	"github.com/goldsmith-dev/goldsmith/internal/vmtest"
)

// buildCommand is `goldsmith build` of a one-component recipe whose build
// phase runs script, in a folder of its own (TMPDIR too, so the VMs'
// command lines carry it and the check that none is left can find them).
func buildCommand(t *testing.T, script string, flags ...string) (*exec.Cmd, *servertest.Buffer, string) {
	t.Helper()
	dir := t.TempDir()
	doc := "name: probe\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - name: Probe\n        action: ExecuteBash\n        inputs:\n          commands:\n            - " + script + "\n"
	recipe := "name: exit-status\nsemanticVersion: 1.0.0\nparentImage: debian-12\ncomponents:\n  - componentArn: probe.yaml\n"
	for name, text := range map[string]string{"probe.yaml": doc, "recipe.yaml": recipe} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"build", "-f", "recipe.yaml", "-o", "out",
		"--skip-tests", "--no-network", "--no-cache", "--cache-dir", filepath.Join(dir, "steps")}, flags...)
	cmd := exec.Command(vmtest.GoldsmithBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	out := &servertest.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	return cmd, out, tmp
}

func buildExitStatus(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if err == nil {
		return 0
	}
	if !errors.As(err, &ee) {
		t.Fatalf("run goldsmith build: %v", err)
	}
	return ee.ExitCode()
}

// TestBuildExitStatuses: the statuses `goldsmith build --help` documents
// for work that was tried, with a real VM build: 1 when a step fails (the
// message names component, phase and step) and 130 when interrupted, with
// no VM left behind either way. (Exit 2 is covered by TestUsageErrors and
// the testscripts; 0 by the e2e builds.)
func TestBuildExitStatuses(t *testing.T) {
	vmtest.Require(t)
	t.Run("a step fails: 1", func(t *testing.T) {
		cmd, out, tmp := buildCommand(t, "echo probe failed >&2; exit 3")
		got := buildExitStatus(t, cmd.Run())
		if got != exitFailed {
			t.Errorf("exit status %d, want %d; output:\n%s", got, exitFailed, out)
		}
		for _, want := range []string{"probe", "build", "Probe"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("output does not name %q:\n%s", want, out)
			}
		}
		vmtest.NoQEMU(t, tmp)
	})
	t.Run("interrupted: 130", func(t *testing.T) {
		cmd, out, tmp := buildCommand(t, "sleep 600")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Minute)
		for !strings.Contains(out.String(), "Probe (ExecuteBash)") {
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				t.Fatalf("the build never reached its step; output:\n%s", out)
			}
			time.Sleep(time.Second)
		}
		// The check that no VM is left must be able to see this one.
		if len(vmtest.QEMUs(t, tmp)) == 0 {
			_ = cmd.Process.Kill()
			t.Fatalf("no QEMU with %s in its command line while the step runs: the no-VM-left check could not see it", tmp)
		}
		if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if got := buildExitStatus(t, err); got != exitCancelled {
				t.Errorf("exit status %d, want %d; output:\n%s", got, exitCancelled, out)
			}
		case <-time.After(2 * time.Minute):
			_ = cmd.Process.Kill()
			t.Fatalf("goldsmith build did not stop within 2 minutes of SIGINT; output:\n%s", out)
		}
		vmtest.NoQEMU(t, tmp)
	})
}
