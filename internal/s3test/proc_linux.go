package s3test

import (
	"os/exec"
	"syscall"
)

// killWithParent has the kernel kill MinIO if the test binary dies without
// running its cleanups (a panic, a timeout, ^C).
func killWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
