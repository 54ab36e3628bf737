//go:build !linux

package agent

import (
	"errors"
	"os"
	"os/exec"
)

func startPTY(*exec.Cmd, WindowSize) (*os.File, func(WindowSize), error) {
	return nil, nil, errors.New("terminals are supported on Linux guests only")
}
