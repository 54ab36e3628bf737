// Package vmtest holds what tests that boot VMs share: the check that the
// machine can run them (skipping with the reason when it cannot, failing
// under CI=true, where everything is installed), a static guest agent
// (cmd/goldsmith-agent) to run in the VMs, and the check that no VM is left running.
package vmtest

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/testneed"
)

// Require ends t unless the machine can build the base image and boot
// VMs: QEMU, qemu-img, mmdebstrap, mkfs.ext4 and root. It skips with the
// reason, or fails under CI=true (see testneed). -short skips too: VM
// builds take minutes.
func Require(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("VM builds take minutes; not with -short")
	}
	testneed.Tools(t, "run scripts/setup-test.sh", "qemu-system-x86_64", "qemu-img", "mmdebstrap", "mkfs.ext4")
	testneed.Root(t, "building the debian-12 base image")
}

// QEMUs returns the command lines of the running QEMU processes
// (qemu-system-*) whose command line contains marker, read from /proc. It
// proves it can look: t fails when /proc cannot be read or when the scan
// does not find this test's own process, so "no VM left" never passes
// because the check saw nothing.
func QEMUs(t testing.TB, marker string) []string {
	t.Helper()
	found, err := qemus(os.DirFS("/proc"), os.Getpid(), marker)
	if err != nil {
		t.Fatalf("list QEMU processes: %v", err)
	}
	return found
}

// qemus scans proc (a /proc file system) for QEMU processes with marker in
// their command line; it fails unless it saw the process self.
func qemus(proc fs.FS, self int, marker string) ([]string, error) {
	entries, err := fs.ReadDir(proc, ".")
	if err != nil {
		return nil, fmt.Errorf("read /proc: %w", err)
	}
	var found []string
	sawSelf := false
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		raw, err := fs.ReadFile(proc, e.Name()+"/cmdline")
		if err != nil || len(raw) == 0 {
			continue // gone meanwhile, or a kernel thread
		}
		args := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
		if pid == self {
			sawSelf = true
		}
		line := strings.Join(args, " ")
		if strings.HasPrefix(filepath.Base(args[0]), "qemu-system") && strings.Contains(line, marker) {
			found = append(found, fmt.Sprintf("%d %s", pid, line))
		}
	}
	if !sawSelf {
		return nil, fmt.Errorf("this process (%d) is not among the %d entries of /proc: processes are hidden from the check (hidepid?) and it cannot see VMs", self, len(entries))
	}
	return found, nil
}

// NoQEMU fails t for every QEMU process whose command line contains
// marker (see QEMUs).
func NoQEMU(t testing.TB, marker string) {
	t.Helper()
	for _, p := range QEMUs(t, marker) {
		t.Errorf("a VM is still running: %s", p)
	}
}

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// build builds the static goldsmith and goldsmith-agent binaries into one
// folder, once per test binary: `go test` does not run the Makefile, so
// tests never rely on an agent embedded in goldsmith. The agent lies next
// to goldsmith, where goldsmith serve and worker look for it.
func build(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		root, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}").Output()
		if err != nil {
			binErr = fmt.Errorf("find the module's folder: %w", err)
			return
		}
		if binDir, err = os.MkdirTemp("", "goldsmith-bin-"); err != nil {
			binErr = err
			return
		}
		for _, b := range []struct{ name, pkg string }{{"goldsmith-agent", "./cmd/goldsmith-agent"}, {"goldsmith", "./cmd/goldsmith"}} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, b.name), b.pkg)
			cmd.Dir = strings.TrimSpace(string(root))
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				binErr = fmt.Errorf("build %s: %w: %s", b.pkg, err, out)
				return
			}
		}
	})
	if binErr != nil {
		t.Fatalf("build the test binaries: %v", binErr)
	}
	return binDir
}

// AgentBinary is a static cmd/goldsmith-agent, the guest agent.
func AgentBinary(t testing.TB) string {
	t.Helper()
	return filepath.Join(build(t), "goldsmith-agent")
}

// GoldsmithBinary is a static cmd/goldsmith (for tests that run serve,
// worker or a client command as a process), with the guest agent next to
// it.
func GoldsmithBinary(t testing.TB) string {
	t.Helper()
	return filepath.Join(build(t), "goldsmith")
}
