package main

import (
	"log/slog"

	"github.com/spf13/cobra"

	"github.com/goldsmith-dev/goldsmith/internal/agent"
)

func newAgentCommand() *cobra.Command {
	var opts agent.ServerOptions
	var port string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "agent",
		Short: "Run the in-guest agent that serves the build host over virtio-serial",
		Long: `Run the guest agent inside a build VM. It talks to the host over a
virtio-serial port (no network, no open ports): it runs component documents
with the same engine as 'goldsmith toe run', streams their events, transfers
files, runs commands, and reboots or powers off the machine on request.

When a step asks for a reboot (exit code 194 or the Reboot module), the run's
state is saved under --state-dir, the machine restarts with --reboot-command,
and the agent resumes the run when it starts again. Start it at boot (a
systemd unit, or cloud-init from the seed disk); it stops on SIGTERM.`,
		Args: noArgs(""),
		RunE: func(cmd *cobra.Command, _ []string) error {
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			opts.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			opts.Version = version
			return agent.ServePath(cmd.Context(), port, opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&port, "port", agent.DefaultPort, "virtio-serial port device (a unix socket path also works, for development)")
	fl.StringVar(&opts.StateDir, "state-dir", agent.DefaultStateDir, "folder for run state that must survive reboots")
	fl.StringVar(&opts.RebootCommand, "reboot-command", agent.DefaultRebootCommand, "shell command that restarts the machine")
	fl.StringVar(&opts.PowerOffCommand, "poweroff-command", agent.DefaultPowerOff, "shell command that powers the machine off")
	fl.BoolVarP(&verbose, "verbose", "v", false, "log debug details")
	return cmd
}
