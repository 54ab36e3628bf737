package api_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"github.com/goldsmith-dev/goldsmith/internal/arn"
	"github.com/goldsmith-dev/goldsmith/internal/service"
	"github.com/goldsmith-dev/goldsmith/internal/store"
)

// recordingBuilds is service.Builds that remembers what was queued, or
// fails (to show the image record and the job commit together).
type recordingBuilds struct {
	mu     sync.Mutex
	queued []string
	fail   bool
}

func (b *recordingBuilds) Enqueue(ctx context.Context, tx store.Tx, account string, image arn.ARN) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail {
		return errors.New("queue unavailable")
	}
	b.queued = append(b.queued, image.String())
	return nil
}

// newPipeline creates, in account A, the recipe web 1.0.0 (one component,
// hello), the infrastructure configuration local and the pipeline nightly
// that builds them.
func newPipeline(t *testing.T, tb *testBundle) (*imagebuilder.CreateImageRecipeOutput, *imagebuilder.CreateInfrastructureConfigurationOutput, *imagebuilder.CreateImagePipelineOutput) {
	t.Helper()
	ctx := context.Background()
	comp := must[*imagebuilder.CreateComponentOutput](t)(tb.a.CreateComponent(ctx, createInput("hello", "1.0.0", helloDoc)))
	rec := must[*imagebuilder.CreateImageRecipeOutput](t)(tb.a.CreateImageRecipe(ctx, &imagebuilder.CreateImageRecipeInput{
		Name: aws.String("web"), SemanticVersion: aws.String("1.0.0"), ParentImage: aws.String("debian-12"),
		Components: []types.ComponentConfiguration{{ComponentArn: comp.ComponentBuildVersionArn}}}))
	infra := must[*imagebuilder.CreateInfrastructureConfigurationOutput](t)(tb.a.CreateInfrastructureConfiguration(ctx,
		&imagebuilder.CreateInfrastructureConfigurationInput{Name: aws.String("local"), InstanceProfileName: aws.String("none")}))
	pipe := must[*imagebuilder.CreateImagePipelineOutput](t)(tb.a.CreateImagePipeline(ctx, &imagebuilder.CreateImagePipelineInput{
		Name: aws.String("nightly"), ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn}))
	return rec, infra, pipe
}

// TestImageCreationAndWorkflowExecutions: creating images through the API
// (the queue is a recorder here; TestImageBuildsThroughTheAPI in
// internal/buildjob runs real builds), their states, workflow step
// executions, cancellation and the error cases.
func TestImageCreationAndWorkflowExecutions(t *testing.T) {
	t.Parallel()
	q := &recordingBuilds{}
	tb := setupWith(t, q, service.Limits{ConcurrentBuilds: 2})
	ctx := context.Background()
	rec, infra, pipe := newPipeline(t, tb)

	start := must[*imagebuilder.StartImagePipelineExecutionOutput](t)(tb.a.StartImagePipelineExecution(ctx,
		&imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: pipe.ImagePipelineArn}))
	image := aws.ToString(start.ImageBuildVersionArn)
	if want := "arn:aws:imagebuilder:" + region + ":" + tb.accountA + ":image/web/1.0.0/1"; image != want {
		t.Fatalf("image = %s, want %s", image, want)
	}
	if len(q.queued) != 1 || q.queued[0] != image {
		t.Fatalf("queued %v", q.queued)
	}
	got := must[*imagebuilder.GetImageOutput](t)(tb.a.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(image)}))
	if got.Image.State.Status != types.ImageStatusPending || aws.ToString(got.Image.SourcePipelineArn) != aws.ToString(pipe.ImagePipelineArn) ||
		got.Image.ImageRecipe == nil || len(got.Image.ImageRecipe.Components) != 1 || got.Image.InfrastructureConfiguration == nil {
		t.Fatalf("new image: %+v", got.Image)
	}
	imgs := must[*imagebuilder.ListImagePipelineImagesOutput](t)(tb.a.ListImagePipelineImages(ctx, &imagebuilder.ListImagePipelineImagesInput{ImagePipelineArn: pipe.ImagePipelineArn}))
	if len(imgs.ImageSummaryList) != 1 || aws.ToString(imgs.ImageSummaryList[0].Arn) != image {
		t.Fatalf("pipeline images: %+v", imgs.ImageSummaryList)
	}

	// A worker's progress, as internal/buildjob records it.
	a, _ := arn.Parse(image)
	now := time.Now()
	for _, ev := range []service.StepEvent{
		{Name: "launch-build-vm", Status: "RUNNING"}, {Name: "launch-build-vm", Status: "COMPLETED"},
		{Name: "build:hello", Status: "RUNNING"}, {Name: "build:hello", Status: "FAILED", Message: "component hello, phase build, step Say failed"},
	} {
		ev.Time = now
		if err := tb.svc.RecordStep(ctx, a, ev); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tb.svc.SetImageState(ctx, a, service.StateChange{Status: service.ImageFailed, Reason: "component hello, phase build, step Say failed"}); err != nil {
		t.Fatal(err)
	}
	// A final state is never left.
	if st, _ := tb.svc.SetImageState(ctx, a, service.StateChange{Status: service.ImageAvailable}); st != service.ImageFailed {
		t.Fatalf("a FAILED image became %s", st)
	}
	wfs := must[*imagebuilder.ListWorkflowExecutionsOutput](t)(tb.a.ListWorkflowExecutions(ctx, &imagebuilder.ListWorkflowExecutionsInput{ImageBuildVersionArn: aws.String(image)}))
	if len(wfs.WorkflowExecutions) != 1 {
		t.Fatalf("workflow executions: %+v", wfs.WorkflowExecutions)
	}
	wf := wfs.WorkflowExecutions[0]
	if wf.Type != types.WorkflowTypeBuild || wf.Status != types.WorkflowExecutionStatusFailed || wf.TotalStepCount != 2 ||
		wf.TotalStepsFailed != 1 || wf.TotalStepsSucceeded != 1 || !strings.HasPrefix(aws.ToString(wf.WorkflowExecutionId), "wf-") {
		t.Fatalf("workflow execution: %+v", wf)
	}
	// The execution names a managed workflow that GetWorkflow returns.
	mw := must[*imagebuilder.GetWorkflowOutput](t)(tb.a.GetWorkflow(ctx, &imagebuilder.GetWorkflowInput{WorkflowBuildVersionArn: wf.WorkflowBuildVersionArn}))
	if mw.Workflow.Type != types.WorkflowTypeBuild || aws.ToString(mw.Workflow.Owner) != "Amazon" || !strings.Contains(aws.ToString(mw.Workflow.Data), "action: ExecuteComponents") {
		t.Fatalf("managed workflow %s: %+v", aws.ToString(wf.WorkflowBuildVersionArn), mw.Workflow)
	}
	one := must[*imagebuilder.GetWorkflowExecutionOutput](t)(tb.a.GetWorkflowExecution(ctx, &imagebuilder.GetWorkflowExecutionInput{WorkflowExecutionId: wf.WorkflowExecutionId}))
	if aws.ToString(one.ImageBuildVersionArn) != image || one.Status != types.WorkflowExecutionStatusFailed {
		t.Fatalf("GetWorkflowExecution: %+v", one)
	}
	steps := must[*imagebuilder.ListWorkflowStepExecutionsOutput](t)(tb.a.ListWorkflowStepExecutions(ctx, &imagebuilder.ListWorkflowStepExecutionsInput{WorkflowExecutionId: wf.WorkflowExecutionId}))
	if len(steps.Steps) != 2 || aws.ToString(steps.Steps[1].Name) != "build:hello" || steps.Steps[1].Status != types.WorkflowStepExecutionStatusFailed ||
		aws.ToString(steps.Steps[1].Action) != "ExecuteComponents" {
		t.Fatalf("steps: %+v", steps.Steps)
	}
	step := must[*imagebuilder.GetWorkflowStepExecutionOutput](t)(tb.a.GetWorkflowStepExecution(ctx, &imagebuilder.GetWorkflowStepExecutionInput{StepExecutionId: steps.Steps[1].StepExecutionId}))
	if !strings.Contains(aws.ToString(step.Message), "step Say failed") || aws.ToString(step.ImageBuildVersionArn) != image {
		t.Fatalf("step: %+v", step)
	}
	_, err := tb.b.GetWorkflowExecution(ctx, &imagebuilder.GetWorkflowExecutionInput{WorkflowExecutionId: wf.WorkflowExecutionId})
	wantCode(t, err, "ResourceNotFoundException") // another account's

	// Cancelling: a pending build can be cancelled, a finished one not.
	second := must[*imagebuilder.CreateImageOutput](t)(tb.a.CreateImage(ctx, &imagebuilder.CreateImageInput{
		ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn}))
	if !strings.HasSuffix(aws.ToString(second.ImageBuildVersionArn), "/1.0.0/2") {
		t.Fatalf("second image %s", aws.ToString(second.ImageBuildVersionArn))
	}
	must[*imagebuilder.CancelImageCreationOutput](t)(tb.a.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: second.ImageBuildVersionArn}))
	_, err = tb.a.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: second.ImageBuildVersionArn})
	wantCode(t, err, "ResourceInUseException")
	_, err = tb.a.CancelImageCreation(ctx, &imagebuilder.CancelImageCreationInput{ImageBuildVersionArn: aws.String(image)})
	wantCode(t, err, "ResourceInUseException")

	// The record and the job are written together.
	q.fail = true
	_, err = tb.a.CreateImage(ctx, &imagebuilder.CreateImageInput{ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn})
	wantCode(t, err, "ServiceException")
	q.fail = false
	builds := must[*imagebuilder.ListImageBuildVersionsOutput](t)(tb.a.ListImageBuildVersions(ctx, &imagebuilder.ListImageBuildVersionsInput{
		ImageVersionArn: aws.String(strings.TrimSuffix(image, "/1"))}))
	if len(builds.ImageSummaryList) != 2 {
		t.Fatalf("after a failed enqueue: %d image builds, want 2", len(builds.ImageSummaryList))
	}

	// The concurrent-build quota (2 here): the second image is CANCELLED,
	// the first FAILED; two new ones fill the quota, a third is refused.
	for range 2 {
		must[*imagebuilder.CreateImageOutput](t)(tb.a.CreateImage(ctx, &imagebuilder.CreateImageInput{ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn}))
	}
	_, err = tb.a.CreateImage(ctx, &imagebuilder.CreateImageInput{ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn})
	wantCode(t, err, "ServiceQuotaExceededException")

	// A disabled pipeline does not start.
	must[*imagebuilder.UpdateImagePipelineOutput](t)(tb.a.UpdateImagePipeline(ctx, &imagebuilder.UpdateImagePipelineInput{
		ImagePipelineArn: pipe.ImagePipelineArn, ImageRecipeArn: rec.ImageRecipeArn, InfrastructureConfigurationArn: infra.InfrastructureConfigurationArn,
		Status: types.PipelineStatusDisabled}))
	_, err = tb.a.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: pipe.ImagePipelineArn})
	wantCode(t, err, "InvalidRequestException")
	// Another account cannot start it.
	_, err = tb.b.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{ImagePipelineArn: pipe.ImagePipelineArn})
	wantCode(t, err, "ForbiddenException")
}
