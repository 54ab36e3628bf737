package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/toe"
	"github.com/goldsmith-dev/goldsmith/internal/toe/action"
	"github.com/goldsmith-dev/goldsmith/internal/toe/docsource"
)

func newToeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "toe",
		Short: "Run and validate AWSTOE component documents (awstoe-compatible)",
	}
	var showVersion bool
	cmd.PersistentFlags().BoolVarP(&showVersion, "version", "v", false, "print the runner's version and exit (awstoe's --version)")
	cmd.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if showVersion {
			fmt.Fprintf(cmd.OutOrStdout(), "goldsmith toe %s (AWSTOE-compatible)\n", versionString())
			return &exitError{0, errors.New("")}
		}
		return nil
	}
	cmd.AddCommand(newToeRunCommand(), newToeValidateCommand())
	return cmd
}

type toeFlags struct {
	config, documents, phases, parameters, executionID    string
	logDir, stateDir, workDir, rebootCommand, bucketOwner string
	trace                                                 bool
	logs                                                  toeLogFlags
}

func newToeRunCommand() *cobra.Command {
	var f toeFlags
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Run component documents",
		Long: `Run component documents exactly as AWSTOE does, writing the run folder
TOE_<date>_<time>_UTC-0_<execution-id>/ under --log-directory. Step output
streams to stderr as it happens; a JSON summary goes to stdout at the end.
Exit status: 0 success (also with ignored failures), 1 failed, 2 invalid
input, 130 cancelled, 194 stopped for a reboot (run the same command again
with the same --execution-id and --state-directory to resume).`,
		Args: noArgs("--documents"),
		RunE: func(cmd *cobra.Command, _ []string) error { return runToe(cmd.Context(), cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.config, "config", "c", "", "JSON run configuration file (local or s3://); excludes --documents and --parameters")
	fl.StringVarP(&f.documents, "documents", "d", "", "comma-separated documents: paths, http(s):// URLs, s3:// URIs")
	fl.StringVarP(&f.phases, "phases", "p", "", "comma-separated phases to run (default: all, in document order)")
	fl.StringVar(&f.parameters, "parameters", "", "parameter values: name=value,name2=value2")
	fl.StringVarP(&f.executionID, "execution-id", "i", "", "run id used in the log folder name (default: a random UUID)")
	fl.StringVarP(&f.logDir, "log-directory", "l", "", "parent folder of the run folder (default: current directory)")
	fl.StringVarP(&f.stateDir, "state-directory", "s", "", "folder for reboot-resume state (default: the log directory)")
	fl.StringVar(&f.bucketOwner, "document-s3-bucket-owner", "", "expected owner account of s3:// document buckets")
	fl.StringVar(&f.workDir, "working-directory", "", "folder commands run in (default: current directory)")
	fl.StringVar(&f.rebootCommand, "reboot-command", envOr("GOLDSMITH_TOE_REBOOT_COMMAND", "systemctl reboot"), "command that restarts the machine when a step asks for a reboot")
	fl.BoolVarP(&f.trace, "trace", "t", false, "also print the detailed application log")
	f.logs.register(fl)
	return cmd
}

func newToeValidateCommand() *cobra.Command {
	var f toeFlags
	cmd := &cobra.Command{
		Use:   "validate",
		Short: "Check component documents without running them",
		Long: `Check documents fully: YAML, structure, actions and their inputs, loops,
conditions and references. Every problem is reported with file, line,
column and path. Exit status 0 when all documents are valid, 2 otherwise.`,
		Args: noArgs("--documents"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			locs := splitList(f.documents)
			if len(locs) == 0 {
				return usagef(cmd, "give the documents to check: --documents FILE[,FILE...]")
			}
			loader := newLoader(f.bucketOwner)
			var all component.Problems
			for _, loc := range locs {
				data, err := loader(ctx, loc, "")
				if err != nil {
					return &exitError{exitInvalid, err}
				}
				if _, err := component.Load(loc, data, action.Set{}); err != nil {
					if isRecipe(data) {
						return errRecipeNotComponent(loc)
					}
					var ps component.Problems
					if !errors.As(err, &ps) {
						return &exitError{exitInvalid, err}
					}
					all = append(all, ps...)
				}
			}
			if len(all) > 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), all.Error())
				return &exitError{exitInvalid, fmt.Errorf("%d problem(s) found", len(all))}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d document(s) valid\n", len(locs))
			return nil
		},
	}
	cmd.Flags().StringVarP(&f.documents, "documents", "d", "", "comma-separated documents: paths, http(s):// URLs, s3:// URIs")
	cmd.Flags().StringVar(&f.bucketOwner, "document-s3-bucket-owner", "", "expected owner account of s3:// document buckets")
	cmd.Flags().BoolVarP(&f.trace, "trace", "t", false, "verbose output")
	return cmd
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseParameters reads name=value,name2=value2.
func parseParameters(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range splitList(s) {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("--parameters: %q is not name=value", kv)
		}
		if value == "" {
			return nil, fmt.Errorf("--parameters: %s has an empty value", name)
		}
		out[name] = value
	}
	return out, nil
}

// awsConfig loads the standard AWS configuration once.
func awsConfig() func(ctx context.Context) (aws.Config, error) {
	var once sync.Once
	var cfg aws.Config
	var err error
	return func(ctx context.Context) (aws.Config, error) {
		once.Do(func() { cfg, err = config.LoadDefaultConfig(ctx) })
		return cfg, err
	}
}

func newLoader(bucketOwner string) func(ctx context.Context, loc, parent string) ([]byte, error) {
	cfg := awsConfig()
	return func(ctx context.Context, loc, parent string) ([]byte, error) {
		return docsource.Fetch(ctx, toe.ResolveLocal(loc, parent), docsource.Options{AWS: cfg, ExpectedBucketOwner: bucketOwner})
	}
}

func runToe(ctx context.Context, cmd *cobra.Command, f toeFlags) error {
	plan, err := planRun(ctx, cmd, f)
	if err != nil {
		return usageError(cmd, err)
	}
	stderr := cmd.ErrOrStderr()
	if err := plan.logs.check(stderr); err != nil {
		return usageError(cmd, err)
	}
	aws := awsConfig()
	var uploader *logUploader
	if plan.logs.bucket != "" {
		cfg, err := aws(ctx)
		if err == nil {
			uploader, err = newLogUploader(ctx, cfg, plan.logs)
		}
		if err != nil {
			return &exitError{exitInvalid, err}
		}
	}
	loader := newLoader(plan.bucketOwner)
	var inputs []toe.Input
	var problems component.Problems
	for _, d := range plan.docs {
		data, err := loader(ctx, d.Path, "")
		if err != nil {
			return &exitError{exitInvalid, err}
		}
		doc, err := component.Load(d.Path, data, action.Set{})
		if err != nil {
			if isRecipe(data) {
				return errRecipeNotComponent(d.Path)
			}
			var ps component.Problems
			if !errors.As(err, &ps) {
				return &exitError{exitInvalid, err}
			}
			problems = append(problems, ps...)
			continue
		}
		inputs = append(inputs, toe.Input{Doc: doc, Location: d.Path, Parameters: d.params})
	}
	if len(problems) > 0 {
		return &exitError{exitInvalid, fmt.Errorf("the documents are invalid; nothing was run:\n%w", problems)}
	}
	opts := toe.RunOptions{
		Phases:      plan.phases,
		Parameters:  plan.params,
		ExecutionID: plan.executionID,
		LogDir:      plan.logDir,
		StateDir:    plan.stateDir,
		WorkDir:     f.workDir,
		Trace:       plan.trace,
		Console:     stderr,
		AWS:         aws,
		Load:        loader,
		Reboot:      rebooter(f.rebootCommand, stderr),
	}
	res, err := toe.Run(ctx, inputs, opts)
	if res != nil {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.Encode(res.Summary)
	}
	if uploader != nil && res != nil && !res.Rebooting && res.RunDir != "" {
		uri, uerr := uploader.upload(context.WithoutCancel(ctx), res.RunDir)
		if uerr != nil && err == nil {
			return &exitError{exitFailed, uerr}
		}
		if uerr == nil {
			fmt.Fprintf(stderr, "logs uploaded to %s\n", uri)
		}
	}
	switch {
	case res != nil && res.Rebooting:
		return &exitError{exitRebooting, errors.New("")}
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return &exitError{exitCancelled, err}
	case errors.Is(err, toe.ErrFailed):
		return &exitError{exitFailed, describeFailure(res)}
	}
	var ps component.Problems
	if errors.As(err, &ps) {
		return &exitError{exitInvalid, fmt.Errorf("nothing was run:\n%w", err)}
	}
	return &exitError{exitFailed, err}
}

// describeFailure names the failing document, phase and step.
func describeFailure(res *toe.Result) error {
	d, p, s := res.Report.Failure()
	if s == nil {
		return fmt.Errorf("%s (logs: %s)", res.Report.FailureMessage, res.RunDir)
	}
	return fmt.Errorf("%s: phase %s, step %s (%s) failed: %s\nlogs: %s", d.FilePath, p.Name, s.Name, s.Action, s.FailureMessage, res.RunDir)
}

func rebooter(command string, out io.Writer) func(ctx context.Context, delay time.Duration) error {
	return func(ctx context.Context, delay time.Duration) error {
		if delay > 0 {
			fmt.Fprintf(out, "rebooting in %s\n", delay)
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		c := exec.CommandContext(ctx, "sh", "-c", command)
		c.Stdout, c.Stderr = out, out
		if err := c.Run(); err != nil {
			return fmt.Errorf("%q: %w", command, err)
		}
		return nil
	}
}
