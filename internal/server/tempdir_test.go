package server

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestWorkerTempDirRemovesDeadWorkersFiles: the files of a worker killed
// mid-build are removed when a worker starts on that host again; those of
// live workers are not.
func TestWorkerTempDirRemovesDeadWorkersFiles(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	deadDir := filepath.Join(base, fmt.Sprintf("gsw-%d", dead.Process.Pid))
	liveDir := filepath.Join(base, "gsw-1") // pid 1 is alive
	for _, d := range []string{deadDir, liveDir} {
		if err := os.MkdirAll(filepath.Join(d, "gsb-123", "build-vm"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mine, err := workerTempDir(base, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if mine != filepath.Join(base, fmt.Sprintf("gsw-%d", os.Getpid())) {
		t.Errorf("own folder %s", mine)
	}
	if _, err := os.Stat(deadDir); !os.IsNotExist(err) {
		t.Errorf("a dead worker's files are still there (%v)", err)
	}
	if _, err := os.Stat(liveDir); err != nil {
		t.Errorf("a live worker's files were removed: %v", err)
	}
}
