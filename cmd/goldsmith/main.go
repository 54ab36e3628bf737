// Command goldsmith is the golden-image factory: the AWSTOE-compatible
// component runner (toe), and in later releases local VM builds, the
// Image Builder API server, workers and the guest agent, in one binary.
package main

import (
	"context"
	"errors"
	"fmt"
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
	defer stop()
	root := &cobra.Command{
		Use:           "goldsmith",
		Short:         "Goldsmith builds, tests and ships golden VM images",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newToeCommand(), newBuildCommand(), newDebugCommand(), newServeCommand(), newWorkerCommand(), newLogsCommand(), newKeysCommand(), newCacheCommand())
	err := root.ExecuteContext(ctx)
	if err == nil {
		return
	}
	code := 1
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	if ee == nil || ee.err != nil && ee.err.Error() != "" {
		fmt.Fprintln(os.Stderr, "goldsmith:", err)
	}
	os.Exit(code)
}
