package action

import (
	"context"
	"fmt"
	"strings"

	"github.com/goldsmith-dev/goldsmith/internal/component"
)

// ExecuteDocumentInputs are ExecuteDocument's inputs.
type ExecuteDocumentInputs struct {
	Document            string      `input:"document,required"`
	DocumentBucketOwner string      `input:"document-s3-bucket-owner"`
	Phases              string      `input:"phases"`
	Parameters          []NameValue `input:"parameters"`
}

func init() {
	Register(NewMapModule(Spec[ExecuteDocumentInputs]{
		Name:    "ExecuteDocument",
		Outputs: []string{"executedStepCount", "executionId", "failedStepCount", "failureMessage", "ignoredFailedStepCount", "logUrl", "status"},
		Check: func(in *ExecuteDocumentInputs, p *Problems) {
			if in.Document == "" {
				p.Add("document", "must name a document: a path, an s3:// URI, an https:// URL or a component ARN")
			}
		},
		CheckStep: func(s *component.Step, r *component.Reporter) {
			if s.TimeoutGiven() && s.TimeoutSeconds != component.NoTimeout {
				r.Add(s.FieldPos("timeoutSeconds"), component.JoinPath(s.Path, "timeoutSeconds"), "ExecuteDocument steps have no timeout; remove timeoutSeconds or set it to -1")
			}
			if s.MaxAttemptsGiven() && s.MaxAttempts != 1 {
				r.Add(s.FieldPos("maxAttempts"), component.JoinPath(s.Path, "maxAttempts"), "ExecuteDocument steps run once; remove maxAttempts or set it to 1")
			}
		},
	}, runExecuteDocument))
}

func runExecuteDocument(ctx context.Context, env *Env, in *ExecuteDocumentInputs) (Output, error) {
	if env.RunDocument == nil {
		return nil, fmt.Errorf("ExecuteDocument is not available in this runner")
	}
	req := DocumentRequest{Document: in.Document, DocumentBucketOwner: in.DocumentBucketOwner, Parameters: map[string]string{}}
	for _, p := range strings.Split(in.Phases, ",") {
		if p = strings.TrimSpace(p); p != "" {
			req.Phases = append(req.Phases, p)
		}
	}
	for _, nv := range in.Parameters {
		req.Parameters[nv.Name] = nv.Value
	}
	res, err := env.RunDocument(ctx, req)
	if err != nil {
		return nil, err
	}
	if res.Failed {
		return res.Summary, fmt.Errorf("document %s failed: %v", in.Document, res.Summary["failureMessage"])
	}
	return res.Summary, nil
}
