package toe

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/goldsmith-dev/goldsmith/internal/component"
	"github.com/goldsmith-dev/goldsmith/internal/toe/action"
)

// identity names a document for cycle detection.
func identity(loc, parent string) string {
	if strings.Contains(loc, "://") || strings.HasPrefix(loc, "arn:") {
		return loc
	}
	p := ResolveLocal(loc, parent)
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// runNested runs a document for ExecuteDocument, sharing the console and
// log folder but with its own execution id, parameters and chaining.
func (r *run) runNested(ctx context.Context, sr stepRef, req action.DocumentRequest) (*action.DocumentResult, error) {
	if r.depth >= MaxDocumentDepth {
		return nil, fmt.Errorf("ExecuteDocument may nest at most %d documents deep (counting the first); %s would be number %d", MaxDocumentDepth, req.Document, r.depth+1)
	}
	ancestry := append(slices.Clone(r.ancestry), identity(sr.doc.Location, ""))
	id := identity(req.Document, sr.doc.Location)
	if i := slices.Index(ancestry, id); i >= 0 {
		chain := append(slices.Clone(ancestry[i:]), id)
		return nil, fmt.Errorf("ExecuteDocument cycle: %s", strings.Join(chain, " → "))
	}
	loc := req.Document
	if !strings.Contains(loc, "://") && !strings.HasPrefix(loc, "arn:") {
		loc = ResolveLocal(loc, sr.doc.Location)
	}
	data, err := r.opts.Load(ctx, loc, "")
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", req.Document, err)
	}
	doc, err := component.Load(loc, data, action.Set{})
	if err != nil {
		return nil, fmt.Errorf("the nested document is invalid:\n%w", err)
	}
	opts := r.opts
	opts.ExecutionID = uuid.NewString()
	opts.Phases = req.Phases
	opts.Parameters = req.Parameters
	in := Input{Doc: doc, Location: loc}
	if err := checkRun([]Input{in}, opts); err != nil {
		return nil, err
	}
	sub := &run{opts: opts, runDir: r.runDir, con: r.con, log: r.log, depth: r.depth + 1, ancestry: ancestry, scratch: r.scratch,
		report: &Report{ExecutionID: opts.ExecutionID, Status: StatusPending, StartTime: Time{opts.Now()}},
		chain:  newChain(1)}
	oc := sub.runDocuments(ctx, []Input{in})
	sub.finish()
	sum := sub.report.Summarize(r.runDir)
	res := &action.DocumentResult{
		Summary: action.Output{
			"executedStepCount": sum.ExecutedStepCount, "executionId": sum.ExecutionID, "failedStepCount": sum.FailedStepCount,
			"failureMessage": sum.FailureMessage, "ignoredFailedStepCount": sum.IgnoredFailedStepCount, "logUrl": sum.LogURL, "status": string(sum.Status),
		},
		Detailed: sub.report,
		Failed:   !sub.report.Status.OK(),
	}
	if oc == outcomeReboot {
		return res, fmt.Errorf("a reboot was requested inside ExecuteDocument; reboots are supported only in top-level documents")
	}
	return res, nil
}
