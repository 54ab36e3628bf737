package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// commands lists every command of the tree by its arguments (without
// "goldsmith"), the root's included.
func commands(c *cobra.Command, path []string, out *[][]string) {
	*out = append(*out, path)
	for _, sub := range c.Commands() {
		if sub.Name() == "help" {
			continue
		}
		commands(sub, append(append([]string{}, path...), sub.Name()), out)
	}
}

// runArgs runs the command line in-process and returns its exit status
// and stderr.
func runArgs(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stderr.String()
}

// TestUsageErrors walks the whole command tree: for every command, an
// unknown flag, a missing argument (or subcommand, or required flag) and
// a mistyped subcommand or stray argument exit 2 with a hint, and nothing
// runs.
func TestUsageErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_DATA_HOME", "")
	var all [][]string
	root := newRootCommand()
	commands(root, nil, &all)
	if len(all) < 20 {
		t.Fatalf("only %d commands found in the tree", len(all))
	}
	for _, path := range all {
		name := "goldsmith " + strings.Join(path, " ")
		cmd, _, err := root.Find(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Run(strings.Join(append([]string{"goldsmith"}, path...), "_"), func(t *testing.T) {
			code, stderr := runArgs(t, append(append([]string{}, path...), "--bogus-flagg")...)
			if code != exitInvalid || !strings.Contains(stderr, "unknown flag: --bogus-flagg") || !strings.Contains(stderr, "--help' for usage") {
				t.Errorf("%s --bogus-flagg: exit %d, stderr %q; want 2 with a hint", name, code, stderr)
			}
			switch {
			case cmd.HasSubCommands():
				sub := cmd.Commands()[0].Name()
				typo := sub[:len(sub)-1] // one letter short: within the suggestion distance
				code, stderr = runArgs(t, append(append([]string{}, path...), typo)...)
				if code != exitInvalid || !strings.Contains(stderr, `did you mean "`+sub+`"?`) {
					t.Errorf("%s %s: exit %d, stderr %q; want 2 and did you mean %q", name, typo, code, stderr, sub)
				}
				if len(path) > 0 { // the root alone is covered by the missing-subcommand case too
					code, stderr = runArgs(t, path...)
					if code != exitInvalid || !strings.Contains(stderr, "needs a command") {
						t.Errorf("%s without a subcommand: exit %d, stderr %q; want 2", name, code, stderr)
					}
				}
			case needsInput(cmd):
				code, stderr = runArgs(t, path...)
				if code != exitInvalid || !strings.Contains(stderr, "--help' for usage") {
					t.Errorf("%s with nothing given: exit %d, stderr %q; want 2 with a hint", name, code, stderr)
				}
			}
			if !cmd.HasSubCommands() && cmd.Name() != "debug" {
				code, stderr = runArgs(t, append(append([]string{}, path...), "stray1", "stray2")...)
				if code != exitInvalid || !strings.Contains(stderr, "stray") {
					t.Errorf("%s stray1 stray2: exit %d, stderr %q; want 2", name, code, stderr)
				}
			}
			if !strings.Contains(cmd.Long, "Exit status:\n  0") && !strings.Contains(cmd.Long, "Exit status:\n  N") {
				t.Errorf("%s --help does not document its exit statuses:\n%s", name, cmd.Long)
			}
		})
	}
}

// needsInput: the command cannot run with nothing given (a required flag
// or argument).
func needsInput(cmd *cobra.Command) bool {
	if strings.Contains(cmd.Use, " ") && !strings.Contains(cmd.Use, "[") {
		return true
	}
	required := false
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if _, ok := f.Annotations[cobra.BashCompOneRequiredFlag]; ok {
			required = true
		}
	})
	switch cmd.CommandPath() {
	case "goldsmith toe run", "goldsmith toe validate", "goldsmith debug", "goldsmith logs":
		return true
	}
	return required
}
