//go:build unix

package action

import (
	"os/exec"
	"syscall"
)

// setProcessGroup makes the child the leader of a new process group, so
// the whole tree it starts can be killed at once.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// killProcessGroup sends SIGKILL to the child's whole process group.
func killProcessGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		// The group may be gone already; fall back to the child itself.
		return cmd.Process.Kill()
	}
	return nil
}
