// Package action holds AWSTOE's action modules, one file per module, each a
// typed inputs struct with its checks and its run function. The engine in
// package toe resolves expressions, loops, retries and timeouts; a module
// runs one attempt of one loop iteration with fully resolved inputs.
package action

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

// Output is what one step run produced, by output key (stdout, content,
// files, destination, ...). Values are strings, except ExecuteDocument's
// summary fields.
type Output map[string]any

// Module is one action module.
type Module interface {
	// Name is the action name as documents write it, e.g. "ExecuteBash".
	Name() string
	// Outputs lists the output keys the module produces, for validating
	// chaining references.
	Outputs() []string
	// Check validates a step's unresolved inputs and settings. Strings that
	// hold expressions are not judged until they are resolved.
	Check(s *component.Step, r *component.Reporter)
	// Run runs the step once with resolved inputs.
	Run(ctx context.Context, env *Env, in *component.Value) (Output, error)
}

// Env is what a module may use from the runner.
type Env struct {
	// Console receives the step's output as it happens (it ends up in the
	// terminal and in console.log). Never nil when Run is called.
	Console io.Writer
	// Log is the application log (application.log).
	Log *slog.Logger
	// WorkDir is where commands run; "" means the runner's own directory.
	WorkDir string
	// ScratchDir is a private directory for generated files (scripts). It
	// exists when Run is called and is shared by the steps of one run, which
	// run one at a time: a module overwrites its files there.
	ScratchDir string
	// OS is the platform the runner is on (runtime.GOOS by default).
	OS string
	// AWS returns the standard AWS configuration (environment, profiles,
	// AWS_ENDPOINT_URL, ...), loaded once on first use.
	AWS func(ctx context.Context) (aws.Config, error)
	// HTTP is the client for WebDownload (nil: a default client).
	HTTP *http.Client
	// RunDocument runs a nested document for ExecuteDocument.
	RunDocument func(ctx context.Context, req DocumentRequest) (*DocumentResult, error)
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// DocumentRequest asks the engine to run a nested document.
type DocumentRequest struct {
	Document            string            // path, URL, s3:// URI or component ARN
	DocumentBucketOwner string            // expected bucket owner for s3://
	Phases              []string          // empty: all
	Parameters          map[string]string // overrides
}

// DocumentResult is the nested run's summary and its full report.
type DocumentResult struct {
	Summary  Output // executedStepCount, executionId, failedStepCount, failureMessage, ignoredFailedStepCount, logUrl, status
	Detailed any    // the nested run's detailedoutput object
	Failed   bool
}

// RebootRequest is returned by a module when the machine must restart.
// Rerun says whether the same step runs again after the restart (exit code
// 194 from a script) or the run continues after it (the Reboot module).
type RebootRequest struct {
	Delay time.Duration
	Rerun bool
}

func (r *RebootRequest) Error() string {
	if r.Rerun {
		return "the step asked for a reboot (exit code 194); it runs again after the restart"
	}
	return "reboot requested"
}

// RebootExitCode is the exit code that asks for reboot-and-rerun on Linux.
const RebootExitCode = 194

var registry = map[string]Module{}

// Register adds a module; call it from init in the module's file.
func Register(m Module) {
	if _, dup := registry[m.Name()]; dup {
		panic("action: duplicate module " + m.Name())
	}
	registry[m.Name()] = m
}

// Lookup returns the module for an action name (exact case).
func Lookup(name string) (Module, bool) {
	m, ok := registry[name]
	return m, ok
}

// Names lists every registered module.
func Names() []string {
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Set adapts the registry to component.Actions for validation.
type Set struct{}

// CheckStep implements component.Actions.
func (Set) CheckStep(s *component.Step, r *component.Reporter) {
	if s.Action == "" {
		return
	}
	m, ok := Lookup(s.Action)
	if !ok {
		hint := ""
		for _, n := range Names() {
			if strings.EqualFold(n, s.Action) {
				hint = fmt.Sprintf(" (action names are case-sensitive: %q)", n)
			}
		}
		if hint == "" {
			hint = component.Suggest(s.Action, Names())
		}
		r.Add(s.FieldPos("action"), component.JoinPath(s.Path, "action"), "unknown action %q%s", s.Action, hint)
		return
	}
	m.Check(s, r)
}

// OutputKeys implements component.Actions.
func (Set) OutputKeys(action string) ([]string, bool) {
	m, ok := Lookup(action)
	if !ok {
		return nil, false
	}
	return m.Outputs(), true
}

// HostOS is the platform modules run on.
var HostOS = runtime.GOOS

// osNames are platforms as messages write them.
var osNames = map[string]string{"windows": "Windows", "linux": "Linux", "darwin": "macOS"}

// checkRunsOn returns why module cannot run on goos, or nil. Documents are
// checked on whatever platform validates them (a Linux server accepts a
// Windows component), so a platform-specific module's inputs are
// validated everywhere and only running it elsewhere fails.
func checkRunsOn(module string, oses []string, goos string) error {
	if len(oses) == 0 || slices.Contains(oses, goos) {
		return nil
	}
	names := make([]string, len(oses))
	for i, o := range oses {
		names[i] = cmp.Or(osNames[o], o)
	}
	return fmt.Errorf("%s runs only on %s; this runner is on %s", module, strings.Join(names, " and "), cmp.Or(osNames[goos], goos))
}
