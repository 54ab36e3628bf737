package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
	"github.com/goldsmith-dev/goldsmith/internal/workflow"
)

func newDebugCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "debug OUTDIR [-- COMMAND...]",
		Short: "Open a shell in the VM of a failed build kept with --keep-on-failure",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			data, err := os.ReadFile(filepath.Join(dir, workflow.DebugFile))
			if errors.Is(err, os.ErrNotExist) {
				return &exitError{exitInvalid, fmt.Errorf("no VM is kept for %s: build with --keep-on-failure, and keep that build running", dir)}
			}
			if err != nil {
				return err
			}
			var info workflow.DebugInfo
			if err := json.Unmarshal(data, &info); err != nil {
				return fmt.Errorf("%s is damaged: %w", workflow.DebugFile, err)
			}
			ctx := cmd.Context()
			c, err := agent.Dial(ctx, info.AgentSocket)
			if err != nil {
				return fmt.Errorf("reach the agent of the kept %s VM: %w", info.VM, err)
			}
			defer c.Close()
			argv := args[1:]
			if len(argv) == 0 {
				argv = []string{"/bin/bash", "-l"}
			}
			req := agent.ExecRequest{Argv: argv}
			stdio := agent.Stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}
			if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
				w, h, _ := term.GetSize(fd)
				req.TTY, req.Rows, req.Cols = true, uint16(h), uint16(w)
				old, err := term.MakeRaw(fd)
				if err == nil {
					defer term.Restore(fd, old)
				}
				resize := make(chan agent.WindowSize, 1)
				sig := make(chan os.Signal, 1)
				signal.Notify(sig, syscall.SIGWINCH)
				defer signal.Stop(sig)
				go func() {
					for range sig {
						if w, h, err := term.GetSize(fd); err == nil {
							resize <- agent.WindowSize{Rows: uint16(h), Cols: uint16(w)}
						}
					}
				}()
				stdio.Resize = resize
			}
			code, err := c.Exec(ctx, req, stdio)
			if err != nil {
				return err
			}
			if code != 0 {
				return &exitError{code, errors.New("")}
			}
			return nil
		},
	}
}
