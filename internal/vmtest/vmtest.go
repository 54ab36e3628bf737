// Package vmtest holds what tests that boot VMs share: the check that the
// machine can run them (skipping with the reason when it cannot; CI
// installs everything, so nothing skips there) and a static guest agent
// (cmd/goldsmith-agent) to run in the VMs.
package vmtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// AgentBinary builds a static cmd/goldsmith-agent, the guest agent, once
// per test binary: `go test` does not run the Makefile, so tests never
// rely on the agent embedded in goldsmith.
func AgentBinary(t testing.TB) string {
	t.Helper()
	agentOnce.Do(func() {
		root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
		if err != nil {
			agentErr = fmt.Errorf("find the module's folder: %w", err)
			return
		}
		dir, err := os.MkdirTemp("", "goldsmith-agent-bin-")
		if err != nil {
			agentErr = err
			return
		}
		agentPath = filepath.Join(dir, "goldsmith-agent")
		cmd := exec.Command("go", "build", "-o", agentPath, "./cmd/goldsmith-agent")
		cmd.Dir = strings.TrimSpace(string(root))
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			agentErr = fmt.Errorf("%w: %s", err, out)
		}
	})
	if agentErr != nil {
		t.Fatalf("build the guest agent: %v", agentErr)
	}
	return agentPath
}
