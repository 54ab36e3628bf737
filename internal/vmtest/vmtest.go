// Package vmtest holds what tests that boot VMs share: the check that the
// machine can run them (skipping with the reason when it cannot; CI
// installs everything, so nothing skips there) and a static goldsmith
// binary to run as the guest agent.
package vmtest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Require skips t unless the machine can build the base image and boot
// VMs: QEMU, qemu-img, mmdebstrap, mkfs.ext4 and root. -short skips too:
// VM builds take minutes.
func Require(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("VM builds take minutes; not with -short")
	}
	for _, tool := range []string{"qemu-system-x86_64", "qemu-img", "mmdebstrap", "mkfs.ext4"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: run scripts/setup.sh", tool)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("building the debian-12 base image needs root")
	}
}

var (
	agentOnce sync.Once
	agentPath string
	agentErr  error
)

// AgentBinary builds a static goldsmith from cmdDir (the path of
// cmd/goldsmith relative to the test's package) once per test binary.
func AgentBinary(t testing.TB, cmdDir string) string {
	t.Helper()
	agentOnce.Do(func() {
		dir, err := os.MkdirTemp("", "goldsmith-agent-bin-")
		if err != nil {
			agentErr = err
			return
		}
		agentPath = filepath.Join(dir, "goldsmith")
		cmd := exec.Command("go", "build", "-o", agentPath, cmdDir)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			agentErr = errors.New(string(out))
		}
	})
	if agentErr != nil {
		t.Fatalf("build the agent binary: %v", agentErr)
	}
	return agentPath
}
