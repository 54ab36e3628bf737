// Package toe is the component runner: it runs AWSTOE documents phase by
// phase and step by step, with conditions, loops, retries, timeouts,
// chaining, nested documents and reboot-and-resume, and writes the run
// folder AWSTOE writes (detailedoutput.json, console.log, application.log,
// document.yaml, chaining.json). The same engine runs under
// `goldsmith toe run` and inside build VMs through the guest agent.
package toe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/google/uuid"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/toe/action"
)

// Input is one document to run.
type Input struct {
	Doc        *component.Document
	Location   string            // as the user gave it; shown as filePath
	Parameters map[string]string // per-document values; win over RunOptions.Parameters
}

// RunOptions configure a run. Zero values are the documented defaults.
type RunOptions struct {
	// Phases selects phases by name; empty runs all, in document order.
	Phases []string
	// Parameters apply to every document.
	Parameters map[string]string
	// ExecutionID names the run; default a random UUID.
	ExecutionID string
	// LogDir is the parent of the run folder; default the current directory.
	LogDir string
	// StateDir keeps reboot-resume state; default LogDir.
	StateDir string
	// WorkDir is where commands run; default the current directory.
	WorkDir string
	// Trace copies application.log lines to the console.
	Trace bool
	// Console receives live output (nil: only console.log).
	Console io.Writer
	// Reboot restarts the machine after state is saved (nil: the run
	// stops and reports that it is waiting for a reboot).
	Reboot func(ctx context.Context, delay time.Duration) error
	// Load fetches a document for ExecuteDocument; parent is the calling
	// document's location. Nil: local files only.
	Load func(ctx context.Context, location, parent string) ([]byte, error)
	// AWS loads the AWS configuration for S3 modules (nil: the standard chain).
	AWS func(ctx context.Context) (aws.Config, error)
	// HTTP is the client for WebDownload (nil: default).
	HTTP *http.Client
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Emit receives progress events (nil: none).
	Emit func(Event)
}

// Result is a finished (or paused) run.
type Result struct {
	Report  *Report
	Summary Summary
	RunDir  string
	// Rebooting is true when the run stopped to restart the machine; run
	// it again with the same execution id and state directory to resume.
	Rebooting bool
}

// ErrFailed is wrapped by Run's error when a step failed.
var ErrFailed = errors.New("the run failed")

// MaxDocumentDepth is how many documents deep ExecuteDocument may nest,
// counting the top document.
const MaxDocumentDepth = 4

// Run validates the parameters, then runs the documents. It always writes
// the run folder's reports, also when cancelled; the error says why a run
// did not succeed.
func Run(ctx context.Context, inputs []Input, opts RunOptions) (*Result, error) {
	opts = withDefaults(opts)
	if err := checkRun(inputs, opts); err != nil {
		return nil, err
	}
	st, err := loadState(opts.StateDir, opts.ExecutionID)
	if err != nil {
		return nil, err
	}
	if st != nil {
		if err := st.matches(inputs); err != nil {
			return nil, err
		}
	}
	runDir := ""
	if st != nil {
		runDir = st.RunDir
	} else {
		runDir = filepath.Join(opts.LogDir, fmt.Sprintf("TOE_%s_UTC-0_%s", opts.Now().UTC().Format("2006-01-02_15-04-05"), opts.ExecutionID))
	}
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, fmt.Errorf("create the log folder: %w", err)
	}
	files, err := openRunFiles(runDir, opts)
	if err != nil {
		return nil, err
	}
	defer files.close()
	if st == nil {
		if err := writeDocumentCopy(runDir, inputs); err != nil {
			return nil, err
		}
	}

	// One scratch folder per run, for the scripts steps generate; steps run
	// one at a time, so they can share it.
	scratch, err := os.MkdirTemp("", "goldsmith-toe-")
	if err != nil {
		return nil, fmt.Errorf("create a scratch folder: %w", err)
	}
	defer os.RemoveAll(scratch)
	r := &run{opts: opts, runDir: runDir, con: files.con, log: files.log, depth: 1, scratch: scratch}
	if st != nil {
		r.report, r.chain, r.resume = st.Report, st.Chain, &st.Position
		r.con.line("Info", "Resuming execution %s after a reboot at step %s", opts.ExecutionID, st.Position.Step)
	} else {
		r.report = &Report{ExecutionID: opts.ExecutionID, Status: StatusPending, StartTime: Time{opts.Now()}}
		r.chain = newChain(len(inputs))
	}
	r.ancestry = nil
	outcome := r.runDocuments(ctx, inputs)
	res := &Result{Report: r.report, RunDir: runDir}
	if outcome == outcomeReboot {
		res.Rebooting = true
		res.Summary = r.report.Summarize(runDir)
		if err := saveState(opts.StateDir, r.stateFor(inputs)); err != nil {
			return res, err
		}
		r.con.line("Info", "State saved; the machine restarts now and the run resumes afterwards")
		if opts.Reboot == nil {
			return res, nil
		}
		if err := opts.Reboot(ctx, r.rebootDelay); err != nil {
			return res, fmt.Errorf("reboot: %w", err)
		}
		return res, nil
	}
	removeState(opts.StateDir, opts.ExecutionID)
	r.finish()
	res.Summary = r.report.Summarize(runDir)
	if err := files.writeReports(r.report, r.chain); err != nil {
		return res, err
	}
	r.con.line("Info", "Execution %s finished with status %s in %s", opts.ExecutionID, r.report.Status, r.report.EndTime.Sub(r.report.StartTime.Time).Round(time.Millisecond))
	switch r.report.Status {
	case StatusCancelled:
		return res, fmt.Errorf("%w: %s", context.Canceled, r.report.FailureMessage)
	case StatusFailed:
		return res, fmt.Errorf("%w: %s", ErrFailed, r.report.FailureMessage)
	}
	return res, nil
}

func withDefaults(o RunOptions) RunOptions {
	if o.ExecutionID == "" {
		o.ExecutionID = uuid.NewString()
	}
	if o.LogDir == "" {
		o.LogDir = "."
	}
	if o.StateDir == "" {
		o.StateDir = o.LogDir
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Console == nil {
		o.Console = io.Discard
	}
	if o.AWS == nil {
		var once sync.Once
		var cfg aws.Config
		var err error
		o.AWS = func(ctx context.Context) (aws.Config, error) {
			once.Do(func() { cfg, err = config.LoadDefaultConfig(ctx) })
			return cfg, err
		}
	}
	if o.Load == nil {
		o.Load = func(_ context.Context, loc, parent string) ([]byte, error) {
			return os.ReadFile(ResolveLocal(loc, parent))
		}
	}
	return o
}

// ResolveLocal resolves a relative document path against the calling
// document's folder when the file exists there, else against the
// current directory.
func ResolveLocal(loc, parent string) string {
	if filepath.IsAbs(loc) || parent == "" || strings.Contains(parent, "://") {
		return loc
	}
	cand := filepath.Join(filepath.Dir(parent), loc)
	if _, err := os.Stat(cand); err == nil {
		return cand
	}
	return loc
}

// checkRun catches what can be known before any step runs: missing
// required parameters and values outside a parameter's allowedValues.
// Phases named by --phases that a document lacks are not an error: the
// list is a filter, as in AWSTOE.
func checkRun(inputs []Input, opts RunOptions) error {
	var ps component.Problems
	if len(inputs) == 0 {
		return errors.New("no documents to run; give --documents")
	}
	for _, in := range inputs {
		vals := mergeParams(in, opts)
		for _, p := range in.Doc.Parameters {
			path := "parameters." + p.Name
			v, ok := vals[p.Name]
			switch {
			case !ok:
				ps = append(ps, component.Problem{File: in.Location, Pos: p.Pos, Path: path,
					Msg: fmt.Sprintf("parameter %q has no default and no value was given; pass --parameters %s=VALUE", p.Name, p.Name)})
			case v == "":
				ps = append(ps, component.Problem{File: in.Location, Pos: p.Pos, Path: path, Msg: fmt.Sprintf("parameter %q is given an empty value", p.Name)})
			default:
				if err := p.Check(v); err != nil {
					ps = append(ps, component.Problem{File: in.Location, Pos: p.Pos, Path: path, Msg: err.Error()})
				}
			}
		}
	}
	ps = append(ps, phaseTypos(inputs, opts.Phases)...)
	if len(ps) > 0 {
		ps.Sort()
		return ps
	}
	return nil
}

// phaseTypos reports a --phases name that no document has and that is a
// near miss of a phase some document has (or of build, validate, test):
// `-p biuld` is a typo, not a filter that selects nothing.
func phaseTypos(inputs []Input, selected []string) component.Problems {
	known := []string{"build", "validate", "test"}
	has := map[string]bool{}
	for _, in := range inputs {
		for _, ph := range in.Doc.Phases {
			has[ph.Name] = true
			known = append(known, ph.Name)
		}
	}
	var ps component.Problems
	for _, p := range selected {
		if has[p] || slices.Contains(known, p) {
			continue
		}
		if hint := component.Suggest(p, known); hint != "" {
			ps = append(ps, component.Problem{Msg: fmt.Sprintf("--phases names %q, which no document has%s", p, hint)})
		}
	}
	return ps
}

// mergeParams returns the parameter values a document runs with:
// defaults, then run-wide values, then per-document values. Names the
// document does not declare are ignored, as AWSTOE does.
func mergeParams(in Input, opts RunOptions) map[string]string {
	out := map[string]string{}
	for _, p := range in.Doc.Parameters {
		if p.Default != nil {
			out[p.Name] = *p.Default
		}
		if v, ok := opts.Parameters[p.Name]; ok {
			out[p.Name] = v
		}
		if v, ok := in.Parameters[p.Name]; ok {
			out[p.Name] = v
		}
	}
	return out
}

// vars returns parameters and constants by name.
func vars(in Input, opts RunOptions) map[string]string {
	v := mergeParams(in, opts)
	for _, c := range in.Doc.Constants {
		v[c.Name] = c.Value
	}
	return v
}

type outcome int

const (
	outcomeContinue outcome = iota
	outcomeAbort
	outcomeReboot
	outcomeCancel
)

// run is one execution (the top one, or a nested ExecuteDocument run).
type run struct {
	opts        RunOptions
	runDir      string
	con         *console
	log         *slog.Logger
	report      *Report
	chain       *chain
	resume      *Position
	rebootDelay time.Duration
	rebootPos   Position
	depth       int
	ancestry    []string
	scratch     string
}

func (r *run) emit(e Event) {
	if r.opts.Emit != nil {
		e.Time = r.opts.Now()
		e.Depth = r.depth
		r.opts.Emit(e)
	}
}

func (r *run) phaseSelected(name string) bool {
	if len(r.opts.Phases) == 0 {
		return true
	}
	for _, p := range r.opts.Phases {
		if p == name {
			return true
		}
	}
	return false
}

// missingPhases lists the selected phases d does not have.
func (r *run) missingPhases(d *component.Document) []string {
	var out []string
	for _, p := range r.opts.Phases {
		if d.Phase(p) == nil {
			out = append(out, p)
		}
	}
	return out
}

func (r *run) runDocuments(ctx context.Context, inputs []Input) outcome {
	for di, in := range inputs {
		if r.resume != nil && di < r.resume.Document {
			continue
		}
		var dr *DocumentReport
		if di < len(r.report.Documents) {
			dr = r.report.Documents[di]
		} else {
			dr = &DocumentReport{Name: in.Doc.Name, FilePath: in.Location, Description: in.Doc.Description, Status: StatusPending, StartTime: Time{r.opts.Now()}, Phases: []*PhaseReport{}}
			r.report.Documents = append(r.report.Documents, dr)
			r.con.line("Info", "Document %s", in.Location)
			if missing := r.missingPhases(in.Doc); len(missing) > 0 {
				noun := "phase"
				if len(missing) > 1 {
					noun = "phases"
				}
				r.con.line("Info", "The document has no %s %s; --phases selects only what it has", noun, strings.Join(missing, ", "))
			}
			r.emit(Event{Kind: EventDocumentStart, Document: in.Location})
		}
		oc := r.runDocument(ctx, di, in, dr)
		if oc == outcomeReboot {
			return oc
		}
		r.finishDocument(dr)
		r.emit(Event{Kind: EventDocumentEnd, Document: in.Location, Status: dr.Status, Message: dr.FailureMessage})
		if oc != outcomeContinue {
			return oc
		}
	}
	return outcomeContinue
}

func (r *run) runDocument(ctx context.Context, di int, in Input, dr *DocumentReport) outcome {
	vals := vars(in, r.opts)
	result := outcomeContinue
	for pi, ph := range in.Doc.Phases {
		if !r.phaseSelected(ph.Name) {
			continue
		}
		if r.resume != nil && (di < r.resume.Document || pi < r.resume.Phase) {
			continue
		}
		var pr *PhaseReport
		if n := len(dr.Phases); r.resume != nil && n > 0 && dr.Phases[n-1].Name == ph.Name {
			pr = dr.Phases[n-1]
		} else {
			pr = &PhaseReport{Name: ph.Name, Status: StatusPending, StartTime: Time{r.opts.Now()}, Steps: []*StepReport{}}
			dr.Phases = append(dr.Phases, pr)
			r.con.line("Info", "Phase %s", ph.Name)
			r.emit(Event{Kind: EventPhaseStart, Document: in.Location, Phase: ph.Name})
		}
		for si, s := range ph.Steps {
			pos := Position{Document: di, Phase: pi, StepIndex: si, Step: ph.Name + "." + s.Name}
			var resumeStep *Position
			if r.resume != nil {
				if si < r.resume.StepIndex {
					continue
				}
				resumeStep = r.resume
				r.resume = nil
			}
			oc := r.runStep(ctx, stepRef{doc: in, docIndex: di, vars: vals, phase: ph, step: s, pos: pos}, pr, resumeStep)
			if oc == outcomeReboot {
				return oc
			}
			if oc != outcomeContinue {
				result = oc
				break
			}
		}
		r.finishPhase(pr)
		r.emit(Event{Kind: EventPhaseEnd, Document: in.Location, Phase: ph.Name, Status: pr.Status, Message: pr.FailureMessage})
		if result != outcomeContinue {
			return result
		}
	}
	return result
}

func (r *run) finishPhase(pr *PhaseReport) {
	pr.EndTime = Time{r.opts.Now()}
	var ss []Status
	for _, s := range pr.Steps {
		ss = append(ss, s.Status)
		if (s.Status == StatusFailed || s.Status == StatusCancelled) && pr.FailureMessage == "" {
			pr.FailureMessage = fmt.Sprintf("step %s failed: %s", s.Name, s.FailureMessage)
		}
	}
	pr.Status = rollUp(ss)
}

func (r *run) finishDocument(dr *DocumentReport) {
	dr.EndTime = Time{r.opts.Now()}
	var ss []Status
	for _, p := range dr.Phases {
		ss = append(ss, p.Status)
		if (p.Status == StatusFailed || p.Status == StatusCancelled) && dr.FailureMessage == "" {
			dr.FailureMessage = fmt.Sprintf("phase %s: %s", p.Name, p.FailureMessage)
		}
	}
	dr.Status = rollUp(ss)
}

func (r *run) finish() {
	rep := r.report
	rep.EndTime = Time{r.opts.Now()}
	var ss []Status
	for _, d := range rep.Documents {
		ss = append(ss, d.Status)
		if (d.Status == StatusFailed || d.Status == StatusCancelled) && rep.FailureMessage == "" {
			rep.FailureMessage = fmt.Sprintf("document %s: %s", d.FilePath, d.FailureMessage)
		}
	}
	rep.Status = rollUp(ss)
}

// Validate checks documents fully: structure, actions, inputs and
// references. It returns every problem in every document.
func Validate(docs map[string][]byte) error {
	var all component.Problems
	for file, data := range docs {
		if _, err := component.Load(file, data, action.Set{}); err != nil {
			var ps component.Problems
			if errors.As(err, &ps) {
				all = append(all, ps...)
				continue
			}
			return err
		}
	}
	if len(all) > 0 {
		all.Sort()
		return all
	}
	return nil
}
