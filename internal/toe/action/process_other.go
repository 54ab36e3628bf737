//go:build !unix

package action

import "os/exec"

// setProcessGroup does nothing here. TODO(windows): put the child in a job
// object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE so the tree dies with it.
func setProcessGroup(cmd *exec.Cmd) {}

// killProcessGroup kills the child; its own children may survive (see
// setProcessGroup).
func killProcessGroup(cmd *exec.Cmd) error {
	if cmd.Process == nil {
		return nil
	}
	return cmd.Process.Kill()
}
