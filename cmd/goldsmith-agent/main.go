// Command goldsmith-agent is the guest agent: the small binary that
// build machines run, which serves the build host over a virtio-serial
// port (or a unix socket) and runs component documents with the same
// engine as `goldsmith toe run`. It holds the agent and the component
// engine only (internal/agent, internal/toe, internal/component), none of
// the server's store, API or queue; deps_test.go keeps it so.
//
// goldsmith carries it into the guest on the agent's seed disk as
// /goldsmith, which base images' goldsmith-agent unit and the cloud-init
// seed start as `goldsmith agent`: a leading "agent" argument is accepted
// and ignored, so images made for the one-binary agent keep working.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `Usage: goldsmith-agent [agent] [flags]

Run the guest agent inside a build machine. It talks to the host over a
virtio-serial port (no network, no open ports): it runs component documents
with the same engine as 'goldsmith toe run', streams their events, transfers
files, runs commands, and reboots or powers off the machine on request.

When a step asks for a reboot (exit code 194 or the Reboot module), the run's
state is saved under --state-dir, the machine restarts with --reboot-command,
and the agent resumes the run when it starts again. Start it at boot (a
systemd unit, or cloud-init from the seed disk); it stops on SIGTERM.

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "goldsmith-agent:", err)
		os.Exit(2)
	}
}

// run parses args and serves until ctx ends.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "agent" {
		args = args[1:]
	}
	var opts agent.ServerOptions
	fs := flag.NewFlagSet("goldsmith-agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	port := fs.String("port", agent.DefaultPort, "virtio-serial port device (a unix socket path also works, for development)")
	fs.StringVar(&opts.StateDir, "state-dir", agent.DefaultStateDir, "folder for run state that must survive reboots")
	fs.StringVar(&opts.RebootCommand, "reboot-command", agent.DefaultRebootCommand, "shell command that restarts the machine")
	fs.StringVar(&opts.PowerOffCommand, "poweroff-command", agent.DefaultPowerOff, "shell command that powers the machine off")
	verbose := fs.Bool("verbose", false, "log debug details")
	fs.BoolVar(verbose, "v", false, "log debug details (short for --verbose)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *showVersion {
		fmt.Fprintln(stderr, "goldsmith-agent", version)
		return nil
	}
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	opts.Version = version
	return agent.ServePath(ctx, *port, opts)
}
