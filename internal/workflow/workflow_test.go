package workflow_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/goldsmith-dev/goldsmith/internal/workflow"
)

type state struct{ log []string }

func step(name string, fail bool) workflow.Step[state] {
	return workflow.Step[state]{
		Name: name,
		Run: func(ctx context.Context, s *state) error {
			s.log = append(s.log, "run "+name)
			if fail {
				return errors.New(name + " broke")
			}
			return nil
		},
		Cleanup: func(ctx context.Context, s *state) error {
			if ctx.Err() != nil {
				s.log = append(s.log, "cleanup "+name+" with a dead context")
			}
			s.log = append(s.log, "cleanup "+name)
			return nil
		},
	}
}

func TestCleanupsRunInReverse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		steps   []workflow.Step[state]
		want    string
		wantErr string
	}{
		{"success", []workflow.Step[state]{step("a", false), step("b", false)}, "run a|run b|cleanup b|cleanup a", ""},
		{"failure", []workflow.Step[state]{step("a", false), step("b", true), step("c", false)}, "run a|run b|cleanup b|cleanup a", "b: b broke"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := &state{}
			timings, err := workflow.Run(context.Background(), s, tc.steps, nil)
			if got := strings.Join(s.log, "|"); got != tc.want {
				t.Errorf("order %s, want %s", got, tc.want)
			}
			if (tc.wantErr == "") != (err == nil) || err != nil && err.Error() != tc.wantErr {
				t.Errorf("err %v, want %q", err, tc.wantErr)
			}
			var se *workflow.StepError
			if tc.wantErr != "" && (!errors.As(err, &se) || se.Step != "b") {
				t.Errorf("err is not a StepError naming b: %#v", err)
			}
			if len(timings) != strings.Count(tc.want, "run ") {
				t.Errorf("timings %d", len(timings))
			}
		})
	}
}

func TestCancelledBuildStillCleansUp(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	s := &state{}
	steps := []workflow.Step[state]{
		step("vm", false),
		{Name: "wait", Run: func(ctx context.Context, s *state) error { cancel(); <-ctx.Done(); return ctx.Err() }},
		step("never", false),
	}
	_, err := workflow.Run(ctx, s, steps, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if got := strings.Join(s.log, "|"); got != "run vm|cleanup vm" {
		t.Errorf("log %s: cleanups must run with a live context after cancel", got)
	}
}

func TestSkippedStep(t *testing.T) {
	t.Parallel()
	steps := []workflow.Step[state]{
		step("a", false),
		{Name: "b", Run: func(ctx context.Context, s *state) error {
			return &workflow.Skip{Reason: "from the step cache"}
		}},
		step("c", false),
	}
	var s state
	timings, err := workflow.Run(context.Background(), &s, steps, nil)
	if err != nil {
		t.Fatalf("a skipped step failed the build: %v", err)
	}
	if len(timings) != 3 || timings[1].Status != "skipped" || timings[1].Note != "from the step cache" || timings[2].Status != "success" {
		t.Fatalf("timings = %+v", timings)
	}
}
