// Command goldsmith is the golden-image factory: the AWSTOE-compatible
// component runner (toe), local VM builds, the Image Builder API server,
// workers, the guest agent and their client commands, in one binary.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// exitError carries a specific process exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// newRootCommand is the whole command tree, with the usage rules of
// usage.go applied to every command.
func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "goldsmith",
		Short:         "Goldsmith builds, tests and ships golden VM images",
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("goldsmith {{.Version}}\n")
	root.AddCommand(newToeCommand(), newBuildCommand(), newValidateCommand(), newDebugCommand(), newServeCommand(), newWorkerCommand(),
		newLogsCommand(), newKeysCommand(), newCacheCommand(), newVersionCommand())
	root.InitDefaultCompletionCmd()
	applyUsageRules(root)
	return root
}

// run executes the command line args and returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCommand()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	code := exitFailed
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	if ee == nil || ee.err != nil && ee.err.Error() != "" {
		fmt.Fprintln(stderr, "goldsmith:", err)
	}
	return code
}
