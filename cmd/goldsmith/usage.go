package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

// Exit statuses shared by every command (see exitStatus for each
// command's list).
const (
	exitFailed    = 1   // the work was tried and failed (a step, a build, a request)
	exitInvalid   = 2   // a usage error or invalid input: nothing was done
	exitCancelled = 130 // interrupted (Ctrl-C, SIGTERM)
	exitRebooting = 194 // toe run stopped for a reboot
)

// exitStatus documents, by command path (without "goldsmith "), the exit
// statuses a command uses beyond defaultExitStatus; applyUsageRules adds
// it to the command's --help.
var exitStatus = map[string]string{
	"toe run": `  0    success (also with ignored failures)
  1    a step failed
  2    usage error or invalid documents: nothing was run
  130  cancelled
  194  stopped for a reboot: run the same command again with the same
       --execution-id and --state-directory to resume`,
	"toe validate": `  0    every document is valid
  2    usage error, or a document is invalid (every problem is listed)`,
	"validate": `  0    the recipe and all its components are valid
  2    usage error, or the recipe or a component is invalid`,
	"build": `  0    the image was built and tested
  1    the build failed (the step and its log are named)
  2    usage error or invalid recipe: nothing was built
  130  cancelled: everything the build started was removed`,
	"logs": `  0    the log was printed (with --follow: the image ended AVAILABLE)
  1    the request failed, or with --follow the image ended FAILED or CANCELLED
  2    usage error: nothing was asked`,
	"debug": `  N    the exit status of the command run in the VM
  1    the kept VM could not be reached
  2    usage error, or no VM is kept for OUTDIR`,
}

const defaultExitStatus = `  0    success
  1    the command failed
  2    usage error or invalid setting: nothing was done`

// usageError is a mistake on the command line: exit status 2, with what
// to do and where the help is.
func usageError(cmd *cobra.Command, err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return &exitError{exitInvalid, fmt.Errorf("%w\nRun '%s --help' for usage.", err, cmd.CommandPath())}
}

// usagef is usageError with a formatted message.
func usagef(cmd *cobra.Command, format string, a ...any) error {
	return usageError(cmd, fmt.Errorf(format, a...))
}

// invalidf is an invalid setting found before any work started: exit
// status 2.
func invalidf(format string, a ...any) error {
	return &exitError{exitInvalid, fmt.Errorf(format, a...)}
}

// applyUsageRules makes every command of the tree follow the same rules:
// flag and argument mistakes exit 2 with a hint, a mistyped subcommand at
// any depth is an error with "did you mean", a command group run without
// a subcommand is a usage error, and --help lists the exit statuses.
func applyUsageRules(root *cobra.Command) {
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError(cmd, flagHint(cmd, err))
	})
	root.SetHelpCommand(newHelpCommand())
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.HasSubCommands() {
			groupRules(c)
		} else {
			leafRules(c)
		}
		codes, ok := exitStatus[strings.TrimPrefix(c.CommandPath(), root.Name()+" ")]
		if !ok {
			codes = defaultExitStatus
		}
		long := c.Long
		if long == "" {
			long = c.Short
		}
		c.Long = long + "\n\nExit status:\n" + codes
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// groupRules: a command with subcommands takes no arguments of its own, so
// any argument is a mistyped subcommand.
func groupRules(c *cobra.Command) {
	c.SuggestionsMinimumDistance = 2
	c.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		hint := ""
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			hint = fmt.Sprintf(" (did you mean %q?)", s[0])
		}
		return usagef(cmd, "unknown command %q for %q%s; the commands are %s", args[0], cmd.CommandPath(), hint, strings.Join(subcommandNames(cmd), ", "))
	}
	if c.Run == nil && c.RunE == nil {
		c.RunE = func(cmd *cobra.Command, _ []string) error {
			return usagef(cmd, "%s needs a command: %s", cmd.CommandPath(), strings.Join(subcommandNames(cmd), ", "))
		}
	}
}

// leafRules wraps a command's argument check so that its errors, and a
// missing required flag, are usage errors.
func leafRules(c *cobra.Command) {
	check := c.Args
	c.Args = func(cmd *cobra.Command, args []string) error {
		if check != nil {
			if err := check(cmd, args); err != nil {
				return usageError(cmd, err)
			}
		}
		if err := cmd.ValidateRequiredFlags(); err != nil {
			return usageError(cmd, err)
		}
		if err := cmd.ValidateFlagGroups(); err != nil {
			return usageError(cmd, err)
		}
		return nil
	}
}

func subcommandNames(c *cobra.Command) []string {
	var out []string
	for _, s := range c.Commands() {
		if s.IsAvailableCommand() {
			out = append(out, s.Name())
		}
	}
	return out
}

// flagHint adds "did you mean --x?" to an unknown flag error.
func flagHint(cmd *cobra.Command, err error) error {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return err
	}
	var known []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			known = append(known, "--"+f.Name)
		}
	})
	sort.Strings(known)
	return fmt.Errorf("%s%s", msg, component.Suggest("--"+name, known))
}

// noArgs refuses positional arguments; a file named where a flag was
// meant gets "did you mean FLAG FILE?".
func noArgs(fileFlag string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		if fileFlag != "" && looksLikeFile(args[0]) {
			return fmt.Errorf("%s takes no positional arguments, got %q: did you mean %s %s?", cmd.CommandPath(), args[0], fileFlag, args[0])
		}
		return fmt.Errorf("%s takes no positional arguments, got %q", cmd.CommandPath(), strings.Join(args, " "))
	}
}

// looksLikeFile reports whether a stray argument is a file name: it
// exists, or has a document's extension.
func looksLikeFile(s string) bool {
	if _, err := os.Stat(s); err == nil {
		return true
	}
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		if strings.HasSuffix(strings.ToLower(s), ext) {
			return true
		}
	}
	return false
}

// exactArgs requires one positional argument, described by what.
func exactArgs(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return fmt.Errorf("give the %s", what)
		case len(args) > 1:
			return fmt.Errorf("%s takes one argument, the %s; got %d: %s", cmd.CommandPath(), what, len(args), strings.Join(args, " "))
		}
		return nil
	}
}

// newHelpCommand is `goldsmith help [command...]`; a mistyped command is a
// usage error with "did you mean", not a note and exit 0.
func newHelpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err == nil && len(rest) == 0 {
				return cmd.Help()
			}
			if cmd == nil {
				cmd = c.Root()
			}
			hint := ""
			if len(rest) > 0 {
				if s := cmd.SuggestionsFor(rest[0]); len(s) > 0 {
					hint = fmt.Sprintf(" (did you mean %q?)", s[0])
				}
			}
			return usagef(c, "no help for %q: %q has no command %q%s; the commands are %s",
				strings.Join(args, " "), cmd.CommandPath(), strings.Join(rest, " "), hint, strings.Join(subcommandNames(cmd), ", "))
		},
	}
}
