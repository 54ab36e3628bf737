package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/goldsmith-dev/goldsmith/internal/apierr"
	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/managed"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// WorkflowType is the kind of a workflow execution.
type WorkflowType string

// The workflow types of an image build: the build steps, the test instance,
// and conversion into the artifact store.
const (
	WorkflowBuild        WorkflowType = "BUILD"
	WorkflowTest         WorkflowType = "TEST"
	WorkflowDistribution WorkflowType = "DISTRIBUTION"
)

// StepExecution is one step of a workflow execution, as
// GetWorkflowStepExecution returns it.
type StepExecution struct {
	StepExecutionID string `json:"stepExecutionId"`
	Name            string `json:"name"`
	Description     string `json:"description,omitempty"`
	Action          string `json:"action"`
	Status          string `json:"status"` // RUNNING, COMPLETED, FAILED, SKIPPED, CANCELLED
	RollbackStatus  string `json:"rollbackStatus,omitempty"`
	Message         string `json:"message,omitempty"`
	Inputs          string `json:"inputs,omitempty"`
	Outputs         string `json:"outputs,omitempty"`
	StartTime       string `json:"startTime,omitempty"`
	EndTime         string `json:"endTime,omitempty"`
	OnFailure       string `json:"onFailure,omitempty"`
	TimeoutSeconds  int    `json:"timeoutSeconds,omitempty"`
}

// WorkflowExecutionSummary is one workflow of an image build, as
// ListWorkflowExecutions returns it.
type WorkflowExecutionSummary struct {
	WorkflowBuildVersionArn string       `json:"workflowBuildVersionArn"`
	WorkflowExecutionID     string       `json:"workflowExecutionId"`
	Type                    WorkflowType `json:"type"`
	Status                  string       `json:"status"` // RUNNING, COMPLETED, FAILED, CANCELLED
	Message                 string       `json:"message,omitempty"`
	TotalStepCount          int          `json:"totalStepCount"`
	TotalStepsSucceeded     int          `json:"totalStepsSucceeded"`
	TotalStepsFailed        int          `json:"totalStepsFailed"`
	TotalStepsSkipped       int          `json:"totalStepsSkipped"`
	StartTime               string       `json:"startTime,omitempty"`
	EndTime                 string       `json:"endTime,omitempty"`
}

// WorkflowExecution is one workflow of an image build with its steps (as
// the image record keeps it).
type WorkflowExecution struct {
	WorkflowExecutionSummary
	Steps []StepExecution `json:"steps"`
}

// StepEvent is a build step starting (Status RUNNING) or ending.
type StepEvent struct {
	Name    string // the build step, e.g. build:nginx
	Status  string // RUNNING, COMPLETED, FAILED, SKIPPED, CANCELLED
	Message string
	Time    time.Time
	// Fence, when set, is checked first in the transaction that records
	// the event.
	Fence Fence
}

// stepWorkflow places a build step in its workflow, with the Image Builder
// action it corresponds to.
func stepWorkflow(step string) (WorkflowType, string) {
	switch {
	case step == "launch-test-vm":
		return WorkflowTest, "LaunchInstance"
	case step == "wait-test-agent":
		return WorkflowTest, "WaitForAction"
	case strings.HasPrefix(step, "test:"):
		return WorkflowTest, "RunCommand"
	case step == "shutdown-test-vm":
		return WorkflowTest, "TerminateInstance"
	case step == "convert" || step == "sbom" || step == "store-artifacts":
		return WorkflowDistribution, "DistributeImage"
	case step == "launch-build-vm":
		return WorkflowBuild, "LaunchInstance"
	case strings.HasPrefix(step, "build:") || strings.HasPrefix(step, "validate:"):
		return WorkflowBuild, "ExecuteComponents"
	case step == "capture":
		return WorkflowBuild, "CreateImage"
	case step == "shutdown-build-vm":
		return WorkflowBuild, "TerminateInstance"
	}
	return WorkflowBuild, "RunCommand"
}

// managedWorkflow is the ARN of the managed workflow of a type (seeded by
// seedCatalog).
func (s *Service) managedWorkflow(t WorkflowType) string {
	return managedWorkflowARN(s.region, string(t), managed.WorkflowName(string(t)), managed.Version).String()
}

// RecordStep records a build step in the image's workflow executions.
func (s *Service) RecordStep(ctx context.Context, image arn.ARN, ev StepEvent) error {
	return s.store.WithTx(ctx, func(tx store.Tx) error {
		if err := ev.Fence.check(ctx, tx); err != nil {
			return err
		}
		rec, err := tx.Get(ctx, image)
		if err != nil {
			return storeErr(image, "Image", err)
		}
		img, err := loadRecord[imageRecord](rec)
		if err != nil {
			return err
		}
		if rec.Attrs == nil {
			rec.Attrs = map[string][]string{}
		}
		wfs := img.Executions
		when := timestamp(ev.Time)
		typ, action := stepWorkflow(ev.Name)
		var wf *WorkflowExecution
		// Executions of an earlier attempt of the build stay as they are.
		for i := min(img.AttemptStart, len(wfs)); i < len(wfs); i++ {
			if wfs[i].Type == typ {
				wf = &wfs[i]
			} else if wfs[i].Status == "RUNNING" {
				wfs[i].Status, wfs[i].EndTime = "COMPLETED", when // the build moved on
			}
		}
		if wf == nil {
			wfs = append(wfs, WorkflowExecution{WorkflowExecutionSummary: WorkflowExecutionSummary{WorkflowBuildVersionArn: s.managedWorkflow(typ),
				WorkflowExecutionID: "wf-" + uuid.NewString(), Type: typ, Status: "RUNNING", StartTime: when}, Steps: []StepExecution{}})
			wf = &wfs[len(wfs)-1]
			rec.Attrs["workflowExecutionId"] = append(rec.Attrs["workflowExecutionId"], wf.WorkflowExecutionID)
		}
		var st *StepExecution
		for i := range wf.Steps {
			if wf.Steps[i].Name == ev.Name && wf.Steps[i].Status == "RUNNING" {
				st = &wf.Steps[i]
			}
		}
		if st == nil {
			wf.Steps = append(wf.Steps, StepExecution{StepExecutionID: "step-" + uuid.NewString(), Name: ev.Name, Action: action,
				Status: "RUNNING", StartTime: when, OnFailure: "Abort"})
			st = &wf.Steps[len(wf.Steps)-1]
			rec.Attrs["stepExecutionId"] = append(rec.Attrs["stepExecutionId"], st.StepExecutionID)
			wf.TotalStepCount++
		}
		st.Status, st.Message = ev.Status, truncate(ev.Message, 500)
		if ev.Status != "RUNNING" {
			st.EndTime = when
		}
		switch ev.Status {
		case "COMPLETED":
			wf.TotalStepsSucceeded++
		case "SKIPPED":
			wf.TotalStepsSkipped++
		case "FAILED", "CANCELLED":
			wf.TotalStepsFailed++
			wf.Status, wf.Message, wf.EndTime = ev.Status, truncate(ev.Message, 500), when
		}
		img.Executions = wfs
		rec.Data = mustJSON(img)
		if _, err := tx.Update(ctx, rec); err != nil {
			return storeErr(image, "Image", err)
		}
		return nil
	})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n-3] + "..."
	}
	return s
}

// closeWorkflows ends running workflows and steps when the image reaches
// a final state.
func closeWorkflows(wfs []WorkflowExecution, status ImageStatus, reason, when string) {
	end := map[ImageStatus]string{ImageAvailable: "COMPLETED", ImageFailed: "FAILED", ImageCancelled: "CANCELLED"}[status]
	for i := range wfs {
		for j := range wfs[i].Steps {
			if wfs[i].Steps[j].Status == "RUNNING" {
				wfs[i].Steps[j].Status, wfs[i].Steps[j].EndTime = end, when
			}
		}
		if wfs[i].Status == "RUNNING" {
			wfs[i].Status, wfs[i].EndTime = end, when
			if end != "COMPLETED" {
				wfs[i].Message = truncate(reason, 500)
			}
		}
	}
}

// restartWorkflows ends the workflow executions and steps that attempt
// prev left running, saying that the build restarted as attempt next, and
// starts the next attempt's executions after them.
func (r *imageRecord) restartWorkflows(prev, next int, when string) {
	msg := fmt.Sprintf("Attempt %d stopped (its worker stopped answering or gave the build up); the build restarted as attempt %d.", prev, next)
	for i := range r.Executions {
		wf := &r.Executions[i]
		for j := range wf.Steps {
			if wf.Steps[j].Status == "RUNNING" {
				wf.Steps[j].Status, wf.Steps[j].EndTime, wf.Steps[j].Message = "FAILED", when, msg
			}
		}
		if wf.Status == "RUNNING" {
			wf.Status, wf.EndTime, wf.Message = "FAILED", when, msg
		}
	}
	r.AttemptStart = len(r.Executions)
}

// imageByAttr finds the caller's image with an execution id.
func (s *Service) imageByAttr(ctx context.Context, account, attr, id string) (arn.ARN, []WorkflowExecution, error) {
	p, err := s.store.List(ctx, store.Query{Type: arn.Image, Region: s.region, Accounts: []string{account},
		Attrs: map[string][]string{attr: {id}}, Limit: 1})
	if err != nil {
		return arn.ARN{}, nil, storeErr(arn.ARN{}, "", err)
	}
	if len(p.Records) == 0 {
		return arn.ARN{}, nil, apierr.ResourceNotFound("The resource %s does not exist.", id)
	}
	img, err := loadRecord[imageRecord](p.Records[0])
	if err != nil {
		return arn.ARN{}, nil, err
	}
	return p.Records[0].ARN, img.Executions, nil
}

// ListWorkflowExecutionsInput is the ListWorkflowExecutions request.
type ListWorkflowExecutionsInput struct {
	ImageBuildVersionArn string `json:"imageBuildVersionArn"`
	MaxResults           int32  `json:"maxResults,omitempty"`
	NextToken            string `json:"nextToken,omitempty"`
}

// ListWorkflowStepExecutionsInput is the ListWorkflowStepExecutions request.
type ListWorkflowStepExecutionsInput struct {
	WorkflowExecutionID string `json:"workflowExecutionId"`
	MaxResults          int32  `json:"maxResults,omitempty"`
	NextToken           string `json:"nextToken,omitempty"`
}

// ListWorkflowExecutionsOutput is the ListWorkflowExecutions response.
type ListWorkflowExecutionsOutput struct {
	WorkflowExecutions   []WorkflowExecutionSummary `json:"workflowExecutions"`
	ImageBuildVersionArn string                     `json:"imageBuildVersionArn"`
}

// GetWorkflowExecutionOutput is the GetWorkflowExecution response.
type GetWorkflowExecutionOutput struct {
	WorkflowExecutionSummary
	ImageBuildVersionArn string `json:"imageBuildVersionArn"`
}

// ListWorkflowStepExecutionsOutput is the ListWorkflowStepExecutions response.
type ListWorkflowStepExecutionsOutput struct {
	Steps                   []StepExecution `json:"steps"`
	WorkflowBuildVersionArn string          `json:"workflowBuildVersionArn"`
	WorkflowExecutionID     string          `json:"workflowExecutionId"`
	ImageBuildVersionArn    string          `json:"imageBuildVersionArn"`
}

// GetWorkflowStepExecutionOutput is the GetWorkflowStepExecution response.
type GetWorkflowStepExecutionOutput struct {
	StepExecution
	WorkflowBuildVersionArn string `json:"workflowBuildVersionArn"`
	WorkflowExecutionID     string `json:"workflowExecutionId"`
	ImageBuildVersionArn    string `json:"imageBuildVersionArn"`
}

// ListWorkflowExecutions lists the workflow executions of an image build
// the account owns (they are build internals: an account the image is
// shared with does not see them).
func (s *Service) ListWorkflowExecutions(ctx context.Context, account string, in ListWorkflowExecutionsInput) (ListWorkflowExecutionsOutput, error) {
	a, rec, err := s.ownedImage(ctx, account, in.ImageBuildVersionArn)
	if err != nil {
		return ListWorkflowExecutionsOutput{}, err
	}
	if tok := in.NextToken; tok != "" {
		return ListWorkflowExecutionsOutput{}, apierr.InvalidPaginationToken("The nextToken %q is not valid: this list has one page.", tok)
	}
	img, err := loadRecord[imageRecord](rec)
	if err != nil {
		return ListWorkflowExecutionsOutput{}, err
	}
	out := ListWorkflowExecutionsOutput{WorkflowExecutions: []WorkflowExecutionSummary{}, ImageBuildVersionArn: a.String()}
	for _, wf := range img.Executions {
		out.WorkflowExecutions = append(out.WorkflowExecutions, wf.WorkflowExecutionSummary)
	}
	return out, nil
}

// GetWorkflowExecution returns a workflow execution.
func (s *Service) GetWorkflowExecution(ctx context.Context, account, id string) (GetWorkflowExecutionOutput, error) {
	if id == "" {
		return GetWorkflowExecutionOutput{}, missing("workflowExecutionId")
	}
	image, wfs, err := s.imageByAttr(ctx, account, "workflowExecutionId", id)
	if err != nil {
		return GetWorkflowExecutionOutput{}, err
	}
	for _, wf := range wfs {
		if wf.WorkflowExecutionID == id {
			return GetWorkflowExecutionOutput{WorkflowExecutionSummary: wf.WorkflowExecutionSummary, ImageBuildVersionArn: image.String()}, nil
		}
	}
	return GetWorkflowExecutionOutput{}, apierr.ResourceNotFound("The workflow execution %s does not exist.", id)
}

// ListWorkflowStepExecutions lists a workflow execution's steps.
func (s *Service) ListWorkflowStepExecutions(ctx context.Context, account string, in ListWorkflowStepExecutionsInput) (ListWorkflowStepExecutionsOutput, error) {
	id := in.WorkflowExecutionID
	if id == "" {
		return ListWorkflowStepExecutionsOutput{}, missing("workflowExecutionId")
	}
	if tok := in.NextToken; tok != "" {
		return ListWorkflowStepExecutionsOutput{}, apierr.InvalidPaginationToken("The nextToken %q is not valid: this list has one page.", tok)
	}
	image, wfs, err := s.imageByAttr(ctx, account, "workflowExecutionId", id)
	if err != nil {
		return ListWorkflowStepExecutionsOutput{}, err
	}
	for _, wf := range wfs {
		if wf.WorkflowExecutionID != id {
			continue
		}
		steps := wf.Steps
		if steps == nil {
			steps = []StepExecution{}
		}
		return ListWorkflowStepExecutionsOutput{Steps: steps, WorkflowBuildVersionArn: wf.WorkflowBuildVersionArn, WorkflowExecutionID: id,
			ImageBuildVersionArn: image.String()}, nil
	}
	return ListWorkflowStepExecutionsOutput{}, apierr.ResourceNotFound("The workflow execution %s does not exist.", id)
}

// GetWorkflowStepExecution returns one step execution.
func (s *Service) GetWorkflowStepExecution(ctx context.Context, account, id string) (GetWorkflowStepExecutionOutput, error) {
	if id == "" {
		return GetWorkflowStepExecutionOutput{}, missing("stepExecutionId")
	}
	image, wfs, err := s.imageByAttr(ctx, account, "stepExecutionId", id)
	if err != nil {
		return GetWorkflowStepExecutionOutput{}, err
	}
	for _, wf := range wfs {
		for _, st := range wf.Steps {
			if st.StepExecutionID == id {
				return GetWorkflowStepExecutionOutput{StepExecution: st, WorkflowBuildVersionArn: wf.WorkflowBuildVersionArn,
					WorkflowExecutionID: wf.WorkflowExecutionID, ImageBuildVersionArn: image.String()}, nil
			}
		}
	}
	return GetWorkflowStepExecutionOutput{}, apierr.ResourceNotFound("The step execution %s does not exist.", id)
}
