package toe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/toe/action"
)

// stepRef is everything a step needs to know about where it runs.
type stepRef struct {
	doc      Input
	docIndex int
	vars     map[string]string
	phase    *component.Phase
	step     *component.Step
	pos      Position
}

func (sr stepRef) tag() string { return sr.phase.Name + "/" + sr.step.Name }

// runStep runs one step: its `if`, its attempts (each with all loop
// iterations under one timeout) and its onFailure rule.
func (r *run) runStep(ctx context.Context, sr stepRef, pr *PhaseReport, resume *Position) outcome {
	s := sr.step
	if resume != nil && !resume.Rerun {
		// The Reboot step that restarted the machine is done; go on after it.
		return outcomeContinue
	}
	rep := &StepReport{Name: s.Name, Action: s.Action, Status: StatusPending, TimeoutSeconds: s.TimeoutSeconds,
		OnFailure: string(s.OnFailure), MaxAttempts: s.MaxAttempts, StartTime: Time{r.opts.Now()},
		Inputs: "[]", Outputs: "[]", Loop: s.Loop.Describe()}
	if s.Loop == nil {
		rep.Loop = nil
	}
	start := time.Now()
	r.con.line("Info", "Step %s (%s)", s.Name, s.Action)
	r.emit(Event{Kind: EventStepStart, Document: sr.doc.Location, Phase: sr.phase.Name, Step: s.Name, Action: s.Action})
	end := func(st Status, msg string) outcome {
		rep.Status, rep.FailureMessage, rep.EndTime = st, msg, Time{r.opts.Now()}
		pr.Steps = append(pr.Steps, rep)
		d := time.Since(start)
		switch st {
		case StatusSuccess:
			r.con.line("Info", "Step %s succeeded in %s", s.Name, d.Round(time.Millisecond))
		case StatusSkipped:
			r.con.line("Info", "Step %s skipped: %s", s.Name, msg)
		case StatusIgnoredFailure:
			r.con.line("Warn", "Step %s failed, ignored (onFailure: Ignore) after %s: %s", s.Name, d.Round(time.Millisecond), msg)
		default:
			r.con.line("Error", "Step %s %s after %s: %s", s.Name, st, d.Round(time.Millisecond), msg)
		}
		r.emit(Event{Kind: EventStepEnd, Document: sr.doc.Location, Phase: sr.phase.Name, Step: s.Name, Action: s.Action, Status: st, Message: msg, Duration: d})
		switch {
		case st == StatusCancelled:
			return outcomeCancel
		case st == StatusFailed && s.OnFailure == component.OnFailureAbort:
			return outcomeAbort
		}
		return outcomeContinue
	}
	failed := func(msg string) outcome {
		if s.OnFailure == component.OnFailureIgnore {
			return end(StatusIgnoredFailure, msg)
		}
		return end(StatusFailed, msg)
	}

	module, ok := action.Lookup(s.Action)
	if !ok {
		return failed(fmt.Sprintf("unknown action %q", s.Action))
	}

	// The condition is evaluated once per step, even across a reboot.
	var ifResult *bool
	if s.If != nil {
		var cond bool
		if resume != nil && resume.IfResult != nil {
			cond = *resume.IfResult
		} else {
			var err error
			cond, err = s.If.Eval(func(x string) (string, error) { return component.Expand(x, r.resolver(sr, nil)) })
			if err != nil {
				return failed(fmt.Sprintf("evaluate `if`: %v", err))
			}
		}
		ifResult = &cond
		decision := component.Execute
		if !cond {
			decision = component.Skip
		}
		if cond && s.If.Then != "" {
			decision = s.If.Then
		}
		if !cond && s.If.Else != "" {
			decision = s.If.Else
		}
		switch decision {
		case component.Skip:
			return end(StatusSkipped, fmt.Sprintf("the `if` condition is %t", cond))
		case component.Abort:
			return failed(fmt.Sprintf("the `if` condition is %t and says Abort", cond))
		}
	}

	var lastErr error
	var res *attemptResult
	for attempt := 1; attempt <= s.MaxAttempts; attempt++ {
		rep.Attempts = attempt
		res, lastErr = r.attempt(ctx, sr, module)
		if res != nil {
			rep.Inputs = jsonString(res.inputs)
			rep.Outputs = jsonString(res.outputList())
			if len(res.details) > 0 {
				rep.DetailedOutput, _ = json.Marshal(res.details)
			}
		}
		if lastErr == nil {
			break
		}
		var rb *action.RebootRequest
		if errors.As(lastErr, &rb) {
			return r.reboot(sr, rep, pr, rb, ifResult)
		}
		if ctx.Err() != nil {
			return end(StatusCancelled, "cancelled: "+context.Cause(ctx).Error())
		}
		if attempt < s.MaxAttempts {
			r.con.line("Warn", "Step %s attempt %d of %d failed: %v; trying again", s.Name, attempt, s.MaxAttempts, lastErr)
		}
	}
	if res != nil {
		r.chain.put(sr.docIndex, sr.phase.Name+"."+s.Name, &chainEntry{Inputs: res.inputs, Outputs: res.outputs})
	}
	if lastErr != nil {
		msg := lastErr.Error()
		if s.MaxAttempts > 1 {
			msg = fmt.Sprintf("%s (after %d attempts)", msg, s.MaxAttempts)
		}
		return failed(msg)
	}
	return end(StatusSuccess, "")
}

func (r *run) reboot(sr stepRef, rep *StepReport, pr *PhaseReport, rb *action.RebootRequest, ifResult *bool) outcome {
	if r.depth > 1 {
		rep.Status, rep.FailureMessage, rep.EndTime = StatusFailed, "a reboot was requested inside ExecuteDocument; reboots are supported only in top-level documents", Time{r.opts.Now()}
		pr.Steps = append(pr.Steps, rep)
		return outcomeAbort
	}
	r.rebootPos = sr.pos
	r.rebootPos.Rerun = rb.Rerun
	r.rebootPos.IfResult = ifResult
	r.rebootDelay = rb.Delay
	if !rb.Rerun {
		rep.Status, rep.EndTime = StatusSuccess, Time{r.opts.Now()}
		pr.Steps = append(pr.Steps, rep)
		r.con.line("Info", "Step %s: rebooting in %s", sr.step.Name, rb.Delay)
	} else {
		r.con.line("Info", "Step %s asked for a reboot (exit code %d); it runs again after the restart", sr.step.Name, action.RebootExitCode)
	}
	r.emit(Event{Kind: EventReboot, Document: sr.doc.Location, Phase: sr.phase.Name, Step: sr.step.Name, Action: sr.step.Action, Message: rb.Error()})
	return outcomeReboot
}

type attemptResult struct {
	inputs  []map[string]any
	outputs map[string]any // consolidated over loop iterations
	keys    []string       // output keys in first-seen order
	details []any          // nested ExecuteDocument reports
}

func (a *attemptResult) outputList() []map[string]any {
	if len(a.outputs) == 0 {
		return []map[string]any{}
	}
	return []map[string]any{a.outputs}
}

// attempt runs every loop iteration once under the step's timeout.
func (r *run) attempt(ctx context.Context, sr stepRef, module action.Module) (*attemptResult, error) {
	s := sr.step
	actx := ctx
	timed := s.TimeoutSeconds != component.NoTimeout && s.Action != "Reboot" && s.Action != "ExecuteDocument"
	if timed {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, time.Duration(s.TimeoutSeconds)*time.Second)
		defer cancel()
	}
	res := &attemptResult{outputs: map[string]any{}}
	iterations := []*component.Iteration{nil}
	if s.Loop != nil {
		its, err := s.Loop.Iterations(func(x string) (string, error) { return component.Expand(x, r.resolver(sr, nil)) })
		if err != nil {
			return res, fmt.Errorf("loop: %w", err)
		}
		iterations = iterations[:0]
		for i := range its {
			iterations = append(iterations, &its[i])
		}
	}
	perKey := map[string][]string{}
	for _, it := range iterations {
		in, err := s.Inputs.MapStrings(func(x string) (string, error) { return component.Expand(x, r.resolver(sr, it)) })
		if err != nil {
			return res, iterationErr(it, err)
		}
		res.inputs = append(res.inputs, inputItems(in)...)
		out, err := r.runModule(actx, sr, module, in, res)
		if err != nil {
			var rb *action.RebootRequest
			if errors.As(err, &rb) {
				return res, err
			}
			if timed && errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
				what := "the step"
				if s.Loop != nil {
					what = "the loop"
				}
				return res, fmt.Errorf("%s timed out after %d seconds (timeoutSeconds)", what, s.TimeoutSeconds)
			}
			return res, iterationErr(it, err)
		}
		for k, v := range out {
			if _, seen := perKey[k]; !seen {
				res.keys = append(res.keys, k)
			}
			perKey[k] = append(perKey[k], str(v))
			res.outputs[k] = v
		}
	}
	if len(iterations) > 1 {
		for k, vs := range perKey {
			res.outputs[k] = strings.Join(vs, "\n")
		}
	}
	return res, nil
}

func iterationErr(it *component.Iteration, err error) error {
	if it == nil {
		return err
	}
	return fmt.Errorf("loop iteration %d (value %q) failed: %w", it.Index, it.Value, err)
}

func inputItems(v *component.Value) []map[string]any {
	if v == nil {
		return []map[string]any{{}}
	}
	switch x := v.Interface().(type) {
	case map[string]any:
		return []map[string]any{x}
	case []any:
		out := make([]map[string]any, 0, len(x))
		for _, it := range x {
			if m, ok := it.(map[string]any); ok {
				out = append(out, m)
			} else {
				out = append(out, map[string]any{"value": it})
			}
		}
		return out
	}
	return []map[string]any{{"value": v.Interface()}}
}

func (r *run) runModule(ctx context.Context, sr stepRef, m action.Module, in *component.Value, res *attemptResult) (action.Output, error) {
	sw := &stepWriter{c: r.con, tag: sr.tag(), onLine: func(line string) {
		r.emit(Event{Kind: EventStepOutput, Document: sr.doc.Location, Phase: sr.phase.Name, Step: sr.step.Name, Line: line})
	}}
	defer sw.Flush()
	env := &action.Env{
		Console:    sw,
		Log:        r.log.With("document", sr.doc.Location, "step", sr.tag()),
		WorkDir:    r.opts.WorkDir,
		ScratchDir: r.scratch,
		OS:         action.HostOS,
		AWS:        r.opts.AWS,
		HTTP:       r.opts.HTTP,
		Now:        r.opts.Now,
		RunDocument: func(ctx context.Context, req action.DocumentRequest) (*action.DocumentResult, error) {
			dr, err := r.runNested(ctx, sr, req)
			if dr != nil {
				res.details = append(res.details, dr.Detailed)
			}
			return dr, err
		},
	}
	return m.Run(ctx, env, in)
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "[]"
	}
	return string(b)
}
