// Package workflow runs image builds as a list of named, typed steps. Every
// step that ran gets its cleanup run, in reverse order, after success,
// failure or cancellation, with a context of its own, so a cancelled build
// still tears down its VMs and temporary files.
package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Step is one named stage of a build over state S.
type Step[S any] struct {
	Name string
	// Run does the work. A returned error stops the build.
	Run func(ctx context.Context, s *S) error
	// Cleanup undoes what Run set up (optional). It runs for every step
	// whose Run was called, even one that failed, so it must cope with a
	// half-done Run. It is never cancelled by the build's context.
	Cleanup func(ctx context.Context, s *S) error
}

// Timing is how long a step took.
type Timing struct {
	Step     string        `json:"step"`
	Start    time.Time     `json:"start"`
	Duration time.Duration `json:"durationNs"`
	Status   string        `json:"status"` // success, skipped, failed, cancelled
	Error    string        `json:"error,omitempty"`
	Note     string        `json:"note,omitempty"` // why a step was skipped
}

// Skip is returned by a step that had nothing to do (its work came from the
// step cache, say): the step is recorded as skipped with Reason, and the
// build goes on.
type Skip struct{ Reason string }

func (s *Skip) Error() string { return "skipped: " + s.Reason }

// Observer hears about steps as they start and end (progress view, build
// log, API workflow step executions).
type Observer interface {
	StepStarted(name string)
	StepFinished(t Timing)
}

// CleanupTimeout bounds all cleanups of one build together.
var CleanupTimeout = 2 * time.Minute

// StepError says which step failed.
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return fmt.Sprintf("%s: %v", e.Step, e.Err) }
func (e *StepError) Unwrap() error { return e.Err }

// Run runs steps in order, then the cleanups of those that ran in reverse
// order. The error is the first step's failure (a *StepError), joined with
// any cleanup failures.
func Run[S any](ctx context.Context, s *S, steps []Step[S], obs Observer) ([]Timing, error) {
	var timings []Timing
	var ran []Step[S]
	var runErr error
	for _, st := range steps {
		if err := ctx.Err(); err != nil {
			runErr = &StepError{Step: st.Name, Err: context.Cause(ctx)}
			break
		}
		if obs != nil {
			obs.StepStarted(st.Name)
		}
		ran = append(ran, st)
		t := Timing{Step: st.Name, Start: time.Now(), Status: "success"}
		err := st.Run(ctx, s)
		t.Duration = time.Since(t.Start)
		if skip := (*Skip)(nil); errors.As(err, &skip) {
			t.Status, t.Note, err = "skipped", skip.Reason, nil
		}
		if err != nil {
			t.Status, t.Error = "failed", err.Error()
			if ctx.Err() != nil {
				t.Status = "cancelled"
			}
		}
		timings = append(timings, t)
		if obs != nil {
			obs.StepFinished(t)
		}
		if err != nil {
			runErr = &StepError{Step: st.Name, Err: err}
			break
		}
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), CleanupTimeout)
	defer cancel()
	var cleanupErrs []error
	for i := len(ran) - 1; i >= 0; i-- {
		if ran[i].Cleanup == nil {
			continue
		}
		if err := ran[i].Cleanup(cctx, s); err != nil {
			cleanupErrs = append(cleanupErrs, fmt.Errorf("clean up after %s: %w", ran[i].Name, err))
		}
	}
	return timings, errors.Join(append([]error{runErr}, cleanupErrs...)...)
}
